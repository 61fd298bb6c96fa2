"""The camera path: a real OpenCV capture reading a video of badges held up to a webcam."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.scanning import synth
from db import events as ev
from db.connect import connect
from db.log import all_events
from tests.station.pilot import make_app, wait_for
from tests.station.world import World, build

pytestmark = pytest.mark.anyio


def badge_video(world: World, path: Path, people: list[str]) -> Path:
    cards = [(world.token(p), synth.qr_card(world.token(p), 6), 6.0) for p in people]
    frames, _ = synth.parade(cards, size=(640, 480), frames_per_badge=4, gap_frames=2)
    return synth.write_video(path, frames, fps=30)


async def test_badges_shown_to_the_camera_are_each_one_scan(tmp_path: Path) -> None:
    world = build(tmp_path / "event.db")
    video = badge_video(world, tmp_path / "badges.avi", ["A001", "A002", "A003"])
    app = make_app(world, camera=str(video), realtime_camera=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.camera_done and len(app.shown) >= 3, timeout=20)
        await pilot.pause(0.2)
        assert [(s.verdict.attendee or {}).get("id") for s in app.shown] == ["A001", "A002", "A003"]
        assert all(s.verdict.reason == "checked_in" for s in app.shown)
        preview = app.main.preview
        assert preview is not None and preview._cells  # the preview drew a frame
    desk = [e for e in all_events(connect(world.path)) if e.kind == ev.DESK_CHECKIN]
    assert [e.data["attendee"] for e in desk] == ["A001", "A002", "A003"]


async def test_a_camera_that_cannot_open_says_so(tmp_path: Path) -> None:
    world = build(tmp_path / "event.db")
    app = make_app(world, camera=str(tmp_path / "no-such-video.avi"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.camera_done, timeout=10)
        await pilot.pause(0.1)
        assert app.main.preview is not None and app.main.preview.caption == "no camera"
        assert app.shown == []


async def test_the_preview_shows_the_camera_in_colour(tmp_path: Path) -> None:
    import numpy as np

    world = build(tmp_path / "event.db")
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[:, :320] = (40, 40, 220)  # BGR: red on the left
    frame[:, 320:] = (220, 60, 30)  # blue on the right
    # Enough frames that some arrive after the layout (a frame reduced before it fills one cell).
    video = synth.write_video(tmp_path / "colours.avi", [frame] * 240, fps=30)
    app = make_app(world, camera=str(video), realtime_camera=False)
    async with app.run_test(size=(100, 30)) as pilot:
        preview = app.main.preview
        assert preview is not None
        await wait_for(pilot, lambda: len(preview._cells) == preview.size.height > 0, timeout=20)
        line = preview.render_line(preview.size.height // 2)
        segments = list(line)
        assert {s.text for s in segments} == {"▀"}
        left, right = segments[0].style, segments[-1].style
        assert left is not None and right is not None and left.color is not None and right.bgcolor is not None
        red, blue = left.color.get_truecolor(), right.bgcolor.get_truecolor()
        assert red.red > 150 and red.blue < 100, red
        assert blue.blue > 150 and blue.red < 100, blue
