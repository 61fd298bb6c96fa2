"""The append-only log: append local events, read "since", merge remote events.

Every station numbers its events 1, 2, 3... with no gaps; a node's *version vector* is, per
station, the highest seq it holds. Sync is "here is my vector, send what I lack", and
applying an event twice is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from db import hlc as hlc_mod
from db import permissions as perm
from db import signing, trust
from db.connect import write
from db.errors import EventOpsError, LogConflict
from db.events import CLOCK_SUSPECT, KEY_MISUSED, NODE_KEY, REFERENCE_KINDS, STATION_REVOKED, Event

Vector = dict[str, int]
EVENT_COLUMNS = "station_id, seq, hlc, kind, data, sig"
#: Kinds that change who may write what (`trust.record` keeps `authors` in step with them).
_TRUST_KINDS = frozenset({NODE_KEY, STATION_REVOKED})


class NotPermitted(EventOpsError):
    """This node may not write that kind of event as that station (db/permissions.py)."""


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


def _tail(db: Database, station_id: str) -> tuple[int, signing.Link]:
    """A station's last seq here and what its next event chains to."""
    row = db.execute("SELECT seq, chain, sig FROM events WHERE station_id = ? ORDER BY seq DESC LIMIT 1", [station_id]).fetchone()
    if row is None:
        return 0, signing.GENESIS
    return int(row[0]), trust.link_of(row[1], row[2])


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
    """Append inside a transaction the caller holds (so a decision and its event commit together).

    Each event is signed with `station_id`'s key, chained to its previous one. A station new to
    this log is first bound to its key (`trust.announce_drafts`); a station may write only the
    kinds db/permissions.py gives it (NotPermitted, nothing written).
    """
    drafts = list(drafts)
    if any(d.kind in REFERENCE_KINDS for d in drafts):
        refuse_setup_on_station(db, [d.kind for d in drafts if d.kind in REFERENCE_KINDS])
    key, bound = trust.signer(db, station_id)
    for author, kind, data in trust.announce_drafts(db, station_id, bound, (d.kind for d in drafts)):
        _write(db, author, [Draft(kind, data)], wall)
        bound = trust.author(db, station_id)
    if bound is not None:
        for draft in drafts:
            if not perm.may_write(bound.kind, draft.kind):
                raise NotPermitted(perm.refusal(station_id, bound.kind, draft.kind))
    return _write(db, station_id, drafts, wall, key)


def _write(
    db: Database, station_id: str, drafts: Sequence[Draft], wall: hlc_mod.WallClock, key: Ed25519PrivateKey | None = None
) -> list[Event]:
    """Number, sign and insert `station_id`'s events; `key` when the caller has just checked it
    (`trust.signer`), so an append looks its key and binding up once, not twice."""
    if key is None:
        key, _ = trust.signer(db, station_id)
    last = _last_hlc(db)
    seq, prev = _tail(db, station_id)
    appended: list[Event] = []
    chains: list[bytes] = []
    for draft in drafts:
        last = hlc_mod.tick(last, wall())
        seq += 1
        event, prev = signing.sign(key, prev, Event(station_id, seq, last, draft.kind, dict(draft.data)))
        appended.append(event)
        chains.append(prev.chain)
    db.conn.executemany(
        f"INSERT INTO events ({EVENT_COLUMNS}, chain) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(e.station_id, e.seq, e.hlc, e.kind, e.data_text(), e.sig, chain) for e, chain in zip(appended, chains, strict=True)],
    )
    _set_last_hlc(db, last)
    if any(e.kind in _TRUST_KINDS for e in appended):
        trust.record(db, appended, trust.authors(db))
    return appended


#: Node-local settings written by `eventops station enrol` (see sync/enrol.py).
ENROLLED_STATION_KEY = "station_id"
ENROLLED_ROLE_KEY = "sync.role"


def refuse_setup_on_station(db: Database, kinds: Iterable[str] = ()) -> None:
    """Reference data (attendees, rooms, keys, stations...) is set up on the organiser's node.

    An enrolled station's own such events would be ignored by every fold and refused by the
    hub, blocking that station's sync; better to say so before writing anything. A station
    whose binding permits all of `kinds` (a walk-in desk registering people) may write them.
    """
    rows = dict(db.execute("SELECT key, value FROM node WHERE key IN (?, ?)", [ENROLLED_STATION_KEY, ENROLLED_ROLE_KEY]).fetchall())
    station, role = rows.get(ENROLLED_STATION_KEY), rows.get(ENROLLED_ROLE_KEY)
    if station and station != "org" and role and role != "relay":
        bound = trust.author(db, station)
        wanted = list(kinds)
        if wanted and bound is not None and all(perm.may_write(bound.kind, kind) for kind in wanted):
            return
        raise EventOpsError(
            f"this database is station {station}: set up the event (imports, keys, badges, stations) on the "
            "organiser's database, and it reaches the stations by sync"
        )


#: Per station, the highest seq held: a skip through the primary key from one station to the
#: next (a few index probes per station) instead of `GROUP BY`, which reads every row's key
#: (2 ms instead of 0.1-0.25 s at a million events; plain SQL, so PostgreSQL runs it too).
_VECTOR = (
    "WITH RECURSIVE station(id) AS ("
    " SELECT MIN(station_id) FROM events"
    " UNION ALL SELECT (SELECT MIN(station_id) FROM events WHERE station_id > station.id) FROM station WHERE station.id IS NOT NULL)"
    " SELECT id, (SELECT MAX(seq) FROM events WHERE station_id = station.id) FROM station WHERE id IS NOT NULL"
)


def vector(db: Database) -> Vector:
    """`{station_id: highest seq held}` for this database."""
    return {str(row[0]): int(row[1]) for row in db.execute(_VECTOR)}


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
    #: Events whose author's key has not reached this node yet: kept aside, merged when it does.
    waiting: int = 0
    #: Events that had waited for their author's key and were merged now.
    released: int = 0
    #: (held, other): two events validly signed for one id, proof that a key was misused.
    misused: list[tuple[Event, Event]] = field(default_factory=list)


def merge(
    db: Database,
    events: Iterable[Event],
    *,
    observer: str | None = None,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
    max_drift_ms: int = hlc_mod.MAX_DRIFT_MS,
) -> MergeResult:
    """Insert remote events we lack, in one transaction; duplicates are ignored.

    Every event passes the trust gate (db/trust.py): a forged event, or one its author may
    not write, refuses the batch (`trust.Refused`, nothing changed); events of an author
    whose key is not known yet wait aside. Refuses too a batch that would leave a gap in a
    station's sequence (LogGap) or that carries two different events under one id
    (LogConflict). Remote clocks far ahead of our wall clock are flagged `clock_suspect`
    and, when `observer` (this node's station id) may report them, raise `clock.suspect`.
    """
    unique: dict[tuple[str, int], Event] = {}
    for event in events:
        seen = unique.setdefault(event.ident, event)
        if seen is not event and seen.to_row() != event.to_row():
            raise LogConflict(f"two different events claim {event.station_id}#{event.seq} in one batch")
    batch = [unique[ident] for ident in sorted(unique)]
    result = MergeResult()
    with write(db):
        # Only the batch's stations: a whole vector is a scan of the log, on every push a hub takes.
        held = {station_id: _tail(db, station_id)[0] for station_id in {e.station_id for e in batch}}
        runs: dict[str, list[Event]] = {}
        conflicts: list[tuple[Event, Event]] = []
        for event in batch:
            have = held.get(event.station_id, 0)
            if event.seq <= have:
                existing = get(db, event.station_id, event.seq)
                if existing is not None and existing.to_row() == event.to_row():
                    result.duplicates += 1
                elif existing is not None:
                    conflicts.append((existing, event))
                continue
            runs.setdefault(event.station_id, []).append(event)
        admission = trust.admit(db, runs, conflicts, held)
        now = wall()
        _insert(db, admission.accepted, admission.chains, now, max_drift_ms, result)
        trust.wait(db, admission.waiting)
        result.waiting = len(admission.waiting)
        bound = admission.bound
        while bound:
            bound = _release(db, bound, now, max_drift_ms, result)
        reporter = _reporter(db, observer)
        if admission.misused:
            result.misused = admission.misused
            trust.keep_evidence(db, admission.misused)
            if reporter and perm.may_write(reporter.kind, KEY_MISUSED):
                _write(db, reporter.station_id, [Draft(KEY_MISUSED, trust.misuse_data(h, o)) for h, o in admission.misused], wall)
        if reporter and result.suspect and perm.may_write(reporter.kind, CLOCK_SUSPECT):
            _write(
                db,
                reporter.station_id,
                [Draft(CLOCK_SUSPECT, {"station_id": e.station_id, "seq": e.seq, "hlc": e.hlc, "seen_at": now}) for e in result.suspect],
                wall,
            )
    return result


def _reporter(db: Database, observer: str | None) -> trust.Author | None:
    """The binding of the node that reports incidents about what it merged (if it may)."""
    if not observer:
        return None
    return trust.author(db, observer)


def _insert(
    db: Database, events: Sequence[Event], chains: Mapping[tuple[str, int], bytes], now: int, max_drift_ms: int, result: MergeResult
) -> None:
    """Write admitted events; far-ahead clocks are flagged, never followed."""
    if not events:
        return
    last = _last_hlc(db)
    rows = []
    for event in events:
        last, suspect = hlc_mod.observe(last, event.hlc, now, max_drift_ms)
        rows.append((event.station_id, event.seq, event.hlc, event.kind, event.data_text(), event.sig, chains[event.ident], int(suspect)))
        result.added.append(event)
        if suspect:
            result.suspect.append(event)
    db.conn.executemany(f"INSERT INTO events ({EVENT_COLUMNS}, chain, clock_suspect) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    _set_last_hlc(db, last)


def _release(db: Database, stations: Sequence[str], now: int, max_drift_ms: int, result: MergeResult) -> list[str]:
    """Merge events that waited for these stations' keys; returns stations bound meanwhile.

    Several candidates may wait for one id (a forged one beside the genuine one): the one the
    key signed is merged, the others are dropped.
    """
    bound: list[str] = []
    for station_id in stations:
        while True:
            have, _ = _tail(db, station_id)
            candidates = trust.pending_for(db, station_id, have + 1)
            if not candidates:
                break
            trust.drop_pending(db, station_id, have + 1)
            chosen = None
            chains: dict[tuple[str, int], bytes] = {}
            for candidate in candidates:
                try:
                    admission = trust.admit(db, {station_id: [candidate]}, [], {station_id: have})
                except trust.Refused:
                    continue
                if admission.accepted:
                    chosen, chains = candidate, admission.chains
                    bound += admission.bound
                    break
            if chosen is None:
                break
            _insert(db, [chosen], chains, now, max_drift_ms, result)
            result.released += 1
    return bound
