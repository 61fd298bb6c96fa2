"""A small demo-like event on a real database file, at fixed times, for the dashboard's tests.

Day one of a three-day conference: five rooms (one over capacity, one at 80 %), 120 attendees
with names in several scripts, two desks (and a third that fell silent), a field visit whose
first bus left two people behind, a revoked and a forged badge, a double admission.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from db import events as ev
from db.connect import connect, write
from db.log import Draft, append_in_transaction

DAY = "2024-03-20"
T0 = 1710918000000  # 2024-03-20T08:00:00+01:00 (ms)
#: The fixed moment the snapshots show.
AT = "2024-03-20T10:30"
AT_MS = T0 + 150 * 60_000

ROOMS = [
    ("R1", "Plenary Hall", 300),
    ("R2", "Atelier Liège", 40),
    ("R3", "Salle Kraków", 30),
    ("R4", "Αίθουσα Αθήνα", 25),
    ("R5", "Small room", 12),
]
SESSIONS = [
    ("S01", "Opening: cities and safety", "R1", "09:30", "11:00"),
    ("S02", "Night-time economy", "R2", "09:30", "11:15"),
    ("S03", "Prevention of radicalisation", "R3", "09:45", "11:30"),
    ("S04", "Data and democracy", "R4", "09:30", "10:45"),
    ("S05", "Mayors' round table", "R5", "09:30", "11:00"),
    ("S06", "Afternoon plenary", "R1", "14:00", "16:00"),
]
FIRST = ["Anna", "Łukasz", "Zoë", "Γιώργος", "Иван", "Søren", "Inès", "Jürgen", "Ştefan", "Małgorzata", "Ólafur", "Chloé"]
LAST = ["Nowak", "Dubois", "Παπαδόπουλος", "Иванов", "Müller", "Ødegaard", "García", "Horváth", "Peeters", "Rossi"]
ORGS = ["City of Liège", "Police Brussels-Capital", "Efus", "Ville de Paris", "Stadt Köln", "Δήμος Αθηναίων"]
ROLES = ["participant"] * 6 + ["speaker", "press", "staff"]
ATTENDEES = 120


def at(minutes: float) -> int:
    """Milliseconds `minutes` after 08:00 on the first day."""
    return T0 + int(minutes * 60_000)


def hm(text: str) -> float:
    hours, minutes = text.split(":")
    return (int(hours) - 8) * 60 + int(minutes)


class Scene:
    """Collects (time, station, kind, data) and writes them station by station."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str, str, dict[str, Any]]] = []

    def add(self, minutes: float, station: str, event_kind: str, **data: Any) -> None:
        self.items.append((at(minutes), station, event_kind, data))

    def write(self, path: Path) -> None:
        db = connect(path)
        self.items.sort(key=lambda item: item[0])
        with write(db):
            for when, station, kind, data in self.items:
                append_in_transaction(db, station, [Draft(kind, data)], wall=_fixed(when))
        db.conn.close()


def _fixed(ms: int) -> Any:
    def wall() -> int:
        return ms

    return wall


def attendee_id(i: int) -> str:
    return f"A{i:04d}"


def build(path: Path, seed: int = 7) -> Path:
    """Write the scene to `path` and return it."""
    rng = random.Random(seed)
    s = Scene()
    s.add(-600, "org", ev.EVENT_CREATED, id="SDC24", name="Security, Democracy & Cities",
          days=[DAY, "2024-03-21", "2024-03-22"], tz="Europe/Brussels", demo=True)
    for room_id, name, capacity in ROOMS:
        s.add(-590, "org", ev.ROOM_ADDED, id=room_id, name=name, capacity=capacity)
    for session_id, title, room, start, end in SESSIONS:
        s.add(-580, "org", ev.SESSION_ADDED, id=session_id, title=title, room=room,
              start=f"{DAY}T{start}:00+01:00", end=f"{DAY}T{end}:00+01:00")
    s.add(-570, "org", ev.VISIT_ADDED, id="V1", title="Crisis centre", day=DAY,
          depart=f"{DAY}T10:15:00+01:00", **{"return": f"{DAY}T13:00:00+01:00"})
    s.add(-569, "org", ev.BUS_ADDED, id="V1-B1", visit="V1", capacity=20, label="Bus 1")
    s.add(-569, "org", ev.BUS_ADDED, id="V1-B2", visit="V1", capacity=20, label="Bus 2")
    for station, kind, place in [("desk-1", "desk", "Entrance"), ("desk-2", "desk", "Entrance"),
                                 ("desk-3", "desk", "Side door"),
                                 *[(f"door-{r[0]}", "door", r[0]) for r in ROOMS],
                                 ("bus-V1-B1", "bus", "V1-B1"), ("bus-V1-B2", "bus", "V1-B2")]:
        s.add(-560, "org", ev.STATION_ADDED, id=station, kind=kind, place=place)
    for i in range(1, ATTENDEES + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        s.add(-500, "org", ev.ATTENDEE_REGISTERED, id=attendee_id(i), name=f"{first} {last}", first=first,
              last=last, org=rng.choice(ORGS), city="Brussels", country="BE", role=ROLES[i % len(ROLES)])
    # Buses: A0101..A0110 on bus 1, A0111..A0120 on bus 2.
    for i in range(101, 121):
        s.add(-400, "org", ev.BUS_ASSIGNED, visit="V1", bus="V1-B1" if i <= 110 else "V1-B2", attendee=attendee_id(i))
    # Arrivals between 08:10 and 10:00 at two desks; desk-3 checks in two people early, then falls silent.
    arrived = list(range(101, 118)) + list(range(1, 100))
    arrival: dict[int, float] = {}
    for n, i in enumerate(arrived):
        arrival[i] = minute = 10 + (n * 135 / len(arrived)) + rng.random()
        desk = "desk-3" if i in (3, 4) else ("desk-1" if i % 2 else "desk-2")
        s.add(minute, desk, ev.DESK_CHECKIN, attendee=attendee_id(i), first=True, via="scan")
    s.add(112, "desk-2", ev.DESK_CHECKIN, attendee=attendee_id(5), first=True, via="scan")  # double admission
    s.add(100, "desk-1", ev.SCAN_REJECTED, reason=ev.REJECT_REVOKED, mode="desk", attendee=attendee_id(7))
    s.add(101, "desk-2", ev.SCAN_REJECTED, reason=ev.REJECT_FORGED, mode="desk", attendee="")
    # Rooms fill from 09:20.
    room_of = {i: "R1" for i in range(1, 41)}
    room_of.update({i: "R2" for i in range(41, 74)})  # 33 in, 1 out: 32 / 40 = 80 %
    room_of.update({i: "R3" for i in range(74, 84)})
    room_of.update({i: "R4" for i in range(84, 87)})
    room_of.update({i: "R5" for i in range(87, 100)})  # 13 / 12: over capacity
    for i, room in room_of.items():
        s.add(max(80 + i * 0.3, arrival[i] + 2), f"door-{room}", ev.DOOR_ENTRY, attendee=attendee_id(i), room=room)
    for i in (41,):  # one leaves the atelier again
        s.add(125, "door-R2", ev.DOOR_EXIT, attendee=attendee_id(i), room="R2")
    # Bus 1 boards 8 of 10 and leaves at 10:20; bus 2 is still boarding (7 of 10).
    for i in list(range(101, 109)) + list(range(111, 118)):
        bus = "V1-B1" if i <= 110 else "V1-B2"
        s.add(max(120 + (i - 100) * 0.2, arrival[i] + 1), f"bus-{bus}", ev.BUS_BOARDED, attendee=attendee_id(i), visit="V1", bus=bus)
    s.add(140, "bus-V1-B1", ev.BUS_DEPARTED, visit="V1", bus="V1-B1", headcount=8,
          missing=[attendee_id(109), attendee_id(110)])
    s.write(path)
    return path


def copy_database(source: Path, target: Path) -> Path:
    """A copy of a node's database with the keys kept beside it (without them it cannot write)."""
    from db.signing import copy_database as copy

    return copy(source, target)
