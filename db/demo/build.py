"""`build_demo(seed)`: the demo event's reference data, the same for the same seed on any machine.

Each part draws from its own random stream (seeded with the seed and the part's name), so that
changing, say, the visits leaves the attendees as they were.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from db import events as kinds
from db.demo.model import (
    DemoAttendee,
    DemoBus,
    DemoEvent,
    DemoRoom,
    DemoSession,
    DemoStation,
    DemoVisit,
)
from db.demo.people import make_attendees
from db.demo.programme import (
    DAYS,
    EVENT_ID,
    EVENT_NAME,
    PLENARY_ROOM,
    PLENARY_SPEAKERS,
    ROOMS,
    SESSIONS,
    SETUP_AT,
    SPEAKER_ROLES,
    TZ,
    VIP_COUNT,
    VISITS,
    WORKSHOP_SPEAKERS,
)
from db.log import Draft

DESKS = 4


def build_demo(seed: int = 7, first_day: str | None = None) -> DemoEvent:
    """The demo event for `seed`: plain data plus the drafts `install_demo` appends, in order.

    `first_day` moves its three days (and with them every session, visit, bus time and the
    organiser's set-up the day before) to start that day, so a demo can happen today; the
    people and the programme stay the same. None keeps the fixed days of March 2024.
    """
    days = demo_days(first_day)
    attendees = make_attendees(_stream(seed, "attendees"))
    sessions = _sessions(_stream(seed, "speakers"), attendees, days)
    attendees = _tag(_stream(seed, "tags"), attendees, sessions)
    visits = _visits(_stream(seed, "visits"), attendees, sessions, days)
    rooms = tuple(DemoRoom(*room) for room in ROOMS)
    stations = _stations(rooms, visits)
    event = DemoEvent(
        id=EVENT_ID,
        name=EVENT_NAME,
        days=days,
        tz=TZ,
        seed=seed,
        attendees=tuple(attendees),
        rooms=rooms,
        sessions=sessions,
        visits=visits,
        stations=stations,
        drafts=(),
        setup_ms=_setup_ms(days[0]),
    )
    return dataclasses.replace(event, drafts=tuple(drafts_of(event)))


def demo_days(first_day: str | None = None) -> tuple[str, ...]:
    """The demo's days: the fixed ones (20-22 March 2024), or as many starting on `first_day`."""
    if first_day is None:
        return DAYS
    start = date.fromisoformat(first_day)
    return tuple((start + timedelta(days=n)).isoformat() for n in range(len(DAYS)))


def _setup_ms(first_day: str) -> int:
    """When the organiser set the demo up: `SETUP_AT`'s time of day, as many days before the
    first day as `SETUP_AT` is before the fixed first day (the day before, at noon)."""
    planned = datetime.fromisoformat(SETUP_AT)
    lead = date.fromisoformat(DAYS[0]) - planned.date()
    moment = datetime.combine(date.fromisoformat(first_day) - lead, planned.time(), ZoneInfo(TZ))
    return int(moment.timestamp() * 1000)


def drafts_of(event: DemoEvent) -> list[Draft]:
    """The events that record `event`: the event itself, then what later events refer to."""
    out = [Draft(kinds.EVENT_CREATED, {"id": event.id, "name": event.name, "days": list(event.days), "tz": event.tz, "demo": True})]
    out += [Draft(kinds.ROOM_ADDED, {"id": r.id, "name": r.name, "capacity": r.capacity}) for r in event.rooms]
    out += [
        Draft(kinds.SESSION_ADDED, {"id": s.id, "title": s.title, "room": s.room, "start": s.start, "end": s.end})
        for s in event.sessions
    ]
    out += [Draft(kinds.ATTENDEE_REGISTERED, _registration(a)) for a in event.attendees]
    for visit in event.visits:
        out.append(
            Draft(
                kinds.VISIT_ADDED,
                {"id": visit.id, "title": visit.title, "day": visit.day, "depart": visit.depart, "return": visit.back},
            )
        )
        out += [
            Draft(kinds.BUS_ADDED, {"id": b.id, "visit": b.visit, "capacity": b.capacity, "label": b.label})
            for b in visit.buses
        ]
    out += [
        Draft(kinds.BUS_ASSIGNED, {"visit": bus.visit, "bus": bus.id, "attendee": attendee})
        for bus in event.buses
        for attendee in bus.assigned
    ]
    out += [Draft(kinds.STATION_ADDED, {"id": s.id, "kind": s.kind, "place": s.place}) for s in event.stations]
    return out


def _registration(a: DemoAttendee) -> dict[str, object]:
    return {
        "id": a.id,
        "name": a.name,
        "first": a.first,
        "last": a.last,
        "org": a.org,
        "city": a.city,
        "country": a.country,
        "role": a.role,
        "ref": a.ref,
        "tags": list(a.tags),
    }


def _stream(seed: int, part: str) -> random.Random:
    return random.Random(f"eventops-demo:{seed}:{part}")


def local_iso(day: str, hhmm: str) -> str:
    """ISO 8601 with the event's offset on that day ("2024-03-20T09:30:00+01:00")."""
    moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), ZoneInfo(TZ))
    return moment.isoformat()


def _sessions(rng: random.Random, attendees: list[DemoAttendee], days: tuple[str, ...]) -> tuple[DemoSession, ...]:
    """The programme's sessions, each with its speakers (nobody speaks twice)."""
    pool = [a.id for a in attendees if a.role in SPEAKER_ROLES]
    rng.shuffle(pool)
    sessions = []
    for number, (day_index, start, end, room, title) in enumerate(SESSIONS, start=1):
        plenary = room == PLENARY_ROOM
        count = PLENARY_SPEAKERS if plenary else rng.randint(*WORKSHOP_SPEAKERS)
        speakers = tuple(sorted(pool.pop() for _ in range(count)))
        day = days[day_index]
        sessions.append(
            DemoSession(f"S{number:02d}", title, room, day, local_iso(day, start), local_iso(day, end), plenary, speakers)
        )
    return tuple(sessions)


def _tag(rng: random.Random, attendees: list[DemoAttendee], sessions: tuple[DemoSession, ...]) -> list[DemoAttendee]:
    """Speakers get "speaker"; a dozen mayors and regional ministers get "vip"."""
    speakers = {speaker for session in sessions for speaker in session.speakers}
    officials = [a.id for a in attendees if a.role == "elected official"]
    vips = set(rng.sample(officials, VIP_COUNT))
    tagged = []
    for a in attendees:
        tags = tuple(t for t, has in (("speaker", a.id in speakers), ("vip", a.id in vips)) if has)
        tagged.append(dataclasses.replace(a, tags=tags))
    return tagged


def _visits(
    rng: random.Random, attendees: list[DemoAttendee], sessions: tuple[DemoSession, ...], days_of: tuple[str, ...]
) -> tuple[DemoVisit, ...]:
    """The field visits, their buses and who is assigned to which bus.

    Visits run at the same time, so nobody is on two; staff stay at the venue, and so do the
    speakers of that afternoon's sessions.
    """
    days = {days_of[v[1]] for v in VISITS}
    busy = {s for session in sessions if session.day in days and session.start[11:] >= "13:00" for s in session.speakers}
    free = [a.id for a in attendees if a.role != "staff" and a.id not in busy]
    travellers = rng.sample(free, sum(v[6] for v in VISITS))
    visits = []
    for visit_id, day_index, depart, back, title, capacities, count in VISITS:
        going, travellers = travellers[:count], travellers[count:]
        day = days_of[day_index]
        buses = []
        for number, capacity in enumerate(capacities, start=1):
            share = round(count * capacity / sum(capacities)) if number < len(capacities) else len(going)
            aboard, going = tuple(sorted(going[:share])), going[share:]
            bus_id = f"{visit_id}-B{number}"
            label = f"{'Minibus' if capacity <= 25 else 'Coach'} {number}"
            buses.append(DemoBus(bus_id, visit_id, capacity, label, aboard, f"bus-{bus_id}"))
        visits.append(DemoVisit(visit_id, title, day, local_iso(day, depart), local_iso(day, back), tuple(buses)))
    return tuple(visits)


def _stations(rooms: tuple[DemoRoom, ...], visits: tuple[DemoVisit, ...]) -> tuple[DemoStation, ...]:
    """Four desks, a door per room, a station per bus, the hub and the operations dashboard."""
    stations = [DemoStation(f"desk-{n}", "desk", "") for n in range(1, DESKS + 1)]
    stations += [DemoStation(f"door-{room.id}", "door", room.id) for room in rooms]
    stations += [DemoStation(bus.station, "bus", bus.id) for visit in visits for bus in visit.buses]
    stations += [DemoStation("hub", "hub", ""), DemoStation("ops", "dashboard", "")]
    return tuple(stations)
