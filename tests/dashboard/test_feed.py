"""The live feed: a failure is shown in red instead of LIVE and retried; big batches fold off the loop.

Faults are real: a row in the log that is not an event (what a disk fault or a buggy tool leaves),
a moment the event cannot place. Nothing of ours is mocked.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.app import DashboardApp
from dashboard.board import Moment, open_board
from db.connect import connect, write
from db.log import Draft, all_events, append_in_transaction
from eventops.cli import main
from tests.dashboard import scene
from tests.dashboard.pilot import label, ready, room_rows, wait_until

pytestmark = pytest.mark.anyio

SIZE = (120, 40)
ROOT = Path(__file__).resolve().parents[2]

#: Another process on the same file: a door scan into R3 at 10:29, committed by its own connection.
DOOR_SCAN = """
import sys
from db.connect import connect, write
from db.log import Draft, append_in_transaction
from tests.dashboard import scene
db = connect(sys.argv[1], create=False)
with write(db):
    append_in_transaction(db, "door-R3", [Draft("door.entry", {"attendee": "A0100", "room": "R3"})], wall=lambda: scene.at(149))
"""


def live(db_path: Path) -> DashboardApp:
    return DashboardApp(db_path, wall=lambda: scene.at(150), poll_seconds=0.05, retry_seconds=(0.05, 0.2))


def topbar(app: DashboardApp) -> str:
    return label(app.screen, "#topbar")


def corrupt_the_log(db_path: Path) -> None:
    """A row that is no event: its data is not JSON (written behind the log's back)."""
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO events (station_id, seq, hlc, kind, data) VALUES ('door-R3', 999, ?, 'door.entry', '{not json')",
                 [scene.at(149) << 16])
    conn.commit()
    conn.close()


def repair_the_log(db_path: Path) -> None:
    """What a careful operator would do: take the bad row out (the log forbids it, so lift that first)."""
    conn = sqlite3.connect(db_path)
    (trigger,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'events_no_delete'").fetchone()
    conn.execute("DROP TRIGGER events_no_delete")
    conn.execute("DELETE FROM events WHERE data = '{not json'")
    conn.execute(trigger)
    conn.commit()
    conn.close()


async def test_a_failing_feed_is_shown_in_red_instead_of_live_and_recovers(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert "LIVE" in topbar(app) and "FEED STOPPED" not in topbar(app)
        corrupt_the_log(scene_db)
        assert await wait_until(pilot, lambda: "FEED STOPPED" in topbar(app))
        shown = topbar(app)
        assert "LIVE" not in shown and "retrying" in shown
        assert app.topbar.has_class("-stopped")  # drawn in the error colour
        await pilot.pause(0.5)  # several retries later it still says so: the row is still there
        assert "FEED STOPPED" in topbar(app) and "LIVE" not in topbar(app)
        repair_the_log(scene_db)
        assert await wait_until(pilot, lambda: "LIVE" in topbar(app))
        assert "FEED STOPPED" not in topbar(app) and not app.topbar.has_class("-stopped")
        # and the feed goes on: a new scan shows
        db = connect(scene_db, create=False)
        with write(db):
            append_in_transaction(db, "door-R3", [Draft("door.entry", {"attendee": "A0100", "room": "R3"})],
                                  wall=lambda: scene.at(149))
        db.conn.close()
        assert await wait_until(pilot, lambda: room_rows(app)["R3"]["count"] == "11/30")


async def test_a_moment_the_event_cannot_place_is_shown_not_loading_forever(db_path: Path) -> None:
    connect(db_path).conn.close()  # a database with no event yet: a bare time has no day
    app = DashboardApp(db_path, moment=Moment("frozen", at="10:30"))
    async with app.run_test(size=SIZE) as pilot:
        assert await wait_until(pilot, lambda: app.error is not None)
        assert "needs an event day" in topbar(app)
        assert "loading" not in topbar(app)


def test_an_impossible_time_is_one_line_and_exit_1(scene_db: Path) -> None:
    for at in ("25:99", "2024-03-20T25:99", "10:30:99"):
        result = CliRunner().invoke(main, ["dashboard", "--db", str(scene_db), "--at", at])
        assert result.exit_code == 1, at
        assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
        assert "--at takes a time like" in result.output


async def test_a_day_of_late_events_in_several_batches_shows_what_a_fresh_start_shows(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        # A bus laptop syncs late: 6,000 scans from 09:40 (more than one batch of 5,000).
        drafts = []
        for n in range(3000):
            person, room = scene.attendee_id(1 + n % 40), f"R{1 + n % 5}"
            drafts += [Draft("door.entry", {"attendee": person, "room": room}),
                       Draft("door.exit", {"attendee": person, "room": room})]
        db = connect(scene_db, create=False)
        with write(db):
            append_in_transaction(db, "door-late", drafts[:-1], wall=lambda: scene.at(100))
        db.conn.close()
        fresh, _ = open_board(scene_db, wall=lambda: scene.at(150))
        expected = {r.id: f"{r.occupancy}/{r.capacity}" for r in fresh.panels().rooms.rooms}
        assert await wait_until(pilot, lambda: {k: v["count"] for k, v in room_rows(app).items()} == expected)
        assert "LIVE" in topbar(app)


async def test_the_feed_reads_the_log_when_another_process_commits_not_on_a_timer(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert await wait_until(pilot, lambda: app.follower is not None and app.follower.reads >= 1)
        follower = app.follower
        assert follower is not None
        # The first reads settle (however slow the machine): count only once none came for half a second.
        reads = follower.reads
        for _ in range(20):
            await pilot.pause(0.5)
            if follower.reads == reads:
                break
            reads = follower.reads
        await pilot.pause(1.5)  # nobody writes: the clock ticks, the log is not read
        assert follower.reads == reads
        assert room_rows(app)["R3"]["count"] == "10/30"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-c", DOOR_SCAN, str(scene_db)], check=True, timeout=60, cwd=ROOT, env=env)
        assert await wait_until(pilot, lambda: room_rows(app)["R3"]["count"] == "11/30")
        assert 1 <= follower.reads - reads <= 3  # read for the commit, not every tick
        # The sync loop's `on_events` wakes the feed without a commit of its own.
        reads = follower.reads
        app.events_merged(list(all_events(connect(scene_db, create=False)))[-1:])
        assert await wait_until(pilot, lambda: follower.reads == reads + 1)
