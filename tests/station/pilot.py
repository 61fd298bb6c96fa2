"""Helpers for driving the real station app under Pilot."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.keys import _character_to_key

from checkin.station import Station, StationConfig
from checkin.tui.app import CheckinApp
from tests.station.world import World


def make_app(world: World, station_id: str = "desk-1", mode: str = "desk", **kw: Any) -> CheckinApp:
    config = StationConfig(station_id, mode, room=kw.pop("room", None), exit=kw.pop("exit", False))
    station = Station(world.db, config, wall=world.clock)
    kw.setdefault("sound", False)
    return CheckinApp(station, **kw)


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until `condition()` holds (a verdict shown, a screen open...)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the app did not get there in time")
        await pilot.pause(0.01)


async def shown(pilot: Any, app: CheckinApp, count: int = 1) -> Any:
    """Wait for the `count`-th verdict on screen and return it."""
    await wait_for(pilot, lambda: len(app.shown) >= count)
    return app.shown[count - 1].verdict


def type_burst(app: CheckinApp, text: str, enter: bool = True) -> None:
    """Deliver `text` as a terminal delivers a scanner's burst: all keys queued at once,
    exactly the Key events the driver posts (pilot.press waits for idle after every key)."""
    for character in text:
        app.post_message(events.Key(_character_to_key(character), character))
    if enter:
        app.post_message(events.Key("enter", "\r"))
