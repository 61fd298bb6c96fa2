"""DESIGN.md's presence rules, one function per event kind.

`fold_event(state, event)` is the only thing that changes a `_Core`. It must be a pure
function of the state and the event: every node folds the same events the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from db import events as ev
from db import permissions as perm
from db.badge_keys import parse_badge_key
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
from db.times import (
    DAY_CLOSE_AFTER_MS,
    DEFAULT_TZ,
    SESSION_GRACE_MS,
    WINDOW_AFTER_MS,
    event_window,
    parse_local,
    zone,
)
from db.views import DEPARTED, RETURNED, missing_from, stale_boarding

if TYPE_CHECKING:
    from db.fold import EventState, _Core

Handler = Callable[["EventState", "_Core", Event], None]
_HANDLERS: dict[str, Handler] = {}

ATTENDEE_FIELDS = ("name", "first", "last", "org", "city", "country", "role", "email", "ref")
#: What a walk-in desk may say about a new attendee, and what its name fix may change.
WALK_IN_FIELDS = frozenset({"id", "name", "first", "last", "org", "city", "country", "role"})
NAME_FIELDS = frozenset({"id", "name", "first", "last"})


def handles(*kinds: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for kind in kinds:
            _HANDLERS[kind] = func
        return func

    return register


def fold_event(state: EventState, event: Event) -> None:
    core = state.core
    at = event.at_ms
    if event.kind in ev.REFERENCE_KINDS and event.station_id == core.organiser:
        _organiser_active(core, at)
    if on_time(core, event):
        core.last_event_ms = max(core.last_event_ms, at)
        if event.kind != ev.STATION_HEALTH:  # "last event" means last real activity
            core.station_last_ms[event.station_id] = max(core.station_last_ms.get(event.station_id, 0), at)
        if event.kind in ev.SCAN_KINDS and not (event.kind == ev.SCAN_REJECTED and event.data.get("reason") == REVOKED_STATION):
            core.last_scan_ms = max(core.last_scan_ms, at)
            core.station_scans[(event.station_id, state.day_of(at))] += 1
    elif event.kind not in ev.REFERENCE_KINDS:
        _off_clock(state, core, event)
        return
    handler = _HANDLERS.get(event.kind)
    if handler is None:
        return
    if not _permitted(core, event):
        return  # db/permissions.py: e.g. only the organiser (and its hubs) set up the event
    try:
        handler(state, core, event)
    except Exception:  # noqa: BLE001 - one malformed event must not stop the fold for everyone
        return


def _permitted(core: _Core, event: Event) -> bool:
    """The permission table (db/permissions.py), as the trust gate applies it at every merge.

    The gate admits no event of a station without a bound key; a station the log never
    described (a test's or an old log's) may scan, nothing more.
    """
    if event.kind == ev.EVENT_CREATED:
        return core.info is None  # one event per log: a second `event.created` is ignored
    kind = _author_kind(core, event.station_id)
    return perm.may_write(perm.UNDESCRIBED if kind is None else kind, event.kind)


def _author_kind(core: _Core, station_id: str) -> str | None:
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


def on_time(core: _Core, event: Event) -> bool:
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


def _organiser_active(core: _Core, at_ms: int) -> None:
    """The organiser set something up at `at_ms`: the event is alive a week past it."""
    window = core.window
    if window is not None and at_ms + WINDOW_AFTER_MS > window[1]:
        core.window = (window[0], at_ms + WINDOW_AFTER_MS)


def _off_clock(state: EventState, core: _Core, event: Event) -> None:
    """Report a scan or operation outside the event's window; its content is not applied."""
    if core.window is None:
        core.before_created.append(event)  # judged when the event is created
        return
    _clock_incident(state, core, event, core.last_event_ms)


def _clock_incident(state: EventState, core: _Core, event: Event, noticed_ms: int) -> None:
    """The suspect-clock incident for `event`, dated at the latest trustworthy time (`noticed_ms`).

    Its id is the one the hub's `clock.suspect` report uses, so both name one incident.
    """
    assert core.window is not None
    claimed = _moment(state, event.at_ms)
    first, last = (_moment(state, ms)[:10] for ms in core.window)
    done = "kept (an undo moves no clock)" if event.kind == ev.VOID else "not counted"
    ident = f"{CLOCK_SUSPECT}:{event.station_id}:{event.seq}"
    core.incidents[ident] = Incident(
        ident,
        CLOCK_SUSPECT,
        noticed_ms,
        event.station_id,
        f"clock of {event.station_id} says {claimed}, outside this event ({first} to {last}): "
        f"its {event.kind} #{event.seq} {done}",
        attendee=_str(event.data, "attendee"),
    )


def _moment(state: EventState, ms: int) -> str:
    """`2024-03-20 09:12` in the event's zone, for any time an HLC can carry."""
    try:
        return state.local_time(ms).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError, OSError):
        return f"{ms} ms after 1970"


def _str(data: Any, key: str, default: str = "") -> str:
    value = data.get(key, default)
    return default if value is None else str(value)


def _incident(core: _Core, kind: str, event: Event, detail: str, **refs: str) -> None:
    ident = f"{kind}:{event.station_id}:{event.seq}"
    core.incidents[ident] = Incident(ident, kind, event.at_ms, event.station_id, detail, **refs)


# --- reference data ---------------------------------------------------------------------
@handles(ev.EVENT_CREATED)
def _event_created(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    tz = _str(d, "tz", DEFAULT_TZ)
    try:
        zone(tz)
    except Exception:  # noqa: BLE001 - an unknown zone must not make every day unreadable
        tz = DEFAULT_TZ
    core.info = EventInfo(
        id=_str(d, "id"),
        name=_str(d, "name"),
        days=tuple(str(day) for day in d.get("days", ())),
        tz=tz,
        demo=bool(d.get("demo", False)),
    )
    core.organiser = event.station_id
    state.forget_times()
    core.window = event_window(event.at_ms, core.info.days, tz)
    early, core.before_created = core.before_created, []
    for scan in early:  # sorted before the event existed: a clock a little behind, or lying
        if on_time(core, scan):
            fold_event(state, scan)
        else:
            _clock_incident(state, core, scan, event.at_ms)


@handles(ev.ATTENDEE_REGISTERED, ev.ATTENDEE_UPDATED)
def _attendee(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    attendee_id = _str(d, "id")
    if not attendee_id:
        return
    known = core.attendees.get(attendee_id)
    desk = _author_kind(core, event.station_id) == perm.WALK_IN_DESK
    if desk:
        # A walk-in desk registers new people and fixes names; the organiser's data is not its own.
        if (event.kind == ev.ATTENDEE_REGISTERED) == (known is not None):
            return
        d = {k: v for k, v in d.items() if k in (WALK_IN_FIELDS if known is None else NAME_FIELDS)}
    old = known or Attendee(attendee_id, attendee_id)
    changes: dict[str, Any] = {f: str(d[f]) for f in ATTENDEE_FIELDS if f in d and d[f] is not None}
    if "tags" in d and isinstance(d["tags"], list):
        changes["tags"] = tuple(str(t) for t in d["tags"])
    fields = {f: getattr(old, f) for f in (*ATTENDEE_FIELDS, "tags")}
    fields.update(changes)
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
def _room(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    room_id = _str(d, "id")
    core.rooms[room_id] = Room(room_id, _str(d, "name", room_id), int(d.get("capacity", 0)))


@handles(ev.SESSION_ADDED)
def _session(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    tz = state.tz
    session = Session(
        id=_str(d, "id"),
        title=_str(d, "title"),
        room=_str(d, "room"),
        start_ms=parse_local(_str(d, "start"), tz),
        end_ms=parse_local(_str(d, "end"), tz),
        start=_str(d, "start"),
        end=_str(d, "end"),
    )
    previous = core.sessions.get(session.id)
    core.sessions[session.id] = session
    state.forget_times()
    for room_id in {session.room, previous.room if previous else session.room}:
        core.sessions_by_room[room_id] = tuple(
            sorted((s for s in core.sessions.values() if s.room == room_id), key=lambda s: (s.start_ms, s.id))
        )


@handles(ev.VISIT_ADDED)
def _visit(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    visit_id = _str(d, "id")
    core.visits[visit_id] = Visit(visit_id, _str(d, "title"), _str(d, "day"), _str(d, "depart"), _str(d, "return"))


@handles(ev.BUS_ADDED)
def _bus(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    bus_id = _str(d, "id")
    old = core.buses.get(bus_id)
    bus = old.copy() if old else Bus(bus_id, _str(d, "visit"), 0)
    bus.visit = _str(d, "visit", bus.visit)
    bus.capacity = int(d.get("capacity", bus.capacity))
    bus.label = _str(d, "label", bus.label or bus_id)
    core.buses[bus_id] = bus


@handles(ev.BUS_ASSIGNED)
def _bus_assigned(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    bus_id, attendee_id = _str(d, "bus"), _str(d, "attendee")
    bus = core.buses.get(bus_id)
    if bus is None:
        bus = core.buses[bus_id] = Bus(bus_id, _str(d, "visit"), 0, bus_id)
    for other in core.buses.values():
        if other.visit == bus.visit and other.id != bus_id:
            other.assigned.discard(attendee_id)
    bus.assigned.add(attendee_id)


@handles(ev.BUS_UNASSIGNED)
def _bus_unassigned(state: EventState, core: _Core, event: Event) -> None:
    bus = core.buses.get(_str(event.data, "bus"))
    if bus is not None:
        bus.assigned.discard(_str(event.data, "attendee"))


@handles(ev.STATION_ADDED)
def _station(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    station_id = _str(d, "id")
    core.stations[station_id] = Station(station_id, _str(d, "kind"), _str(d, "place"))


@handles(ev.STATION_REVOKED)
def _station_revoked(state: EventState, core: _Core, event: Event) -> None:
    """Who may vouch for a station may revoke it, as the trust gate rules (`db/trust.py`): a hub
    never revokes the organiser nor another hub."""
    station_id = _str(event.data, "id")
    old = core.stations.get(station_id) or Station(station_id, "")
    target = perm.ORGANISER if station_id == core.organiser else core.authors.get(station_id) or old.kind
    if not perm.may_vouch(_author_kind(core, event.station_id), target if target in perm.STATION_KINDS else perm.UNDESCRIBED):
        return
    core.stations[station_id] = Station(old.id, old.kind, old.place, revoked=True)
    desk_key = core.desk_keys.get(station_id)
    if desk_key is not None:
        core.desk_keys[station_id] = DeskKey(desk_key.station, desk_key.public_key, revoked=True)


@handles(ev.NODE_KEY)
def _node_key(state: EventState, core: _Core, event: Event) -> None:
    """Bind a station's kind (the first binding counts; the gate checked who vouched)."""
    station_id, kind = _str(event.data, "station"), _str(event.data, "kind")
    if station_id and kind in perm.STATION_KINDS and station_id not in core.authors:
        core.authors[station_id] = kind
        badge_key = parse_badge_key(event.data.get("badge_key"))
        if kind == perm.WALK_IN_DESK and badge_key is not None:
            station = core.stations.get(station_id)
            revoked = station is not None and station.revoked
            core.desk_keys[station_id] = DeskKey(station_id, _str(event.data, "badge_key"), revoked)


@handles(ev.KEY_MISUSED)
def _key_misused(state: EventState, core: _Core, event: Event) -> None:
    """Evidence that a station's key signed two events for one id: the incident names that
    station (the fold already keeps the event it held out, see `void_target`)."""
    station_id, seq = _str(event.data, "station_id"), event.data.get("seq")
    ident = f"{KEY_MISUSED}:{station_id}:{seq}"
    detail = f"{station_id} signed two different events #{seq}: its key is in other hands; both are ignored"
    core.incidents[ident] = Incident(ident, KEY_MISUSED, event.at_ms, station_id, detail)


@handles(ev.KEY_ADDED)
def _key(state: EventState, core: _Core, event: Event) -> None:
    core.keys[_str(event.data, "kid")] = _str(event.data, "public_key")


@handles(ev.BADGE_ISSUED)
def _badge_issued(state: EventState, core: _Core, event: Event) -> None:
    attendee_id = _str(event.data, "attendee")
    core.badge_serial[attendee_id] = max(core.badge_serial.get(attendee_id, 1), int(event.data["serial"]))


@handles(ev.BADGE_REVOKED)
def _badge_revoked(state: EventState, core: _Core, event: Event) -> None:
    attendee_id = _str(event.data, "attendee")
    serial = int(event.data.get("serial", core.badge_serial.get(attendee_id, 1)))
    core.revoked_serials[attendee_id] = core.revoked_serials.get(attendee_id, frozenset()) | {serial}


# --- presence -----------------------------------------------------------------------------
def _leave(state: EventState, core: _Core, attendee_id: str, event: Event | None = None) -> None:
    """Take `attendee_id` out of the room or bus they are recorded in.

    Off a departed bus too: a scan anywhere else (`event`) proves they are no longer aboard,
    and the bus's manifest and an incident say so.
    """
    place = core.places.get(attendee_id)
    if place is None:
        return
    if place.kind == ROOM and place.until_ms is not None:
        slot = core.room_slots.get(place.ref, {}).get(place.until_ms)
        if slot is not None:
            slot.discard(attendee_id)
    elif place.kind == BUS:
        bus = core.buses.get(place.ref)
        if bus is None:
            return
        if bus.state == "boarding":
            bus.aboard.discard(attendee_id)
        elif bus.state == DEPARTED and event is not None and attendee_id in bus.aboard:
            _left_the_bus(state, core, event, bus, attendee_id)


def _left_the_bus(state: EventState, core: _Core, event: Event, bus: Bus, attendee_id: str) -> None:
    """`attendee_id` was aboard `bus` when it left and `event` scanned them elsewhere."""
    bus.aboard.discard(attendee_id)
    bus.left.add(attendee_id)
    attendee = core.attendees.get(attendee_id)
    who = attendee.name if attendee else attendee_id
    hhmm = lambda ms: state.local_time(ms).strftime("%H:%M")  # noqa: E731
    departed = f" (left at {hhmm(bus.departed_ms)})" if bus.departed_ms is not None else ""
    _incident(
        core,
        LEFT_BUS,
        event,
        f"{who}, aboard bus {bus.visit} · {bus.label or bus.id}{departed}, "
        f"was scanned at {_seen_at(core, event)} at {hhmm(event.at_ms)}: no longer counted aboard",
        attendee=attendee_id,
        bus=bus.id,
    )


def _seen_at(core: _Core, event: Event) -> str:
    """Where `event` saw someone, in words: "the door of Salon Magritte", "desk-2", "bus V1 · Coach 2"."""
    d = event.data
    if event.kind in (ev.DOOR_ENTRY, ev.DOOR_EXIT):
        room = core.rooms.get(_str(d, "room"))
        return f"the door of {room.name if room else _str(d, 'room')}"
    if event.kind == ev.BUS_BOARDED:
        bus = core.buses.get(_str(d, "bus"))
        return f"bus {bus.visit} · {bus.label or bus.id}" if bus else f"bus {_str(d, 'bus')}"
    return event.station_id


def _on_departed_bus(core: _Core, place: Place | None) -> bool:
    if place is None or place.kind != BUS:
        return False
    bus = core.buses.get(place.ref)
    return bus is not None and bus.state == DEPARTED


def _arrive(state: EventState, core: _Core, event: Event, attendee_id: str, via: str) -> Checkin | None:
    """Record the first arrival of the day; returns the earlier check-in if there was one."""
    day = state.day_of(event.at_ms)
    earlier = core.checkins.get((day, attendee_id))
    if earlier is None:
        core.checkins[(day, attendee_id)] = Checkin(attendee_id, day, event.at_ms, event.station_id, via)
        bucket = event.at_ms - event.at_ms % 300_000
        core.arrivals[(day, bucket)] += 1
    return earlier


@handles(ev.DESK_CHECKIN)
def _desk_checkin(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    attendee_id = _str(d, "attendee")
    earlier = _arrive(state, core, event, attendee_id, _str(d, "via", "scan"))
    if earlier is not None and bool(d.get("first")) and earlier.station != event.station_id:
        name = core.attendees.get(attendee_id)
        when = state.local_time(earlier.at_ms).strftime("%H:%M")
        _incident(
            core,
            DOUBLE_ADMISSION,
            event,
            f"{name.name if name else attendee_id} admitted at {event.station_id} "
            f"after {earlier.station} at {when}",
            attendee=attendee_id,
        )
    place = state.place_at(attendee_id, event.at_ms)
    if place is None or _on_departed_bus(core, place) or stale_boarding(state, place, event.at_ms):
        # At the desk: not on a bus that left, nor on one of an earlier day that never did.
        _leave(state, core, attendee_id, event)
        core.places[attendee_id] = Place(VENUE, "", event.at_ms, None, event.station_id)


@handles(ev.DOOR_ENTRY)
def _door_entry(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    attendee_id, room_id, at = _str(d, "attendee"), _str(d, "room"), event.at_ms
    _arrive(state, core, event, attendee_id, "door")
    _leave(state, core, attendee_id, event)
    session = state.session_in(room_id, at)
    until = session.end_ms + SESSION_GRACE_MS if session else state.day_end_ms(state.day_of(at))
    if until <= at:  # after the venue closed (an evening reception): until midnight
        until = state.day_start_ms(state.day_of(at)) + 86_400_000
    core.places[attendee_id] = Place(ROOM, room_id, at, until, event.station_id)
    slots = core.room_slots.setdefault(room_id, {})
    for expired in [u for u, people in slots.items() if u <= at or not people]:
        del slots[expired]  # those people left with their session's end
    slots.setdefault(until, set()).add(attendee_id)
    room = core.rooms.get(room_id)
    if room is None or room.capacity <= 0:
        return
    occupancy = state.occupancy(room_id, at)
    if occupancy > room.capacity:
        if room_id not in core.over_capacity:
            core.over_capacity = core.over_capacity | {room_id}
            how = " (override at the door)" if d.get("override") else ""
            _incident(
                core,
                OVER_CAPACITY,
                event,
                f"{room.name}: {occupancy} people for {room.capacity} places{how}",
                room=room_id,
            )
    elif room_id in core.over_capacity:
        core.over_capacity = core.over_capacity - {room_id}


@handles(ev.DOOR_EXIT)
def _door_exit(state: EventState, core: _Core, event: Event) -> None:
    attendee_id = _str(event.data, "attendee")
    _leave(state, core, attendee_id, event)
    core.places[attendee_id] = Place(VENUE, "", event.at_ms, None, event.station_id)
    room_id = _str(event.data, "room")
    room = core.rooms.get(room_id)
    if room is not None and room_id in core.over_capacity and state.occupancy(room_id, event.at_ms) <= room.capacity:
        core.over_capacity = core.over_capacity - {room_id}


@handles(ev.BUS_BOARDED)
def _bus_boarded(state: EventState, core: _Core, event: Event) -> None:
    """Aboard `bus`, and off wherever they were (a room, another bus, even one that left).

    A boarding after the departure is a head count at the site (or someone joining there);
    after the return the bus is back at the venue, and so are they.
    """
    d = event.data
    attendee_id, bus_id = _str(d, "attendee"), _str(d, "bus")
    bus = core.buses.get(bus_id)
    if bus is None:
        bus = core.buses[bus_id] = Bus(bus_id, _str(d, "visit"), 0, bus_id)
    _arrive(state, core, event, attendee_id, "bus")  # boarding at the venue means they are here
    place = core.places.get(attendee_id)
    if place is None or place.kind != BUS or place.ref != bus_id:
        _leave(state, core, attendee_id, event)
    for other in core.buses.values():
        if other.visit == bus.visit and other.id != bus_id and other.state == "boarding":
            other.aboard.discard(attendee_id)
    if bus.state == RETURNED:
        core.places[attendee_id] = Place(VENUE, "", event.at_ms, None, event.station_id)
        return
    bus.aboard.add(attendee_id)
    bus.left.discard(attendee_id)
    core.places[attendee_id] = Place(BUS, bus_id, event.at_ms, None, event.station_id)


@handles(ev.BUS_DEPARTED)
def _bus_departed(state: EventState, core: _Core, event: Event) -> None:
    """Freeze the manifest: who is aboard, who is missing (db/views.py's rule), the headcount.

    The coordinator's departure names who was aboard and since when (`aboard`): someone it
    names whom nothing placed elsewhere since that boarding stays aboard even if the boarding
    is undone afterwards (an undo never reaches past a departure). A second departure, or one
    of a bus already back, changes nothing.
    """
    d = event.data
    bus = core.buses.get(_str(d, "bus"))
    if bus is None or bus.state != "boarding":
        return
    given = [str(m) for m in d["missing"]] if isinstance(d.get("missing"), list) else None
    headcount = int(d["headcount"]) if "headcount" in d else None
    for attendee_id, boarded_ms in _undone_boardings(core, bus, d):
        _leave(state, core, attendee_id, event)
        bus.aboard.add(attendee_id)
        core.places[attendee_id] = Place(BUS, bus.id, boarded_ms, None, event.station_id)
    missing = set(missing_from(core.buses, bus) if given is None else given) - bus.aboard
    bus.state = DEPARTED
    bus.departed_ms = event.at_ms
    bus.missing = tuple(sorted(missing))
    bus.headcount = len(bus.aboard) if headcount is None else headcount
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


def _undone_boardings(core: _Core, bus: Bus, data: Any) -> list[tuple[str, int]]:
    """Who the coordinator's departure or return names aboard (`aboard`: attendee -> boarding
    time) but the fold does not, with nothing placing them elsewhere since that boarding: their
    boarding was undone after the fact, and the trip keeps them."""
    listed = data.get("aboard")
    if not isinstance(listed, dict):
        return []
    undone = []
    for attendee_id, boarded_ms in sorted(listed.items()):
        if type(boarded_ms) is not int or attendee_id in bus.aboard:
            continue
        place = core.places.get(str(attendee_id))
        if place is None or place.since_ms < boarded_ms:
            undone.append((str(attendee_id), boarded_ms))
    return undone


@handles(ev.BUS_RETURNED)
def _bus_returned(state: EventState, core: _Core, event: Event) -> None:
    """Everyone aboard is back at the venue (a bus that never left has no return).

    As a departure does, the return names who came back and since when (`aboard`): a later
    undo of a boarding does not rewrite a finished trip.
    """
    d = event.data
    bus = core.buses.get(_str(d, "bus"))
    if bus is None or bus.state != DEPARTED:
        return
    undone = _undone_boardings(core, bus, d)
    bus.state = RETURNED
    bus.returned_ms = event.at_ms
    # Back at the venue; a late bus keeps its passengers on site a while after closing time.
    until = max(state.day_end_ms(state.day_of(event.at_ms)), event.at_ms + DAY_CLOSE_AFTER_MS)
    for attendee_id, _ in undone:
        _leave(state, core, attendee_id, event)
        bus.aboard.add(attendee_id)
        core.places[attendee_id] = Place(VENUE, "", event.at_ms, until, event.station_id)
    for attendee_id in sorted(bus.aboard):
        place = core.places.get(attendee_id)
        if place is not None and place.kind == BUS and place.ref == bus.id:
            core.places[attendee_id] = Place(VENUE, "", event.at_ms, until, event.station_id)


@handles(ev.SCAN_REJECTED)
def _scan_rejected(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    reason = _str(d, "reason", "unknown")
    core.rejected[reason] += 1
    attendee_id = _str(d, "attendee")
    who = core.attendees[attendee_id].name if attendee_id in core.attendees else (attendee_id or "unknown badge")
    if reason == ev.REJECT_REVOKED:
        _incident(core, REVOKED_BADGE, event, f"revoked badge of {who} shown at {event.station_id}", attendee=attendee_id)
    elif reason == ev.REJECT_FORGED:
        _incident(core, FORGED_BADGE, event, f"forged badge claiming {who} shown at {event.station_id}", attendee=attendee_id)
    elif reason == ev.REJECT_REVOKED_DESK:
        _incident(
            core, BADGE_OF_REVOKED_DESK, event,
            f"badge of {who} from revoked desk {_str(d, 'desk', '?')} shown at {event.station_id}", attendee=attendee_id,
        )
    elif reason == REVOKED_STATION:
        _incident(
            core,
            REVOKED_STATION,
            event,
            f"{d.get('count', '?')} events of revoked station {d.get('station_id', '?')} relayed by {d.get('via', '?')} kept out",
        )


@handles(ev.INCIDENT_ACKED)
def _incident_acked(state: EventState, core: _Core, event: Event) -> None:
    core.acked = core.acked | {_str(event.data, "incident")}


@handles(ev.CLOCK_SUSPECT)
def _clock_suspect(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    station_id, seq = _str(d, "station_id"), int(d.get("seq", 0))
    ident = f"{CLOCK_SUSPECT}:{station_id}:{seq}"
    if ident in core.incidents:
        return
    claimed_ms = int(d.get("hlc", 0)) >> 16
    ahead_min = max(0, (claimed_ms - int(d.get("seen_at", event.at_ms))) // 60_000)
    core.incidents[ident] = Incident(
        ident,
        CLOCK_SUSPECT,
        event.at_ms,
        station_id,
        f"clock of {station_id} is {ahead_min} min ahead of {event.station_id} (says {_moment(state, claimed_ms)})",
    )


@handles(ev.STATION_HEALTH)
def _station_health(state: EventState, core: _Core, event: Event) -> None:
    d = event.data
    last_sync = d.get("last_sync_ms")
    core.station_health[event.station_id] = StationHealth(
        event.at_ms, max(0, int(d.get("waiting", 0))), int(last_sync) if last_sync is not None else None
    )
