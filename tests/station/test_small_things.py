"""Issue 13's small things at the station, each driven at 80×24: EXIT on a door scanning people
out, FULL for the last place, `+N more` in the departure dialog, F7 asks first, and times that
never wrap away from their word (the status line's clock is never cut)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from checkin.station import Station, StationConfig
from checkin.tui.bus_app import BusCheckinApp
from checkin.tui.bus_screen import MISSING_SHOWN, ConfirmDepartureScreen, ConfirmReturnScreen
from checkin.tui.widgets.times import wrap_keeping_times
from db import events as ev
from db.connect import connect
from db.log import Draft, all_events, append_many
from tests.bus.world import B1, VISIT, bus_station, bus_world
from tests.station.pilot import make_app, shown, type_burst, wait_for
from tests.station.world import MINUTE, T0, World, build

pytestmark = pytest.mark.anyio

SIZE = (80, 24)
ALONE_TIME = re.compile(r"(^|\n)\s*\d{1,2}:\d{2}|\d\n:\d|\d{1,2}:\n")


def headline(app: object) -> str:
    return str(app.main.card.headline.render())  # type: ignore[attr-defined]


def setup(world: World, drafts: list[Draft]) -> None:
    """More reference data, as the organiser appended it the evening before."""
    append_many(world.db, "org", drafts, wall=lambda: T0 - 580 * MINUTE)


async def test_an_exit_door_says_exit_in_big_letters(db_path: Path) -> None:
    world = build(db_path)
    app = make_app(world, "door-R1", "door", room="R1")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "█" in headline(app))
        assert app.main.card.ready_text == "SCAN A BADGE"
        await pilot.press("f4")  # the steward turns the door into an exit
        await wait_for(pilot, lambda: app.main.card.ready_text == "EXIT")
        assert app.main.card.has_class("-ready") and app.main.card.has_class("-exit")
        assert "█" in headline(app)  # big letters, not a line of text
        assert "OUT of Atelier" in str(app.main.card.query_one("#detail").render())
        type_burst(app, world.token("A001"))
        assert (await shown(pilot, app)).reason == "not_inside"
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.main.card.ready_text == "SCAN A BADGE")
        assert not app.main.card.has_class("-exit")


async def test_a_door_started_in_exit_mode_says_exit_at_once(db_path: Path) -> None:
    world = build(db_path)
    app = make_app(world, "door-R1", "door", room="R1", exit=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.main.card.ready_text == "EXIT" and "█" in headline(app))


async def test_the_last_place_says_full(db_path: Path) -> None:
    world = build(db_path, capacity=2)
    desk = Station(world.db, StationConfig("desk-1"), wall=world.clock)
    for person in ("A001", "A002"):
        desk.scan(world.token(person))
    app = make_app(world, "door-R1", "door", room="R1")
    async with app.run_test(size=SIZE) as pilot:
        type_burst(app, world.token("A001"))
        first = await shown(pilot, app)
        type_burst(app, world.token("A002"))
        last = await shown(pilot, app, 2)
        assert (first.reason, last.reason, last.occupancy, last.capacity) == ("entered", "entered", 2, 2)
        assert "FULL: that was the last place" in last.detail
        detail = str(app.main.card.query_one("#detail").render())
        assert "FULL" in detail and "0 places left" not in detail and "almost full" not in detail


def _crowded_bus(db_path: Path, extra: int) -> World:
    """The bus world with `extra` more people on Coach 1's list, none of them aboard."""
    world = bus_world(db_path)
    people = [f"X{n:03d}" for n in range(extra)]
    setup(world, [
        *[Draft(ev.ATTENDEE_REGISTERED, {"id": p, "name": f"Traveller Number{n:03d}", "first": "Traveller",
                                         "last": f"Number{n:03d}", "org": "Somewhere", "role": "guest"})
          for n, p in enumerate(people)],
        Draft(ev.BUS_ADDED, {"id": B1, "visit": VISIT, "capacity": 60, "label": "Coach 1"}),
        *[Draft(ev.BUS_ASSIGNED, {"visit": VISIT, "bus": B1, "attendee": p}) for p in people],
    ])
    return world


async def test_the_departure_dialog_counts_the_missing_it_does_not_name(db_path: Path) -> None:
    world = _crowded_bus(db_path, 37)  # with A001-A003: 40 on the list
    app = BusCheckinApp(bus_station(world), sound=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDepartureScreen))
        missing = app.screen.asked.extra["missing"]
        listed = str(app.screen.query_one("#depart-list").render()).splitlines()
        assert len(missing) == 40
        assert listed[-1] == f"+{40 - MISSING_SHOWN} more" and len(listed) == MISSING_SHOWN + 1
        for button in ("#depart-yes", "#depart-no"):  # the whole dialog fits 80×24
            region = app.screen.query_one(button).region
            assert region.height and region.bottom <= SIZE[1]
        await pilot.press("n")


async def test_f7_asks_before_recording_the_return(db_path: Path) -> None:
    world = bus_world(db_path)
    app = BusCheckinApp(bus_station(world), sound=False)

    def returns() -> int:
        return len([e for e in all_events(connect(world.path)) if e.kind == ev.BUS_RETURNED])

    async with app.run_test(size=SIZE) as pilot:
        for attendee in ("A001", "A002", "A003"):
            type_burst(app, world.token(attendee))
        await shown(pilot, app, 3)
        await pilot.press("f6")
        assert (await shown(pilot, app, 4)).reason == "departed"
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmReturnScreen))
        assert "Coach 1" in str(app.screen.query_one("#return-title").render())
        assert "3 aboard" in str(app.screen.query_one("#return-counts").render())
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmReturnScreen))
        assert returns() == 0
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmReturnScreen))
        await pilot.press("y")
        assert (await shown(pilot, app, 5)).reason == "returned"
    assert returns() == 1


async def test_times_never_wrap_at_80_columns(db_path: Path) -> None:
    world = bus_world(db_path)
    setup(world, [Draft(ev.ATTENDEE_UPDATED, {"id": "A002", "name": "Jean-Baptiste Dupont-Vandenbroucke"})])
    desk = Station(world.db, StationConfig("desk-1"), wall=world.clock)
    desk.scan(world.token("A002"))  # checked in: the manifest says when
    app = BusCheckinApp(bus_station(world), sound=False)
    async with app.run_test(size=SIZE) as pilot:
        type_burst(app, world.token("A001"))
        await shown(pilot, app)
        missing = app.main.manifest_panel.query_one("#bus-missing")
        await wait_for(pilot, lambda: "checked in at" in str(missing.render()))
        text = str(missing.render())
        assert "at " in text and not ALONE_TIME.search(text), text
        assert max(cell_len(line) for line in text.splitlines()) <= missing.content_region.width


async def test_the_status_line_keeps_its_clock_at_80_columns(db_path: Path) -> None:
    world = build(db_path)
    setup(world, [Draft(ev.ROOM_ADDED, {"id": "R2", "name": "Salle des conférences internationales Paul-Henri Spaak",
                                        "capacity": 400})])
    app = make_app(world, "door-R2", "door", room="R2")
    async with app.run_test(size=SIZE) as pilot:
        line = app.main.status_line
        await wait_for(pilot, lambda: bool(line.clock))
        shown_text = str(line.render())
        assert cell_len(line.line) > line.content_region.width  # too long for 80 columns...
        assert shown_text.endswith(f" · {line.clock}") and "…" in shown_text  # ...shortened before the clock
        assert cell_len(shown_text) <= line.content_region.width


def test_a_time_stays_with_its_word_whatever_the_width() -> None:
    text = "Jean-Baptiste Dupont-Vandenbroucke: checked in at 13:31 at desk-2"
    for width in range(12, 70):
        wrapped = wrap_keeping_times(text, width).plain
        assert not ALONE_TIME.search(wrapped), (width, wrapped)
        if width > len("Dupont-Vandenbroucke:"):  # narrower, the longest word itself is folded
            assert wrapped.replace("\n", " ").split() == text.split()
