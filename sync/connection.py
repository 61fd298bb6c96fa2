"""Extra connections for sync's threads, opened without touching the file from Python.

`db.connect.connect` reads the file's first 16 bytes with a plain `open()` to check it is
SQLite. Closing that file descriptor drops every POSIX lock this *process* holds on the
database, including the shared lock that each WAL connection keeps while open; another
process closing its last connection then believes it is alone, checkpoints and deletes the
WAL, and this process's readers see a stale or "malformed" database. The hub and the sync
loop open connections while others are live, so they open them here: the same settings as
`connect`, the schema already in place, and no Python-level open of the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from db.connect import _configure, connect


def open_any(path: str | Path) -> Database:
    """A connection to `path`: `open_more` when the database exists, else a new one with its schema."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > 0:
        return open_more(path)
    return connect(path)


def open_more(path: str | Path) -> Database:
    """Another connection to a database whose schema exists, safe while others are open."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10.0)
    _configure(conn)
    return Database(conn, execute_plugins=False)
