"""DESIGN.md's presence rules, one function per event kind.

`fold_event(core, calendar, event, record)` is the only thing that changes a `Core`. It is a
pure function of the tables, the event and its record (db/payloads.py: the event's data parsed
once, typed): every node folds the same events the same way. A handler receives what it needs,
the calendar of the event's days and sessions, the tables it changes and the record, never the
state object, and reads no `event.data`. A malformed event never reaches a handler: it is
refused whole (`refuse`), so none is ever half applied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from db import events as ev
from db import payloads as pl
from db import permissions as perm
from db.badge_keys import parse_badge_key
from db.calendar import Calendar
from db.core import REFUSED_NAMED, Core
from db.events import Event
from db.node import ORGANISER
from db.state import (
    BADGE_OF_REVOKED_DESK,
    BUS,
    BUS_LEFT_MISSING,
    CLOCK_SUSPECT,
    DOUBLE_ADMISSION,
    FORGED_BADGE,
    KEY_MISUSED,
    LEFT_BUS,
    OVER_CAPACITY,
    REVOKED_BADGE,
    REVOKED_STATION,
    ROOM,
    VENUE,
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
from db.times import DAY_CLOSE_AFTER_MS, SESSION_GRACE_MS, WINDOW_AFTER_MS, event_window
from db.views import DEPARTED, RETURNED, boarding_stale, missing_from

logger = logging.getLogger("eventops.fold")

#: A handler: the calendar, the tables it changes, the event (who, when) and its record.
Handler = Callable[[Calendar, Core, Event, Any], None]
_HANDLERS: dict[str, Handler] = {}

ATTENDEE_FIELDS = pl.ATTENDEE_FIELDS
#: What a walk-in desk may say about a new attendee, and what its name fix may change.
WALK_IN_FIELDS = frozenset({"id", "name", "first", "last", "org", "city", "country", "role"})
NAME_FIELDS = frozenset({"id", "name", "first", "last"})
#: An attendee's fields an update keeps unless it changes them, and those of one not known yet.
_KEPT_FIELDS = (*ATTENDEE_FIELDS, "tags")
_BLANK_FIELDS: dict[str, Any] = {**{f: "" for f in ATTENDEE_FIELDS}, "tags": ()}


def handles(*kinds: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for kind in kinds:
            _HANDLERS[kind] = func
        return func

    return register


# The kinds `fold_event` tells apart for every event, bound once (module lookups, not attributes).
_REFERENCE_KINDS, _SCAN_KINDS = ev.REFERENCE_KINDS, ev.SCAN_KINDS
_EVENT_CREATED, _STATION_HEALTH, _SCAN_REJECTED = ev.EVENT_CREATED, ev.STATION_HEALTH, ev.SCAN_REJECTED


def fold_event(core: Core, cal: Calendar, event: Event, record: pl.Payload | pl.Malformed | None) -> None:
    """Fold one event, with the record `read` made of it, on top of `core`."""
    if isinstance(record, pl.Malformed):
        refuse(core, event, record)
        return
    kind = event.kind
    at = event.at_ms
    station_id = event.station_id
    reference = kind in _REFERENCE_KINDS
    if reference and station_id == core.organiser:
        _organiser_active(core, at)
    window = core.window
    if window is not None and window[0] <= at <= window[1] or window is None and kind == _EVENT_CREATED:  # on_time
        if at > core.last_event_ms:
            core.last_event_ms = at
        if kind != _STATION_HEALTH:  # "last event" means last real activity
            last = core.station_last_ms
            if at > last.get(station_id, 0):
                last[station_id] = at
        if kind in _SCAN_KINDS and not (kind == _SCAN_REJECTED and record.reason == REVOKED_STATION):  # type: ignore[union-attr]
            if at > core.last_scan_ms:
                core.last_scan_ms = at
            core.station_scans[(station_id, cal.day_of(at))] += 1
    elif not reference:
        _off_clock(cal, core, event, record)
        return
    handler = _HANDLERS.get(kind)
    if handler is None:
        return
    permits = core.permits
    allowed: bool | None
    if reference:
        permits.clear()  # the handler may change who may write what
        allowed = _permitted(core, event)
    else:
        allowed = permits.get((station_id, kind))
        if allowed is None:
            allowed = permits[(station_id, kind)] = _permitted(core, event)
    if not allowed:
        return  # db/permissions.py: e.g. only the organiser (and its hubs) set up the event
    handler(cal, core, event, record)


def refuse(core: Core, event: Event, why: pl.Malformed) -> None:
    """A malformed event: counted, its first few named, nothing of it applied."""
    core.refused += 1
    if len(core.refused_ids) < REFUSED_NAMED:
        core.refused_ids = (*core.refused_ids, (event.station_id, event.seq))


def fold_read(core: Core, cal: Calendar, event: Event) -> None:
    """`read` then `fold_event` (an event folded again later, such as one held for `event.created`)."""
    fold_event(core, cal, event, pl.read(event))


def _permitted(core: Core, event: Event) -> bool:
    """The permission table (db/permissions.py), as the trust gate applies it at every merge.

    The gate admits no event of a station without a bound key; a station the log never
    described (a test's or an old log's) may scan, nothing more.
    """
    if event.kind == ev.EVENT_CREATED:
        return core.info is None  # one event per log: a second `event.created` is ignored
    kind = _author_kind(core, event.station_id)
    return perm.may_write(perm.UNDESCRIBED if kind is None else kind, event.kind)


def _author_kind(core: Core, station_id: str) -> str | None:
    if core.info is None:
        # Before the event exists only the organiser's own node prepares things (a key, say).
        return perm.ORGANISER if station_id == ORGANISER else core.authors.get(station_id)
    if station_id == core.organiser:
        return perm.ORGANISER
    station = core.stations.get(station_id)
    kind = core.authors.get(station_id)
    if kind is None and station is not None:
        kind = station.kind if station.kind in perm.STATION_KINDS and station.kind != perm.ORGANISER else perm.UNDESCRIBED
    if kind == perm.HUB and station is not None and station.revoked:
        return None  # a revoked hub speaks for nobody
    return kind


def on_time(core: Core, event: Event) -> bool:
    """Whether `event` carries a time inside the event's window (`db.times.event_window`).

    A clock can lie: a laptop set to the wrong year, a station that never had its time set
    (hlc 0, 1970), a forged event at the largest HLC there is (year 4199). Such a time must
    not move "as of", open an event day, count as an arrival or make a station look active,
    and the fold can only judge it by the events themselves (every node must agree), so the
    line is drawn by the `event.created` event: from its creation to a week after the last
    day. Outside that line:

    - a scan or an operation is *reported, not applied*: a check-in at an impossible time
      cannot say which day it belongs to, and counting it under a guessed day would be the
      lie again. It shows as a suspect-clock incident naming the station and the time it
      claimed, so the operations lead can fix the station's clock and scan those people
      again. (A void still undoes its station's own scan: the fold honours it before it
      looks at times, and an undo moves no clock.)
    - reference data still counts (the organiser prepares the event weeks ahead, and may
      publish a key before the event exists); it only does not move the clocks above.

    The organiser's clock is the reference: whenever the organiser sets something up (adds a
    station, reissues a badge), the window stays open a week past that moment, so an event run
    later than its days (postponed, or set up again for a rehearsal) still counts. A station
    scanning long after the organiser last did anything is not believed.

    Scans and operations that sort before `event.created` (a station's clock some hours behind
    the organiser's, or a log filled in after the event) wait until it is folded, and are then
    folded right after it when inside the window, reported when not.
    """
    window = core.window
    if window is None:
        return event.kind == ev.EVENT_CREATED
    return window[0] <= event.at_ms <= window[1]


def _organiser_active(core: Core, at_ms: int) -> None:
    """The organiser set something up at `at_ms`: the event is alive a week past it."""
    window = core.window
    if window is not None and at_ms + WINDOW_AFTER_MS > window[1]:
        core.window = (window[0], at_ms + WINDOW_AFTER_MS)


def _off_clock(cal: Calendar, core: Core, event: Event, record: Any) -> None:
    """Report a scan or operation outside the event's window; its content is not applied."""
    if core.window is None:
        core.before_created.append(event)  # judged when the event is created
        return
    _clock_incident(cal, core, event, record, core.last_event_ms)


def _clock_incident(cal: Calendar, core: Core, event: Event, record: Any, noticed_ms: int) -> None:
    """The suspect-clock incident for `event`, dated at the latest trustworthy time (`noticed_ms`).

    Its id is the one the hub's `clock.suspect` report uses, so both name one incident.
    """
    assert core.window is not None
    claimed = _moment(cal, event.at_ms)
    first, last = (_moment(cal, ms)[:10] for ms in core.window)
    done = "kept (an undo moves no clock)" if event.kind == ev.VOID else "not counted"
    ident = f"{CLOCK_SUSPECT}:{event.station_id}:{event.seq}"
    core.incidents[ident] = Incident(
        ident,
        CLOCK_SUSPECT,
        noticed_ms,
        event.station_id,
        f"clock of {event.station_id} says {claimed}, outside this event ({first} to {last}): "
        f"its {event.kind} #{event.seq} {done}",
        attendee=str(getattr(record, "attendee", "")),
    )


def _moment(cal: Calendar, ms: int) -> str:
    """`2024-03-20 09:12` in the event's zone, for any time an HLC can carry."""
    try:
        return cal.local_time(ms).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError, OSError):
        return f"{ms} ms after 1970"


def _incident(core: Core, kind: str, event: Event, detail: str, **refs: str) -> None:
    ident = f"{kind}:{event.station_id}:{event.seq}"
    core.incidents[ident] = Incident(ident, kind, event.at_ms, event.station_id, detail, **refs)


# --- reference data ---------------------------------------------------------------------
@handles(ev.EVENT_CREATED)
def _event_created(cal: Calendar, core: Core, event: Event, r: pl.EventCreated) -> None:
    core.info = EventInfo(id=r.id, name=r.name, days=r.days, tz=r.tz, demo=r.demo)
    core.organiser = event.station_id
    cal.forget()
    core.window = event_window(event.at_ms, core.info.days, r.tz)
    early, core.before_created = core.before_created, []
    for scan in early:  # sorted before the event existed: a clock a little behind, or lying
        if on_time(core, scan):
            fold_read(core, cal, scan)
        else:
            _clock_incident(cal, core, scan, pl.read(scan), event.at_ms)


@handles(ev.ATTENDEE_REGISTERED, ev.ATTENDEE_UPDATED)
def _attendee(cal: Calendar, core: Core, event: Event, r: pl.AttendeeFields) -> None:
    attendee_id = r.id
    if not attendee_id:
        return
    known = core.attendees.get(attendee_id)
    desk = _author_kind(core, event.station_id) == perm.WALK_IN_DESK
    changes, tags = dict(r.changes), r.tags
    if desk:
        # A walk-in desk registers new people and fixes names; the organiser's data is not its own.
        if (event.kind == ev.ATTENDEE_REGISTERED) == (known is not None):
            return
        allowed = WALK_IN_FIELDS if known is None else NAME_FIELDS
        changes, tags = {f: v for f, v in changes.items() if f in allowed}, None
    old = known or Attendee(attendee_id, attendee_id)
    fields: dict[str, Any] = {f: getattr(old, f) for f in _KEPT_FIELDS} if known else dict(_BLANK_FIELDS, name=attendee_id)
    fields.update(changes)
    if tags is not None:
        fields["tags"] = tags
    if not fields["name"] or fields["name"] == attendee_id:
        full = " ".join(p for p in (fields["first"], fields["last"]) if p)
        fields["name"] = full or fields["name"]
    walk_in, registered_by = (True, event.station_id) if desk and known is None else (old.walk_in, old.registered_by)
    name_by = old.name_by
    if fields["name"] != old.name or "name" in changes:
        name_by = event.station_id if desk and known is not None else ""
    core.attendees[attendee_id] = Attendee(
        attendee_id, **fields, walk_in=walk_in, registered_by=registered_by, name_by=name_by
    )


@handles(ev.ROOM_ADDED)
def _room(cal: Calendar, core: Core, event: Event, r: pl.RoomAdded) -> None:
    core.rooms[r.id] = Room(r.id, r.name, r.capacity)


@handles(ev.SESSION_ADDED)
def _session(cal: Calendar, core: Core, event: Event, r: pl.SessionAdded) -> None:
    session = Session(
        id=r.id, title=r.title, room=r.room, start_ms=cal.ms(r.start_at), end_ms=cal.ms(r.end_at), start=r.start, end=r.end
    )
    previous = core.sessions.get(session.id)
    core.sessions[session.id] = session
    cal.forget()
    for room_id in {session.room, previous.room if previous else session.room}:
        core.sessions_by_room[room_id] = tuple(
            sorted((s for s in core.sessions.values() if s.room == room_id), key=lambda s: (s.start_ms, s.id))
        )


@handles(ev.VISIT_ADDED)
def _visit(cal: Calendar, core: Core, event: Event, r: pl.VisitAdded) -> None:
    core.visits[r.id] = Visit(r.id, r.title, r.day, r.depart, r.back)


@handles(ev.BUS_ADDED)
def _bus(cal: Calendar, core: Core, event: Event, r: pl.BusAdded) -> None:
    bus_id = r.id
    old = core.buses.get(bus_id)
    bus = old.copy() if old else Bus(bus_id, r.visit or "", 0)
    bus.visit = bus.visit if r.visit is None else r.visit
    bus.capacity = bus.capacity if r.capacity is None else r.capacity
    bus.label = (bus.label or bus_id) if r.label is None else r.label
    core.buses[bus_id] = bus


@handles(ev.BUS_ASSIGNED)
def _bus_assigned(cal: Calendar, core: Core, event: Event, r: pl.BusAssignment) -> None:
    bus_id, attendee_id = r.bus, r.attendee
    bus = core.buses.get(bus_id)
    if bus is None:
        bus = core.buses[bus_id] = Bus(bus_id, r.visit, 0, bus_id)
    for other in list(core.buses.values()):
        if other.visit == bus.visit and other.id != bus_id and attendee_id in other.assigned:
            _changing(core, other).assigned.discard(attendee_id)
    if attendee_id not in bus.assigned:
        _changing(core, bus).assigned.add(attendee_id)


def _changing(core: Core, bus: Bus) -> Bus:
    """A copy of `bus` in its place, to change: a stored `Bus` is never changed in place (a
    checkpoint keeps the old one, db/checkpoints.py)."""
    changed = core.buses[bus.id] = bus.copy()
    return changed


@handles(ev.BUS_UNASSIGNED)
def _bus_unassigned(cal: Calendar, core: Core, event: Event, r: pl.BusAssignment) -> None:
    bus = core.buses.get(r.bus)
    if bus is not None and r.attendee in bus.assigned:
        _changing(core, bus).assigned.discard(r.attendee)


@handles(ev.STATION_ADDED)
def _station(cal: Calendar, core: Core, event: Event, r: pl.StationAdded) -> None:
    core.stations[r.id] = Station(r.id, r.kind, r.place)


@handles(ev.STATION_REVOKED)
def _station_revoked(cal: Calendar, core: Core, event: Event, r: pl.StationRevoked) -> None:
    """Who may vouch for a station may revoke it, as the trust gate rules (`db/trust.py`): a hub
    never revokes the organiser nor another hub."""
    station_id = r.id
    old = core.stations.get(station_id) or Station(station_id, "")
    target = perm.ORGANISER if station_id == core.organiser else core.authors.get(station_id) or old.kind
    if not perm.may_vouch(_author_kind(core, event.station_id), target if target in perm.STATION_KINDS else perm.UNDESCRIBED):
        return
    core.stations[station_id] = Station(old.id, old.kind, old.place, revoked=True)
    desk_key = core.desk_keys.get(station_id)
    if desk_key is not None:
        core.desk_keys[station_id] = DeskKey(desk_key.station, desk_key.public_key, revoked=True)


@handles(ev.NODE_KEY)
def _node_key(cal: Calendar, core: Core, event: Event, r: pl.NodeKey) -> None:
    """Bind a station's kind (the first binding counts; the gate checked who vouched)."""
    station_id, kind = r.station, r.kind
    if station_id and kind in perm.STATION_KINDS and station_id not in core.authors:
        core.authors[station_id] = kind
        badge_key = parse_badge_key(r.badge_key or None)
        if kind == perm.WALK_IN_DESK and badge_key is not None:
            station = core.stations.get(station_id)
            revoked = station is not None and station.revoked
            core.desk_keys[station_id] = DeskKey(station_id, r.badge_key, revoked)


@handles(ev.KEY_MISUSED)
def _key_misused(cal: Calendar, core: Core, event: Event, r: pl.KeyMisused) -> None:
    """Evidence that a station's key signed two events for one id: the incident names that
    station (the fold already keeps the event it held out, see `void_target`)."""
    station_id, seq = r.station_id, r.seq
    ident = f"{KEY_MISUSED}:{station_id}:{seq}"
    detail = f"{station_id} signed two different events #{seq}: its key is in other hands; both are ignored"
    core.incidents[ident] = Incident(ident, KEY_MISUSED, event.at_ms, station_id, detail)


@handles(ev.KEY_ADDED)
def _key(cal: Calendar, core: Core, event: Event, r: pl.KeyAdded) -> None:
    core.keys[r.kid] = r.public_key


@handles(ev.BADGE_ISSUED)
def _badge_issued(cal: Calendar, core: Core, event: Event, r: pl.BadgeIssued) -> None:
    attendee_id = r.attendee
    core.badge_serial[attendee_id] = max(core.badge_serial.get(attendee_id, 1), r.serial)


@handles(ev.BADGE_REVOKED)
def _badge_revoked(cal: Calendar, core: Core, event: Event, r: pl.BadgeRevoked) -> None:
    attendee_id = r.attendee
    serial = core.badge_serial.get(attendee_id, 1) if r.serial is None else r.serial
    core.revoked_serials[attendee_id] = core.revoked_serials.get(attendee_id, frozenset()) | {serial}


# --- presence -----------------------------------------------------------------------------
def place_at(core: Core, cal: Calendar, attendee_id: str, now_ms: int) -> Place | None:
    """Where `attendee_id` is at `now_ms` (None: away), applying session and day ends."""
    place = core.places.get(attendee_id)
    if place is None:
        return None
    if place.kind == ROOM:
        assert place.until_ms is not None
        if now_ms < place.until_ms:
            return place
        day_end = cal.day_end_ms(cal.day_of(place.since_ms))
        if now_ms < day_end:
            return Place(VENUE, "", place.until_ms, day_end, place.station)
        return None
    if place.kind == VENUE:
        until = place.until_ms or cal.day_end_ms(cal.day_of(place.since_ms))
        return place if now_ms < until else None
    return place  # aboard a bus until it returns or they scan elsewhere


def occupancy(core: Core, room_id: str, now_ms: int) -> int:
    """How many people are in `room_id` at `now_ms` (their stay there has not ended)."""
    total = 0
    for until, people in dict.get(core.room_slots, room_id, {}).items():
        if until > now_ms:
            total += len(people)
    return total


def _leave(cal: Calendar, core: Core, attendee_id: str, event: Event | None = None, record: Any = None) -> None:
    """Take `attendee_id` out of the room or bus they are recorded in.

    Off a departed bus too: a scan anywhere else (`event`, its `record`) proves they are no
    longer aboard, and the bus's manifest and an incident say so.
    """
    place = core.places.get(attendee_id)
    if place is None:
        return
    if place.kind == ROOM and place.until_ms is not None:
        core.room_slots.leave(place.ref, place.until_ms, attendee_id)
    elif place.kind == BUS:
        bus = core.buses.get(place.ref)
        if bus is None:
            return
        if bus.state == "boarding":
            if attendee_id in bus.aboard:
                _changing(core, bus).aboard.discard(attendee_id)
        elif bus.state == DEPARTED and event is not None and attendee_id in bus.aboard:
            _left_the_bus(cal, core, event, record, bus, attendee_id)


def _left_the_bus(cal: Calendar, core: Core, event: Event, record: Any, bus: Bus, attendee_id: str) -> None:
    """`attendee_id` was aboard `bus` when it left and `event` scanned them elsewhere."""
    bus = _changing(core, bus)
    bus.aboard.discard(attendee_id)
    bus.left.add(attendee_id)
    attendee = core.attendees.get(attendee_id)
    who = attendee.name if attendee else attendee_id
    hhmm = lambda ms: cal.local_time(ms).strftime("%H:%M")  # noqa: E731
    departed = f" (left at {hhmm(bus.departed_ms)})" if bus.departed_ms is not None else ""
    _incident(
        core,
        LEFT_BUS,
        event,
        f"{who}, aboard bus {bus.visit} · {bus.label or bus.id}{departed}, "
        f"was scanned at {_seen_at(core, event, record)} at {hhmm(event.at_ms)}: no longer counted aboard",
        attendee=attendee_id,
        bus=bus.id,
    )


def _seen_at(core: Core, event: Event, record: Any) -> str:
    """Where `event` saw someone, in words: "the door of Salon Magritte", "desk-2", "bus V1 · Coach 2"."""
    if isinstance(record, pl.DoorEntry | pl.DoorExit):
        room = core.rooms.get(record.room)
        return f"the door of {room.name if room else record.room}"
    if isinstance(record, pl.BusBoarded):
        bus = core.buses.get(record.bus)
        return f"bus {bus.visit} · {bus.label or bus.id}" if bus else f"bus {record.bus}"
    return event.station_id


def _on_departed_bus(core: Core, place: Place | None) -> bool:
    if place is None or place.kind != BUS:
        return False
    bus = core.buses.get(place.ref)
    return bus is not None and bus.state == DEPARTED


def _arrive(cal: Calendar, core: Core, event: Event, attendee_id: str, via: str) -> Checkin | None:
    """Record the first arrival of the day; returns the earlier check-in if there was one."""
    at = event.at_ms
    day = cal.day_of(at)
    earlier = core.checkins.get((day, attendee_id))
    if earlier is None:
        core.checkins[(day, attendee_id)] = Checkin(attendee_id, day, at, event.station_id, via)
        core.arrivals[(day, at - at % 300_000)] += 1
    return earlier


@handles(ev.DESK_CHECKIN)
def _desk_checkin(cal: Calendar, core: Core, event: Event, r: pl.DeskCheckin) -> None:
    attendee_id = r.attendee
    earlier = _arrive(cal, core, event, attendee_id, r.via)
    if earlier is not None and r.first and earlier.station != event.station_id:
        name = core.attendees.get(attendee_id)
        when = cal.local_time(earlier.at_ms).strftime("%H:%M")
        _incident(
            core,
            DOUBLE_ADMISSION,
            event,
            f"{name.name if name else attendee_id} admitted at {event.station_id} "
            f"after {earlier.station} at {when}",
            attendee=attendee_id,
        )
    place = place_at(core, cal, attendee_id, event.at_ms)
    if place is None or _on_departed_bus(core, place) or boarding_stale(core.buses, cal, place, event.at_ms):
        # At the desk: not on a bus that left, nor on one of an earlier day that never did.
        _leave(cal, core, attendee_id, event, r)
        core.places[attendee_id] = Place(VENUE, "", event.at_ms, None, event.station_id)


@handles(ev.DOOR_ENTRY)
def _door_entry(cal: Calendar, core: Core, event: Event, r: pl.DoorEntry) -> None:
    attendee_id, room_id, at = r.attendee, r.room, event.at_ms
    _arrive(cal, core, event, attendee_id, "door")
    _leave(cal, core, attendee_id, event, r)
    session = cal.session_in(room_id, at)
    until = session.end_ms + SESSION_GRACE_MS if session else cal.day_end_ms(cal.day_of(at))
    if until <= at:  # after the venue closed (an evening reception): until midnight
        until = cal.day_start_ms(cal.day_of(at)) + 86_400_000
    core.places[attendee_id] = Place(ROOM, room_id, at, until, event.station_id)
    people = core.room_slots.enter(room_id, until, attendee_id, at)  # (slots that ended by `at`: their people left)
    room = core.rooms.get(room_id)
    if room is None or room.capacity <= 0:
        return
    if people > room.capacity:
        if room_id not in core.over_capacity:
            core.over_capacity = core.over_capacity | {room_id}
            how = " (override at the door)" if r.override else ""
            _incident(
                core,
                OVER_CAPACITY,
                event,
                f"{room.name}: {people} people for {room.capacity} places{how}",
                room=room_id,
            )
    elif room_id in core.over_capacity:
        core.over_capacity = core.over_capacity - {room_id}


@handles(ev.DOOR_EXIT)
def _door_exit(cal: Calendar, core: Core, event: Event, r: pl.DoorExit) -> None:
    attendee_id = r.attendee
    _leave(cal, core, attendee_id, event, r)
    core.places[attendee_id] = Place(VENUE, "", event.at_ms, None, event.station_id)
    room_id = r.room
    room = core.rooms.get(room_id)
    if room is not None and room_id in core.over_capacity and occupancy(core, room_id, event.at_ms) <= room.capacity:
        core.over_capacity = core.over_capacity - {room_id}


@handles(ev.BUS_BOARDED)
def _bus_boarded(cal: Calendar, core: Core, event: Event, r: pl.BusBoarded) -> None:
    """Aboard `bus`, and off wherever they were (a room, another bus, even one that left).

    A boarding after the departure is a head count at the site (or someone joining there);
    after the return the bus is back at the venue, and so are they.
    """
    attendee_id, bus_id = r.attendee, r.bus
    bus = core.buses.get(bus_id)
    if bus is None:
        bus = core.buses[bus_id] = Bus(bus_id, r.visit, 0, bus_id)
    _arrive(cal, core, event, attendee_id, "bus")  # boarding at the venue means they are here
    place = core.places.get(attendee_id)
    if place is None or place.kind != BUS or place.ref != bus_id:
        _leave(cal, core, attendee_id, event, r)
    for other in list(core.buses.values()):
        if other.visit == bus.visit and other.id != bus_id and other.state == "boarding" and attendee_id in other.aboard:
            _changing(core, other).aboard.discard(attendee_id)
    if bus.state == RETURNED:
        core.places[attendee_id] = Place(VENUE, "", event.at_ms, None, event.station_id)
        return
    bus = _changing(core, core.buses[bus_id])
    bus.aboard.add(attendee_id)
    bus.left.discard(attendee_id)
    core.places[attendee_id] = Place(BUS, bus_id, event.at_ms, None, event.station_id)


@handles(ev.BUS_DEPARTED)
def _bus_departed(cal: Calendar, core: Core, event: Event, r: pl.BusDeparted) -> None:
    """Freeze the manifest: who is aboard, who is missing (db/views.py's rule), the headcount.

    The coordinator's departure names who was aboard and since when (`aboard`): someone it
    names whom nothing placed elsewhere since that boarding stays aboard even if the boarding
    is undone afterwards (an undo never reaches past a departure). A second departure, or one
    of a bus already back, changes nothing.
    """
    bus = core.buses.get(r.bus)
    if bus is None or bus.state != "boarding":
        return
    for attendee_id, boarded_ms in _undone_boardings(core, bus, r.aboard):
        _leave(cal, core, attendee_id, event, r)
        bus = _changing(core, core.buses[r.bus])
        bus.aboard.add(attendee_id)
        core.places[attendee_id] = Place(BUS, bus.id, boarded_ms, None, event.station_id)
    bus = _changing(core, core.buses[r.bus])
    missing = set(missing_from(core.buses, bus) if r.missing is None else r.missing) - bus.aboard
    bus.state = DEPARTED
    bus.departed_ms = event.at_ms
    bus.missing = tuple(sorted(missing))
    bus.headcount = len(bus.aboard) if r.headcount is None else r.headcount
    if bus.missing:
        names = ", ".join(core.attendees[m].name if m in core.attendees else m for m in bus.missing[:5])
        more = f" and {len(bus.missing) - 5} more" if len(bus.missing) > 5 else ""
        _incident(
            core,
            BUS_LEFT_MISSING,
            event,
            f"bus {bus.label or bus.id} left with {len(bus.missing)} missing: {names}{more}",
            bus=bus.id,
        )


def _undone_boardings(core: Core, bus: Bus, listed: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """Who the coordinator's departure or return names aboard (`aboard`: attendee -> boarding
    time) but the fold does not, with nothing placing them elsewhere since that boarding: their
    boarding was undone after the fact, and the trip keeps them."""
    undone = []
    for attendee_id, boarded_ms in listed:
        if attendee_id in bus.aboard:
            continue
        place = core.places.get(attendee_id)
        if place is None or place.since_ms < boarded_ms:
            undone.append((attendee_id, boarded_ms))
    return undone


@handles(ev.BUS_RETURNED)
def _bus_returned(cal: Calendar, core: Core, event: Event, r: pl.BusReturned) -> None:
    """Everyone aboard is back at the venue (a bus that never left has no return).

    As a departure does, the return names who came back and since when (`aboard`): a later
    undo of a boarding does not rewrite a finished trip.
    """
    bus = core.buses.get(r.bus)
    if bus is None or bus.state != DEPARTED:
        return
    undone = _undone_boardings(core, bus, r.aboard)
    bus = _changing(core, bus)
    bus.state = RETURNED
    bus.returned_ms = event.at_ms
    # Back at the venue; a late bus keeps its passengers on site a while after closing time.
    until = max(cal.day_end_ms(cal.day_of(event.at_ms)), event.at_ms + DAY_CLOSE_AFTER_MS)
    for attendee_id, _ in undone:
        _leave(cal, core, attendee_id, event, r)
        bus = _changing(core, core.buses[bus.id])
        bus.aboard.add(attendee_id)
        core.places[attendee_id] = Place(VENUE, "", event.at_ms, until, event.station_id)
    for attendee_id in sorted(bus.aboard):
        place = core.places.get(attendee_id)
        if place is not None and place.kind == BUS and place.ref == bus.id:
            core.places[attendee_id] = Place(VENUE, "", event.at_ms, until, event.station_id)


@handles(ev.SCAN_REJECTED)
def _scan_rejected(cal: Calendar, core: Core, event: Event, r: pl.ScanRejected) -> None:
    reason = r.reason
    core.rejected[reason] += 1
    attendee_id = r.attendee
    who = core.attendees[attendee_id].name if attendee_id in core.attendees else (attendee_id or "unknown badge")
    if reason == ev.REJECT_REVOKED:
        _incident(core, REVOKED_BADGE, event, f"revoked badge of {who} shown at {event.station_id}", attendee=attendee_id)
    elif reason == ev.REJECT_FORGED:
        _incident(core, FORGED_BADGE, event, f"forged badge claiming {who} shown at {event.station_id}", attendee=attendee_id)
    elif reason == ev.REJECT_REVOKED_DESK:
        _incident(
            core, BADGE_OF_REVOKED_DESK, event,
            f"badge of {who} from revoked desk {r.desk} shown at {event.station_id}", attendee=attendee_id,
        )
    elif reason == REVOKED_STATION:
        _incident(
            core,
            REVOKED_STATION,
            event,
            f"{r.relayed} events of revoked station {r.station_id} relayed by {r.via} kept out",
        )


@handles(ev.INCIDENT_ACKED)
def _incident_acked(cal: Calendar, core: Core, event: Event, r: pl.IncidentAcked) -> None:
    core.acked = core.acked | {r.incident}


@handles(ev.CLOCK_SUSPECT)
def _clock_suspect(cal: Calendar, core: Core, event: Event, r: pl.ClockSuspect) -> None:
    station_id = r.station_id
    ident = f"{CLOCK_SUSPECT}:{station_id}:{r.seq}"
    if ident in core.incidents:
        return
    seen_at = event.at_ms if r.seen_at is None else r.seen_at
    ahead_min = max(0, (r.claimed_ms - seen_at) // 60_000)
    core.incidents[ident] = Incident(
        ident,
        CLOCK_SUSPECT,
        event.at_ms,
        station_id,
        f"clock of {station_id} is {ahead_min} min ahead of {event.station_id} (says {_moment(cal, r.claimed_ms)})",
    )


@handles(ev.STATION_HEALTH)
def _station_health(cal: Calendar, core: Core, event: Event, r: pl.StationHealthReport) -> None:
    core.station_health[event.station_id] = StationHealth(event.at_ms, r.waiting, r.last_sync_ms)
