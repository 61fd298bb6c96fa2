"""A field visit for bus tests: the station tests' small event plus one visit with two buses.

Visit V1 ("Safe consumption room") leaves at 13:30 on the first day. Coach 1 (V1-B1, 4 seats)
carries Anna, Jean and Zoë; Coach 2 (V1-B2, 3 seats) carries Łukasz and Inês; Mark is not
registered for the visit. Each bus has its station, `bus-V1-B1` and `bus-V1-B2`.
"""

from __future__ import annotations

from pathlib import Path

from checkin import bus as bus_mode  # noqa: F401 - registers the bus rule
from checkin.station import Station, StationConfig
from db import events as ev
from db.log import Draft, append_many
from tests.station.world import DAY, MINUTE, T0, Clock, World, build

VISIT = "V1"
B1, B2 = "V1-B1", "V1-B2"
#: 13:05 on the first day, boarding time.
BOARDING_MS = T0 + 305 * MINUTE

__all__ = ["B1", "B2", "BOARDING_MS", "DAY", "MINUTE", "T0", "VISIT", "Clock", "World", "bus_world", "bus_station"]


def bus_world(path: Path, *, b1_seats: int = 4, b2_seats: int = 3) -> World:
    """The station tests' event with the visit, its two buses, their lists and stations."""
    world = build(path, clock=Clock(BOARDING_MS))
    wall = lambda: T0 - 590 * MINUTE  # noqa: E731 - set up the evening before
    append_many(
        world.db,
        "org",
        [
            # An afternoon session keeps the venue open until 18:30 for those who stay (and come back).
            Draft(ev.SESSION_ADDED, {"id": "S2", "title": "Afternoon plenary", "room": "R2",
                                     "start": f"{DAY}T14:00:00+01:00", "end": f"{DAY}T17:30:00+01:00"}),
            Draft(ev.VISIT_ADDED, {"id": VISIT, "title": "Safe consumption room", "day": DAY,
                                   "depart": f"{DAY}T13:30:00+01:00", "return": f"{DAY}T17:00:00+01:00"}),
            Draft(ev.BUS_ADDED, {"id": B1, "visit": VISIT, "capacity": b1_seats, "label": "Coach 1"}),
            Draft(ev.BUS_ADDED, {"id": B2, "visit": VISIT, "capacity": b2_seats, "label": "Coach 2"}),
            *[Draft(ev.BUS_ASSIGNED, {"visit": VISIT, "bus": B1, "attendee": a}) for a in ("A001", "A002", "A003")],
            *[Draft(ev.BUS_ASSIGNED, {"visit": VISIT, "bus": B2, "attendee": a}) for a in ("A004", "A005")],
            Draft(ev.STATION_ADDED, {"id": f"bus-{B1}", "kind": "bus", "place": B1}),
            Draft(ev.STATION_ADDED, {"id": f"bus-{B2}", "kind": "bus", "place": B2}),
        ],
        wall=wall,
    )
    return world


def bus_station(world: World, bus: str = B1) -> Station:
    """The headless station on the bus `bus`, on the world's frozen clock."""
    return Station(world.db, StationConfig(f"bus-{bus}", "bus", visit=VISIT, bus=bus), wall=world.clock)
