"""The fold: state is a pure function of the log, folded in `(hlc, station_id, seq)` order.

`EventState.apply` takes new events in any order. Events that sort after everything folded so
far are applied on top; a late event (an offline station syncing) or a void rewinds to the
nearest checkpoint before it and replays, so incremental folding and a full rebuild always
agree. The presence rules themselves live in `db.presence`.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlite_utils import Database

from db import events as ev
from db.events import Event
from db.presence import fold_event
from db.state import (
    AWAY,
    ROOM,
    VENUE,
    Attendee,
    Bus,
    Checkin,
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
from db.times import zone as _zone


@dataclass
class _Core:
    """Everything the fold mutates; `snapshot()` copies it cheaply (records are immutable)."""

    info: EventInfo | None = None
    organiser: str = ""  # the station that created the event: the authority on reference data
    attendees: dict[str, Attendee] = field(default_factory=dict)
    rooms: dict[str, Room] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    sessions_by_room: dict[str, tuple[Session, ...]] = field(default_factory=dict)
    visits: dict[str, Visit] = field(default_factory=dict)
    buses: dict[str, Bus] = field(default_factory=dict)
    stations: dict[str, Station] = field(default_factory=dict)
    #: Station kinds bound to keys by `node.key` (db/permissions.py decides what each may write).
    authors: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    badge_serial: dict[str, int] = field(default_factory=dict)
    revoked_serials: dict[str, frozenset[int]] = field(default_factory=dict)
    checkins: dict[tuple[str, str], Checkin] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    room_slots: dict[str, dict[int, set[str]]] = field(default_factory=dict)
    over_capacity: frozenset[str] = frozenset()
    arrivals: Counter[tuple[str, int]] = field(default_factory=Counter)
    station_scans: Counter[tuple[str, str]] = field(default_factory=Counter)
    station_last_ms: dict[str, int] = field(default_factory=dict)
    station_health: dict[str, StationHealth] = field(default_factory=dict)
    rejected: Counter[str] = field(default_factory=Counter)
    incidents: dict[str, Incident] = field(default_factory=dict)
    acked: frozenset[str] = frozenset()
    last_event_ms: int = 0
    last_scan_ms: int = 0
    #: The moments this event's scans can carry (`db.times.event_window`); None before `event.created`.
    window: tuple[int, int] | None = None
    #: Scans and operations that sort before `event.created`: judged once it is folded.
    before_created: list[Event] = field(default_factory=list)

    def snapshot(self) -> _Core:
        return _Core(
            info=self.info,
            organiser=self.organiser,
            attendees=dict(self.attendees),
            rooms=dict(self.rooms),
            sessions=dict(self.sessions),
            sessions_by_room=dict(self.sessions_by_room),
            visits=dict(self.visits),
            buses={k: b.copy() for k, b in self.buses.items()},
            stations=dict(self.stations),
            authors=dict(self.authors),
            keys=dict(self.keys),
            badge_serial=dict(self.badge_serial),
            revoked_serials=dict(self.revoked_serials),
            checkins=dict(self.checkins),
            places=dict(self.places),
            room_slots={k: {u: set(p) for u, p in v.items()} for k, v in self.room_slots.items()},
            over_capacity=self.over_capacity,
            arrivals=Counter(self.arrivals),
            station_scans=Counter(self.station_scans),
            station_last_ms=dict(self.station_last_ms),
            station_health=dict(self.station_health),
            rejected=Counter(self.rejected),
            incidents=dict(self.incidents),
            acked=self.acked,
            last_event_ms=self.last_event_ms,
            last_scan_ms=self.last_scan_ms,
            window=self.window,
            before_created=list(self.before_created),
        )


class EventState:
    """The folded state of one event's log, kept up to date by `apply`."""

    CHECKPOINT_EVERY = 1000
    MAX_CHECKPOINTS = 24

    def __init__(self) -> None:
        self._core = _Core()
        self._events: list[Event] = []
        self._keys: list[tuple[int, str, int]] = []
        self._seen: set[tuple[str, int]] = set()
        self._voided: set[tuple[str, int]] = set()
        self._checkpoints: list[tuple[int, _Core]] = []
        self.rebuilds = 0  # how many times a late event forced a replay (for benchmarks)
        self._day_cache: dict[int, str] = {}
        self._day_span: tuple[int, int, str] = (0, 0, "")
        self._day_end_cache: dict[str, int] = {}

    # --- feeding ----------------------------------------------------------------------
    def apply(self, events: Iterable[Event]) -> int:
        """Fold in new events (any order, duplicates ignored); returns how many were new."""
        with no_gc():
            return self._apply(events)

    def _apply(self, events: Iterable[Event]) -> int:
        seen = self._seen
        unique: list[Event] = []
        for event in sorted(events, key=_order):
            ident = (event.station_id, event.seq)
            if ident not in seen:
                seen.add(ident)
                unique.append(event)
        if not unique:
            return 0
        rewind_to = len(self._events)
        if self._keys and unique[0].key < self._keys[-1]:
            rewind_to = bisect.bisect_left(self._keys, unique[0].key)
        for event in unique:
            if event.kind in (ev.VOID, ev.KEY_MISUSED):
                target = void_target(event)
                if target is not None and target not in self._voided:
                    self._voided.add(target)
                    position = self._position_of(target)
                    if position is not None:
                        rewind_to = min(rewind_to, position)
        if rewind_to >= len(self._events):
            keys, folded, voided, every = self._keys, self._events, self._voided, self.CHECKPOINT_EVERY
            for event in unique:
                keys.append((event.hlc, event.station_id, event.seq))
                folded.append(event)
                if not voided or (event.station_id, event.seq) not in voided:
                    fold_event(self, event)
                if not len(folded) % every:
                    self._maybe_checkpoint(len(folded))
            return len(unique)
        self.rebuilds += 1
        for event in unique:
            index = bisect.bisect_left(self._keys, event.key)
            self._keys.insert(index, event.key)
            self._events.insert(index, event)
        self._replay_from(rewind_to)
        return len(unique)

    def _position_of(self, ident: tuple[str, int]) -> int | None:
        for index in range(len(self._events) - 1, -1, -1):
            if self._events[index].ident == ident:
                return index
        return None

    def _replay_from(self, position: int) -> None:
        self.forget_times()
        while self._checkpoints and self._checkpoints[-1][0] > position:
            self._checkpoints.pop()
        if self._checkpoints:
            start, core = self._checkpoints[-1]
            self._core = core.snapshot()
        else:
            start, self._core = 0, _Core()
        for index in range(start, len(self._events)):
            self._fold_one(self._events[index])
            self._maybe_checkpoint(index + 1)

    def _maybe_checkpoint(self, position: int) -> None:
        if position % self.CHECKPOINT_EVERY:
            return
        if self._checkpoints and self._checkpoints[-1][0] >= position:
            return
        self._checkpoints.append((position, self._core.snapshot()))
        if len(self._checkpoints) > self.MAX_CHECKPOINTS:
            # Thin out the older half: late events are usually recent.
            half = len(self._checkpoints) // 2
            self._checkpoints = self._checkpoints[:half:2] + self._checkpoints[half:]

    def _fold_one(self, event: Event) -> None:
        if self._voided and (event.station_id, event.seq) in self._voided:
            return
        fold_event(self, event)

    # --- the state, read-only for everyone else ---------------------------------------
    @property
    def core(self) -> _Core:
        return self._core

    @property
    def events(self) -> list[Event]:
        """Every folded event in fold order (read-only)."""
        return self._events

    @property
    def voided(self) -> set[tuple[str, int]]:
        return self._voided

    def __getattr__(self, name: str) -> Any:
        # state.attendees, state.rooms, ... read straight from the current core.
        core = self.__dict__.get("_core")
        if core is not None and name in _Core.__dataclass_fields__:
            return getattr(core, name)
        raise AttributeError(name)

    # --- time ---------------------------------------------------------------------------
    @property
    def tz(self) -> str:
        return self._core.info.tz if self._core.info else DEFAULT_TZ

    def day_of(self, ms: int) -> str:
        """The event-local date of `ms` (the fold asks this for almost every event)."""
        start, end, day = self._day_span
        if start <= ms < end:
            return day
        # Zone offsets change on quarter hours at most, so a quarter-hour cache is exact.
        quarter = ms // 900_000
        day = self._day_cache.get(quarter) or ""
        if not day:
            day = datetime.fromtimestamp(quarter * 900, _zone(self.tz)).date().isoformat()
            self._day_cache[quarter] = day
        start = self.day_start_ms(day)
        self._day_span = (start, self.day_start_ms((date.fromisoformat(day) + timedelta(days=1)).isoformat()), day)
        return day

    def within_event(self, ms: int) -> bool:
        """Whether a scan at `ms` can belong to this event (see `db.times.event_window`).

        A station can ask this of its own wall clock before it scans: outside, its scans
        would be reported as a suspect clock and not counted.
        """
        window = self._core.window
        return window is not None and window[0] <= ms <= window[1]

    def forget_times(self) -> None:
        """Drop cached day boundaries (the time zone or the sessions changed)."""
        self._day_cache.clear()
        self._day_end_cache.clear()
        self._day_span = (0, 0, "")

    def local_time(self, ms: int) -> datetime:
        return datetime.fromtimestamp(ms / 1000, _zone(self.tz))

    def day_start_ms(self, day: str) -> int:
        moment = datetime.combine(date.fromisoformat(day), time(0, 0), _zone(self.tz))
        return int(moment.timestamp() * 1000)

    def day_end_ms(self, day: str) -> int:
        """When the venue closes on `day`: an hour after its last session, else at midnight."""
        cached = self._day_end_cache.get(day)
        if cached is not None:
            return cached
        start = self.day_start_ms(day)
        midnight = int(
            datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0, 0), _zone(self.tz)).timestamp()
            * 1000
        )
        ends = [s.end_ms for s in self._core.sessions.values() if start <= s.end_ms < midnight]
        end = min(midnight, max(ends) + DAY_CLOSE_AFTER_MS) if ends else midnight
        self._day_end_cache[day] = end
        return end

    # --- presence queries -----------------------------------------------------------------
    def place_at(self, attendee_id: str, now_ms: int) -> Place | None:
        """Where `attendee_id` is at `now_ms` (None: away), applying session and day ends."""
        place = self._core.places.get(attendee_id)
        if place is None:
            return None
        if place.kind == ROOM:
            assert place.until_ms is not None
            if now_ms < place.until_ms:
                return place
            day_end = self.day_end_ms(self.day_of(place.since_ms))
            if now_ms < day_end:
                return Place(VENUE, "", place.until_ms, day_end, place.station)
            return None
        if place.kind == VENUE:
            until = place.until_ms or self.day_end_ms(self.day_of(place.since_ms))
            return place if now_ms < until else None
        return place  # aboard a bus until it returns or they scan elsewhere

    def occupancy(self, room_id: str, now_ms: int) -> int:
        total = 0
        for until, people in self._core.room_slots.get(room_id, {}).items():
            if until > now_ms:
                total += len(people)
        return total

    def occupants(self, room_id: str, now_ms: int) -> list[str]:
        slots = self._core.room_slots.get(room_id, {})
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
        for session in self._core.sessions_by_room.get(room_id, ()):
            if session.start_ms - SESSION_EARLY_MS <= now_ms < session.end_ms:
                return session
        return None

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
        }


def void_target(event: Event) -> tuple[str, int] | None:
    """The event a void undoes (a station may only undo its own scans), or the one a
    `key.misused` incident proves was signed twice (kept out of the fold on every node)."""
    station_id, seq = event.data.get("station_id"), event.data.get("seq")
    if not isinstance(station_id, str) or type(seq) is not int:
        return None
    if event.kind == ev.VOID and station_id != event.station_id:
        return None
    return (station_id, seq)


def _order(event: Event) -> tuple[int, str, int]:
    return (event.hlc, event.station_id, event.seq)


def fold_events(events: Iterable[Event]) -> EventState:
    """A full rebuild: fold `events` from nothing."""
    state = EventState()
    state.apply(events)
    return state


def load_state(db: Database) -> EventState:
    """Fold the whole log of `db`."""
    from db.log import all_events

    with no_gc():
        return fold_events(all_events(db))


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large log is read and folded.

    The fold makes hundreds of thousands of small acyclic objects; each collection would
    walk all of them again (it more than doubles the time of a full fold).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
