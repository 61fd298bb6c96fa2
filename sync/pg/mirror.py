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
"""

from __future__ import annotations

import os
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


@dataclass
class Mirror:
    """An SQLite copy of a store's log: `copied` is the store's vector when the copy was taken,
    `pos` the store's last position it holds (what `pull` reads since)."""

    local: Database
    copied: log.Vector = field(default_factory=dict)
    pos: int = 0
    events: int = 0


def copy_down(store: PgDatabase, local: Database) -> Mirror:
    """Copy the store's log, trust indexes, node settings and clock into the empty `local`."""
    mirror = Mirror(local)
    with store.atomic(), write(local):  # one snapshot of the store: the log and the indexes agree
        mirror.pos = _copy_events(store, local, 0)[0]
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
            raise EventOpsError(f"the copy of the store does not match: {log.count(local)} events here, {mirror.events} in the store")
    return mirror


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
