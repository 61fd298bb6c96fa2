"""A local mirror of a PostgreSQL store: the commands that read or write the hub's event run on it.

The fold, the readers, the imports and the badges speak SQLite (sqlite-utils tables, rowids,
SQLite functions); rather than a second copy of each for PostgreSQL, a command given `--store`
runs unchanged on an SQLite copy of the store's log (`copy_down`: the log in the order it
arrived plus the trust indexes and the node's identity, counts and version vectors compared, as
`hub migrate` does the other way). Events the command wrote there (signed with the organiser's
key, which lives beside the store) go up through the gate, `db.log.merge` on the store's twin, in
one transaction: all or nothing (`push_up`). A dashboard keeps its mirror current with `pull`.
The organiser's contacts and import keys never enter the store: they wait in a private file
beside it (`bring_local`, `keep_local`).

A command's mirror is its own, but it need not start empty: the last mirror a command finished
with is kept beside the store (`save_cache`, a private file without the organiser's tables) with
the store position it holds and the snapshots its fold saved. The next command starts from a copy
of it (`seed`), checks that the store holds, under each station's last id in it, the event with
the same chain digest (`_same_events`), copies only the rows the store took since
(`copy_down(after=...)`) and compares counts and version vectors as for a full copy; a cache that
does not match (another store under the same name, a store moved in again) or cannot be read is
dropped for a full copy. So `status --store`
costs the news since the last command plus a start from a snapshot, not a copy and a fold of the
whole log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db import log
from db.connect import write
from db.errors import EventOpsError
from db.events import Event
from sync.pg.database import PgDatabase
from sync.pg.move import LOG_COLUMNS, TABLES


class StoreMoved(EventOpsError):
    """The store took an event under an id the command also wrote: nothing of it was kept."""


class CopyMismatch(EventOpsError):
    """The mirror does not hold what the store holds after the copy."""


@dataclass
class Mirror:
    """An SQLite copy of a store's log: `copied` is the store's vector when the copy was taken,
    `pos` the store's last position it holds (what `pull` reads since)."""

    local: Database
    copied: log.Vector = field(default_factory=dict)
    pos: int = 0
    events: int = 0


def copy_down(store: PgDatabase, local: Database, after: int = 0) -> Mirror:
    """Copy the store's log, trust indexes, node settings and clock into the empty `local`; or,
    `after` a position, into a mirror seeded from the cache that holds the log up to there (only
    the rows beyond are copied). CopyMismatch if the mirror does not then hold the store's log."""
    mirror = Mirror(local)
    with store.atomic(), write(local):  # one snapshot of the store: the log and the indexes agree
        if after:
            _same_events(local, store)
        mirror.pos = _copy_events(store, local, after)[0]
        for table, columns in TABLES:
            if table.startswith("sync_"):
                continue  # tokens and quarantine are the hub's business, not a command's
            rows = [tuple(r) for r in store.execute(f"SELECT {columns} FROM {table}")]
            local.execute(f"DELETE FROM {table}")
            marks = ", ".join("?" * len(columns.split(",")))
            local.conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        clock = store.execute("SELECT last_hlc FROM clock WHERE id = 1").fetchone()
        local.execute("UPDATE clock SET last_hlc = ? WHERE id = 1", [int(clock[0]) if clock else 0])
        mirror.copied = log.vector(store.as_database())
        mirror.events = log.count(store.as_database())
        if log.vector(local) != mirror.copied or log.count(local) != mirror.events:
            raise CopyMismatch(f"the copy of the store does not match: {log.count(local)} events here, {mirror.events} in the store")
    return mirror


def _same_events(local: Database, store: PgDatabase) -> None:
    """CopyMismatch unless the store holds, under each station's last id in `local`, the event
    with the same chain digest (db/signing.py), which commits to every event of that station
    before it: then `local` holds a prefix of the store's log (not another store's events under
    the same ids, which a count and a vector cannot tell apart)."""
    for station_id, seq in log.vector(local).items():
        if _chain(store, station_id, seq) != _chain(local, station_id, seq):
            raise CopyMismatch(f"the copy of the store does not match: {station_id}#{seq} is another event in the store")


def _chain(db: Database | PgDatabase, station_id: str, seq: int) -> bytes | None:
    """The chain digest of one event (b"" if it is not there; PostgreSQL gives a memoryview)."""
    row = db.execute("SELECT chain FROM events WHERE station_id = ? AND seq = ?", [station_id, seq]).fetchone()
    if row is None:
        return b""
    return None if row[0] is None else bytes(row[0])


def _copy_events(store: PgDatabase, local: Database, after: int) -> tuple[int, log.Vector]:
    """Rows at positions beyond `after`, in the order the store took them: the last position, and
    the highest seq copied per station."""
    last = after
    heads: log.Vector = {}
    rows = []
    for row in store.execute(f"SELECT {LOG_COLUMNS}, pos FROM events WHERE pos > ? ORDER BY pos", [after]):
        rows.append(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row[:-1]))
        last = int(row[-1])
        heads[str(row[0])] = max(heads.get(str(row[0]), 0), int(row[1]))
    marks = ", ".join("?" * len(LOG_COLUMNS.split(",")))
    # OR IGNORE: a dashboard pulls back the events it has just pushed up.
    local.conn.executemany(f"INSERT OR IGNORE INTO events ({LOG_COLUMNS}) VALUES ({marks})", rows)
    return last, heads


def written_here(mirror: Mirror) -> list[Event]:
    """The events the command wrote into the mirror (beyond the vector it was copied at)."""
    out: list[Event] = []
    for station_id, have in sorted(log.vector(mirror.local).items()):
        if have > mirror.copied.get(station_id, 0):
            rows = mirror.local.execute(
                f"SELECT {log.EVENT_COLUMNS} FROM events WHERE station_id = ? AND seq > ? ORDER BY seq",
                [station_id, mirror.copied.get(station_id, 0)],
            )
            out.extend(Event.from_row(tuple(r)) for r in rows)
    return out


def push_up(mirror: Mirror, store: PgDatabase) -> int:
    """Merge what the command wrote into the store through the gate, in one transaction; how many.

    The store may have moved on meanwhile: if it took another event under one of these ids (the
    organiser's station writing elsewhere at the same moment), nothing is kept and the command is
    to be run again.
    """
    events = written_here(mirror)
    if not events:
        return 0
    from db.errors import LogConflict

    try:
        result = log.merge(store.as_database(), events)
    except LogConflict as error:
        raise StoreMoved(f"the store changed while this command ran ({error}): nothing was written, run it again") from None
    if result.waiting:
        raise EventOpsError(f"the store does not know the key of {events[0].station_id}: {result.waiting} events wait aside")
    for event in events:
        mirror.copied[event.station_id] = max(mirror.copied.get(event.station_id, 0), event.seq)
    return len(result.added) + result.duplicates


def pull(mirror: Mirror, store: PgDatabase) -> int:
    """Append to the mirror what the store took since it was copied (a dashboard's follow); how many.

    `copied` grows only by what came from the store: an event written here meanwhile and not
    pushed yet stays "written here" for the next `push_up`."""
    with write(mirror.local):
        before = log.count(mirror.local)
        mirror.pos, heads = _copy_events(store, mirror.local, mirror.pos)
        added = log.count(mirror.local) - before
    for station_id, seq in heads.items():
        mirror.copied[station_id] = max(mirror.copied.get(station_id, 0), seq)
    return added


def describe_counts(mirror: Mirror) -> dict[str, Any]:
    return {"events": mirror.events, "stations": len(mirror.copied), "position": mirror.pos}


#: The organiser's node-local tables (db/schema.py): personal data that never enters an event, so
#: never the store either. With `--store` they live in a private SQLite file beside the store.
ORGANISER_TABLES: tuple[tuple[str, str], ...] = (
    ("contacts", "attendee_id TEXT PRIMARY KEY, email TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', "
                 "extra TEXT NOT NULL DEFAULT '{}'"),
    ("import_keys", "source_key TEXT PRIMARY KEY, attendee_id TEXT NOT NULL"),
)


def organiser_path(side: Path) -> Path:
    """The private file beside the store that keeps the organiser's contacts and import keys."""
    return Path(f"{side}.organiser.sqlite")


def bring_local(local: Database, side: Path) -> None:
    """Copy the organiser's node-local tables from beside the store into the mirror."""
    keep = organiser_path(side)
    if not keep.exists():
        return
    local.execute("ATTACH DATABASE ? AS keep", [str(keep)])
    try:
        with write(local):
            for table, _ in ORGANISER_TABLES:
                if local.execute("SELECT 1 FROM keep.sqlite_master WHERE name = ?", [table]).fetchone():
                    local.execute(f"INSERT OR REPLACE INTO main.{table} SELECT * FROM keep.{table}")
    finally:
        local.execute("DETACH DATABASE keep")


def keep_local(local: Database, side: Path) -> None:
    """Save the mirror's node-local tables beside the store (a new file readable by its owner only)."""
    keep = organiser_path(side)
    if not keep.exists():
        os.close(os.open(keep, os.O_CREAT | os.O_WRONLY, 0o600))
    local.execute("ATTACH DATABASE ? AS keep", [str(keep)])
    try:
        with write(local):
            for table, columns in ORGANISER_TABLES:
                local.execute(f"CREATE TABLE IF NOT EXISTS keep.{table} ({columns})")
                local.execute(f"DELETE FROM keep.{table}")
                local.execute(f"INSERT INTO keep.{table} SELECT * FROM main.{table}")
    finally:
        local.execute("DETACH DATABASE keep")


# --- the cache of the last mirror ---------------------------------------------------------
#: The table a cached mirror keeps its store position in (dropped from a seeded copy).
_POSITION = "store_mirror_position"


def cache_path(side: Path) -> Path:
    """The last finished mirror, kept beside the store's side files (readable by its owner only)."""
    return Path(f"{side}.mirror-cache.sqlite")


def seed(side: Path, path: Path) -> int | None:
    """Copy the cached mirror to `path` (a command's own mirror); the store position it holds,
    or None (no cache, or one that cannot be read: the command copies the whole log)."""
    cache = cache_path(side)
    if not cache.exists():
        return None
    try:
        shutil.copyfile(cache, path)
        with contextlib.closing(sqlite3.connect(path)) as conn:
            row = conn.execute(f"SELECT pos FROM {_POSITION}").fetchone()
            conn.execute(f"DROP TABLE {_POSITION}")
            conn.commit()
        return int(row[0])
    except (OSError, sqlite3.Error, TypeError, ValueError):
        drop_copy(path)
        return None


def drop_copy(path: Path) -> None:
    """Remove a mirror file and what SQLite keeps beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def save_cache(path: Path, side: Path, pos: int) -> None:
    """Keep the mirror at `path` (closed, every write of the command in the store) as the next
    command's start: an online backup into a private file, without the organiser's tables (they
    live in their own file: a purge there must not come back from here), renamed into place."""
    cache = cache_path(side)
    part = cache.with_name(f"{cache.name}.{os.getpid()}.part")
    os.close(os.open(part, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    try:
        with contextlib.closing(sqlite3.connect(path)) as source, contextlib.closing(sqlite3.connect(part)) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            # Zeroes the pages the organiser's tables free (off by default in SQLite builds other
            # than Debian's): their e-mails and phones must not stay in the cache's bytes.
            copy.execute("PRAGMA secure_delete = ON")
            for table, _ in ORGANISER_TABLES:
                copy.execute(f"DELETE FROM {table}")
            copy.execute(f"CREATE TABLE {_POSITION} (pos INTEGER NOT NULL)")
            copy.execute(f"INSERT INTO {_POSITION} (pos) VALUES (?)", [pos])
            copy.commit()
        os.replace(part, cache)
    finally:
        drop_copy(part)
