"""What the desk volunteer sees when a badge did not print: the green card, and under it the
amber line with CUPS's reason and the retry key (80×24 and 160×48, frozen clock, real CUPS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkin.printing import PrintQueue
from tests.printing.cups import PAUSED, Cups
from tests.printing.helpers import wait_app
from tests.station.pilot import make_app, shown, type_burst
from tests.station.world import World, build

SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def world(db_path: Path) -> World:
    return build(db_path)


@pytest.fixture
def paused_queue(cups: Cups) -> Iterator[PrintQueue]:
    queue = PrintQueue(PAUSED, server=cups.server)
    try:
        yield queue
    finally:
        queue.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_badge_not_printed(snap_compare: Any, world: World, paused_queue: PrintQueue, size: tuple[int, int]) -> None:
    app = make_app(world, printing=paused_queue)
    app.reset_s = dict.fromkeys(app.reset_s, 3600.0)  # the card stays green however long CUPS takes

    async def run_before(pilot: Any) -> None:
        type_burst(app, world.token("A001"))
        await shown(pilot, app)
        await wait_app(pilot, lambda: bool(app.main.card.query(".-failed")), lambda: (paused_queue.jobs(), app._last_job))
        await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
