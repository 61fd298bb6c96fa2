"""The one read model: who is where, rooms, buses, the roll call, arrivals, incidents, stations.

Every screen, command and report asks its questions here: `eventops status` (text and JSON),
the dashboard's panels and drill-downs, the bus manifest (station and `eventops bus manifest`)
and the roll call (screen, CSV, PDF, `eventops rollcall`). Each fact is computed once, from the
folded `EventState` and nothing else, so no two views can disagree about who is missing from a
bus or how many people are in a room. The fold itself uses `missing_from` to freeze a bus's
manifest at its departure.

Pure and headless: no Textual, no SQL, no clock (the moment is always passed in).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from db.errors import EventOpsError
from db.state import BUS, ROOM, VENUE, Attendee, Bus, Incident, Place, Session, Visit
from db.text import person_key

if TYPE_CHECKING:
    from db.calendar import Calendar
    from db.fold import EventState

BOARDING, DEPARTED, RETURNED = "boarding", "departed", "returned"
VENUE_LABEL = "Venue, not in a room"


class UnknownBus(EventOpsError):
    """A bus this event does not know."""


def hhmm(state: EventState, ms: int | None) -> str:
    """`14:05` in the event's time zone ("—" without a time)."""
    return "—" if ms is None else state.local_time(ms).strftime("%H:%M")


def iso_local(state: EventState, ms: int | None) -> str | None:
    """`2024-03-20T14:05:00+01:00` in the event's time zone (None without a time)."""
    return None if ms is None else state.local_time(ms).isoformat(timespec="seconds")


# --- who is where ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Whereabouts:
    """Where one attendee is presumed at a moment, since when, and which station saw them there."""

    attendee: str
    kind: str  # ROOM, BUS, VENUE
    ref: str  # room id, bus id, "" for the venue
    since_ms: int
    station: str


def stale_boarding(state: EventState, place: Place, now_ms: int) -> bool:
    """Whether `place` is a seat on a bus that never left, on a day now over: that bus stands at
    the venue, and the venue has closed (the fold's desk rule and every view agree on it)."""
    return boarding_stale(state.buses, state.calendar, place, now_ms)


def boarding_stale(buses: Mapping[str, Bus], calendar: Calendar, place: Place, now_ms: int) -> bool:
    """`stale_boarding` over the buses and the calendar alone (the fold asks it of its tables)."""
    if place.kind != BUS:
        return False
    on = buses.get(place.ref)
    return on is not None and on.state == BOARDING and now_ms >= calendar.day_end_ms(calendar.day_of(place.since_ms))


def _whereabouts(state: EventState, attendee_id: str, place: Place | None, now_ms: int) -> Whereabouts | None:
    if place is None or stale_boarding(state, place, now_ms):
        return None
    return Whereabouts(attendee_id, place.kind, place.ref, place.since_ms, place.station)


def whereabouts(state: EventState, attendee_id: str, now_ms: int) -> Whereabouts | None:
    """Where `attendee_id` is at `now_ms` (None: away), the fold's presence rules applied."""
    return _whereabouts(state, attendee_id, state.place_at(attendee_id, now_ms), now_ms)


def _on_site(state: EventState, now_ms: int) -> Iterator[tuple[str, Place]]:
    """Everyone presumed on site at `now_ms` with their place: the fold's presence rules, then
    `stale_boarding` (what `_whereabouts` applies to one attendee, without a record per person)."""
    buses, calendar = state.buses, state.calendar
    for attendee_id, place in state.where_is_everyone(now_ms).items():
        if place.kind != BUS or not boarding_stale(buses, calendar, place, now_ms):
            yield attendee_id, place


def everyone(state: EventState, now_ms: int) -> dict[str, Whereabouts]:
    """Everyone presumed on site at `now_ms`: in a room, on a bus, elsewhere at the venue."""
    return {a: Whereabouts(a, p.kind, p.ref, p.since_ms, p.station) for a, p in _on_site(state, now_ms)}


@dataclass(frozen=True, slots=True)
class Present:
    """How many people are on site, and where."""

    venue: int
    rooms: int
    buses: int

    @property
    def total(self) -> int:
        return self.venue + self.rooms + self.buses


def present(places: Mapping[str, Whereabouts]) -> Present:
    kinds = Counter(w.kind for w in places.values())
    return Present(kinds[VENUE], kinds[ROOM], kinds[BUS])


def present_at(state: EventState, now_ms: int) -> Present:
    """`present(everyone(state, now_ms))`, counted without a `Whereabouts` per person (a start
    of `eventops status` at 100,000 attendees asks only how many)."""
    kinds = Counter(place.kind for _, place in _on_site(state, now_ms))
    return Present(kinds[VENUE], kinds[ROOM], kinds[BUS])


# --- rooms -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RoomView:
    id: str
    name: str
    capacity: int
    occupancy: int  # the people whose current place is this room
    session: Session | None  # running now, or starting within half an hour


def room(state: EventState, room_id: str, now_ms: int) -> RoomView:
    known = state.rooms.get(room_id)
    return RoomView(
        room_id,
        known.name if known else room_id,
        known.capacity if known else 0,
        state.occupancy(room_id, now_ms),
        state.session_in(room_id, now_ms),
    )


def rooms(state: EventState, now_ms: int) -> tuple[RoomView, ...]:
    """Every room of the event at `now_ms`, by id."""
    return tuple(room(state, room_id, now_ms) for room_id in sorted(state.rooms))


def room_occupants(state: EventState, room_id: str, now_ms: int) -> tuple[str, ...]:
    """The attendees `RoomView.occupancy` counts, by id."""
    return tuple(state.occupants(room_id, now_ms))


# --- visits and buses ------------------------------------------------------------------------------
def shows_on(state: EventState, visit: Visit | None, day: str) -> bool:
    """Whether a visit (and its buses) shows on `day`: on an event day, its own day only.

    A visit without a day (left open by the organiser) shows every day, and so does every visit
    on a day outside the event (a rehearsal or a debrief run on another date).
    """
    if visit is None or not visit.day:
        return True
    info = state.info
    return visit.day == day or info is None or day not in info.days


def visits_on(state: EventState, day: str) -> tuple[Visit, ...]:
    """The visits shown on `day`, by id."""
    return tuple(v for v in sorted(state.visits.values(), key=lambda v: v.id) if shows_on(state, v, day))


def buses_on(state: EventState, day: str) -> tuple[Bus, ...]:
    """The buses of the visits shown on `day`, by visit and id."""
    return tuple(
        b for b in sorted(state.buses.values(), key=lambda b: (b.visit, b.id))
        if shows_on(state, state.visits.get(b.visit), day)
    )


def label(bus: Bus) -> str:
    """The bus's own name ("Coach 1"), its id when it has none."""
    return bus.label or bus.id


def bus_title(bus: Bus) -> str:
    """The bus named by visit and bus, as a roll call must ("V2 · Coach 1"): every visit has a Coach 1."""
    return f"{bus.visit} · {label(bus)}" if bus.visit else label(bus)


def aboard_other_bus(buses: Mapping[str, Bus], visit: str, attendee_id: str, besides: str = "") -> Bus | None:
    """The bus of `visit` (other than `besides`) that `attendee_id` is aboard, if any."""
    for other in sorted(buses.values(), key=lambda b: b.id):
        if other.visit == visit and other.id != besides and attendee_id in other.aboard:
            return other
    return None


def assigned_bus(buses: Mapping[str, Bus], visit: str, attendee_id: str) -> Bus | None:
    """The bus of `visit` that `attendee_id` is assigned to, if any."""
    for other in sorted(buses.values(), key=lambda b: b.id):
        if other.visit == visit and attendee_id in other.assigned:
            return other
    return None


def missing_from(buses: Mapping[str, Bus], bus: Bus) -> tuple[str, ...]:
    """Who `bus` would leave behind now: assigned, not aboard, and not aboard another bus of its
    visit (someone on the wrong bus is elsewhere, not missing). The fold freezes this at departure."""
    others = {a for o in buses.values() if o.visit == bus.visit and o.id != bus.id for a in o.aboard}
    return tuple(sorted(bus.assigned - bus.aboard - others))


@dataclass(frozen=True, slots=True)
class BusView:
    """A bus's manifest as sets of attendee ids: every view of a bus counts these.

    `aboard` is who is on the bus now (boarding, on the road), or who came back with it once it
    returned; `on_board` is who a roll call finds on it at the moment asked (nobody once it
    returned, nor once the day of a bus that never left is over). Nobody is in two of `aboard`,
    `missing`, `elsewhere` and `left`.
    """

    id: str
    label: str
    title: str  # "V2 · Coach 1"
    visit: str
    visit_title: str
    visit_day: str
    depart: str  # the visit's planned departure (ISO local), "" if none
    capacity: int
    state: str  # boarding, departed, returned
    departed_ms: int | None
    returned_ms: int | None
    headcount: int | None
    assigned: tuple[str, ...]
    aboard: tuple[str, ...]
    missing: tuple[str, ...]  # assigned and not aboard (while boarding, else as frozen at departure)
    elsewhere: tuple[str, ...]  # assigned here, aboard another bus of the visit (or gone with it)
    left: tuple[str, ...]  # aboard at departure, since scanned somewhere else
    on_board: tuple[str, ...]  # presumed on the bus at the moment asked

    @property
    def walk_ons(self) -> tuple[str, ...]:
        """Aboard without being on this bus's list."""
        listed = set(self.assigned)
        return tuple(a for a in self.aboard if a not in listed)


def bus(state: EventState, bus_id: str, now_ms: int) -> BusView:
    """The manifest of `bus_id` as sets, at `now_ms` (raises UnknownBus)."""
    record = state.buses.get(bus_id)
    if record is None:
        known = ", ".join(sorted(state.buses)) or "none"
        raise UnknownBus(f"no bus {bus_id!r} in this event (buses: {known})")
    buses = state.buses
    aboard, left = record.aboard, record.left
    if record.state == BOARDING:
        missing = set(missing_from(buses, record))
    else:
        missing = set(record.missing) - aboard - left
    elsewhere = record.assigned - aboard - left - missing
    visit = state.visits.get(record.visit)
    return BusView(
        id=record.id,
        label=label(record),
        title=bus_title(record),
        visit=record.visit,
        visit_title=visit.title if visit and visit.title else record.visit,
        visit_day=visit.day if visit else "",
        depart=visit.depart if visit else "",
        capacity=record.capacity,
        state=record.state,
        departed_ms=record.departed_ms,
        returned_ms=record.returned_ms,
        headcount=record.headcount,
        assigned=tuple(sorted(record.assigned)),
        aboard=tuple(sorted(aboard)),
        missing=tuple(sorted(missing)),
        elsewhere=tuple(sorted(elsewhere)),
        left=tuple(sorted(left)),
        on_board=tuple(a for a in sorted(aboard) if _aboard(whereabouts(state, a, now_ms), record.id)),
    )


def _aboard(where: Whereabouts | None, bus_id: str) -> bool:
    return where is not None and where.kind == BUS and where.ref == bus_id


def buses(state: EventState, now_ms: int) -> tuple[BusView, ...]:
    """Every bus of the visits of the day of `now_ms`, at `now_ms`."""
    return tuple(bus(state, b.id, now_ms) for b in buses_on(state, state.day_of(now_ms)))


def last_seen(state: EventState, attendee_id: str, now_ms: int) -> str:
    """Where the log last saw `attendee_id`, in the words a coordinator reads out."""
    day = state.day_of(now_ms)
    checkin = state.checked_in(attendee_id, day)
    place = whereabouts(state, attendee_id, now_ms)
    if place is not None and place.kind == ROOM:
        known = state.rooms.get(place.ref)
        return f"in room {known.name if known else place.ref} since {hhmm(state, place.since_ms)}"
    if place is not None and place.kind == BUS:
        on = state.buses.get(place.ref)
        return f"aboard {label(on) if on else place.ref} since {hhmm(state, place.since_ms)}"
    if place is not None and place.kind == VENUE:
        if checkin is not None and checkin.at_ms == place.since_ms:
            return f"checked in at {hhmm(state, checkin.at_ms)}"
        if checkin is not None:
            return f"at the venue since {hhmm(state, place.since_ms)}, checked in at {hhmm(state, checkin.at_ms)}"
        return f"at the venue since {hhmm(state, place.since_ms)}"
    if checkin is not None:
        return f"checked in at {hhmm(state, checkin.at_ms)}, not seen on site since"
    return "not checked in today"


# --- the manifest, for people --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ManifestLine:
    """One person on (or expected on) the bus."""

    attendee: str
    name: str
    org: str
    assigned: bool  # on this bus's list
    boarded: bool  # aboard now (or came back with it)
    boarded_ms: int | None = None
    other_bus: str = ""  # assigned elsewhere (when aboard here) or aboard elsewhere (when not)
    other_label: str = ""  # that bus's label ("Coach 2")
    last_seen: str = ""  # for those not aboard: where the log last saw them
    left: bool = False  # aboard at departure, since seen somewhere else

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.attendee, "name": self.name, "org": self.org,
                               "assigned": self.assigned, "boarded": self.boarded}
        if self.other_bus:
            out["other_bus"] = self.other_bus
            out["other_bus_label"] = self.other_label
        if self.left:
            out["left"] = True
        if self.last_seen:
            out["last_seen"] = self.last_seen
        return out


@dataclass(frozen=True, slots=True)
class Manifest:
    """A bus's manifest at one moment: what the bus panel draws and `bus manifest` prints."""

    visit: str
    visit_title: str
    bus: str
    label: str
    state: str  # boarding | departed | returned
    seats: int
    assigned: int
    boarded: int
    people: tuple[ManifestLine, ...]  # assigned, aboard or gone from it, by name
    missing: tuple[ManifestLine, ...]  # assigned, not aboard (frozen at departure)
    elsewhere: tuple[ManifestLine, ...] = ()  # assigned here but aboard another bus of the visit
    departed_ms: int | None = None
    returned_ms: int | None = None
    headcount: int | None = None
    departed_at: str = ""
    returned_at: str = ""
    left: tuple[ManifestLine, ...] = ()  # aboard at departure, since scanned somewhere else
    title: str = ""  # "V1 · Coach 1"

    @property
    def counts(self) -> str:
        seats = f" · {self.seats} seats" if self.seats > 0 else ""
        return f"{self.boarded} aboard / {self.assigned} assigned{seats}"

    def to_json(self) -> dict[str, Any]:
        return {
            "visit": self.visit,
            "visit_title": self.visit_title,
            "bus": self.bus,
            "label": self.label,
            "state": self.state,
            "seats": self.seats,
            "assigned": self.assigned,
            "boarded": self.boarded,
            "headcount": self.headcount,
            "departed_at": self.departed_at or None,
            "returned_at": self.returned_at or None,
            "missing": [line.to_json() for line in self.missing],
            "elsewhere": [line.to_json() for line in self.elsewhere],
            "left": [line.to_json() for line in self.left],
            "people": [line.to_json() for line in self.people],
        }


def name_key(attendee: Attendee | None, attendee_id: str) -> tuple[str, str, str, str]:
    """How people are listed everywhere: `db.text.person_key` (family name, then given name,
    folded), ids for the unknown."""
    if attendee is None:
        return person_key(attendee_id, ident=attendee_id)
    return person_key(attendee.name, attendee.first, attendee.last, attendee.id)


def manifest(state: EventState, bus_id: str, now_ms: int) -> Manifest:
    """The manifest of bus `bus_id` at `now_ms`, from `bus()` (raises UnknownBus)."""
    view = bus(state, bus_id, now_ms)
    aboard, left, missing = set(view.aboard), set(view.left), set(view.missing)

    def line(attendee_id: str) -> ManifestLine:
        attendee = state.attendees.get(attendee_id)
        boarded = attendee_id in aboard
        where = whereabouts(state, attendee_id, now_ms)
        boarded_ms = where.since_ms if boarded and where is not None and _aboard(where, view.id) else None
        other: Bus | None = None
        if boarded and attendee_id not in view.assigned:
            other = assigned_bus(state.buses, view.visit, attendee_id)
        elif not boarded and attendee_id not in missing:
            other = aboard_other_bus(state.buses, view.visit, attendee_id, besides=view.id)
        return ManifestLine(
            attendee=attendee_id,
            name=attendee.name if attendee else attendee_id,
            org=attendee.org if attendee else "",
            assigned=attendee_id in view.assigned,
            boarded=boarded,
            boarded_ms=boarded_ms,
            other_bus=other.id if other else "",
            other_label=label(other) if other else "",
            last_seen="" if boarded else last_seen(state, attendee_id, now_ms),
            left=attendee_id in left,
        )

    def by_name(ids: tuple[str, ...] | set[str]) -> list[str]:
        return sorted(ids, key=lambda a: name_key(state.attendees.get(a), a))

    lines = {a: line(a) for a in set(view.assigned) | aboard | left}
    return Manifest(
        visit=view.visit,
        visit_title=view.visit_title,
        bus=view.id,
        label=view.label,
        state=view.state,
        seats=view.capacity,
        assigned=len(view.assigned),
        boarded=len(view.aboard),
        people=tuple(lines[a] for a in by_name(set(lines))),
        missing=tuple(lines[a] for a in by_name(view.missing)),
        elsewhere=tuple(lines[a] for a in by_name(view.elsewhere)),
        departed_ms=view.departed_ms,
        returned_ms=view.returned_ms,
        headcount=view.headcount,
        departed_at=iso_local(state, view.departed_ms) or "",
        returned_at=iso_local(state, view.returned_ms) or "",
        left=tuple(lines[a] for a in by_name(view.left)),
        title=view.title,
    )


# --- lists of people: drill-downs and the roll call ------------------------------------------------
@dataclass(frozen=True, slots=True)
class PersonLine:
    id: str
    name: str
    org: str
    since_ms: int
    since: str  # HH:MM in the event's zone
    station: str  # the station that last saw them
    walk_in: bool = False  # registered at a desk on the day (db.state.Attendee.walk_in)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "organisation": self.org, "since": self.since, "station": self.station}
        if self.walk_in:
            out["walk_in"] = True
        return out


@dataclass(frozen=True, slots=True)
class PlaceList:
    """Everyone in one place (a room, a bus, the venue outside the rooms)."""

    kind: str  # room, bus, venue
    ref: str
    title: str
    capacity: int
    people: tuple[PersonLine, ...]
    missing: tuple[PersonLine, ...] = ()  # buses: assigned but not aboard
    assigned: int = 0  # buses: how many are on its list
    left: tuple[PersonLine, ...] = ()  # buses: aboard at departure, since seen elsewhere
    state: str = ""  # buses: boarding, departed, returned

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "id": self.ref, "title": self.title, "capacity": self.capacity,
                               "count": len(self.people), "people": [p.to_json() for p in self.people]}
        return out


@dataclass(frozen=True, slots=True)
class RollCall:
    at_ms: int
    at_label: str
    tz: str
    event: str
    places: tuple[PlaceList, ...]  # rooms by name, then buses, then the rest of the venue

    @property
    def total(self) -> int:
        return sum(len(p.people) for p in self.places)

    def to_json(self, at_iso: str | None = None) -> dict[str, Any]:
        return {"event": self.event, "at": at_iso or self.at_label, "tz": self.tz, "total": self.total,
                "places": [p.to_json() for p in self.places]}


def person(state: EventState, attendee_id: str, where: Whereabouts | None) -> PersonLine:
    attendee = state.attendees.get(attendee_id)
    return PersonLine(
        id=attendee_id,
        name=attendee.name if attendee else attendee_id,
        org=attendee.org if attendee else "",
        since_ms=where.since_ms if where else 0,
        since=hhmm(state, where.since_ms) if where else "—",
        station=where.station if where else "",
        walk_in=attendee.walk_in if attendee else False,
    )


def _sorted(state: EventState, people: list[PersonLine]) -> tuple[PersonLine, ...]:
    """The roll call lists people as the manifest does (`name_key`: last name, accents folded)."""
    return tuple(sorted(people, key=lambda p: (name_key(state.attendees.get(p.id), p.id), p.id)))


def room_people(state: EventState, room_id: str, now_ms: int) -> PlaceList:
    """Who is in `room_id` at `now_ms`: the people its occupancy counts."""
    view = room(state, room_id, now_ms)
    people = [person(state, a, whereabouts(state, a, now_ms)) for a in room_occupants(state, room_id, now_ms)]
    return PlaceList(ROOM, room_id, view.name, view.capacity, _sorted(state, people))


def bus_people(state: EventState, bus_id: str, now_ms: int) -> PlaceList:
    """Who is aboard `bus_id` (or came back with it), who of its list is missing, who left it."""
    if bus_id not in state.buses:
        return PlaceList(BUS, bus_id, bus_id, 0, ())
    view = bus(state, bus_id, now_ms)

    def lines(ids: tuple[str, ...]) -> tuple[PersonLine, ...]:
        return _sorted(state, [person(state, a, whereabouts(state, a, now_ms)) for a in ids])

    return PlaceList(BUS, bus_id, view.title, view.capacity, lines(view.aboard), lines(view.missing),
                     len(view.assigned), lines(view.left), view.state)


def roll_call(state: EventState, now_ms: int) -> RollCall:
    """Everyone presumed on site at `now_ms`, by room, by bus, and elsewhere at the venue."""
    places = everyone(state, now_ms)
    grouped: dict[tuple[str, str], list[PersonLine]] = {}
    for attendee_id, where in places.items():
        grouped.setdefault((where.kind, where.ref), []).append(person(state, attendee_id, where))
    lists: list[PlaceList] = []
    def room_name(room_id: str) -> str:
        known = state.rooms.get(room_id)
        return known.name if known else room_id

    for room_id in sorted((ref for kind, ref in grouped if kind == ROOM), key=lambda r: (room_name(r), r)):
        known = state.rooms.get(room_id)
        lists.append(PlaceList(ROOM, room_id, known.name if known else room_id, known.capacity if known else 0,
                               _sorted(state, grouped[(ROOM, room_id)])))
    for bus_id in sorted(ref for kind, ref in grouped if kind == BUS):
        record = state.buses.get(bus_id)
        title = bus_title(record) if record else bus_id
        lists.append(PlaceList(BUS, bus_id, title, record.capacity if record else 0, _sorted(state, grouped[(BUS, bus_id)]),
                               assigned=len(record.assigned) if record else 0, state=record.state if record else ""))
    if (VENUE, "") in grouped:
        lists.append(PlaceList(VENUE, "", VENUE_LABEL, 0, _sorted(state, grouped[(VENUE, "")])))
    info = state.info
    at_label = state.local_time(now_ms).strftime("%a %d %b %H:%M:%S")
    return RollCall(now_ms, at_label, state.tz, info.name if info else "", tuple(lists))


# --- arrivals, incidents, stations ------------------------------------------------------------------
def checked_in(state: EventState) -> dict[str, int]:
    """How many people checked in, per event day (every day of the event; any day scanned only
    for an event without days): a day the event does not have is never shown as one."""
    counts: Counter[str] = Counter(map(itemgetter(0), state.checkins))  # keys are (day, attendee)
    days = set(state.info.days) if state.info else set()
    return {day: counts.get(day, 0) for day in sorted(days or set(counts))}


def is_event_day(state: EventState, day: str) -> bool:
    """Whether `day` is one of the event's days (any day, for an event that names none)."""
    info = state.info
    return info is None or not info.days or day in info.days


@dataclass(frozen=True, slots=True)
class IncidentView:
    incident: Incident
    acknowledged: bool


def incidents(state: EventState) -> tuple[IncidentView, ...]:
    """Every incident, newest first, with whether it was acknowledged."""
    acked = state.acked
    return tuple(
        IncidentView(i, i.id in acked) for i in sorted(state.incidents.values(), key=lambda i: (-i.at_ms, i.id))
    )


@dataclass(frozen=True, slots=True)
class StationView:
    id: str
    kind: str
    place: str  # room or bus id, as set up
    place_label: str  # the room's name, the bus's title ("V1 · Coach 1")
    revoked: bool
    last_ms: int | None  # its last event (not its health reports)
    last_sync_ms: int | None  # from its own `station.health` report
    waiting: int | None  # scans it still held for the hub at that report
    reported: bool  # whether it sent a health report at all


def stations(state: EventState) -> tuple[StationView, ...]:
    """Every station of the event, by id."""
    out = []
    for station in sorted(state.stations.values(), key=lambda s: s.id):
        place = station.place
        if station.kind == "door" and place in state.rooms:
            place_label = state.rooms[place].name
        elif station.kind == "bus" and place in state.buses:
            place_label = bus_title(state.buses[place])
        else:
            place_label = place
        health = state.station_health.get(station.id)
        out.append(StationView(
            station.id, station.kind, place, place_label, station.revoked, state.station_last_ms.get(station.id),
            health.last_sync_ms if health else None, health.waiting if health else None, health is not None,
        ))
    return tuple(out)
