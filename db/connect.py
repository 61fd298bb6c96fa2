"""Opening a database: the one place that sets WAL, `synchronous=FULL`, foreign keys and the
busy timeout, and brings the schema up to date."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from db.errors import NotAnEventDatabase
from db.schema import MIGRATION_SET, migrations

BUSY_TIMEOUT_MS = 10_000


def connect(path: str | Path, *, create: bool = True) -> Database:
    """Open (and, with `create`, create) an eventops database at `path`.

    Raises NotAnEventDatabase for a missing file (without `create`), a file that is not
    SQLite, or an SQLite file that holds some other application's tables.
    """
    path = Path(path)
    if path.is_dir():
        raise NotAnEventDatabase(f"{path} is a directory, not an eventops database")
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise NotAnEventDatabase(f"{path} does not exist (create it with `eventops init` or `eventops demo init`)")
    if not exists:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_private(path)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    # The header is read by SQLite itself: opening the file from Python and closing it again
    # would drop this process's POSIX locks on a database other connections are using.
    try:
        conn.execute("PRAGMA schema_version")
    except sqlite3.DatabaseError:
        conn.close()
        raise NotAnEventDatabase(f"{path} is not an SQLite database") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = Database(conn, execute_plugins=False, recursive_triggers=False)
        if exists:
            _check_kind(db, path)  # before anything writes to a file that may not be ours
        _configure(conn)
        migrations.apply(db)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise NotAnEventDatabase(f"{path} cannot be opened as an eventops database: {error}") from None
    except NotAnEventDatabase:
        conn.close()
        raise
    return db


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite opens it.

    A station's file holds its sync token and every attendee's name; SQLite would create it
    0644 (umask permitting) and gives its -wal and -shm files the mode of the database file.
    An existing (empty) file is left alone: it keeps its mode, and its locks (closing a
    descriptor of a file would drop this process's POSIX locks on it).
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def connect_memory() -> Database:
    """An in-memory database with the full schema (tests and dry runs)."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    _configure(conn)
    db = Database(conn, execute_plugins=False)
    migrations.apply(db)
    return db


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def _check_kind(db: Database, path: Path) -> None:
    tables = set(db.table_names())
    if not tables:
        return
    if "_sqlite_migrations" in tables:
        sets = {row[0] for row in db.execute("SELECT DISTINCT migration_set FROM _sqlite_migrations")}
        if MIGRATION_SET in sets:
            return
    raise NotAnEventDatabase(f"{path} is an SQLite database of another application, not an eventops database")


@contextlib.contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction (`BEGIN IMMEDIATE`): all of it is committed, or none of it."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may already have rolled back (disk full): never leave a transaction open,
        # or the next write would nest in it and never be committed.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def get_setting(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM node WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_setting(db: Database, key: str, value: str) -> None:
    with write(db):
        db.execute("INSERT INTO node (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
