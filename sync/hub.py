"""The hub: an ordinary node with an HTTP(S) face (Starlette + uvicorn) that any laptop can run.

It accepts batches of events (`/v1/push`), answers "what does this vector lack" (`/v1/pull`),
and holds a pull open until events beyond the caller's vector exist, so a scan reaches the
dashboard at once. Store work never runs on the event loop: one writer thread does every
write (datasette's way) and a few reader threads read. The store is an SQLite file (the
default: each thread holds its connection, WAL lets them read while the writer writes) or a
PostgreSQL database that several hubs share (sync/stores.py, sync/pg/): the same log code and
the same trust gate run on either.

Every request body is hostile until parsed: capped per route (4 KiB for `/v1/enrol`, which
anyone may call), read only after the token is checked where there is one, charged to the
station's quota (`sync.quota`), and parsed by two parser threads, never on the event loop.
Every refusal is a 4xx with a reason; a 500 means a bug of ours.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db import hlc as hlc_mod
from db import log, trust
from db.badge_keys import parse_badge_key
from db.errors import EventOpsError, LogConflict, LogGap
from db.events import Event
from db.node import local_station
from sync import protocol as p
from sync import store
from sync.incidents import merge_guarded
from sync.quota import UNLIMITED, Quota, Quotas
from sync.stores import Store, open_store

logger = logging.getLogger("eventops.hub")

T = TypeVar("T")

#: How often waiting pulls look for events written by other processes (the organiser's CLI, the
#: other hubs on a shared store: those also send news at once, this poll covers a lost one).
OUTSIDE_POLL_S = 0.5
#: A refused request whose unread body is larger than this is answered with `Connection: close`,
#: so the hub does not read megabytes it has already refused (the sender still gets the answer).
DRAIN_BYTES = 64 * 1024
#: How long a stranger (no valid token) waits for the refusal of such a body: a sender in a hot
#: loop then costs the hub almost nothing, and an honest station never sends one.
STRANGER_PAUSE_S = 0.5
#: How long the list of stations revoked in the log (by another hub) is trusted; revocations
#: made on this hub (its token table) count at once.
REVOKED_TTL_S = 10.0
#: How often a hub on a shared store says it still serves (the enrolment lists recent ones).
HEARTBEAT_S = 60.0


@dataclass
class PushOutcome:
    added: int = 0
    duplicates: int = 0
    quarantined: int = 0
    waiting: int = 0  # events of stations whose key the hub does not know yet (a relay's)
    vector: dict[str, int] = field(default_factory=dict)


class Hub:
    """The hub's state: its store (through its threads) and the pulls waiting for news."""

    def __init__(
        self,
        where: str | Path | Store,
        *,
        wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
        quotas: Quotas | None = None,
        peers: tuple[str, ...] = (),
    ) -> None:
        self.store = open_store(where)
        self.wall = wall
        self.quotas = quotas or Quotas()
        #: Other hubs' addresses a station may fail over to (`--peer`), besides the store's list.
        self.peers = peers
        #: The address stations reach this hub at (set by `serve`).
        self.url: str | None = None
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="hub-writer")
        self._readers = ThreadPoolExecutor(4, thread_name_prefix="hub-reader")
        # Bodies are parsed here, not on the event loop nor on the readers (which pulls wait for).
        self._parsers = ThreadPoolExecutor(2, thread_name_prefix="hub-parser")
        self._news: asyncio.Condition | None = None
        self._last_rowid = 0
        self._revoked: tuple[float, set[str]] = (0.0, set())
        self._closing = False
        self._version = 0
        self.held_pulls = 0  # long-polls waiting for news right now (told by /v1/health)
        self._vector_at: tuple[int, dict[str, int]] = (-1, {})
        db = self.store.open_first()
        try:
            store.ensure_tables(db)
            self.station_id = local_station(db)
        finally:
            db.conn.close()

    # --- threads and connections ------------------------------------------------------
    def _in_session(self, fn: Callable[..., T], *args: Any) -> T:
        with self.store.session() as db:
            return fn(db, *args)

    async def _run(self, executor: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, lambda: self._in_session(fn, *args))

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._run(self._readers, fn, *args)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._run(self._writer, fn, *args)

    async def body(self, request: Request, limit: int, grant: store.Grant | None = None) -> dict[str, Any]:
        """The request's body as a JSON object: at most `limit` bytes (413 as soon as it is
        known to be larger), charged to `grant`'s byte quota (429), parsed off the event loop."""
        raw = await read_raw(request, limit, charge=lambda size: self._charge_bytes(grant, size))
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._parsers, p.decode_body, raw, limit)

    def _charge_bytes(self, grant: store.Grant | None, size: int) -> None:
        if grant is not None:
            self.quotas.charge_bytes(grant.station_id, grant.role, size)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self._parsers.shutdown(wait=True)
        self.store.close()

    # --- news: wake waiting pulls -----------------------------------------------------
    def _condition(self) -> asyncio.Condition:
        if self._news is None:
            self._news = asyncio.Condition()
        return self._news

    async def announce(self) -> None:
        """Wake every waiting pull: the log has grown."""
        news = self._condition()
        async with news:
            self._version += 1
            news.notify_all()

    async def watch_outside_writes(self) -> None:
        """Wake waiting pulls when another process (the organiser's CLI, another hub) appends to the log."""
        told = time.monotonic()
        while not self._closing:
            await self.store.news(OUTSIDE_POLL_S)
            try:
                if self.url and time.monotonic() - told > HEARTBEAT_S:
                    told = time.monotonic()
                    await self.write(self.store.register, self.url)  # still serving: stay on the stations' list
                rowid = await self.read(self.store.position)
            except Exception:  # noqa: BLE001 - a busy or vanished file must not stop the hub
                continue
            if rowid != self._last_rowid:
                self._last_rowid = rowid
                await self.announce()

    async def stop(self) -> None:
        self._closing = True
        await self.announce()

    # --- the work ---------------------------------------------------------------------
    async def grant(self, request: Request) -> store.Grant:
        token = p.bearer(request.headers.get("authorization"))
        if token is None:
            raise p.ProtocolError(401, p.UNAUTHORISED, "a station token is required (Authorization: Bearer ...)")
        grant = await self.read(store.grant_for, token)
        if grant is None:
            raise p.ProtocolError(401, p.UNAUTHORISED, "this hub does not know that token: enrol the station again")
        if grant.revoked:
            raise p.ProtocolError(403, p.REVOKED, f"station {grant.station_id} has been revoked on this hub")
        request.state.grant = grant
        return grant

    def addresses(self, db: Database) -> list[str]:
        """Where a station may reach a hub of this event: this one first, then the others."""
        found = self.store.hub_addresses(db, self.url)
        return found + [peer for peer in self.peers if peer not in found]

    def revoked_now(self, db: Database) -> set[str]:
        """Revoked stations: this hub's tokens (read fresh) and the log's revocations (cached)."""
        at, cached = self._revoked
        if time.monotonic() - at > REVOKED_TTL_S:
            cached = store.revoked_in_log(db)
            self._revoked = (time.monotonic(), cached)
        return cached | store.revoked_here(db)

    def push(self, db: Database, events: list[Event], grant: store.Grant) -> PushOutcome:
        """Merge a pushed batch in one transaction: all of it, or nothing and a reason."""
        outcome = PushOutcome()
        revoked = self.revoked_now(db)
        try:
            guarded = merge_guarded(db, events, revoked=revoked, observer=self.station_id, via=grant.station_id, wall=self.wall)
        except LogGap as error:
            raise p.ProtocolError(409, p.GAP, str(error), vector=log.vector(db)) from None
        except LogConflict as error:
            raise p.ProtocolError(409, p.CONFLICT, str(error), vector=log.vector(db)) from None
        except trust.Refused as error:
            logger.warning("push from %s refused (%s): %s", grant.station_id, error.reason, error)
            raise p.ProtocolError(403, error.reason, str(error), vector=log.vector(db)) from None
        outcome.added, outcome.duplicates = len(guarded.merged.added), guarded.merged.duplicates
        outcome.quarantined = guarded.quarantined
        outcome.waiting = guarded.merged.waiting
        outcome.vector = self.vector(db)
        return outcome

    def vector(self, db: Database) -> dict[str, int]:
        """The hub's vector, kept up to date from the rows added since it was last read.

        The log is append-only and written one transaction at a time (on PostgreSQL too: the
        store's write lock), so rows beyond the cached position are exactly what changed:
        after a push that costs a range scan of the new rows, not a scan of the whole log (which
        at a million events would be a fraction of a second on every push).
        """
        with self._lock:
            at, cached = self._vector_at
        rowid = self.store.position(db)
        if rowid == at:
            return dict(cached)
        if at < 0:
            vector = log.vector(db)
        else:
            vector = dict(cached)
            for station_id, seq in self.store.heads_between(db, at, rowid):
                vector[station_id] = max(vector.get(station_id, 0), int(seq))
        with self._lock:
            if rowid >= self._vector_at[0]:
                self._vector_at = (rowid, vector)
        return dict(vector)

    def pull(self, db: Database, request: p.PullRequest) -> tuple[list[str], dict[str, int], int]:
        """What a node with `request.vector` lacks, as wire JSON straight from the rows."""
        held = self.vector(db)
        out: list[str] = []
        count = 0
        for station_id, have in sorted(held.items()):
            since = request.vector.get(station_id, 0)
            if have <= since or count >= request.limit:
                continue
            text, rows = self.store.run_json(db, station_id, since, request.limit - count)
            if rows and text:
                out.append(text)
                count += rows
        return out, held, count

    async def pull_waiting(self, request: p.PullRequest) -> tuple[list[str], dict[str, int], int]:
        """Answer at once if there is news for this vector, else hold until there is or time is up."""
        deadline = time.monotonic() + request.wait
        news = self._condition()
        while True:
            seen = self._version
            events, vector, count = await self.read(self.pull, request)
            remaining = deadline - time.monotonic()
            if count or remaining <= 0 or self._closing or request.limit == 0:
                return events, vector, count
            async with news:
                # News that landed while we were reading bumped the version: read again at once.
                if self._version == seen:
                    self.held_pulls += 1
                    try:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(news.wait(), timeout=remaining)
                    finally:
                        self.held_pulls -= 1


def enrol_station(db: Database, secret: str, public_key: bytes, badge_key: bytes | None = None) -> tuple[store.Grant, str] | None:
    """Swap an enrolment secret for a token and bind the station's key, in one transaction:
    the log then says which key speaks for the station, and what kind it is (and, for a desk
    allowed walk-ins, which key signs its badges: ignored for any other station)."""
    from db.connect import write

    try:
        with write(db):
            redeemed = store.redeem(db, secret)
            if redeemed is not None:
                trust.vouch(db, redeemed[0].station_id, redeemed[0].kind, public_key, badge_key=badge_key)
    except EventOpsError as error:
        raise p.ProtocolError(403, p.KEY_REFUSED, str(error)) from None
    return redeemed


def _health(db: Database, hub: Hub) -> dict[str, Any]:
    """Liveness for anyone (no token): is the hub up, and how many events it holds. Nothing that
    names a station (the vector lists every one): a token's `/v1/pull` with limit 0 gives that.
    `waiting` counts the long-polls held open now (how many stations are listening)."""
    return {"ok": True, "events": sum(hub.vector(db).values()), "waiting": hub.held_pulls}


async def read_raw(request: Request, limit: int, charge: Callable[[int], None]) -> bytes:
    """The body's bytes, refused (413) as soon as they pass `limit`: a declared length before a
    byte is read, a chunked body when it gets there. `charge` is told the size before any
    parsing (the declared length up front, else the length read)."""
    length = request.headers.get("content-length")
    declared = int(length) if length and length.isdigit() else None
    if declared is not None:
        if declared > limit:
            raise p.too_large(limit)
        charge(declared)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise p.too_large(limit)
        chunks.append(chunk)
    if declared is None:
        charge(size)
    request.state.body_read = True
    return b"".join(chunks)


def unread_body_is_large(request: Request) -> bool:
    """True when the request still has a body to read that is large or of unknown length."""
    if getattr(request.state, "body_read", False):
        return False
    length = request.headers.get("content-length")
    if length is None:
        return "chunked" in request.headers.get("transfer-encoding", "").lower()
    return not length.isdigit() or int(length) > DRAIN_BYTES


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(p.encode_body(obj), status_code=status, media_type="application/json")


def create_app(
    where: str | Path | Store,
    *,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
    quota: Quota | None = None,
    relay_quota: Quota = UNLIMITED,
    peers: tuple[str, ...] = (),
) -> Starlette:
    """The hub as an ASGI app (served by `serve`, or driven in-process by tests).

    `where` is an SQLite file's path, a `postgresql://` URL or an open store (sync/stores.py).
    `quota` limits what each station may send per minute (default `Quota()`: far above a real
    desk); `relay_quota` does the same for relays (default: no limit). `peers` are other hubs'
    addresses the enrolment answer names, so a station can fail over to them.
    """
    hub = Hub(where, wall=wall, quotas=Quotas(quota, relay_quota), peers=peers)

    async def health(request: Request) -> Response:
        return json_response(await hub.read(_health, hub))

    async def whoami(request: Request) -> Response:
        grant = await hub.grant(request)
        return json_response({"station": grant.station_id, "kind": grant.kind, "role": grant.role, "hub": hub.station_id})

    async def tokens(request: Request) -> Response:
        grant = await hub.grant(request)
        if grant.role != p.ROLE_RELAY:
            raise p.ProtocolError(403, p.FOREIGN_STATION, "only a relay (a station of kind hub) may copy this hub's tokens")
        return json_response({"tokens": await hub.read(store.export_tokens), "hub": hub.station_id})

    async def push(request: Request) -> Response:
        grant = await hub.grant(request)
        body = await hub.body(request, p.MAX_BODY_BYTES, grant)
        events = await hub.read(lambda _db: p.parse_push(body))
        if grant.role != p.ROLE_RELAY:
            foreign = sorted({e.station_id for e in events if e.station_id != grant.station_id})
            if foreign:
                raise p.ProtocolError(
                    403, p.FOREIGN_STATION, f"station {grant.station_id} may push only its own events, not {', '.join(foreign[:3])}'s"
                )
        hub.quotas.charge_events(grant.station_id, grant.role, len(events))
        outcome = await hub.write(hub.push, events, grant)
        if outcome.added:
            await hub.announce()
        return json_response(
            {
                "added": outcome.added,
                "duplicates": outcome.duplicates,
                "quarantined": outcome.quarantined,
                "waiting": outcome.waiting,
                "vector": outcome.vector,
            }
        )

    async def pull(request: Request) -> Response:
        grant = await hub.grant(request)
        body = await hub.body(request, p.MAX_PULL_BYTES, grant)
        wanted = p.parse_pull(body)
        events, vector, count = await hub.pull_waiting(wanted)
        more = bool(wanted.limit) and count >= wanted.limit
        answer = f'{{"events":[{",".join(events)}],"vector":{json.dumps(vector)},"more":{json.dumps(more)}}}'
        return Response(answer.encode(), media_type="application/json")

    async def enrol(request: Request) -> Response:
        body = await hub.body(request, p.MAX_ENROL_BYTES)
        secret = body.get("secret")
        if not isinstance(secret, str) or not secret or len(secret) > 200:
            raise p.malformed("secret must be the enrolment code's secret")
        public_key = p.parse_public_key(body.get("public_key"))
        badge_key = None if body.get("badge_key") is None else parse_badge_key(body.get("badge_key"))
        if body.get("badge_key") is not None and badge_key is None:
            raise p.malformed("badge_key must be the walk-in desk's Ed25519 badge public key (base64 of 32 bytes)")
        redeemed = await hub.write(enrol_station, secret, public_key, badge_key)
        if redeemed is None:
            raise p.ProtocolError(403, p.UNKNOWN_CODE, "this enrolment code is unknown or already used: ask for a new one (`eventops station add`)")
        grant, token = redeemed
        root = await hub.read(trust.organiser)
        organiser = None if root is None else {"station": root.station_id, "public_key": base64.b64encode(root.public_key).decode()}
        answer = {"station": grant.station_id, "kind": grant.kind, "role": grant.role, "token": token, "hub": hub.station_id}
        return json_response({**answer, "organiser": organiser, "hubs": await hub.read(hub.addresses)})

    async def protocol_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, p.ProtocolError)
        response = json_response(exc.body(), exc.status)
        if unread_body_is_large(request):
            response.headers["Connection"] = "close"
            if getattr(request.state, "grant", None) is None:
                await asyncio.sleep(STRANGER_PAUSE_S)
        if "retry_after" in exc.extra:
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response

    async def store_unavailable(request: Request, exc: Exception) -> Response:
        # The store's server is down or out of connections: not a bug, and not for long.
        # 503 tells the station to try again, or another hub of the event.
        logger.warning("request failed, the store %s is unavailable: %s", hub.store.name, str(exc).strip()[:200])
        return JSONResponse({"error": "store_unavailable", "message": "the hub cannot reach its store: try again or another hub"}, 503)

    async def internal_error(request: Request, exc: Exception) -> Response:
        logger.exception("request failed")
        return JSONResponse({"error": "internal", "message": "the hub failed on this request; its log says why"}, 500)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        watcher = asyncio.create_task(hub.watch_outside_writes())
        try:
            yield
        finally:
            await hub.stop()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            hub.close()

    app = Starlette(
        routes=[
            Route("/v1/health", health, methods=["GET"]),
            Route("/v1/whoami", whoami, methods=["GET"]),
            Route("/v1/tokens", tokens, methods=["GET"]),
            Route("/v1/push", push, methods=["POST"]),
            Route("/v1/pull", pull, methods=["POST"]),
            Route("/v1/enrol", enrol, methods=["POST"]),
        ],
        exception_handlers={
            p.ProtocolError: protocol_error,
            **dict.fromkeys(hub.store.unavailable, store_unavailable),
            Exception: internal_error,
        },
        lifespan=lifespan,
    )
    app.state.hub = hub
    return app


def lan_address() -> str:
    """This laptop's address on the LAN (what stations dial), without sending a packet."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def serve(
    where: str | Path | Store,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    on_ready: Callable[[str], None] | None = None,
    sock: Any = None,
    peers: tuple[str, ...] = (),
) -> None:
    """Run the hub until interrupted: uvicorn, one process, one event loop.

    SIGINT (Ctrl-C) and SIGTERM first wake every held long-poll (they answer "nothing new"
    at once), then uvicorn closes the connections, so the hub stops within a second and
    quietly. `sock` is a socket from `listen` (the caller binds first); without it, one is
    bound here. `where`: an SQLite path or a `postgresql://` URL (sync/stores.py).
    """
    import uvicorn

    from db.connect import set_setting
    from sync.serving import RefusalLog, listen

    sock = listen(host, port) if sock is None else sock
    scheme = "https" if tls_cert else "http"
    url = f"{scheme}://{host}:{port}"
    hint = f"{scheme}://{lan_address() if host in ('0.0.0.0', '::', '') else host}:{port}"
    try:
        opened = open_store(where)
        db = opened.open_first()
        try:
            store.ensure_tables(db)
            set_setting(db, "sync.serving_url", hint)  # the address enrolment codes carry as a hint
            opened.register(db, hint)
        finally:
            db.conn.close()
        app = create_app(opened, peers=peers)
    except BaseException:
        sock.close()
        raise
    hub: Hub = app.state.hub
    hub.url = hint
    config = uvicorn.Config(
        RefusalLog(app),
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        log_level="warning",
        log_config=None,  # uvicorn's errors go where the program sends its logs (eventops.logs), not a second stderr
        access_log=False,
        timeout_graceful_shutdown=2,
        timeout_keep_alive=75,  # stations pause between batches (merging); keep their connection
        lifespan="on",
    )
    server = uvicorn.Server(config)
    original_startup, original_shutdown = server.startup, server.shutdown

    async def startup(sockets: Any = None) -> None:
        await original_startup(sockets=sockets)
        if server.started:
            logger.info("hub serving %s on %s as %s", hub.store.name, url, hub.station_id)
            if on_ready is not None:
                on_ready(url)

    async def shutdown(sockets: Any = None) -> None:
        logger.info("hub stopping")
        await hub.stop()  # held long-polls answer now, instead of being cancelled mid-wait
        await original_shutdown(sockets=sockets)

    server.startup = startup  # type: ignore[method-assign]
    server.shutdown = shutdown  # type: ignore[method-assign]
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled: the hub has stopped cleanly, nothing to add
    finally:
        sock.close()
    logger.info("hub stopped")
