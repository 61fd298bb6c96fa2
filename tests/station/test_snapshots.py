"""What a person sees: the verdict states at 80×24 and 160×48, with a frozen clock.

Update with `pytest tests/station/test_snapshots.py --snapshot-update`, then LOOK at the SVGs
(tests/station/__snapshots__/) before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from checkin.station import Station, StationConfig
from tests.station.pilot import make_app, shown, type_burst, wait_for
from tests.station.world import World, build

SIZES = [(80, 24), (160, 48)]


def scans(world: World, *people: str, count: int | None = None) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        app = pilot.app
        for person in people:
            type_burst(app, world.token(person) if person.startswith("A") else person)
        await shown(pilot, app, count or len(people))
        await pilot.pause(0.05)

    return run_before


@pytest.fixture
def world(db_path: Path) -> World:
    return build(db_path, capacity=2)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ready(snap_compare: Any, world: World, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(world), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_welcome_speaker(snap_compare: Any, world: World, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(world), terminal_size=size, run_before=scans(world, "A001"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_already_checked_in(snap_compare: Any, world: World, size: tuple[int, int]) -> None:
    Station(world.db, StationConfig("desk-2", "desk"), wall=world.clock).scan(world.token("A002"))
    world.clock.advance(25 * 60)
    assert snap_compare(make_app(world), terminal_size=size, run_before=scans(world, "A002"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_refused_not_a_badge(snap_compare: Any, world: World, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(world), terminal_size=size, run_before=scans(world, "SOMETHING-ELSE-ENTIRELY"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_door_room_full(snap_compare: Any, world: World, size: tuple[int, int]) -> None:
    desk = Station(world.db, StationConfig("desk-1", "desk"), wall=world.clock)
    for person in ("A003", "A004", "A005"):
        desk.scan(world.token(person))
    world.clock.advance(60 * 60)
    app = make_app(world, "door-R1", "door", room="R1")
    assert snap_compare(app, terminal_size=size, run_before=scans(world, "A003", "A004", "A005"))


def test_search(snap_compare: Any, world: World) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.press("f2")
        await pilot.press(*"li")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "hits_for", None) == "li")
        await pilot.pause(0.05)

    assert snap_compare(make_app(world), terminal_size=(80, 24), run_before=run_before)
