"""Overnight the dashboard says the venue is closed and when it opens, never LIVE over the
evening's last numbers; a past event's clock follows its buses, not only its scans."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.app import DashboardApp
from dashboard.board import Moment, open_board
from db.fold import load_state, parse_local
from db.status import reference_now
from tests.dashboard.pilot import label, ready, wait_until

pytestmark = pytest.mark.anyio

TZ = "Europe/Brussels"


def at(text: str) -> int:
    return parse_local(text, TZ)


def test_the_board_says_closed_overnight_and_live_by_day(demo_db: Path) -> None:
    night, _ = open_board(demo_db, wall=lambda: at("2024-03-20T22:00"))
    assert night.panels().mode == "CLOSED · opens 08:00 tomorrow"  # day 2's plenary is at 09:00
    early, _ = open_board(demo_db, wall=lambda: at("2024-03-20T06:10"))
    assert early.panels().mode == "CLOSED · opens 08:30 today"
    day, _ = open_board(demo_db, wall=lambda: at("2024-03-20T10:00"))
    assert day.panels().mode == "LIVE"
    last, _ = open_board(demo_db, wall=lambda: at("2024-03-22T20:00"))
    assert last.panels().mode == "CLOSED · the event is over"


async def test_a_night_time_at_shows_closed_on_screen(demo_db: Path) -> None:
    app = DashboardApp(demo_db, moment=Moment("frozen", at="2024-03-20T23:30"))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert await wait_until(pilot, lambda: "CLOSED" in label(app.screen, "#topbar"))
        topbar = label(app.screen, "#topbar")
        assert "AT · CLOSED · opens 08:00 tomorrow" in topbar and "LIVE" not in topbar


async def test_the_live_screen_says_closed_at_night(demo_db: Path) -> None:
    app = DashboardApp(demo_db, wall=lambda: at("2024-03-20T23:30"), poll_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert await wait_until(pilot, lambda: "CLOSED · opens 08:00 tomorrow" in label(app.screen, "#topbar"))
        assert "LIVE" not in label(app.screen, "#topbar")


def test_a_past_events_clock_follows_its_buses_back(tmp_path: Path) -> None:
    """The clock of a past event is its last activity: a bus back after the last scan moves it
    (it stood at the last scan while buses kept coming back)."""
    from checkin import bus as bus_mode
    from tests.bus.world import bus_station, bus_world

    world = bus_world(tmp_path / "bus.db")
    coach = bus_station(world)
    assert coach.scan(world.token("A001")).status == "ok"
    scanned = world.clock()
    world.clock.advance(20 * 60)
    assert bus_mode.depart(coach, confirm_missing=True).event is not None
    world.clock.advance(3 * 3600)
    assert bus_mode.return_(coach).event is not None
    state = load_state(world.db)
    assert state.last_scan_ms == scanned
    assert reference_now(state, at("2030-01-01T12:00")) == world.clock()
