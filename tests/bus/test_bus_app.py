"""Pilot tests: the station app in bus mode, driven as a coordinator at the bus door would."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.css.query import NoMatches

from checkin import bus as bus_mode
from checkin.tui.bus_app import BusCheckinApp
from checkin.tui.bus_screen import (
    BusHelpScreen,
    BusStationScreen,
    ConfirmDepartureScreen,
    ConfirmReturnScreen,
)
from checkin.tui.widgets.times import TimeSafe
from checkin.verdict import Verdict
from db import events as ev
from db.connect import connect
from db.fold import load_state
from db.log import all_events
from tests.bus.world import B1, World, bus_station, bus_world
from tests.station.pilot import shown, type_burst, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def world(db_path: Path) -> World:
    return bus_world(db_path)


def make_app(world: World) -> BusCheckinApp:
    return BusCheckinApp(bus_station(world), sound=False)


def panel_text(app: BusCheckinApp) -> str:
    """What the manifest panel shows (counts, the list, the missing)."""
    screen = app.main
    assert isinstance(screen, BusStationScreen)
    panel = screen.manifest_panel
    try:
        parts = [panel.query_one(f"#{part}") for part in ("bus-counts", "bus-list", "bus-missing")]
    except NoMatches:
        return ""
    # The missing are wrapped for the panel's width (times kept with their word): read the words.
    return "\n".join(part.text.plain if isinstance(part, TimeSafe) else str(part.render()) for part in parts)


async def panel_shows(pilot: object, app: BusCheckinApp, words: str) -> str:
    await wait_for(pilot, lambda: words in panel_text(app))
    return panel_text(app)


async def test_boarding_ticks_the_manifest_and_counts(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await panel_shows(pilot, app, "0 aboard / 3 assigned · 4 seats")
        type_burst(app, world.token("A001"))
        verdict = await shown(pilot, app)
        assert (verdict.reason, verdict.headline) == ("boarded", "WELCOME ABOARD")
        assert app.main.card.has_class("-ok")
        text = await panel_shows(pilot, app, "1 aboard / 3 assigned · 4 seats")
        assert "✔ Anna Müller" in text
        assert "Missing (2)" in text and "Zoë Peeters: not checked in today" in text


async def test_wrong_bus_is_amber_and_not_registered_boards_after_f5(db_path: Path) -> None:
    world = bus_world(db_path, b1_seats=5)
    app = make_app(world)
    async with app.run_test(size=(100, 30)) as pilot:
        type_burst(app, world.token("A004"))
        wrong = await shown(pilot, app)
        assert (wrong.reason, wrong.headline) == ("other_bus", "ASSIGNED TO COACH 2")
        assert app.main.card.has_class("-warning")
        type_burst(app, world.token("A006"))
        refused = await shown(pilot, app, 2)
        assert refused.reason == "not_registered" and app.main.card.has_class("-refused")
        assert "1 seat free: the coordinator may confirm boarding" in refused.detail
        await pilot.press("f5")
        confirmed = await shown(pilot, app, 3)
        assert confirmed.reason == "not_registered_override"
        text = await panel_shows(pilot, app, "2 aboard / 3 assigned")
        assert "(not on the list)" in text and "(list of Coach 2)" in text
    assert load_state(connect(world.path)).buses[B1].aboard == {"A004", "A006"}


async def test_depart_with_someone_missing_asks_first_then_records(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        for attendee in ("A001", "A002"):
            type_burst(app, world.token(attendee))
        await shown(pilot, app, 2)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDepartureScreen))
        assert "Zoë Peeters: not checked in today" in str(app.screen.query_one("#depart-list").render())
        await pilot.press("n")  # wait for her
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDepartureScreen))
        assert not [e for e in all_events(connect(world.path)) if e.kind == ev.BUS_DEPARTED]
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDepartureScreen))
        await pilot.press("y")
        departed = await shown(pilot, app, 3)
        assert (departed.reason, departed.headline) == ("departed_missing", "DEPARTED: 1 MISSING")
        text = await panel_shows(pilot, app, "on the road")
        assert "Missing (1) at departure" in text and "Zoë Peeters: not checked in today" in text
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmReturnScreen))
        await pilot.press("y")  # F7 asks first
        back = await shown(pilot, app, 4)
        assert (back.reason, back.headline) == ("returned", "BACK AT THE VENUE")
    state = load_state(connect(world.path))
    assert state.buses[B1].state == "returned" and state.buses[B1].missing == ("A003",)


async def test_help_explains_the_bus_keys(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, BusHelpScreen))
        text = str(app.screen.query_one("#help-text").render())
        assert "F6  depart" in text and "F7  back at the venue" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, BusStationScreen))


async def test_depart_pressed_right_after_the_last_scan_sees_that_passenger_aboard(world: World) -> None:
    station = bus_station(world)
    for attendee in ("A001", "A002"):
        station.scan(world.token(attendee))
    app = make_app(world)
    gate = threading.Event()

    def early_return() -> Verdict:  # F7 pressed too early, on a slow database
        gate.wait(10)  # the jobs behind it wait their turn
        return bus_mode.return_(app.station)

    async with app.run_test(size=(80, 24)) as pilot:
        app.enqueue(early_return)
        type_burst(app, world.token("A003"))  # the last passenger...
        await pilot.press("f6")  # ...and the coordinator departs at once
        gate.set()
        early, boarded, departed = await shown(pilot, app), await shown(pilot, app, 2), await shown(pilot, app, 3)
        assert early.reason == "not_departed"
        assert (boarded.reason, boarded.attendee["id"]) == ("boarded", "A003")
        assert (departed.reason, departed.headline) == ("departed", "DEPARTED: EVERYONE ABOARD")
        assert app.departures_asked == [] and not isinstance(app.screen, ConfirmDepartureScreen)
    assert load_state(connect(world.path)).buses[B1].missing == ()


async def test_a_departure_the_database_refuses_is_a_red_not_recorded_card(world: World) -> None:
    station = bus_station(world)
    for attendee in ("A001", "A002", "A003"):
        station.scan(world.token(attendee))
    app = make_app(world)
    app.station.db.conn.execute("PRAGMA busy_timeout = 50")
    other = connect(world.path)
    async with app.run_test(size=(80, 24)) as pilot:
        other.conn.execute("BEGIN IMMEDIATE")  # another process writing: "database is locked"
        try:
            await pilot.press("f6")
            failed = await shown(pilot, app)
        finally:
            other.conn.execute("ROLLBACK")
        assert (failed.status, failed.reason, failed.headline) == ("refused", "not_recorded", "NOT RECORDED")
        assert "the departure could not be saved: database is locked" in failed.detail
        assert app.main.card.has_class("-refused")
        assert not [e for e in all_events(connect(world.path)) if e.kind == ev.BUS_DEPARTED]
        await pilot.press("f6")  # the coordinator tries again
        departed = await shown(pilot, app, 2)
        assert departed.reason == "departed"
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmReturnScreen))
        await pilot.press("y")  # F7 asks first
        back = await shown(pilot, app, 3)
        assert back.reason == "returned"


async def test_f3_after_the_return_is_refused_and_the_trip_keeps_its_passengers(world: World) -> None:
    """Issue 11: F3 on a bus station after the return voided a boarding (5 → 4 aboard)."""
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        for attendee in ("A001", "A002", "A003"):
            type_burst(app, world.token(attendee))
        await shown(pilot, app, 3)
        await pilot.press("f6")  # everyone aboard: no question asked
        assert (await shown(pilot, app, 4)).reason == "departed"
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmReturnScreen))
        await pilot.press("y")  # F7 asks first
        assert (await shown(pilot, app, 5)).reason == "returned"
        await pilot.press("f3")
        refused = await shown(pilot, app, 6)
        assert (refused.reason, refused.headline, refused.event) == ("undo_past_trip", "CANNOT UNDO", None)
        assert "the trip is over" in refused.detail[0] and app.main.card.has_class("-refused")
        await panel_shows(pilot, app, "3 aboard / 3 assigned")
    state = load_state(connect(world.path))
    assert not [e for e in state.events if e.kind == ev.VOID] and len(state.buses[B1].aboard) == 3
