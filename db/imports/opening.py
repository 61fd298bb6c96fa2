"""Opening the database an import writes to, without touching a file that is not ours.

`db.connect.connect` switches a file to WAL before it checks that the file is an
eventops database, so a foreign SQLite file passed as `--db` would be changed (its
journal mode) before being refused. Imports look first, read-only.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from db.connect import SQLITE_MAGIC, connect
from db.errors import NotAnEventDatabase
from db.schema import MIGRATION_SET


def open_event_db(path: Path) -> Database:
    """An existing eventops database, or NotAnEventDatabase with the file left as it was."""
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            is_sqlite = handle.read(16) == SQLITE_MAGIC
        if is_sqlite and not _is_ours(path):
            raise NotAnEventDatabase(f"{path} is an SQLite database of another application, not an eventops database")
    return connect(path, create=False)


def _is_ours(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return True  # let connect() explain what is wrong
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return True
        if "_sqlite_migrations" not in tables:
            return False
        sets = {row[0] for row in conn.execute("SELECT DISTINCT migration_set FROM _sqlite_migrations")}
        return MIGRATION_SET in sets
    except sqlite3.Error:
        return True
    finally:
        conn.close()
