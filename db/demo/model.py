"""What the demo event is made of, as plain data the simulator and the tests can walk.

`DemoEvent.drafts` are the very events `install_demo` appends; the other fields are the same
facts in handy shapes (sessions with their times in milliseconds, buses with their assigned
attendees), so nobody has to fold the log to know the demo's plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from db.log import Draft


def iso_ms(iso: str) -> int:
    """Milliseconds since the epoch of an ISO 8601 time with offset."""
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class DemoAttendee:
    """One registered attendee; the fields of `attendee.registered`."""

    id: str
    name: str
    first: str
    last: str
    org: str
    city: str
    country: str
    role: str
    ref: str
    tags: tuple[str, ...] = ()

    @property
    def speaker(self) -> bool:
        return "speaker" in self.tags


@dataclass(frozen=True, slots=True)
class DemoRoom:
    id: str
    name: str
    capacity: int


@dataclass(frozen=True, slots=True)
class DemoSession:
    """A session; `start`/`end` are ISO 8601 local times with offset, as in `session.added`."""

    id: str
    title: str
    room: str
    day: str
    start: str
    end: str
    plenary: bool
    speakers: tuple[str, ...] = ()

    @property
    def start_ms(self) -> int:
        return iso_ms(self.start)

    @property
    def end_ms(self) -> int:
        return iso_ms(self.end)


@dataclass(frozen=True, slots=True)
class DemoBus:
    id: str
    visit: str
    capacity: int
    label: str
    assigned: tuple[str, ...]
    station: str  # "bus-<bus id>"


@dataclass(frozen=True, slots=True)
class DemoVisit:
    id: str
    title: str
    day: str
    depart: str  # ISO 8601 with offset
    back: str  # the `return` field of `visit.added`
    buses: tuple[DemoBus, ...]

    @property
    def assigned(self) -> tuple[str, ...]:
        """Everyone assigned to one of this visit's buses, bus by bus."""
        return tuple(a for bus in self.buses for a in bus.assigned)

    @property
    def depart_ms(self) -> int:
        return iso_ms(self.depart)

    @property
    def back_ms(self) -> int:
        return iso_ms(self.back)


@dataclass(frozen=True, slots=True)
class DemoStation:
    id: str
    kind: str  # desk | door | bus | hub | dashboard
    place: str  # room id for doors, bus id for buses, "" otherwise


@dataclass(frozen=True)
class DemoEvent:
    """The whole demo event: its plan as plain data and the events that record it."""

    id: str
    name: str
    days: tuple[str, ...]
    tz: str
    seed: int
    attendees: tuple[DemoAttendee, ...]
    rooms: tuple[DemoRoom, ...]
    sessions: tuple[DemoSession, ...]
    visits: tuple[DemoVisit, ...]
    stations: tuple[DemoStation, ...]
    drafts: tuple[Draft, ...]
    setup_ms: int  # the organiser's wall clock when the demo is installed

    @property
    def buses(self) -> tuple[DemoBus, ...]:
        return tuple(bus for visit in self.visits for bus in visit.buses)

    @property
    def speakers(self) -> tuple[DemoAttendee, ...]:
        return tuple(a for a in self.attendees if a.speaker)

    @property
    def small_room(self) -> DemoRoom:
        """The room planned too small for its workshops, so that its door says "ROOM FULL"."""
        return min(self.rooms, key=lambda room: room.capacity)

    def attendee(self, attendee_id: str) -> DemoAttendee:
        return _find(self.attendees, attendee_id, "attendee")

    def room(self, room_id: str) -> DemoRoom:
        return _find(self.rooms, room_id, "room")

    def session(self, session_id: str) -> DemoSession:
        return _find(self.sessions, session_id, "session")

    def visit(self, visit_id: str) -> DemoVisit:
        return _find(self.visits, visit_id, "visit")

    def bus(self, bus_id: str) -> DemoBus:
        return _find(self.buses, bus_id, "bus")

    def sessions_on(self, day: str) -> tuple[DemoSession, ...]:
        """The day's sessions in start order."""
        return tuple(s for s in self.sessions if s.day == day)

    def stations_of(self, kind: str) -> tuple[DemoStation, ...]:
        return tuple(s for s in self.stations if s.kind == kind)

    def door_of(self, room_id: str) -> str:
        """The station id of a room's door."""
        return f"door-{self.room(room_id).id}"


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_Identified)


def _find(items: tuple[_T, ...], wanted: str, what: str) -> _T:
    for item in items:
        if item.id == wanted:
            return item
    raise KeyError(f"the demo has no {what} {wanted!r}")
