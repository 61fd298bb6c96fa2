"""Driving the dashboard in tests: wait until it has folded the log, read what a row shows."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Label

from dashboard.app import DashboardApp
from dashboard.widgets.rooms import RoomRow
from dashboard.widgets.visits import BusRow


async def ready(app: DashboardApp, pilot: Pilot[None], timeout: float = 10.0) -> None:
    """Wait until the app has loaded the log and drawn its panels once."""
    waited = 0.0
    while app.shown is None or not app.query(RoomRow):
        if app.error:
            raise AssertionError(app.error)
        if waited > timeout:
            raise AssertionError("the dashboard did not load the event")
        await pilot.pause(0.02)
        waited += 0.02
    await pilot.pause()


def label(widget: object, selector: str) -> str:
    return str(widget.query_one(selector, Label).render())  # type: ignore[attr-defined]


def room_rows(app: DashboardApp) -> dict[str, dict[str, str]]:
    """What each room row drew on screen (its cells and CSS classes), by room id."""
    rows = {}
    for row in app.query(RoomRow):
        assert row.line is not None
        rows[row.line.id] = {**row.cells, "classes": " ".join(sorted(row.classes))}
    return rows


def bus_rows(app: DashboardApp) -> dict[str, dict[str, str]]:
    rows = {}
    for row in app.query(BusRow):
        assert row.line is not None
        rows[row.line.id] = dict(row.cells)
    return rows


async def wait_until(pilot: Pilot[None], predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Let the app run until `predicate()` holds (generous: the suite runs on busy machines)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.02)
    return True
