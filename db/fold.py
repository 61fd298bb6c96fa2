"""The fold: state is a pure function of the log, folded in `(hlc, station_id, seq)` order.

`EventState.apply` takes new events in any order. Events that sort after everything folded so
far are applied on top; a late event (an offline station syncing) or a void rewinds to the
nearest checkpoint before it and replays, so incremental folding and a full rebuild always
agree. Checkpoints cost what changed since (db/checkpoints.py). `load_state` starts from the
newest snapshot saved in the database and folds only the tail (db/snapshots.py). The presence
rules themselves live in `db.presence`: they see each event with its typed record, read once
(db/payloads.py; a malformed event is refused whole and counted), the tables they change
(db/core.py) and the event's calendar (db/calendar.py), never this state object.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import heapq
import itertools
import logging
import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlite_utils import Database

from db import checkpoints, presence
from db import events as ev
from db.calendar import Calendar
from db.checkpoints import Folded
from db.core import Core
from db.events import Event
from db.payloads import Malformed, Payload, read
from db.presence import fold_event
from db.state import (
    AWAY,
    Attendee,
    Bus,
    Checkin,
    DeskKey,
    EventInfo,
    Incident,
    Place,
    Room,
    Session,
    Station,
    StationHealth,
    Visit,
)
from db.times import (  # noqa: F401  (re-exported: db.fold is where callers look)
    ARRIVAL_BUCKET_MS,
    DAY_CLOSE_AFTER_MS,
    DEFAULT_TZ,
    MINUTE_MS,
    SESSION_EARLY_MS,
    SESSION_GRACE_MS,
    parse_local,
)

logger = logging.getLogger("eventops.fold")

#: What the fold keeps of each event it may replay: the event's record, or why it is malformed.
Record = Payload | Malformed | None


#: The tables the fold changes (db/core.py); the old name still works.
_Core = Core


Key = tuple[int, str, int]


class EventSource(Protocol):
    """Where a state re-reads what it no longer keeps in memory (db/snapshots.py: the database)."""

    def events_after(self, key: Key | None, folded: Folded) -> Iterator[Event]:
        """Events held in `folded` that sort after `key` (all of them for None), in fold order."""
        ...

    def key_of(self, ident: tuple[str, int]) -> Key | None:
        """Where the event `ident` sorts, if the source holds it."""
        ...

    def restart(self, folded: Folded, voided: set[tuple[str, int]], before: Key) -> Restart | None:
        """The newest saved state that holds only events of `folded`, all those sorting before
        its position, and none of `voided`'s targets unless it folded their void, positioned
        before `before`."""
        ...

    def folded(self, state: EventState, bulk: bool) -> None:
        """`state` folded new events (`bulk`: many at once): a chance to save it."""
        ...


@dataclass
class Restart:
    """A saved state to fold on from: its tables, how many events and which, its position."""

    tables: dict[str, Any]
    count: int
    key: Key
    folded: Folded
    voided: set[tuple[str, int]]
    ident: int = 0


class EventState:
    """The folded state of one event's log, kept up to date by `apply`.

    Without a source it keeps every event it folded (a late event rewinds to an in-memory
    checkpoint at worst the first). With one (a database, `load_state`), it keeps only the
    events since its oldest checkpoint, which reaches `RETAIN_MS` back in the event's time;
    an event later than that rewinds to a saved snapshot and re-reads the tail from the source.
    """

    CHECKPOINT_EVERY = 1000
    MAX_CHECKPOINTS = 48
    #: With a source, in-memory checkpoints reach this far back (a bus offline for a visit).
    RETAIN_MS = 4 * 3_600_000

    def __init__(self, source: EventSource | None = None) -> None:
        self._core = Core()
        self._calendar = Calendar(self._core)
        self._source = source
        self._events: list[Event] = []  # folded since the oldest checkpoint, fold order
        self._keys: list[Key] = []
        self._records: list[Record] = []  # each event's record, parsed once (replays reuse it)
        self._base = 0  # events folded before self._events[0]
        self._count = 0
        self._last_key: Key | None = None
        self._folded = Folded()
        self._voided: set[tuple[str, int]] = set()
        self._journal = checkpoints.Journal()
        self._checkpoints = [checkpoints.take(self._core, self._journal, 0, None, 0)]
        self.rebuilds = 0  # how many times a late event forced a replay (for benchmarks)
        #: The saved snapshot this state started from (0: none, folded from the first event).
        self.started_from = 0
        self._refused_told = 0  # refused events already named in the log

    @classmethod
    def resume(cls, source: EventSource, restart: Restart) -> EventState:
        """A state that starts from a saved snapshot of `source` (fold the tail with `apply`)."""
        state = cls(source)
        state._reset(restart)
        return state

    def _reset(self, restart: Restart | None) -> None:
        self._core = Core.restore(restart.tables) if restart else Core()
        self._calendar = Calendar(self._core)
        self._count = self._base = restart.count if restart else 0
        self._last_key = restart.key if restart else None
        if restart is not None:
            self._folded = restart.folded.copy()
            self._voided = set(restart.voided)
            self.started_from = restart.ident
        self._events, self._keys, self._records = [], [], []
        at_ms = self._last_key[0] >> 16 if self._last_key else 0
        self._journal = checkpoints.Journal()
        self._checkpoints = [checkpoints.take(self._core, self._journal, self._count, self._last_key, at_ms)]
        self.forget_times()

    # --- feeding ----------------------------------------------------------------------
    def apply(self, events: Iterable[Event]) -> int:
        """Fold in new events (any order, duplicates ignored); returns how many were new."""
        with no_gc():
            added = self._apply(events)
        self._tell_refused()
        if added and self._source is not None:
            self._source.folded(self, added >= self.CHECKPOINT_EVERY)
        return added

    def extend(self, events: Iterable[Event], chunk: int = 10_000) -> int:
        """Fold a long stream of events (a log read in fold order) without holding it all:
        in chunks, each applied as `apply` would; returns how many were new."""
        added = 0
        with no_gc():
            iterator = iter(events)
            while batch := list(itertools.islice(iterator, chunk)):
                added += self._apply(batch)
        self._tell_refused()
        if added and self._source is not None:
            self._source.folded(self, added >= self.CHECKPOINT_EVERY)
        return added

    def expect_voids(self, targets: Iterable[tuple[str, int]]) -> None:
        """Events that voids still to be folded take out (a log read ahead): they are skipped
        as they come instead of being folded and then rewound."""
        self._voided.update(targets)

    def _tell_refused(self) -> None:
        """One log line when malformed events were refused since the last one said so."""
        core = self._core
        if core.refused > self._refused_told:
            named = ", ".join(f"{s}#{q}" for s, q in core.refused_ids)
            more = " and more" if core.refused > len(core.refused_ids) else ""
            logger.warning("%d malformed events refused whole (not folded): %s%s", core.refused, named, more)
        self._refused_told = core.refused

    def _apply(self, events: Iterable[Event]) -> int:
        prior = self._folded.copy()
        folded = self._folded
        unique = folded.new(sorted(events, key=_order))
        if not unique:
            return 0
        rewind: Key | None = None
        if self._last_key is not None and unique[0].key < self._last_key:
            rewind = unique[0].key
        for event in unique:
            if event.kind in (ev.VOID, ev.KEY_MISUSED):
                target = void_target(event)
                if target is not None and target not in self._voided:
                    self._voided.add(target)
                    if target in prior:  # folded already: replay from before it
                        key = self._key_of(target)
                        if key is not None and (rewind is None or key < rewind):
                            rewind = key
        if rewind is None:
            self._fold_new(unique)
            return len(unique)
        self.rebuilds += 1
        index = self._checkpoint_before(rewind)
        if index is None:
            assert self._source is not None  # without a source the first checkpoint is the origin
            self._restart(unique, prior, rewind)
            return len(unique)
        for event in unique:
            at = bisect.bisect_left(self._keys, event.key)
            self._keys.insert(at, event.key)
            self._events.insert(at, event)
            self._records.insert(at, read(event))
        checkpoint = checkpoints.rewind(self._core, self._journal, self._checkpoints, index)
        self.forget_times()
        self._count = checkpoint.count
        self._replay(checkpoint.count - self._base)
        return len(unique)

    def _fold_new(self, events: Iterable[Event]) -> None:
        """Fold new events (in fold order, after everything folded) on top, checkpointing as it
        goes; keep each with its record, read once (db/payloads.py), for replays.

        The fold's hot loop: a million events pass here on a full rebuild, so it reads no
        attribute twice and calls nothing it need not."""
        keys, kept, records, voided = self._keys, self._events, self._records, self._voided
        keys_append, kept_append, records_append = keys.append, kept.append, records.append
        core, cal, every = self._core, self._calendar, self.CHECKPOINT_EVERY
        count, key = self._count, self._last_key
        due = count - count % every + every  # the count at the next checkpoint
        for event in events:
            parsed = read(event)
            station_id, seq = event.station_id, event.seq
            key = (event.hlc, station_id, seq)
            keys_append(key)
            kept_append(event)
            records_append(parsed)
            if not voided or (station_id, seq) not in voided:
                fold_event(core, cal, event, parsed)
            count += 1
            if count == due:
                due += every
                self._count, self._last_key = count, key
                self._checkpoint()
        self._count, self._last_key = count, key

    def _replay(self, start: int) -> None:
        """Fold again the kept events from `start` on (after a rewind), with their records."""
        voided, every = self._voided, self.CHECKPOINT_EVERY
        core, cal = self._core, self._calendar
        count, key = self._count, self._last_key
        due = count - count % every + every
        for event, parsed, key in zip(self._events[start:], self._records[start:], self._keys[start:], strict=True):
            if not voided or (event.station_id, event.seq) not in voided:
                fold_event(core, cal, event, parsed)
            count += 1
            if count == due:
                due += every
                self._count, self._last_key = count, key
                self._checkpoint()
        self._count, self._last_key = count, key

    def _checkpoint(self) -> None:
        cps = self._checkpoints
        if cps[-1].count >= self._count:
            return
        assert self._last_key is not None
        cps.append(checkpoints.take(self._core, self._journal, self._count, self._last_key, self._last_key[0] >> 16))
        if self._source is not None:
            horizon = cps[-1].at_ms - self.RETAIN_MS
            first = 1
            while first < len(cps) - 1 and cps[first].at_ms < horizon:
                first += 1
            if first > 1:
                self._forget_before(first - 1)
        if len(cps) > self.MAX_CHECKPOINTS:
            # Thin out the older half (never the first, never the newest): late events are usually recent.
            del cps[len(cps) // 2 - 1 : 0 : -2]

    def _forget_before(self, index: int) -> None:
        """Drop the checkpoints before `index` and the events only they needed."""
        drop = self._checkpoints[index].count - self._base
        del self._events[:drop]
        del self._keys[:drop]
        del self._records[:drop]
        self._base = self._checkpoints[index].count
        del self._checkpoints[:index]
        self._journal.forget_before(self._checkpoints[0].mark)

    def _checkpoint_before(self, key: Key) -> int | None:
        """The newest in-memory checkpoint that sorts before `key` (None: none in memory)."""
        for index in range(len(self._checkpoints) - 1, -1, -1):
            at = self._checkpoints[index].key
            if at is None or at < key:
                return index
        return None

    def _key_of(self, ident: tuple[str, int]) -> Key | None:
        for index in range(len(self._events) - 1, -1, -1):  # undos are usually of recent scans
            if self._events[index].station_id == ident[0] and self._events[index].seq == ident[1]:
                return self._keys[index]
        return self._source.key_of(ident) if self._source is not None else None

    def _restart(self, unique: list[Event], prior: Folded, before: Key) -> None:
        """Rewind further back than memory reaches: from a saved snapshot (or from nothing),
        re-reading the events since from the source."""
        assert self._source is not None
        restart = self._source.restart(self._folded, self._voided, before)
        folded, voided = self._folded, self._voided
        self._reset(restart)
        self._folded, self._voided = folded, voided
        after = restart.key if restart else None
        tail = [e for e in unique if after is None or e.key > after]
        self._fold_new(heapq.merge(self._source.events_after(after, prior), tail, key=_order))

    # --- persisting -------------------------------------------------------------------
    def saveable(self, oldest: bool = False) -> Restart | None:
        """The current state (or that of the oldest in-memory checkpoint) as independent
        copies, with the position it covers; None if its events are not a prefix of every
        station's log (a state fed events out of order)."""
        if not oldest:
            if self._last_key is None or not self._folded.contiguous:
                return None
            return Restart(checkpoints.current(self._core), self._count, self._last_key, self._folded.copy(), set(self._voided))
        first = self._checkpoints[0]
        if first.key is None or len(self._checkpoints) < 2:
            return None
        later = self._events[first.count - self._base :]
        folded = self._folded.without(later)
        if folded is None:
            return None
        undone = {t for e in later if e.kind in (ev.VOID, ev.KEY_MISUSED) and (t := void_target(e)) is not None}
        tables = checkpoints.state_at(self._core, self._journal, first)
        return Restart(tables, first.count, first.key, folded, self._voided - undone)

    # --- the state, read-only for everyone else ---------------------------------------
    @property
    def core(self) -> _Core:
        return self._core

    @property
    def event_count(self) -> int:
        """How many events are folded (voided ones included)."""
        return self._count

    @property
    def position(self) -> Key | None:
        """The fold-order key of the last event folded."""
        return self._last_key

    @property
    def holdings(self) -> Folded:
        """Which events are folded: per station, up to which seq."""
        return self._folded

    @property
    def events(self) -> list[Event]:
        """Every folded event in fold order (read-only). A state started from a snapshot keeps
        only recent events in memory: this reads the rest from its source (the whole log)."""
        if self._base == 0:
            return self._events
        assert self._source is not None
        return list(self._source.events_after(None, self._folded))

    def events_since(self, at_ms: int) -> list[Event]:
        """Folded events at or after `at_ms`, in fold order (from memory when it reaches back)."""
        start = (at_ms << 16, "", 0)
        if self._base == 0 or (self._checkpoints[0].key is not None and self._checkpoints[0].key < start):
            return self._events[bisect.bisect_left(self._keys, start) :]
        assert self._source is not None
        return list(self._source.events_after((start[0] - 1, "\U0010ffff", 0), self._folded))

    # --- the state, read-only for everyone else (continued) -----------------------------
    @property
    def voided(self) -> set[tuple[str, int]]:
        return self._voided

    # Typed reads of the current tables (db/core.py), so that every read is checked.
    @property
    def info(self) -> EventInfo | None:
        """The event (None before its `event.created` is folded)."""
        return self._core.info

    @property
    def organiser(self) -> str:
        """The station that created the event: the authority on reference data."""
        return self._core.organiser

    @property
    def attendees(self) -> dict[str, Attendee]:
        return self._core.attendees

    @property
    def rooms(self) -> dict[str, Room]:
        return self._core.rooms

    @property
    def sessions(self) -> dict[str, Session]:
        return self._core.sessions

    @property
    def sessions_by_room(self) -> dict[str, tuple[Session, ...]]:
        return self._core.sessions_by_room

    @property
    def visits(self) -> dict[str, Visit]:
        return self._core.visits

    @property
    def buses(self) -> dict[str, Bus]:
        return self._core.buses

    @property
    def stations(self) -> dict[str, Station]:
        return self._core.stations

    @property
    def authors(self) -> dict[str, str]:
        """Station kinds bound to keys by `node.key`."""
        return self._core.authors

    @property
    def keys(self) -> dict[str, str]:
        """Badge public keys by key id."""
        return self._core.keys

    @property
    def desk_keys(self) -> dict[str, DeskKey]:
        """Walk-in desks' badge keys by station (published in their `node.key` bindings)."""
        return self._core.desk_keys

    @property
    def badge_serial(self) -> dict[str, int]:
        return self._core.badge_serial

    @property
    def revoked_serials(self) -> dict[str, frozenset[int]]:
        return self._core.revoked_serials

    @property
    def checkins(self) -> dict[tuple[str, str], Checkin]:
        """The first check-in per (day, attendee)."""
        return self._core.checkins

    @property
    def places(self) -> dict[str, Place]:
        return self._core.places

    @property
    def room_slots(self) -> dict[str, dict[int, set[str]]]:
        """Each room's people by the moment they leave."""
        return self._core.room_slots

    @property
    def over_capacity(self) -> frozenset[str]:
        return self._core.over_capacity

    @property
    def arrivals(self) -> Counter[tuple[str, int]]:
        """Arrivals per (day, five-minute bucket)."""
        return self._core.arrivals

    @property
    def station_scans(self) -> Counter[tuple[str, str]]:
        """Scans per (station, day)."""
        return self._core.station_scans

    @property
    def station_last_ms(self) -> dict[str, int]:
        return self._core.station_last_ms

    @property
    def station_health(self) -> dict[str, StationHealth]:
        return self._core.station_health

    @property
    def rejected(self) -> Counter[str]:
        """Rejected scans by reason."""
        return self._core.rejected

    @property
    def incidents(self) -> dict[str, Incident]:
        return self._core.incidents

    @property
    def acked(self) -> frozenset[str]:
        return self._core.acked

    @property
    def last_event_ms(self) -> int:
        return self._core.last_event_ms

    @property
    def last_scan_ms(self) -> int:
        return self._core.last_scan_ms

    @property
    def window(self) -> tuple[int, int] | None:
        """The moments this event's scans can carry."""
        return self._core.window

    @property
    def before_created(self) -> list[Event]:
        return self._core.before_created

    @property
    def refused(self) -> int:
        """How many malformed events were refused whole (db/payloads.py)."""
        return self._core.refused

    @property
    def refused_ids(self) -> tuple[tuple[str, int], ...]:
        """The first few refused events, by (station, seq)."""
        return self._core.refused_ids

    # --- time ---------------------------------------------------------------------------
    @property
    def calendar(self) -> Calendar:
        """The event's days, zone and sessions: what the presence rules ask of time."""
        return self._calendar

    @property
    def tz(self) -> str:
        return self._calendar.tz

    def day_of(self, ms: int) -> str:
        """The event-local date of `ms`."""
        return self._calendar.day_of(ms)

    def within_event(self, ms: int) -> bool:
        """Whether a scan at `ms` can belong to this event (see `db.times.event_window`).

        A station can ask this of its own wall clock before it scans: outside, its scans
        would be reported as a suspect clock and not counted.
        """
        window = self._core.window
        return window is not None and window[0] <= ms <= window[1]

    def forget_times(self) -> None:
        """Drop cached day boundaries (the time zone or the sessions changed)."""
        self._calendar.forget()

    def local_time(self, ms: int) -> datetime:
        return self._calendar.local_time(ms)

    def day_start_ms(self, day: str) -> int:
        return self._calendar.day_start_ms(day)

    def day_end_ms(self, day: str) -> int:
        """When the venue closes on `day`: an hour after its last session, else at midnight."""
        return self._calendar.day_end_ms(day)

    # --- presence queries -----------------------------------------------------------------
    def place_at(self, attendee_id: str, now_ms: int) -> Place | None:
        """Where `attendee_id` is at `now_ms` (None: away), applying session and day ends."""
        return presence.place_at(self._core, self._calendar, attendee_id, now_ms)

    def occupancy(self, room_id: str, now_ms: int) -> int:
        return presence.occupancy(self._core, room_id, now_ms)

    def occupants(self, room_id: str, now_ms: int) -> list[str]:
        slots = dict.get(self._core.room_slots, room_id, {})
        return sorted(a for until, people in slots.items() if until > now_ms for a in people)

    def where_is_everyone(self, now_ms: int) -> dict[str, Place]:
        """Everyone presumed at the venue (in a room, on a bus or elsewhere on site) at `now_ms`."""
        out: dict[str, Place] = {}
        for attendee_id in self._core.places:
            place = self.place_at(attendee_id, now_ms)
            if place is not None:
                out[attendee_id] = place
        return out

    def place_kind(self, attendee_id: str, now_ms: int) -> str:
        place = self.place_at(attendee_id, now_ms)
        return AWAY if place is None else place.kind

    def session_in(self, room_id: str, now_ms: int) -> Session | None:
        """The session running in `room_id` at `now_ms` (or starting within half an hour)."""
        return self._calendar.session_in(room_id, now_ms)

    def checked_in(self, attendee_id: str, day: str) -> Checkin | None:
        return self._core.checkins.get((day, attendee_id))

    def open_incidents(self) -> list[Incident]:
        return sorted(
            (i for i in self._core.incidents.values() if i.id not in self._core.acked),
            key=lambda i: (-i.at_ms, i.id),
        )

    def fingerprint(self) -> dict[str, Any]:
        """A comparable summary of the whole state (tests compare rebuilds with increments)."""
        core = self._core
        return {
            "info": core.info,
            "attendees": core.attendees,
            "rooms": core.rooms,
            "sessions": core.sessions,
            "visits": core.visits,
            "buses": {
                k: (b.visit, b.capacity, sorted(b.assigned), sorted(b.aboard), b.state, b.departed_ms, b.returned_ms, b.missing,
                    sorted(b.left))
                for k, b in core.buses.items()
            },
            "stations": core.stations,
            "keys": core.keys,
            "desk_keys": core.desk_keys,
            "badge_serial": core.badge_serial,
            "revoked": core.revoked_serials,
            "checkins": core.checkins,
            "places": core.places,
            "room_slots": {k: {u: p for u, p in v.items() if p} for k, v in core.room_slots.items()},
            "arrivals": +core.arrivals,
            "station_scans": +core.station_scans,
            "station_last_ms": core.station_last_ms,
            "station_health": core.station_health,
            "rejected": +core.rejected,
            "incidents": core.incidents,
            "acked": core.acked,
            "last_event_ms": core.last_event_ms,
            "last_scan_ms": core.last_scan_ms,
            "window": core.window,
            "before_created": core.before_created,
            "refused": (core.refused, core.refused_ids),
        }


def void_target(event: Event) -> tuple[str, int] | None:
    """The event a void undoes (a station may only undo its own scans), or the one a
    `key.misused` incident proves was signed twice (kept out of the fold on every node)."""
    data = event.data
    if not isinstance(data, Mapping):
        return None  # malformed: refused by the fold
    station_id, seq = data.get("station_id"), data.get("seq")
    if not isinstance(station_id, str) or type(seq) is not int:
        return None
    if event.kind == ev.VOID and station_id != event.station_id:
        return None
    return (station_id, seq)


#: An event's place in the fold order, `(hlc, station_id, seq)` (as `Event.key`, without a Python call).
_order = operator.attrgetter("hlc", "station_id", "seq")


def fold_events(events: Iterable[Event]) -> EventState:
    """A full rebuild: fold `events` from nothing."""
    state = EventState()
    state.apply(events)
    return state


def load_state(db: Database, *, snapshots: bool = True) -> EventState:
    """The folded log of `db`: from its newest valid snapshot and the tail after it, saving a
    new snapshot now and then (db/snapshots.py); `snapshots=False` folds from the first event
    and saves nothing."""
    from db.snapshots import start

    return start(db, snapshots=snapshots)[0]


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large log is read and folded.

    The fold makes hundreds of thousands of small acyclic objects; each collection would
    walk all of them again (it more than doubles the time of a full fold). After a large fold
    the objects that survived it are moved out of the collector's sight (`gc.freeze`): the
    first collection would otherwise walk them all at once (0.8 s after a million events),
    and every full collection of a long-running node again. They are still freed as usual
    when nothing refers to them; only a reference cycle among them would outlive them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > FREEZE_AFTER:
                gc.freeze()
            gc.enable()


#: Objects made during one fold beyond which they are frozen out of the collector's sight.
FREEZE_AFTER = 200_000
