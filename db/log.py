"""The append-only log: append local events, read "since", merge remote events.

Every station numbers its events 1, 2, 3... with no gaps; a node's *version vector* is, per
station, the highest seq it holds. Sync is "here is my vector, send what I lack", and
applying an event twice is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from db import hlc as hlc_mod
from db.connect import write
from db.errors import EventOpsError, LogConflict, LogGap
from db.events import CLOCK_SUSPECT, REFERENCE_KINDS, Event, encode_data

Vector = dict[str, int]
EVENT_COLUMNS = "station_id, seq, hlc, kind, data"


@dataclass(frozen=True, slots=True)
class Draft:
    """An event not yet numbered: what a caller wants to append."""

    kind: str
    data: Mapping[str, Any]


def _last_hlc(db: Database) -> int:
    row = db.execute("SELECT last_hlc FROM clock WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def _set_last_hlc(db: Database, value: int) -> None:
    db.execute("UPDATE clock SET last_hlc = ? WHERE id = 1", [value])


def _next_seq(db: Database, station_id: str) -> int:
    row = db.execute("SELECT MAX(seq) FROM events WHERE station_id = ?", [station_id]).fetchone()
    return int(row[0] or 0) + 1


def append(
    db: Database,
    station_id: str,
    kind: str,
    data: Mapping[str, Any],
    *,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
) -> Event:
    """Append one event as `station_id`, durable (committed) when this returns."""
    return append_many(db, station_id, [Draft(kind, data)], wall=wall)[0]


def append_many(
    db: Database,
    station_id: str,
    drafts: Iterable[Draft],
    *,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
) -> list[Event]:
    """Append several events in one transaction: all of them or none."""
    with write(db):
        return append_in_transaction(db, station_id, drafts, wall=wall)


def append_in_transaction(
    db: Database,
    station_id: str,
    drafts: Iterable[Draft],
    *,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
) -> list[Event]:
    """Append inside a transaction the caller holds (so a decision and its event commit together)."""
    drafts = list(drafts)
    if any(d.kind in REFERENCE_KINDS for d in drafts):
        refuse_setup_on_station(db)
    last = _last_hlc(db)
    seq = _next_seq(db, station_id)
    appended: list[Event] = []
    rows = []
    for draft in drafts:
        last = hlc_mod.tick(last, wall())
        event = Event(station_id, seq, last, draft.kind, dict(draft.data))
        rows.append((event.station_id, event.seq, event.hlc, event.kind, encode_data(event.data)))
        appended.append(event)
        seq += 1
    db.conn.executemany(f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?)", rows)
    _set_last_hlc(db, last)
    return appended


#: Node-local settings written by `eventops station enrol` (see sync/enrol.py).
ENROLLED_STATION_KEY = "station_id"
ENROLLED_ROLE_KEY = "sync.role"


def refuse_setup_on_station(db: Database) -> None:
    """Reference data (attendees, rooms, keys, stations...) is set up on the organiser's node.

    An enrolled station's own such events would be ignored by every fold and refused by the
    hub, blocking that station's sync; better to say so before writing anything.
    """
    rows = dict(db.execute("SELECT key, value FROM node WHERE key IN (?, ?)", [ENROLLED_STATION_KEY, ENROLLED_ROLE_KEY]).fetchall())
    station, role = rows.get(ENROLLED_STATION_KEY), rows.get(ENROLLED_ROLE_KEY)
    if station and station != "org" and role and role != "relay":
        raise EventOpsError(
            f"this database is station {station}: set up the event (imports, keys, badges, stations) on the "
            "organiser's database, and it reaches the stations by sync"
        )


def vector(db: Database) -> Vector:
    """`{station_id: highest seq held}` for this database."""
    return {row[0]: int(row[1]) for row in db.execute("SELECT station_id, MAX(seq) FROM events GROUP BY station_id")}


def count(db: Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def lacking(db: Database, their_vector: Mapping[str, int], limit: int = 1000) -> list[Event]:
    """Events this database holds that a node with `their_vector` lacks, per station in seq order."""
    out: list[Event] = []
    for station_id, have in sorted(vector(db).items()):
        since = int(their_vector.get(station_id, 0))
        if have <= since:
            continue
        rows = db.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE station_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            [station_id, since, limit - len(out)],
        ).fetchall()
        out.extend(Event.from_row(tuple(r)) for r in rows)
        if len(out) >= limit:
            break
    return out


def lacking_count(db: Database, their_vector: Mapping[str, int]) -> int:
    """How many events a node with `their_vector` lacks (e.g. scans waiting to sync)."""
    return sum(max(0, have - int(their_vector.get(s, 0))) for s, have in vector(db).items())


def all_events(db: Database) -> list[Event]:
    """The whole log in fold order."""
    return [Event.from_row(tuple(r)) for r in db.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY hlc, station_id, seq")]


def since_rowid(db: Database, rowid: int, limit: int | None = None) -> tuple[list[Event], int]:
    """Events that arrived in this database after local row `rowid`, and the new cursor."""
    sql = f"SELECT rowid, {EVENT_COLUMNS} FROM events WHERE rowid > ? ORDER BY rowid"
    params: list[Any] = [rowid]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    events: list[Event] = []
    cursor = rowid
    for row in db.execute(sql, params):
        cursor = int(row[0])
        events.append(Event.from_row(tuple(row[1:])))
    return events, cursor


def iter_events(db: Database, kinds: Sequence[str] | None = None) -> Iterator[Event]:
    sql = f"SELECT {EVENT_COLUMNS} FROM events"
    params: list[Any] = []
    if kinds:
        sql += f" WHERE kind IN ({','.join('?' * len(kinds))})"
        params = list(kinds)
    sql += " ORDER BY hlc, station_id, seq"
    for row in db.execute(sql, params):
        yield Event.from_row(tuple(row))


def get(db: Database, station_id: str, seq: int) -> Event | None:
    row = db.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE station_id = ? AND seq = ?", [station_id, seq]).fetchone()
    return None if row is None else Event.from_row(tuple(row))


@dataclass
class MergeResult:
    """What merging a batch of remote events did."""

    added: list[Event] = field(default_factory=list)
    duplicates: int = 0
    suspect: list[Event] = field(default_factory=list)


def merge(
    db: Database,
    events: Iterable[Event],
    *,
    observer: str | None = None,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
    max_drift_ms: int = hlc_mod.MAX_DRIFT_MS,
) -> MergeResult:
    """Insert remote events we lack, in one transaction; duplicates are ignored.

    Refuses (changing nothing) a batch that would leave a gap in a station's sequence or
    that carries a different event under an id we already hold. Remote clocks far ahead of
    our wall clock are flagged `clock_suspect` and, when `observer` (this node's station id)
    is given, reported by a `clock.suspect` event so every node sees the incident.
    """
    batch = sorted(events, key=lambda e: (e.station_id, e.seq))
    result = MergeResult()
    with write(db):
        held = vector(db)
        last = _last_hlc(db)
        now = wall()
        rows = []
        for event in batch:
            have = held.get(event.station_id, 0)
            if event.seq <= have:
                existing = get(db, event.station_id, event.seq)
                if existing is None or existing.to_row() != event.to_row():
                    raise LogConflict(f"event {event.station_id}#{event.seq} differs from the one already held")
                result.duplicates += 1
                continue
            if event.seq != have + 1:
                raise LogGap(f"station {event.station_id}: got seq {event.seq} but hold only up to {have}")
            held[event.station_id] = event.seq
            last, suspect = hlc_mod.observe(last, event.hlc, now, max_drift_ms)
            rows.append((event.station_id, event.seq, event.hlc, event.kind, event.data_text(), int(suspect)))
            result.added.append(event)
            if suspect:
                result.suspect.append(event)
        db.conn.executemany(
            f"INSERT INTO events ({EVENT_COLUMNS}, clock_suspect) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
        _set_last_hlc(db, last)
        if observer and result.suspect:
            append_in_transaction(
                db,
                observer,
                [
                    Draft(CLOCK_SUSPECT, {"station_id": e.station_id, "seq": e.seq, "hlc": e.hlc, "seen_at": now})
                    for e in result.suspect
                ],
                wall=wall,
            )
    return result
