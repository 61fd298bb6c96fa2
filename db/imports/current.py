"""What the log already says about the reference data an import may change.

Imports compare a file with this to append only what is new or changed. The event itself
(days, time zone) and the reference records (attendees, rooms, sessions, visits, buses,
assignments) are read from the fold, as every other view reads them: one truth, one set of rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from db.errors import NoEventYet
from db.event import event_info
from db.state import Attendee

if TYPE_CHECKING:
    from db.fold import EventState
from db.times import DEFAULT_TZ


@dataclass(frozen=True, slots=True)
class EventFacts:
    """The `event.created` facts an import needs: its days and time zone."""

    id: str
    name: str
    days: tuple[str, ...]
    tz: str

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TZ)  # the fold's default (it already replaced an unknown zone)


def event_facts(db: Database, db_label: str | Path = "the database") -> EventFacts:
    """The event this database is for, as the fold reads it (the first `event.created`);
    NoEventYet (with the command that fixes it) if none."""
    info = event_info(db)
    if info is None:
        raise NoEventYet(
            f"{db_label} holds no event yet: create it first with "
            f"`eventops init --db {db_label} --name NAME --days 2024-03-20:2024-03-22 --tz Europe/Brussels`"
        )
    return EventFacts(id=info.id, name=info.name, days=info.days, tz=info.tz)


@dataclass
class Reference:
    """Current reference data as plain dicts of event data, keyed by id: what the import would
    write for each record, so that a file is compared field by field with what the log says."""

    attendees: dict[str, dict[str, Any]] = field(default_factory=dict)
    rooms: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    visits: dict[str, dict[str, Any]] = field(default_factory=dict)
    buses: dict[str, dict[str, Any]] = field(default_factory=dict)
    assigned: dict[tuple[str, str], str] = field(default_factory=dict)  # (visit, attendee) -> bus


def reference(db: Database, state: EventState | None = None) -> Reference:
    """The reference data as the fold holds it (`state`, or `db.fold.load_state`: from the newest
    snapshot).

    The same truth every screen shows: the fold's authority rules decide what counts (a walk-in
    desk registers newcomers and fixes names, never the organiser's other fields), and a file is
    compared with that, not with a second reading of the log that could disagree.
    """
    if state is None:
        from db.fold import load_state

        state = load_state(db)
    ref = Reference()
    for ident, person in state.attendees.items():
        ref.attendees[ident] = attendee_data(person)
    for ident, room in state.rooms.items():
        ref.rooms[ident] = {"id": room.id, "name": room.name, "capacity": room.capacity}
    for ident, session in state.sessions.items():
        ref.sessions[ident] = {"id": session.id, "title": session.title, "room": session.room, "start": session.start, "end": session.end}
    for ident, visit in state.visits.items():
        ref.visits[ident] = {"id": visit.id, "title": visit.title, "day": visit.day, "depart": visit.depart, "return": visit.back}
    for ident, bus in state.buses.items():
        ref.buses[ident] = {"id": bus.id, "visit": bus.visit, "capacity": bus.capacity, "label": bus.label}
        for attendee in bus.assigned:
            ref.assigned[(bus.visit, attendee)] = ident
    return ref


def attendee_data(person: Attendee) -> dict[str, Any]:
    """An attendee as `attendee.registered` data (`db/events.py`), tags as the list a file gives."""
    return {
        "id": person.id,
        "name": person.name,
        "first": person.first,
        "last": person.last,
        "org": person.org,
        "city": person.city,
        "country": person.country,
        "role": person.role,
        "ref": person.ref,
        "tags": list(person.tags),
    }
