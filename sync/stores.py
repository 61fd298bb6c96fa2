"""Where a hub keeps the event: one SQLite file (the default) or a PostgreSQL database.

Both hold the same tables and run the same code on them: db/log.py merges and db/trust.py
decides (signatures, permissions, quarantine), sync/store.py keeps tokens, whichever store is
behind. A `Store` gives the hub what differs: connections for its threads, the log's positions
(the order rows arrived in), one station's run as wire JSON, and news of rows other processes
wrote. `open_store("hub.db")` or `open_store("postgresql://hub@db.example/event")`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from db.errors import EventOpsError
from sync.connection import open_any, open_more

#: One station's run of events a puller lacks, as one JSON text built by SQLite.
SQLITE_PULL = """
    SELECT group_concat(json_object('station_id', station_id, 'seq', seq, 'hlc', hlc, 'kind', kind, 'data', json(data),
                                    'sig', lower(hex(sig))), ','),
           COUNT(*)
    FROM (SELECT station_id, seq, hlc, kind, data, sig FROM events WHERE station_id = ? AND seq > ? ORDER BY seq LIMIT ?)
"""

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class Store(Protocol):
    """What a hub needs of the place its event lives, beyond the shared log code."""

    #: What logs and messages call it (a path, or a URL without its password).
    name: str
    #: Where the files beside the store live (private keys, TLS certificate, the hub's log).
    side_path: Path
    #: Errors that mean "the store cannot be reached now" (answered 503), not a bug (500).
    unavailable: tuple[type[BaseException], ...]

    def open_first(self) -> Any:
        """A connection of its own (the caller closes it) that brings the schema up to date."""
        ...

    def session(self) -> contextlib.AbstractContextManager[Any]:
        """A connection (a `Database` or its PostgreSQL twin) for the calling thread."""
        ...

    def position(self, db: Any) -> int:
        """The log's highest position: rows beyond it arrived later."""
        ...

    def heads_between(self, db: Any, after: int, upto: int) -> list[tuple[str, int]]:
        """(station, highest seq) of the rows at positions in (after, upto]."""
        ...

    def run_json(self, db: Any, station_id: str, since: int, limit: int) -> tuple[str | None, int]:
        """One station's events after `since` (at most `limit`), as wire JSON, and how many."""
        ...

    def hub_addresses(self, db: Any, own: str | None) -> list[str]:
        """Every hub address serving this store that a station may fail over to."""
        ...

    def register(self, db: Any, url: str) -> None:
        """Record that a hub serves this store at `url`."""
        ...

    async def news(self, timeout: float) -> None:
        """Return when other processes may have written to the log, or after `timeout`."""
        ...

    def close(self) -> None: ...


class SQLiteStore:
    """One SQLite file: the hub's threads each hold a connection; WAL lets readers read while
    the one writer writes. Other processes' writes are found by polling (`news` just waits)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.side_path = self.path
        self.unavailable: tuple[type[BaseException], ...] = ()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[Database] = []

    def open_first(self) -> Database:
        """A connection that may create the file's schema (the hub's start)."""
        return open_any(self.path)

    @contextlib.contextmanager
    def session(self) -> Iterator[Database]:
        db = getattr(self._local, "db", None)
        if db is None:
            db = open_more(self.path)
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        yield db

    def position(self, db: Database) -> int:
        return int(db.execute("SELECT COALESCE(MAX(rowid), 0) FROM events").fetchone()[0])

    def heads_between(self, db: Database, after: int, upto: int) -> list[tuple[str, int]]:
        rows = db.execute("SELECT station_id, MAX(seq) FROM events WHERE rowid > ? AND rowid <= ? GROUP BY station_id", [after, upto])
        return [(str(s), int(q)) for s, q in rows]

    def run_json(self, db: Database, station_id: str, since: int, limit: int) -> tuple[str | None, int]:
        # SQLite writes the JSON itself (in C, without holding the GIL): readers run in parallel.
        text, rows = db.execute(SQLITE_PULL, [station_id, since, limit]).fetchone()
        return text, int(rows)

    def hub_addresses(self, db: Database, own: str | None) -> list[str]:
        return [own] if own else []

    def register(self, db: Database, url: str) -> None:
        """One file, one hub: its address is the `sync.serving_url` setting already."""

    async def news(self, timeout: float) -> None:
        await asyncio.sleep(timeout)

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                with contextlib.suppress(Exception):
                    db.conn.close()
            self._connections.clear()


def is_postgres(spec: str | Path) -> bool:
    return isinstance(spec, str) and spec.startswith(POSTGRES_SCHEMES)


def open_store(spec: str | Path | Store, *, pool_size: int = 6) -> Store:
    """The store a path (SQLite) or a `postgresql://` URL names."""
    if not isinstance(spec, (str, Path)):
        return spec
    if is_postgres(spec):
        try:
            from sync.pg.store import PostgresStore
        except ImportError:
            raise EventOpsError("a PostgreSQL store needs psycopg: pip install 'eventops[postgres]'") from None
        return PostgresStore(str(spec), pool_size=pool_size)
    return SQLiteStore(spec)
