"""What the operations lead sees at 10:30 on the scene's day, at a laptop's and a big screen's size.

Update with `pytest tests/dashboard/test_snapshots.py --snapshot-update` after looking at the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from dashboard.app import DashboardApp
from dashboard.board import Moment
from dashboard.widgets.rooms import RoomRow
from tests.dashboard import scene
from tests.dashboard.pilot import ready


@pytest.fixture
def snapshot_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scene.build(tmp_path_factory.mktemp("snap") / "event.db")


def at_fixed_moment(db_path: Path) -> DashboardApp:
    return DashboardApp(db_path, moment=Moment("frozen", at=scene.AT))


@pytest.mark.parametrize("size", [(120, 40), (200, 60)], ids=["laptop-120x40", "big-screen-200x60"])
def test_dashboard_at_a_fixed_moment(snap_compare, snapshot_db: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = at_fixed_moment(snapshot_db)

    async def loaded(pilot: Pilot[None]) -> None:
        await ready(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=loaded)


def test_drill_down_into_the_full_room(snap_compare, snapshot_db: Path) -> None:  # type: ignore[no-untyped-def]
    app = at_fixed_moment(snapshot_db)

    async def open_small_room(pilot: Pilot[None]) -> None:
        await ready(app, pilot)
        next(r for r in app.query(RoomRow) if r.line and r.line.id == "R5").focus()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_small_room)
