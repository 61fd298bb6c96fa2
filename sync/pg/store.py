"""The hub's store on PostgreSQL: a connection pool, the log's positions, and LISTEN/NOTIFY.

Any number of hub processes may serve one store: every write takes the store's one write lock
(sync/pg/database.py), so positions grow in commit order and each hub's cached vector stays
right; a commit that adds events notifies channel `eventops_log` (a trigger), which wakes the
long-polls of every hub; a poll every `FALLBACK_S` covers a notification lost with a dropped
connection. Nothing a hub holds in memory is needed for correctness: kill one, lose nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from db.errors import EventOpsError
from sync.pg import schema
from sync.pg.database import PgDatabase

logger = logging.getLogger("eventops.hub")

CHANNEL = "eventops_log"
#: A hub that has not said it serves (at start, then every minute) for this long is not listed.
HUB_FORGOTTEN_MS = 3_600_000
#: How long a listener waits for a notification before it looks again anyway.
LISTEN_TICK_S = 1.0
#: Where a store's side files (private keys, TLS certificate, the hub's log) live, unless set.
HOME_ENV = "EVENTOPS_PG_HOME"

RUN_SQL = """
    SELECT string_agg(json_build_object('station_id', station_id, 'seq', seq, 'hlc', hlc, 'kind', kind,
                                        'data', data::json, 'sig', encode(sig, 'hex'))::text, ',' ORDER BY seq),
           COUNT(*)
    FROM (SELECT station_id, seq, hlc, kind, data, sig FROM events WHERE station_id = %s AND seq > %s ORDER BY seq LIMIT %s) AS run
"""


def describe(url: str) -> str:
    """The URL without its password (what logs and messages show)."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1@", url)


def side_path(url: str) -> Path:
    """Where this store's side files live on this machine: `<home>/<host>-<port>-<db>`.

    Private keys never enter the database (db/signing.py): every machine running a hub for
    this store holds the hub's key file there (`eventops hub migrate` puts it there).
    """
    parts = _parts(url)
    home = os.environ.get(HOME_ENV)
    if home:
        base = Path(home)
    else:
        from platformdirs import user_data_dir

        base = Path(user_data_dir("eventops")) / "postgresql"
    name = f"{parts.get('host') or 'localhost'}-{parts.get('port') or 5432}-{parts.get('dbname') or parts.get('user') or 'eventops'}"
    return base / re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _parts(url: str) -> dict[str, Any]:
    try:
        return conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        raise EventOpsError(f"{describe(url)} is not a PostgreSQL URL: {error}") from None


#: A session that stays inside a transaction this long without a word (a hub frozen, or cut off
#: from the database without its socket closing) is ended by PostgreSQL, and with it the store's
#: write lock it may hold: the other hubs never wait on a dead one for longer.
IDLE_IN_TRANSACTION_MS = 60_000


def configure(raw: psycopg.Connection[Any]) -> None:
    """Session settings for every connection of a hub or a command."""
    raw.execute(f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}")


def raw_connect(url: str) -> psycopg.Connection[Any]:
    """One autocommit connection, or one EventOpsError saying why not."""
    _parts(url)
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
        configure(raw)
        return raw
    except psycopg.OperationalError as error:
        first = str(error).strip().splitlines()[-1] if str(error).strip() else "unreachable"
        raise EventOpsError(f"cannot reach the PostgreSQL store {describe(url)}: {first}") from None


def connect(url: str) -> PgDatabase:
    """A connection for a command (station add, migrate...), the schema brought up to date."""
    raw = raw_connect(url)
    try:
        schema.apply(raw)
    except psycopg.Error as error:
        raw.close()
        raise EventOpsError(f"cannot set up the store {describe(url)}: {error}") from None
    side_path(url).parent.mkdir(parents=True, exist_ok=True)
    return PgDatabase(raw, side_path(url))


class PostgresStore:
    """A PostgreSQL database as a hub's store (see the module docstring)."""

    def __init__(self, url: str, *, pool_size: int = 6) -> None:
        self.url = url
        self.name = describe(url)
        self.side_path = side_path(url)
        self.unavailable: tuple[type[BaseException], ...] = (psycopg.OperationalError, PoolTimeout)
        self.side_path.parent.mkdir(parents=True, exist_ok=True)
        first = connect(url)  # unreachable or refused: one clear line, before any thread starts
        first.conn.close()
        self.pool: ConnectionPool[Any] = ConnectionPool(
            url, min_size=1, max_size=pool_size, kwargs={"autocommit": True, "connect_timeout": 10}, configure=configure,
            open=True, name="eventops-hub",
        )
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: threading.Thread | None = None
        self._closing = threading.Event()

    def open_first(self) -> PgDatabase:
        return connect(self.url)

    @contextlib.contextmanager
    def session(self) -> Iterator[PgDatabase]:
        with self.pool.connection() as raw:
            yield PgDatabase(raw, self.side_path)

    def position(self, db: PgDatabase) -> int:
        row = db.execute("SELECT COALESCE(MAX(pos), 0) FROM events").fetchone()
        return int(row[0]) if row else 0

    def heads_between(self, db: PgDatabase, after: int, upto: int) -> list[tuple[str, int]]:
        rows = db.execute("SELECT station_id, MAX(seq) FROM events WHERE pos > ? AND pos <= ? GROUP BY station_id", [after, upto])
        return [(str(s), int(q)) for s, q in rows]

    def run_json(self, db: PgDatabase, station_id: str, since: int, limit: int) -> tuple[str | None, int]:
        row = db.conn.raw.execute(RUN_SQL, [station_id, since, limit]).fetchone()
        return (None, 0) if row is None else (row[0], int(row[1]))

    def hub_addresses(self, db: PgDatabase, own: str | None) -> list[str]:
        """This hub first, then every other hub that has served this store lately."""
        since = time.time_ns() // 1_000_000 - HUB_FORGOTTEN_MS
        others = [str(r[0]) for r in db.execute("SELECT url FROM hubs WHERE seen_ms > ? ORDER BY seen_ms DESC", [since])]
        return ([own] if own else []) + [url for url in others if url != own]

    def register(self, db: PgDatabase, url: str) -> None:
        register_hub(db, url)

    # --- news from the other hubs ------------------------------------------------------
    async def news(self, timeout: float) -> None:
        if self._wake is None:
            self._wake = asyncio.Event()
            self._loop = asyncio.get_running_loop()
            self._listener = threading.Thread(target=self._listen, name="hub-listener", daemon=True)
            self._listener.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()

    def _listen(self) -> None:
        """LISTEN on the store's channel and wake `news` on each notification; reconnect when the
        connection drops (meanwhile the fallback poll keeps pulls moving)."""
        while not self._closing.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as raw:
                    raw.execute(f"LISTEN {CHANNEL}")
                    while not self._closing.is_set():
                        for _ in raw.notifies(timeout=LISTEN_TICK_S, stop_after=1):
                            self._poke()
            except psycopg.Error as error:
                logger.warning("listening for news on %s failed (%s): polling until it is back", self.name, error)
                self._closing.wait(1.0)

    def _poke(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the hub is stopping
                loop.call_soon_threadsafe(wake.set)

    def close(self) -> None:
        self._closing.set()
        self.pool.close()
        if self._listener is not None:
            self._listener.join(timeout=LISTEN_TICK_S + 1)


def register_hub(db: PgDatabase, url: str) -> None:
    """Record that a hub serves this store at `url` (the enrolment answer names them all)."""
    db.execute(
        "INSERT INTO hubs (url, seen_ms) VALUES (?, ?) ON CONFLICT (url) DO UPDATE SET seen_ms = excluded.seen_ms",
        [url, time.time_ns() // 1_000_000],
    )
