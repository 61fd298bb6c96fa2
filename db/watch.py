"""Knowing, cheaply, that someone else wrote to the database: `PRAGMA data_version`, or a nudge.

One file is written by several processes at once (the station app or `eventops scan`, the sync
loop, the dashboard's acknowledgements) and SQLite tells no one. `PRAGMA data_version` is a
per-connection counter that changes when any *other* connection commits; asking it costs
microseconds (under WAL a look at the shared-memory index), where reading the log "since" a
cursor is a query. Loops that follow the file ask it often and read the log only when it
changed, and a writer in the same process can `wake()` them at once instead.
"""

from __future__ import annotations

import threading
import time

from sqlite_utils import Database

#: How often a waiting loop asks SQLite whether another connection committed (seconds).
WATCH_EVERY_S = 0.02


class CommitWatch:
    """Tells a loop when the database changed under its connection, or when it was woken."""

    def __init__(self, db: Database, *, every_s: float = WATCH_EVERY_S, wake: threading.Event | None = None) -> None:
        self.conn = db.conn
        self.every_s = every_s
        #: Set by `wake()` (e.g. the sync loop merged events, a local scan was appended).
        self.woken = wake if wake is not None else threading.Event()
        self._version = self._data_version()

    def _data_version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def wake(self) -> None:
        """Make the next `changed()` true and end a `wait()` now (safe from any thread)."""
        self.woken.set()

    def changed(self) -> bool:
        """True once after another connection committed, or after `wake()`, since the last call.

        Ask before reading what changed: a commit that lands during the read is then seen by
        the next call (one read too many, never one too few).
        """
        woken = self.woken.is_set()
        if woken:
            self.woken.clear()
        version = self._data_version()
        if version != self._version:
            self._version = version
            return True
        return woken

    def wait(self, timeout: float) -> bool:
        """Block until `changed()` (True) or `timeout` seconds (False); a `wake()` ends it at once."""
        deadline = time.monotonic() + timeout
        while True:
            if self.changed():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.woken.wait(min(self.every_s, remaining))
