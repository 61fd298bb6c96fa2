"""Builds small events for tests: an event, rooms with sessions, attendees, buses."""

from __future__ import annotations

from typing import Any

from db import events as ev
from db.events import Event
from db.hlc import pack

DAY = "2024-03-20"
T0 = 1710921600000  # 2024-03-20T08:00:00+01:00


def at(minutes: float) -> int:
    """Milliseconds `minutes` after 08:00 on the first day."""
    return T0 + int(minutes * 60_000)


class Log:
    """Hands out (station, seq) numbers like real stations would."""

    def __init__(self) -> None:
        self.seqs: dict[str, int] = {}
        self.events: list[Event] = []

    def add(self, station: str, minutes: float, kind: str, /, **data: Any) -> Event:
        return self.add_hlc(station, pack(at(minutes), (self.seqs.get(station, 0) + 1) % 7), kind, **data)

    def add_hlc(self, station: str, hlc: int, kind: str, /, **data: Any) -> Event:
        """An event at any HLC value, however wrong its clock (0, a year ahead, the largest)."""
        seq = self.seqs.get(station, 0) + 1
        self.seqs[station] = seq
        event = Event(station, seq, hlc, kind, data)
        self.events.append(event)
        return event


def reference(log: Log, attendees: int = 20, capacity: int = 5) -> None:
    """An event with one small room (two sessions), a plenary, a visit with two buses."""
    log.add("org", -600, ev.EVENT_CREATED, id="TEST", name="Test", days=[DAY, "2024-03-21"], tz="Europe/Brussels")
    log.add("org", -599, ev.ROOM_ADDED, id="R1", name="Atelier", capacity=capacity)
    log.add("org", -598, ev.ROOM_ADDED, id="R2", name="Plenary", capacity=400)
    log.add("org", -597, ev.SESSION_ADDED, id="S1", title="Morning", room="R1",
            start="2024-03-20T09:00:00+01:00", end="2024-03-20T10:30:00+01:00")
    log.add("org", -596, ev.SESSION_ADDED, id="S2", title="Afternoon", room="R1",
            start="2024-03-20T14:00:00+01:00", end="2024-03-20T15:30:00+01:00")
    log.add("org", -595, ev.SESSION_ADDED, id="S3", title="Opening", room="R2",
            start="2024-03-20T09:00:00+01:00", end="2024-03-20T17:00:00+01:00")
    log.add("org", -594, ev.VISIT_ADDED, id="V1", title="Crisis centre", day=DAY,
            depart="2024-03-20T13:00:00+01:00", **{"return": "2024-03-20T17:00:00+01:00"})
    log.add("org", -593, ev.BUS_ADDED, id="V1-B1", visit="V1", capacity=10, label="Bus 1")
    log.add("org", -592, ev.BUS_ADDED, id="V1-B2", visit="V1", capacity=10, label="Bus 2")
    log.add("org", -591, ev.STATION_ADDED, id="ops", kind="dashboard", place="")  # acknowledges incidents
    log.add("org", -590, ev.STATION_ADDED, id="hub", kind="hub", place="")  # reports suspect clocks
    for i in range(1, attendees + 1):
        log.add("org", -500 + i / 100, ev.ATTENDEE_REGISTERED, id=f"A{i:03d}", name=f"Person {i}",
                first="Person", last=str(i), org="City", city="Brussels", country="BE", role="police")
    for i in range(1, 7):
        log.add("org", -400 + i / 100, ev.BUS_ASSIGNED, visit="V1", bus="V1-B1" if i <= 3 else "V1-B2",
                attendee=f"A{i:03d}")
