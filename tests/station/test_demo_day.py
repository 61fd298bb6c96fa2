"""The demo event at a desk and a door: people checked in one after another with no key
pressed, the small room filling up until its door says ROOM FULL."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.badges.keys import load_signing_key, token_for
from checkin.station import Station, StationConfig
from db.connect import connect
from db.demo.install import install_demo
from db.fold import load_state
from tests.station.pilot import make_app, shown, type_burst
from tests.station.world import Clock, World, add_key

pytestmark = pytest.mark.anyio

MORNING = 1710921600000  # 2024-03-20 09:00 in Brussels


@pytest.fixture
def demo(db_path: Path) -> tuple[World, object]:
    db = connect(db_path)
    event = install_demo(db)
    add_key(db, db_path, lambda: event.setup_ms + 10_000)
    world = World(db_path, db, Clock(MORNING - 30 * 60_000))
    state, key = load_state(db), load_signing_key(db_path)
    world.tokens = {a.id: token_for(state, key, a.id) for a in event.attendees[:80]}
    return world, event


async def test_a_desk_checks_in_the_demo_attendees_without_a_key_press(demo: tuple[World, object]) -> None:
    world, event = demo
    people = [a.id for a in event.attendees[:12]]  # type: ignore[attr-defined]
    app = make_app(world, "desk-1", "desk")
    async with app.run_test(size=(80, 24)) as pilot:
        for i, person in enumerate(people, start=1):
            type_burst(app, world.tokens[person])
            verdict = await shown(pilot, app, i)
            assert (verdict.status, verdict.attendee["id"]) == ("ok", person)
            world.clock.advance(20)
        assert "12 scans today" in str(app.main.status_line.render())
    state = load_state(connect(world.path))
    assert all(state.checked_in(p, "2024-03-20") for p in people)


def test_the_small_room_fills_up_to_room_full(demo: tuple[World, object]) -> None:
    world, event = demo
    room = event.small_room  # type: ignore[attr-defined]
    door = Station(world.db, StationConfig(f"door-{room.id}", "door"), wall=world.clock)
    assert door.config.room == room.id
    verdicts = [door.scan(world.tokens[a.id]) for a in event.attendees[: room.capacity + 1]]  # type: ignore[attr-defined]
    assert [v.occupancy for v in verdicts[:-1]] == list(range(1, room.capacity + 1))
    assert (verdicts[-1].reason, verdicts[-1].occupancy, verdicts[-1].capacity) == ("room_full", room.capacity, room.capacity)
