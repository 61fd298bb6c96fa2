"""What a coordinator sees: the bus screen at 80×24 and 160×48, with a frozen clock.

Update with `pytest tests/bus/test_bus_snapshots.py --snapshot-update`, then LOOK at the SVGs
(tests/bus/__snapshots__/) before committing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checkin.station import Station, StationConfig
from checkin.tui.bus_app import BusCheckinApp
from checkin.tui.bus_screen import ConfirmDepartureScreen
from tests.bus.world import MINUTE, T0, World, bus_station, bus_world
from tests.station.pilot import shown, type_burst, wait_for

SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def world(db_path: Path) -> World:
    """Jean checked in at 08:55; Zoë never came."""
    world = bus_world(db_path)
    Station(world.db, StationConfig("desk-1", "desk"), wall=lambda: T0 + 55 * MINUTE).scan(world.token("A002"))
    return world


async def boarded(pilot: Any, world: World, *people: str) -> None:
    app = pilot.app
    for count, person in enumerate(people, 1):
        type_burst(app, world.token(person))
        await shown(pilot, app, count)  # one after the other: the last verdict stays on the card
    await wait_for(pilot, lambda: app.manifest is not None and app.manifest.boarded == len(people))
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wrong_bus_beside_the_manifest(snap_compare: Any, world: World, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await boarded(pilot, world, "A001", "A004")

    assert snap_compare(BusCheckinApp(bus_station(world), sound=False), terminal_size=size, run_before=run_before)


def test_departure_asks_with_the_missing(snap_compare: Any, world: World) -> None:
    async def run_before(pilot: Any) -> None:
        await boarded(pilot, world, "A001")
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDepartureScreen))
        await pilot.pause(0.1)

    assert snap_compare(BusCheckinApp(bus_station(world), sound=False), terminal_size=(80, 24), run_before=run_before)
