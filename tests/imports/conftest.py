"""Fixtures for the import tests: an event database, the sample files, and helpers to see
what a person would see (the folded state, the log, the database file's bytes)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from db import events as ev
from db.connect import connect
from db.log import append, count

DATA = Path(__file__).parent / "data"
DAYS = ["2024-03-20", "2024-03-21", "2024-03-22"]


def make_event(db: Database, days: list[str] | None = None, tz: str = "Europe/Brussels") -> None:
    append(db, "org", ev.EVENT_CREATED, {"id": "SDC24", "name": "Security, Democracy & Cities", "days": days or DAYS, "tz": tz, "demo": False})


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def event_db(db_path: Path) -> Iterator[Database]:
    """A database holding only `event.created` (20-22 March 2024, Europe/Brussels)."""
    db = connect(db_path)
    make_event(db)
    yield db
    db.conn.close()


@pytest.fixture
def closed_event_db(db_path: Path) -> Path:
    """The path of an event database that no connection holds open (for byte comparisons)."""
    db = connect(db_path)
    make_event(db)
    db.conn.close()
    return db_path


def fingerprint(path: Path) -> str:
    """The database file's bytes, hashed: "unchanged" means exactly this."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def event_count(path: Path) -> int:
    db = connect(path, create=False)
    try:
        return count(db)
    finally:
        db.conn.close()


def run(*args: str | Path) -> tuple[int, str, str]:
    """`eventops ARGS...` in this process: its exit code, standard output and standard error."""
    from click.testing import CliRunner

    from eventops.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def ids_by_name(db_path: Path) -> dict[str, str]:
    """Each attendee's id by name, as the fold holds them."""
    from db.fold import load_state

    db = connect(db_path, create=False)
    try:
        return {a.name: a.id for a in load_state(db).attendees.values()}
    finally:
        db.conn.close()
