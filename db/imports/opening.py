"""Opening the database an import writes to."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from db.connect import connect


def open_event_db(path: Path) -> Database:
    """An existing eventops database, or NotAnEventDatabase with the file left as it was.

    `connect` checks that the file is ours before it changes anything in it.
    """
    return connect(path, create=False)
