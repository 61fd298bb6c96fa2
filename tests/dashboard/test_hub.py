"""The dashboard on its own node, kept in sync with a real hub process (`--hub URL`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.app import DashboardApp
from dashboard.run import syncing
from dashboard.screens.confirm import ConfirmAcknowledgeScreen
from db.connect import connect
from db.log import all_events, append
from sync.enrol import add_station, enrol
from tests.dashboard import scene
from tests.dashboard.pilot import ready, room_rows
from tests.sync.helpers import HubProcess

pytestmark = pytest.mark.anyio


async def wait(pilot, predicate, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return True
        await pilot.pause(0.05)
    return False


async def test_a_scan_at_the_hub_reaches_the_dashboard_and_its_acknowledgement_goes_back(
    scene_db: Path, tmp_path: Path
) -> None:
    hub_db = tmp_path / "hub.db"
    scene.copy_database(scene_db, hub_db)
    with HubProcess(hub_db) as hub:
        code = add_station(connect(hub_db), hub_db, "ops-1", "dashboard").encode()
        ops_db = tmp_path / "ops.db"
        enrol(connect(ops_db), code, hub.url)
        with syncing(ops_db, hub.url) as sync_line:
            assert sync_line is not None
            # The wall clock is today's: the dashboard shows the scene's day at its last scan, until
            # a scan made now (on the hub, whose clock enrolment moved to today) arrives.
            app = DashboardApp(ops_db, poll_seconds=0.05, sync_line=sync_line)
            async with app.run_test(size=(120, 40)) as pilot:
                await ready(app, pilot)
                assert await wait(pilot, lambda: room_rows(app).get("R5", {}).get("count") == "13/12")
                db = connect(hub_db)
                scan = append(db, "door-R3", "door.entry", {"attendee": "A0100", "room": "R3"})
                db.conn.close()
                assert await wait(pilot, lambda: app.shown is not None and app.shown.now_ms == scan.at_ms)
                # the morning's sessions are long over (a row's cells are what it last rendered: wait for it)
                assert await wait(pilot, lambda: room_rows(app)["R3"]["count"] == "1/30")
                assert await wait(pilot, lambda: "online" in str(app.topbar.render()))
                incident = app.incidents.selected
                assert incident is not None
                await pilot.press("2", "a")
                assert await wait(pilot, lambda: isinstance(app.screen, ConfirmAcknowledgeScreen))
                await pilot.press("y")
                assert await wait(pilot, lambda: app.incidents.selected != incident)
                hub_conn = connect(hub_db)
                assert await wait(pilot, lambda: any(
                    e.kind == "incident.acked" and e.data["incident"] == incident for e in all_events(hub_conn)
                ))
                acks = [e for e in all_events(hub_conn) if e.kind == "incident.acked"]
                hub_conn.conn.close()
                assert [e.station_id for e in acks] == ["ops-1"]
