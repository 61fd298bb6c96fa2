"""What the log already says about the reference data an import may change.

Imports compare a file with this to append only what is new or changed. The event itself
(days, time zone) is read through the fold (`db.event.event_info`), as every other view reads
it; the reference records are a small fold of their own (attendees, rooms, sessions, visits,
buses, assignments), so imports do not fold every scan of the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from db import events as ev
from db.errors import NoEventYet
from db.event import event_info
from db.log import iter_events
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
    """Current reference data as plain dicts of event data, keyed by id."""

    attendees: dict[str, dict[str, Any]] = field(default_factory=dict)
    rooms: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    visits: dict[str, dict[str, Any]] = field(default_factory=dict)
    buses: dict[str, dict[str, Any]] = field(default_factory=dict)
    assigned: dict[tuple[str, str], str] = field(default_factory=dict)  # (visit, attendee) -> bus


REFERENCE_READ = (
    ev.ATTENDEE_REGISTERED,
    ev.ATTENDEE_UPDATED,
    ev.ROOM_ADDED,
    ev.SESSION_ADDED,
    ev.VISIT_ADDED,
    ev.BUS_ADDED,
    ev.BUS_ASSIGNED,
    ev.BUS_UNASSIGNED,
)


def reference(db: Database, kinds: Sequence[str] = REFERENCE_READ) -> Reference:
    """Fold the reference events of the log (registered then updated, last one wins);
    `kinds` narrows it to what an import needs."""
    ref = Reference()
    for event in iter_events(db, kinds):
        data = dict(event.data)
        kind = event.kind
        if kind == ev.ATTENDEE_REGISTERED:
            ref.attendees[str(data.get("id"))] = data
        elif kind == ev.ATTENDEE_UPDATED:
            ident = str(data.get("id"))
            ref.attendees[ident] = {**ref.attendees.get(ident, {}), **data}
        elif kind == ev.ROOM_ADDED:
            ref.rooms[str(data.get("id"))] = data
        elif kind == ev.SESSION_ADDED:
            ref.sessions[str(data.get("id"))] = data
        elif kind == ev.VISIT_ADDED:
            ref.visits[str(data.get("id"))] = data
        elif kind == ev.BUS_ADDED:
            ref.buses[str(data.get("id"))] = data
        elif kind == ev.BUS_ASSIGNED:
            ref.assigned[(str(data.get("visit")), str(data.get("attendee")))] = str(data.get("bus"))
        elif kind == ev.BUS_UNASSIGNED:
            key = (str(data.get("visit")), str(data.get("attendee")))
            if ref.assigned.get(key) == str(data.get("bus")):
                del ref.assigned[key]
    return ref
