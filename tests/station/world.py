"""A small event for station tests: rooms, attendees with accents and tags, stations, a key.

Everything is appended with a frozen wall clock (`Clock`), so verdict times and snapshots are
the same on every run. The signing key is made by `create_signing_key` in a scratch database
and its public half appended here at the frozen time (a real key appended "now" would drag
the log's clock into the present).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from checkin.badges.keys import create_signing_key, key_path, load_signing_key, token_for
from db import events as ev
from db.connect import connect
from db.fold import load_state
from db.log import Draft, append_many

DAY = "2024-03-20"
T0 = 1710918000000  # 2024-03-20T08:00:00+01:00 (07:00 UTC)
MINUTE = 60_000
DAY2_T0 = T0 + 24 * 60 * MINUTE  # 2024-03-21T08:00+01:00


def around_today(tz: str = "Europe/Brussels") -> list[str]:
    """The test event's days plus yesterday, today and tomorrow (in `tz`): a scan on the real
    clock is on an event day even when the test runs across midnight."""
    today = datetime.now(ZoneInfo(tz)).date()
    return [DAY, "2024-03-21", *((today + timedelta(days=n)).isoformat() for n in (-1, 0, 1))]


class Clock:
    """A wall clock tests move by hand (milliseconds)."""

    def __init__(self, ms: int = T0 + 72 * MINUTE) -> None:  # 09:12
        self.ms = ms

    def __call__(self) -> int:
        return self.ms

    def advance(self, seconds: float) -> None:
        self.ms += int(seconds * 1000)


PEOPLE = [
    ("A001", "Anna", "Müller", "Stadt Köln", "Köln", "DE", "speaker", ["speaker"]),
    ("A002", "Jean", "Dupont", "Ville de Liège", "Liège", "BE", "police", []),
    ("A003", "Zoë", "Peeters", "Efus", "Brussels", "BE", "staff", ["vip"]),
    ("A004", "Łukasz", "Nowak", "Miasto Kraków", "Kraków", "PL", "researcher", []),
    ("A005", "Inês", "Gonçalves", "Câmara de Lisboa", "Lisboa", "PT", "mayor", []),
    ("A006", "Mark", "Smith", "Home Office", "London", "GB", "civil servant", []),
]


@dataclass
class World:
    path: Path
    db: Database
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, attendee_id: str) -> str:
        if attendee_id not in self.tokens:
            self.tokens[attendee_id] = token_for(load_state(self.db), load_signing_key(self.path), attendee_id)
        return self.tokens[attendee_id]


def build(path: Path, *, capacity: int = 3, extra_attendees: int = 0, clock: Clock | None = None,
          days: list[str] | None = None) -> World:
    """Create the test event in a fresh database at `path` (`days`: the event's days, by default
    20 and 21 March 2024; `around_today()` for a command that scans on the real clock)."""
    clock = clock or Clock()
    db = connect(path)
    wall = lambda: T0 - 600 * MINUTE  # noqa: E731 - the organiser set things up the evening before
    drafts = [
        Draft(ev.EVENT_CREATED, {"id": "SDC24", "name": "Security, Democracy & Cities", "days": days or [DAY, "2024-03-21"],
                                 "tz": "Europe/Brussels"}),
        Draft(ev.ROOM_ADDED, {"id": "R1", "name": "Atelier", "capacity": capacity}),
        Draft(ev.ROOM_ADDED, {"id": "R2", "name": "Plenary", "capacity": 400}),
        Draft(ev.SESSION_ADDED, {"id": "S1", "title": "Morning", "room": "R1",
                                 "start": "2024-03-20T09:00:00+01:00", "end": "2024-03-20T12:30:00+01:00"}),
        Draft(ev.STATION_ADDED, {"id": "desk-1", "kind": "desk", "place": ""}),
        Draft(ev.STATION_ADDED, {"id": "desk-2", "kind": "desk", "place": ""}),
        Draft(ev.STATION_ADDED, {"id": "door-R1", "kind": "door", "place": "R1"}),
        Draft(ev.STATION_ADDED, {"id": "door-R2", "kind": "door", "place": "R2"}),
    ]
    for ident, first, last, org, city, country, role, tags in PEOPLE:
        drafts.append(Draft(ev.ATTENDEE_REGISTERED, {"id": ident, "name": f"{first} {last}", "first": first,
                                                     "last": last, "org": org, "city": city, "country": country,
                                                     "role": role, "tags": tags}))
    for i in range(extra_attendees):
        drafts.append(Draft(ev.ATTENDEE_REGISTERED, {"id": f"B{i:05d}", "name": f"Extra Person{i}", "first": "Extra",
                                                     "last": f"Person{i}", "org": "Somewhere", "role": "guest"}))
    append_many(db, "org", drafts, wall=wall)
    add_key(db, path, wall)
    return World(path, db, clock)


def add_key(db: Database, path: Path, wall: object) -> str:
    """Make a signing key with `create_signing_key` and publish it in `db` at `wall` time."""
    scratch_path = path.with_name(path.name + ".keyscratch")
    scratch = connect(scratch_path)
    kid = create_signing_key(scratch, scratch_path)
    public = load_state(scratch).keys[kid]
    scratch.conn.close()
    append_many(db, "org", [Draft(ev.KEY_ADDED, {"kid": kid, "public_key": public})], wall=wall)  # type: ignore[arg-type]
    shutil.copy(key_path(scratch_path), key_path(path))
    return kid


def scan_at(world: World, station: str, ms: int, kind: str, **data: Any) -> None:
    """One event of `station`'s, written when its clock said `ms`."""
    append_many(world.db, station, [Draft(kind, data)], wall=lambda: ms)


def a_day_of_attendance(path: Path, capacity: int) -> Path:
    """The test event at `path` with a day of scans the reports read: Anna (A001) and Jean (A002)
    check in on day one and enter the morning session in R1 at 09:05 and 09:10; Anna leaves at
    10:05, Jean is never scanned out; Zoë (A003) checks in on day two only; the others never come."""
    world = build(path, capacity=capacity)
    scan_at(world, "desk-1", T0 + 50 * MINUTE, ev.DESK_CHECKIN, attendee="A001", first=True, via="search")
    scan_at(world, "desk-2", T0 + 55 * MINUTE, ev.DESK_CHECKIN, attendee="A002", first=True, via="search")
    scan_at(world, "door-R1", T0 + 65 * MINUTE, ev.DOOR_ENTRY, attendee="A001", room="R1")  # 09:05
    scan_at(world, "door-R1", T0 + 70 * MINUTE, ev.DOOR_ENTRY, attendee="A002", room="R1")  # 09:10
    scan_at(world, "door-R1", T0 + 125 * MINUTE, ev.DOOR_EXIT, attendee="A001", room="R1")  # 10:05
    scan_at(world, "desk-1", DAY2_T0 + 60 * MINUTE, ev.DESK_CHECKIN, attendee="A003", first=True, via="search")
    world.db.conn.close()
    return world.path
