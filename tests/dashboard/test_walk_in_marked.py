"""A walk-in is marked as such where the operations lead lists people: registered at a desk
allowed walk-ins, scanned into a room at a door, the room's drill-down names them "(walk-in)"
(and the roll call's JSON says `walk_in`), while the people from the organiser's list are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from checkin.station import Station, StationConfig
from checkin.walkin import Person, new_badge, register
from dashboard.screens.people import PeopleScreen
from db import permissions, trust, views
from db.badge_keys import badge_public_key
from db.fold import load_state
from tests.station.world import MINUTE, T0, build

pytestmark = pytest.mark.anyio


async def test_the_room_drill_down_marks_the_walk_in(db_path: Path) -> None:
    world = build(db_path)
    trust.vouch(world.db, "desk-1", permissions.WALK_IN_DESK, trust.public_key_of(world.db, "desk-1"),
                badge_key=badge_public_key(world.db, "desk-1"), wall=lambda: T0 - 500 * MINUTE)
    desk = Station(world.db, StationConfig("desk-1", "desk"), wall=world.clock)
    badge = new_badge(register(desk, Person("Ngozi Okonjo", "Lagos State", "Lagos", "NG", "")))
    assert badge is not None
    door = Station(world.db, StationConfig("door-R1", "door", room="R1"), wall=world.clock)
    world.clock.advance(60)
    assert door.scan(badge.payload).reason == "entered"
    assert desk.scan(world.token("A001")).reason == "checked_in"
    world.clock.advance(60)
    assert door.scan(world.token("A001")).reason == "entered"
    state = load_state(world.db)
    place = views.room_people(state, "R1", world.clock())
    assert {p.id: p.walk_in for p in place.people} == {badge.attendee["id"]: True, "A001": False}
    assert [p.get("walk_in", False) for p in place.to_json()["people"]].count(True) == 1

    class Drill(App[None]):
        def on_mount(self) -> None:
            self.push_screen(PeopleScreen(place, "10:00"))

    app = Drill()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#people-table")
        names = {str(key.value): str(table.get_row(key)[0]) for key in table.rows}  # type: ignore[attr-defined]
    assert names[badge.attendee["id"]] == "Ngozi Okonjo (walk-in)"
    assert "(walk-in)" not in names["A001"]
