"""Connections for sync's threads: one per thread, through `db.connect` like everyone else's.

The hub and the sync loop open connections while others on the same file are live (their
own threads, the station's screen). `db.connect.connect` lets SQLite read the file's header
itself, so opening another connection never drops this process's POSIX locks on a database
in use; these helpers only say which of its modes sync wants.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from db.connect import connect


def open_any(path: str | Path) -> Database:
    """A connection to `path`, creating the database (with its schema) when there is none."""
    return connect(path)


def open_more(path: str | Path) -> Database:
    """Another connection to an existing database (NotAnEventDatabase when there is none)."""
    return connect(path, create=False)
