"""The folded state: plain records that the fold builds from the log.

Records are immutable (frozen dataclasses replaced on change), so a snapshot of the state
is a shallow copy of its dictionaries; that keeps checkpoints cheap for late events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Where an attendee is. `away` = not at the venue (not arrived yet, or the day ended).
VENUE = "venue"
ROOM = "room"
BUS = "bus"
AWAY = "away"


@dataclass(frozen=True, slots=True)
class EventInfo:
    id: str  # short random id, carried in badge tokens ("wrong event" check)
    name: str
    days: tuple[str, ...]
    tz: str
    demo: bool = False


@dataclass(frozen=True, slots=True)
class Attendee:
    id: str
    name: str
    first: str = ""
    last: str = ""
    org: str = ""
    city: str = ""
    country: str = ""
    role: str = ""
    email: str = ""
    ref: str = ""
    tags: tuple[str, ...] = ()
    #: Registered at a walk-in desk (`registered_by`), not by the organiser.
    walk_in: bool = False
    registered_by: str = ""
    #: The desk whose name fix is the name shown ("" when the organiser's name stands).
    name_by: str = ""

    def public(self) -> dict[str, Any]:
        """The fields shown to people and sent to stations (no e-mail)."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "organisation": self.org,
            "city": self.city,
            "country": self.country,
            "role": self.role,
            "walk_in": self.walk_in,
        }
        if self.walk_in:
            out["registered_by"] = self.registered_by
        if self.name_by:
            out["name_by"] = self.name_by
        return out


@dataclass(frozen=True, slots=True)
class DeskKey:
    """A walk-in desk's badge key (base64 public half), and whether the desk was revoked since."""

    station: str
    public_key: str
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Room:
    id: str
    name: str
    capacity: int


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    title: str
    room: str
    start_ms: int
    end_ms: int
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    title: str
    day: str
    depart: str = ""
    back: str = ""


@dataclass(frozen=True, slots=True)
class Station:
    id: str
    kind: str
    place: str = ""
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class StationHealth:
    """What a station last said about its sync: scans waiting to reach the hub, last sync."""

    at_ms: int
    waiting: int
    last_sync_ms: int | None


@dataclass(frozen=True, slots=True)
class Place:
    """Where an attendee is since when, and until when that holds without a new scan."""

    kind: str  # VENUE, ROOM, BUS
    ref: str  # room id or bus id ("" for the venue)
    since_ms: int
    until_ms: int | None  # None: until the next scan (buses)
    station: str = ""


@dataclass(frozen=True, slots=True)
class Checkin:
    """The first check-in of an attendee on one day."""

    attendee: str
    day: str
    at_ms: int
    station: str
    via: str  # scan, search, door


@dataclass(slots=True)
class Bus:
    id: str
    visit: str
    capacity: int
    label: str = ""
    assigned: set[str] = field(default_factory=set)
    aboard: set[str] = field(default_factory=set)
    state: str = "boarding"  # boarding, departed, returned
    departed_ms: int | None = None
    returned_ms: int | None = None
    missing: tuple[str, ...] = ()  # assigned but not aboard at departure
    headcount: int | None = None
    #: Aboard at the departure, then scanned somewhere else (a door, a desk, another bus) before the return.
    left: set[str] = field(default_factory=set)

    def copy(self) -> Bus:
        return Bus(
            self.id,
            self.visit,
            self.capacity,
            self.label,
            set(self.assigned),
            set(self.aboard),
            self.state,
            self.departed_ms,
            self.returned_ms,
            self.missing,
            self.headcount,
            set(self.left),
        )


@dataclass(frozen=True, slots=True)
class Incident:
    id: str  # stable across nodes: "<kind>:<station>:<seq>"
    kind: str
    at_ms: int
    station: str
    detail: str
    attendee: str = ""
    room: str = ""
    bus: str = ""


# Incident kinds
DOUBLE_ADMISSION = "double_admission"
REVOKED_BADGE = "revoked_badge"
FORGED_BADGE = "forged_badge"
UNKNOWN_BADGE = "unknown_badge"
OVER_CAPACITY = "over_capacity"
BUS_LEFT_MISSING = "bus_left_missing"
CLOCK_SUSPECT = "clock_suspect"
STATION_SILENT = "station_silent"
REVOKED_STATION = "revoked_station"
KEY_MISUSED = "key_misused"
BADGE_OF_REVOKED_DESK = "badge_of_revoked_desk"  # a badge signed by a walk-in desk since revoked
LEFT_BUS = "left_bus"  # aboard a departed bus, then scanned somewhere else
