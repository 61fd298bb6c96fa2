"""The station side of sync: one round (`sync_once`) and a background loop (`SyncLoop`).

A station pushes what the hub lacks right after each scan (`SyncLoop.nudge()`), holds a
long-poll open for what it lacks itself, backs off while the hub is unreachable, and always
resumes from the two version vectors, so a crash or a dead hub costs nothing but time.
Nothing here blocks the caller: the loop runs in its own threads with its own connections.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlite_utils import Database

from db import hlc as hlc_mod
from db import log
from db.connect import get_setting, set_setting
from db.errors import EventOpsError
from db.events import STATION_HEALTH, Event
from db.node import STATION_KEY, local_station
from db.retry import Backoff
from db.watch import WATCH_EVERY_S, CommitWatch
from sync import protocol as p
from sync.connection import open_more
from sync.tls import pinned_context

logger = logging.getLogger("eventops.sync")
# A library's logger: silent unless the program configures logging (no stray lines on a station's screen).
logger.addHandler(logging.NullHandler())

#: Events per push or pull request.
BATCH = 2000
#: How long one long-poll is held open by the hub (seconds).
LONG_POLL_S = 25.0
#: How often a connected station tells everyone its sync health (`station.health`).
HEALTH_EVERY_S = 120.0

# Node settings (table `node`, never synced) written by enrolment.
HUB_URL = "sync.hub_url"
#: Every hub address of the event the enrolment answer named (JSON list): where to fail over.
HUB_URLS = "sync.hub_urls"
TOKEN = "sync.token"
HUB_CERT = "sync.hub_cert"
ROLE = "sync.role"
HUB_VECTOR = "sync.hub_vector"
LAST_SYNC = "sync.last_ms"
PURGED = "sync.purged"


class Unreachable(EventOpsError):
    """The hub did not answer (down, no network, timeout)."""


class HubRefused(EventOpsError):
    """The hub answered with an error: `status`, `reason` (a protocol word) and its sentence."""

    def __init__(self, status: int, reason: str, message: str, body: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"the hub refused ({status} {reason}): {message}")
        self.status = status
        self.reason = reason
        self.body = dict(body or {})


class BadHubUrl(EventOpsError):
    """A hub address that cannot be dialled as written (no scheme, a bad port, a broken IPv6)."""


def check_hub_url(url: str) -> str:
    """The hub's address, checked once up front (a typo must not leave a loop "connecting" forever).

    Returns it without a trailing slash; raises BadHubUrl with the form it should take.
    """
    text = url.strip()
    example = "http://10.0.0.2:8765 or https://hub.local:8765"
    if not text:
        raise BadHubUrl(f"the hub's address is empty: give it as {example}")
    if any(c.isspace() for c in text):
        raise BadHubUrl(f"the hub's address {text!r} contains a space: give it as {example}")
    try:
        parts = urlsplit(text)
        port = parts.port
        httpx.URL(text)
    except (ValueError, httpx.InvalidURL) as error:
        raise BadHubUrl(f"the hub's address {text!r} is not a valid URL ({error}): give it as {example}") from None
    if parts.scheme not in ("http", "https"):
        raise BadHubUrl(f"the hub's address {text!r} must start with http:// or https://, e.g. {example}")
    if not parts.hostname:
        raise BadHubUrl(f"the hub's address {text!r} names no host: give it as {example}")
    if port == 0:
        raise BadHubUrl(f"the hub's address {text!r} has port 0: give the port the hub listens on")
    return text.rstrip("/")


class HubClient:
    """The protocol over HTTP(S): one method per endpoint, errors turned into our own."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        cert_pem: str | None = None,
        timeout: float = 10.0,
        http: httpx.Client | None = None,
    ) -> None:
        self.url = check_hub_url(url)
        self.token = token
        self.timeout = timeout
        verify: Any = pinned_context(cert_pem) if cert_pem else True
        self.http = http or httpx.Client(base_url=self.url, verify=verify, timeout=timeout)
        self._whoami: dict[str, Any] | None = None

    def close(self) -> None:
        self.http.close()

    def _headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"} if self.token else {}

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None, timeout: float | None = None) -> dict[str, Any]:
        content = p.encode_body(body) if body is not None else None
        headers = {**self._headers(), "content-type": "application/json"}
        for attempt in (1, 2):
            try:
                response = self.http.request(method, path, content=content, headers=headers, timeout=timeout or self.timeout)
                break
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as error:
                # A kept-alive connection the hub had just closed: every call is idempotent, so
                # one more try on a fresh connection is safe.
                if attempt == 2:
                    raise Unreachable(f"the hub at {self.url} is unreachable: {type(error).__name__} {error}".rstrip()) from None
            except httpx.TransportError as error:
                raise Unreachable(f"the hub at {self.url} is unreachable: {type(error).__name__} {error}".rstrip()) from None
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if response.status_code == 503:
            # That hub cannot reach its store (PostgreSQL down or failing over): like an
            # unreachable hub, try again later or another hub of the event.
            raise Unreachable(f"the hub at {self.url} is unavailable: {answer.get('message', response.reason_phrase)}")
        if response.status_code >= 400:
            raise HubRefused(
                response.status_code, str(answer.get("error", "http")), str(answer.get("message", response.reason_phrase)), answer
            )
        return answer

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/v1/health")

    def whoami(self) -> dict[str, Any]:
        if self._whoami is None:
            self._whoami = self._call("GET", "/v1/whoami")
        return self._whoami

    def tokens(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/v1/tokens").get("tokens", []))

    def enrol(self, secret: str, public_key: bytes, badge_key: bytes | None = None) -> dict[str, Any]:
        """Redeem the code's secret; the hub binds `public_key` to the station in the log (and a
        walk-in desk's `badge_key`, the public half of the key its badges are signed with)."""
        import base64

        body = {"secret": secret, "public_key": base64.b64encode(public_key).decode()}
        if badge_key is not None:
            body["badge_key"] = base64.b64encode(badge_key).decode()
        return self._call("POST", "/v1/enrol", body)

    def push(self, events: list[Event]) -> dict[str, Any]:
        return self._call("POST", "/v1/push", {"events": p.events_to_wire(events)})

    def pull(self, vector: Mapping[str, int], limit: int = BATCH, wait: float = 0.0) -> tuple[list[Event], dict[str, int], bool]:
        answer = self._call("POST", "/v1/pull", {"vector": dict(vector), "limit": limit, "wait": wait}, timeout=self.timeout + wait)
        events = p.parse_events(answer.get("events", []), limit=p.MAX_PULL_LIMIT)
        return events, p.parse_vector(answer.get("vector")), bool(answer.get("more"))


def hub_urls(db: Database, hub_url: str | None = None) -> list[str]:
    """Where to reach the hub: `hub_url` alone when given; else the enrolment's hub, then every
    other hub of the event it named (a station fails over in this order)."""
    if hub_url:
        return [hub_url]
    first = get_setting(db, HUB_URL)
    try:
        others = [str(u) for u in json.loads(get_setting(db, HUB_URLS) or "[]") if isinstance(u, str)]
    except ValueError:
        others = []
    return list(dict.fromkeys(([first] if first else []) + others))


def client_for(db: Database, hub_url: str | None = None, token: str | None = None, **kwargs: Any) -> HubClient:
    """A client from explicit arguments, falling back on what enrolment stored in this database."""
    url = hub_url or get_setting(db, HUB_URL)
    if not url:
        raise EventOpsError("no hub known for this database: pass --hub URL (or enrol the station first)")
    cert = get_setting(db, HUB_CERT) if url.startswith("https") else None
    return HubClient(url, token or get_setting(db, TOKEN), cert_pem=cert, **kwargs)


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one round of sync moved."""

    pushed: int
    pulled: int
    duplicates: int
    quarantined: int
    hub_vector: dict[str, int]
    waiting: int

    def to_json(self) -> dict[str, Any]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "waiting": self.waiting,
            "hub_vector": self.hub_vector,
        }


def refuse_if_purged(db: Database) -> None:
    if get_setting(db, PURGED):
        raise EventOpsError("this database was purged of personal data after the event: it no longer syncs")


def _pushable(db: Database, hub_vector: Mapping[str, int], only: str | None, limit: int) -> list[Event]:
    if only is None:
        return log.lacking(db, hub_vector, limit)
    return log.lacking(db, {**{s: n for s, n in log.vector(db).items() if s != only}, only: hub_vector.get(only, 0)}, limit)


def _only(db: Database, hub: HubClient) -> str | None:
    """Whose events we push: a relay carries everyone's; a station, those of its token."""
    who = hub.whoami()
    if who.get("role") == p.ROLE_RELAY:
        return None
    return str(who.get("station") or local_station(db))


def waiting(db: Database, hub_vector: Mapping[str, int], only: str | None = None) -> int:
    """Events of ours the hub lacks (a station: its own scans; a relay: everything)."""
    if only is None:
        return log.lacking_count(db, hub_vector)
    return max(0, log.vector(db).get(only, 0) - int(hub_vector.get(only, 0)))


def push_all(db: Database, hub: HubClient, hub_vector: Mapping[str, int], *, batch: int = BATCH) -> tuple[int, int, int, dict[str, int]]:
    """Push everything the hub lacks (a station: only its own events), in batches.

    Returns (added, duplicates, quarantined, hub vector). A refusal for a gap means the hub
    holds less than we thought (restored from a backup): start again from its vector.
    """
    only = _only(db, hub)
    known = dict(hub_vector)
    assumed = dict(known)  # known, plus what the hub kept out (quarantine): do not send it again
    added = duplicates = quarantined = 0
    retries = 0
    while True:
        events = _pushable(db, assumed, only, batch)
        if not events:
            return added, duplicates, quarantined, known
        try:
            answer = hub.push(events)
        except HubRefused as refusal:
            if refusal.reason in (p.GAP,) and retries < 3 and "vector" in refusal.body:
                retries += 1
                known = p.parse_vector(refusal.body["vector"])
                assumed = dict(known)
                continue
            raise
        added += int(answer.get("added", 0))
        duplicates += int(answer.get("duplicates", 0))
        quarantined += int(answer.get("quarantined", 0))
        known = p.parse_vector(answer.get("vector"))
        assumed = {**known}
        for event in events:
            assumed[event.station_id] = max(assumed.get(event.station_id, 0), event.seq)


def pull_all(
    db: Database,
    hub: HubClient,
    *,
    batch: int = BATCH,
    wait: float = 0.0,
    observer: str | None = None,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
    on_events: Callable[[list[Event]], None] | None = None,
) -> tuple[int, dict[str, int]]:
    """Pull what we lack until the hub has no more (the first request may wait for news)."""
    pulled = 0
    asked = log.vector(db)
    while True:
        events, hub_vector, more = hub.pull(asked, batch, wait)
        if events:
            result = log.merge(db, events, observer=observer, wall=wall)
            pulled += len(result.added) + result.released
            if on_events and result.added:
                on_events(result.added)
        if not more or not events:
            return pulled, hub_vector
        # Ask past everything received so far, never less: what waits for its station's key
        # (which a later batch may bring) is not asked for again and again. (Asking only past
        # the last batch made two keyless stations' batches take turns for ever.)
        for station_id, seq in log.vector(db).items():
            asked[station_id] = max(asked.get(station_id, 0), seq)
        for event in events:
            asked[event.station_id] = max(asked.get(event.station_id, 0), event.seq)
        wait = 0.0


def copy_tokens(db: Database, hub: HubClient) -> int:
    """A relay copies the hub's (hashed) station tokens, so it can stand in for the hub."""
    if hub.whoami().get("role") != p.ROLE_RELAY:
        return 0
    from sync import store

    return store.import_tokens(db, hub.tokens(), source=str(hub.whoami().get("hub", hub.url)))


def sync_once(
    db: Database,
    hub_url: str | None = None,
    token: str | None = None,
    *,
    client: HubClient | None = None,
    batch: int = BATCH,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
) -> SyncReport:
    """One full round: push what the hub lacks, pull what we lack, both in batches.

    Safe to interrupt at any point and to repeat: both sides resume from their vectors.
    """
    refuse_if_purged(db)
    if client is None:
        urls = hub_urls(db, hub_url)
        for url in urls[:-1]:  # every round is idempotent: an unreachable hub, try the next one
            with contextlib.suppress(Unreachable):
                return sync_once(db, url, token, batch=batch, wall=wall)
        hub_url = urls[-1] if urls else None
    hub = client or client_for(db, hub_url, token)
    try:
        _, hub_vector, _ = hub.pull(log.vector(db), 0)
        added, duplicates, quarantined, hub_vector = push_all(db, hub, hub_vector, batch=batch)
        pulled, hub_vector = pull_all(db, hub, batch=batch, wall=wall)
        copy_tokens(db, hub)
    finally:
        if client is None:
            hub.close()
    only = _only(db, hub)
    set_setting(db, HUB_VECTOR, json.dumps(hub_vector))
    set_setting(db, LAST_SYNC, str(time.time_ns() // 1_000_000))
    return SyncReport(added, pulled, duplicates, quarantined, hub_vector, waiting(db, hub_vector, only))


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What a station's status line shows: online or not, scans waiting, last sync."""

    hub: str
    online: bool = False
    waiting: int = 0
    last_sync_ms: int | None = None
    pushed: int = 0
    pulled: int = 0
    error: str | None = None
    #: the error in a few words, for a status line ("hub unreachable", "hub refused (403 revoked)")
    reason: str | None = None

    def line(self, now_ms: int | None = None) -> str:
        state = "online" if self.online else f"offline: {self.reason or 'error'}" if self.error else "connecting"
        when = "never synced"
        if self.last_sync_ms is not None:
            age = ((now_ms or time.time_ns() // 1_000_000) - self.last_sync_ms) // 1000
            when = f"synced {max(0, age)} s ago"
        return f"{state} · {self.waiting} waiting · {when}"

    def to_json(self) -> dict[str, Any]:
        return {
            "hub": self.hub,
            "online": self.online,
            "waiting": self.waiting,
            "last_sync_ms": self.last_sync_ms,
            "pushed": self.pushed,
            "pulled": self.pulled,
            "error": self.error,
            "reason": self.reason,
        }


class SyncLoop:
    """Keeps one database in sync with a hub from two background threads.

    The pusher sends our events as soon as they are committed: by another connection or
    process on the same file (`eventops scan`, the station app: seen through `PRAGMA
    data_version`, asked every `watch_s`, db/watch.py), or after `nudge()`; and every `idle_s`
    anyway; it reads the log only then. The puller holds a long-poll open and merges what
    arrives (`on_events` hears of it). While the hub is unreachable both back off
    (db/retry.py: exponential, jittered). `status()` never blocks.
    """

    def __init__(
        self,
        db_path: str | Path,
        hub_url: str | None = None,
        token: str | None = None,
        *,
        on_events: Callable[[list[Event]], None] | None = None,
        on_status: Callable[[SyncStatus], None] | None = None,
        long_poll_s: float = LONG_POLL_S,
        idle_s: float = 5.0,
        backoff_s: tuple[float, float] = (0.5, 30.0),
        batch: int = BATCH,
        http_factory: Callable[[], httpx.Client] | None = None,
        health_every_s: float = HEALTH_EVERY_S,
        watch_s: float = WATCH_EVERY_S,
    ) -> None:
        self.db_path = Path(db_path)
        self.health_every_s = health_every_s
        if not self.db_path.is_file():
            raise EventOpsError(f"{self.db_path} does not exist: enrol the station first")
        db = open_more(self.db_path)
        try:
            refuse_if_purged(db)
            self.hub_urls = [check_hub_url(url) for url in hub_urls(db, hub_url)]
            self.hub_url = self.hub_urls[0] if self.hub_urls else ""
            self.token = token or get_setting(db, TOKEN)
            self.cert = get_setting(db, HUB_CERT) if self.hub_url.startswith("https") else None
            #: whose events count as waiting: a station's own; a relay's, everyone's
            self._only = None if get_setting(db, ROLE) == p.ROLE_RELAY else local_station(db)
            self._station = local_station(db)  # for the log: who is syncing
            try:
                self._known: dict[str, int] = p.parse_vector(json.loads(get_setting(db, HUB_VECTOR) or "{}"))
            except (ValueError, EventOpsError):
                self._known = {}
            last = get_setting(db, LAST_SYNC)
            last_sync_ms = int(last) if last and last.isdigit() else None
        finally:
            db.conn.close()
        if not self.hub_url:
            raise EventOpsError("no hub known for this database: pass --hub URL (or enrol the station first)")
        self.hub_url = check_hub_url(self.hub_url)
        self.on_events = on_events
        self.on_status = on_status
        self.long_poll_s = long_poll_s
        self.idle_s = idle_s
        self.watch_s = watch_s
        #: Rounds the pusher made (each reads the log once): commits and nudges, not the clock.
        self.push_rounds = 0
        self.backoff_s = backoff_s
        self.batch = batch
        self.http_factory = http_factory
        self._status = SyncStatus(self.hub_url, last_sync_ms=last_sync_ms)
        self._status_lock = threading.Lock()
        self._hub_vector: dict[str, int] | None = None
        self._nudged = threading.Event()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._clients: list[HubClient] = []
        #: for the log: connected yet; since when (monotonic) and why offline, if offline
        self._connected = False
        self._down: tuple[float, str, int] | None = None

    # --- public ------------------------------------------------------------------------
    def start(self) -> SyncLoop:
        logger.info("sync of %s with %s starting", self._station, self.hub_url)
        for name, target in (("sync-push", self._push_loop), ("sync-pull", self._pull_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def nudge(self) -> None:
        """A local event was appended: push it now."""
        self._nudged.set()

    def status(self) -> SyncStatus:
        with self._status_lock:
            return self._status

    def stop(self, timeout: float = 3.0) -> None:
        self._stopped.set()
        self._nudged.set()
        for client in list(self._clients):
            with contextlib.suppress(Exception):
                client.close()
        for thread in self._threads:
            thread.join(timeout)
        if self._threads:
            logger.info("sync of %s with %s stopped (pushed %d, pulled %d, %d waiting)",
                        self._station, self.hub_url, self._status.pushed, self._status.pulled, self._status.waiting)

    def __enter__(self) -> SyncLoop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- threads -----------------------------------------------------------------------
    def _update(self, **changes: Any) -> None:
        with self._status_lock:
            self._status = replace(self._status, **changes)
            status = self._status
        if self.on_status is not None:
            with contextlib.suppress(Exception):
                self.on_status(status)

    def _fail_over(self, client: HubClient | None) -> None:
        """The hub `client` spoke to is unreachable: the next round goes to the next hub of the
        event (if enrolment named others). Both threads follow; neither holds a stale client."""
        with self._status_lock:
            if client is None or client.url != self.hub_url or len(self.hub_urls) < 2:
                return
            at = self.hub_urls.index(self.hub_url) if self.hub_url in self.hub_urls else -1
            self.hub_url = self.hub_urls[(at + 1) % len(self.hub_urls)]
        logger.warning("sync of %s: %s unreachable, trying %s", self._station, client.url, self.hub_url)
        self._update(hub=self.hub_url)

    def _client(self, timeout: float = 10.0) -> HubClient:
        http = self.http_factory() if self.http_factory else None
        client = HubClient(self.hub_url, self.token, cert_pem=self.cert, timeout=timeout, http=http)
        self._clients.append(client)
        return client

    def _tell(self, events: list[Event]) -> None:
        """Hand merged events to the caller; its bugs must not stop the sync."""
        if self.on_events is not None:
            with contextlib.suppress(Exception):
                self.on_events(events)

    def _remember(self, db: Database, vector: dict[str, int]) -> None:
        """Keep the hub's last known vector (also on disk) so `waiting` is right while offline."""
        if vector == self._known:
            return
        self._known = dict(vector)
        with contextlib.suppress(Exception):  # a busy database only delays the memory
            set_setting(db, HUB_VECTOR, json.dumps(vector))
            set_setting(db, LAST_SYNC, str(time.time_ns() // 1_000_000))

    def _sleep(self, seconds: float) -> None:
        self._stopped.wait(seconds)

    def _backoff(self) -> Backoff:
        """Each thread's own jittered backoff (db/retry.py): stations do not reconnect in lock-step."""
        return Backoff(*self.backoff_s)

    def _after_failure(self, hub: HubClient | None, error: BaseException, backoff: Backoff) -> HubClient | None:
        """After a failed round (either thread): fail over when the hub is unreachable, drop a
        client to a hub that is no longer the one to use, show the failure and back off; returns
        the client the thread keeps."""
        if isinstance(error, Unreachable):
            self._fail_over(hub)
        if hub is not None and hub.url != self.hub_url:
            hub.close()
            hub = None
        self._failed(error, backoff)
        return hub

    def _failed(self, error: BaseException, backoff: Backoff) -> None:
        """Show the failure ("offline: <reason>") and wait the backoff's next (longer) delay."""
        self._log_failure(error)
        self._update(online=False, error=describe(error), reason=short_reason(error))
        self._sleep(backoff.next())

    def _log_failure(self, error: BaseException) -> None:
        """One log line when the hub is lost or the reason changes (retries go to DEBUG): a
        station offline for an hour leaves two lines, not hundreds. Reasons, never names."""
        reason = short_reason(error)
        with self._status_lock:
            first = self._down is None or self._down[1] != reason
            since, _, failures = self._down or (time.monotonic(), reason, 0)
            self._down = (since, reason, failures + 1)
        if not first:
            logger.debug("sync of %s with %s: still %s (attempt %d)", self._station, self.hub_url, reason, failures + 1)
        elif isinstance(error, HubRefused):
            logger.warning("sync of %s refused by %s: %s %s", self._station, self.hub_url, error.status, error.reason)
        elif isinstance(error, EventOpsError):
            logger.warning("sync of %s with %s failed: %s", self._station, self.hub_url, reason)
        else:  # a bug or a broken database: on record for whoever reads the log, never on screen
            logger.error("sync of %s with %s failed: %s", self._station, self.hub_url, reason, exc_info=error)

    def _log_online(self) -> None:
        """One log line on the first connection and on each reconnection, with how long it took."""
        with self._status_lock:
            down, self._down = self._down, None
            first, self._connected = not self._connected, True
        if down is not None:
            logger.info("sync of %s reconnected to %s after %.0f s offline (%d failed attempts, last: %s)",
                        self._station, self.hub_url, time.monotonic() - down[0], down[2], down[1])
        elif first:
            logger.info("sync of %s connected to %s", self._station, self.hub_url)

    def _push_loop(self) -> None:
        db: Database | None = None
        watch: CommitWatch | None = None
        hub: HubClient | None = None
        backoff = self._backoff()
        tokens_copied = -1e9
        health_told = time.monotonic()  # the first report after a while, not at start
        try:
            while not self._stopped.is_set():
                try:
                    # Opened inside the loop: a database or client that cannot be opened now is
                    # shown and retried like an unreachable hub, never a thread dying in silence.
                    if db is None:
                        db = open_more(self.db_path)
                        watch = CommitWatch(db, every_s=self.watch_s, wake=self._nudged)
                    self._nudged.clear()
                    self.push_rounds += 1
                    only = self._only
                    # Counted against the last vector the hub told us, so it stays right offline.
                    self._update(waiting=waiting(db, self._known, only))
                    if hub is None:
                        hub = self._client()
                    vector = self._hub_vector
                    if vector is None:
                        _, vector, _ = hub.pull(log.vector(db), 0)
                    if time.monotonic() - health_told > self.health_every_s and self._tell_health(db, vector, only):
                        health_told = time.monotonic()  # told in this very push: what was waiting, when we last synced
                    added, _, _, vector = push_all(db, hub, vector, batch=self.batch)
                    self._hub_vector = vector
                    self._remember(db, vector)
                    if time.monotonic() - tokens_copied > 30:
                        copy_tokens(db, hub)
                        tokens_copied = time.monotonic()

                    if added:
                        logger.debug("sync of %s pushed %d events", self._station, added)
                    self._log_online()
                    self._update(
                        online=True,
                        error=None,
                        reason=None,
                        waiting=waiting(db, vector, only),
                        last_sync_ms=time.time_ns() // 1_000_000,
                        pushed=self._status.pushed + added,
                    )
                    backoff.reset()
                except Exception as error:  # never a traceback on the station's screen, never a dead thread
                    if self._stopped.is_set():
                        return
                    if isinstance(error, (Unreachable, HubRefused)):
                        self._hub_vector = None
                    hub = self._after_failure(hub, error, backoff)
                    continue
                # Until a scan is committed here by anyone (another process's connection included:
                # `eventops scan`, the station app) or `nudge()`; the log is not read meanwhile.
                assert watch is not None  # made with the connection, before any round succeeds
                watch.wait(self.idle_s)
        finally:
            if db is not None:
                db.conn.close()

    def _tell_health(self, db: Database, hub_vector: Mapping[str, int], only: str | None) -> bool:
        """Append this station's sync health (scans waiting, last sync) for the dashboards.

        Only an enrolled station speaks for itself; a relay or an organiser's copy does not.
        """
        if only is None or get_setting(db, STATION_KEY) != only:
            return False
        log.append(
            db,
            only,
            STATION_HEALTH,
            {"waiting": waiting(db, hub_vector, only), "last_sync_ms": self._status.last_sync_ms},
        )
        return True

    def _pull_loop(self) -> None:
        db: Database | None = None
        hub: HubClient | None = None
        backoff = self._backoff()
        try:
            while not self._stopped.is_set():
                try:
                    if db is None:
                        db = open_more(self.db_path)
                    if hub is None:
                        hub = self._client()
                    pulled, vector = pull_all(db, hub, batch=self.batch, wait=self.long_poll_s, on_events=self._tell)
                    mine = log.vector(db)
                    if any(seq > vector.get(s, 0) for s, seq in mine.items()):
                        self._nudged.set()  # the hub lacks something of ours (it restarted from a backup?)
                    self._hub_vector = vector
                    self._remember(db, vector)
                    if pulled:
                        logger.debug("sync of %s pulled %d events", self._station, pulled)
                    self._log_online()
                    self._update(
                        online=True,
                        error=None,
                        reason=None,
                        waiting=waiting(db, vector, self._only),
                        last_sync_ms=time.time_ns() // 1_000_000,
                        pulled=self._status.pulled + pulled,
                    )
                    backoff.reset()
                except Exception as error:  # closing the client on stop lands here; never a traceback
                    if self._stopped.is_set():
                        return
                    hub = self._after_failure(hub, error, backoff)
        finally:
            if db is not None:
                db.conn.close()


def describe(error: BaseException) -> str:
    """An error as one sentence for a person (ours carry theirs; others get their type)."""
    if isinstance(error, EventOpsError):
        return str(error)
    return f"sync failed: {type(error).__name__}: {error}".rstrip(": ")


def short_reason(error: BaseException) -> str:
    """An error in a few words, for a status line that has little room."""
    if isinstance(error, Unreachable):
        return "hub unreachable"
    if isinstance(error, HubRefused):
        return f"hub refused ({error.status} {error.reason})"
    if isinstance(error, EventOpsError):
        text = str(error)
        return text if len(text) <= 60 else text[:57] + "..."
    return f"sync failed ({type(error).__name__})"
