"""Who is where: the drill-down of one room or bus, and the roll call of the whole venue."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.panels.clock import clock_label, hhmm
from dashboard.panels.visits import missing_of
from db.fold import EventState
from db.state import BUS, ROOM, VENUE, Place

VENUE_LABEL = "Venue, not in a room"


@dataclass(frozen=True, slots=True)
class PersonLine:
    id: str
    name: str
    org: str
    since_ms: int
    since: str  # HH:MM in the event's zone
    station: str  # the station that last saw them


@dataclass(frozen=True, slots=True)
class PlaceList:
    """Everyone in one place (a room, a bus, the venue outside the rooms)."""

    kind: str  # room, bus, venue
    ref: str
    title: str
    capacity: int
    people: tuple[PersonLine, ...]
    missing: tuple[PersonLine, ...] = ()  # buses: assigned but not aboard


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


def _person(state: EventState, attendee_id: str, place: Place | None) -> PersonLine:
    attendee = state.attendees.get(attendee_id)
    since = place.since_ms if place else 0
    return PersonLine(
        id=attendee_id,
        name=attendee.name if attendee else attendee_id,
        org=attendee.org if attendee else "",
        since_ms=since,
        since=hhmm(state, since) if place else "—",
        station=place.station if place else "",
    )


def _sorted(people: list[PersonLine]) -> tuple[PersonLine, ...]:
    return tuple(sorted(people, key=lambda p: (p.name.casefold(), p.id)))


def room_people(state: EventState, room_id: str, now_ms: int) -> PlaceList:
    """Who is in `room_id` at `now_ms` (the people its occupancy counts)."""
    room = state.rooms.get(room_id)
    people = [_person(state, a, state.place_at(a, now_ms)) for a in state.occupants(room_id, now_ms)]
    return PlaceList(ROOM, room_id, room.name if room else room_id, room.capacity if room else 0, _sorted(people))


def bus_people(state: EventState, bus_id: str, now_ms: int) -> PlaceList:
    """Who is aboard `bus_id` now, and who of its manifest is missing."""
    bus = state.buses.get(bus_id)
    if bus is None:
        return PlaceList(BUS, bus_id, bus_id, 0, ())
    aboard = []
    for attendee_id in bus.aboard:
        place = state.place_at(attendee_id, now_ms)
        if bus.state == "returned" or (place is not None and place.kind == BUS and place.ref == bus_id):
            aboard.append(_person(state, attendee_id, place))
    missing = [_person(state, a, state.place_at(a, now_ms)) for a in missing_of(bus)]
    return PlaceList(BUS, bus_id, bus.label or bus_id, bus.capacity, _sorted(aboard), _sorted(missing))


def roll_call(state: EventState, now_ms: int) -> RollCall:
    """Everyone presumed inside the venue (in a room, on a bus or elsewhere on site) at `now_ms`."""
    rooms: dict[str, list[PersonLine]] = {}
    buses: dict[str, list[PersonLine]] = {}
    venue: list[PersonLine] = []
    for attendee_id, place in state.where_is_everyone(now_ms).items():
        person = _person(state, attendee_id, place)
        if place.kind == ROOM:
            rooms.setdefault(place.ref, []).append(person)
        elif place.kind == BUS:
            buses.setdefault(place.ref, []).append(person)
        else:
            venue.append(person)
    places: list[PlaceList] = []
    for room_id, people in sorted(rooms.items(), key=lambda kv: (_room_name(state, kv[0]), kv[0])):
        room = state.rooms.get(room_id)
        places.append(PlaceList(ROOM, room_id, _room_name(state, room_id), room.capacity if room else 0, _sorted(people)))
    for bus_id, people in sorted(buses.items()):
        bus = state.buses.get(bus_id)
        title = f"Bus {bus.label}" if bus and bus.label and not bus.label.lower().startswith("bus") else (bus.label if bus else bus_id)
        places.append(PlaceList(BUS, bus_id, title, bus.capacity if bus else 0, _sorted(people)))
    if venue:
        places.append(PlaceList(VENUE, "", VENUE_LABEL, 0, _sorted(venue)))
    info = state.info
    return RollCall(now_ms, clock_label(state, now_ms), state.tz, info.name if info else "", tuple(places))


def _room_name(state: EventState, room_id: str) -> str:
    room = state.rooms.get(room_id)
    return room.name if room else room_id
