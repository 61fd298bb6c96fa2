"""Pilot tests: the real dashboard on a real database file, driven by keys."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.app import DashboardApp
from dashboard.board import Moment, acknowledge
from dashboard.screens.confirm import ConfirmAcknowledgeScreen
from dashboard.screens.people import PeopleScreen
from dashboard.screens.rollcall import RollCallScreen
from dashboard.widgets.rooms import RoomRow
from dashboard.widgets.visits import BusRow
from db.connect import connect
from db.log import all_events, append
from db.node import local_station, set_local_station
from tests.dashboard import scene
from tests.dashboard.pilot import bus_rows, label, ready, room_rows, wait_until

pytestmark = pytest.mark.anyio

SIZE = (120, 40)


def frozen(db_path: Path, tmp_path: Path) -> DashboardApp:
    return DashboardApp(db_path, moment=Moment("frozen", at=scene.AT), out_dir=tmp_path / "out")


def live(db_path: Path, minutes: float = 150) -> DashboardApp:
    """The live dashboard with the wall clock at `minutes` after 08:00 on the scene's day."""
    return DashboardApp(db_path, wall=lambda: scene.at(minutes), poll_seconds=0.05)


async def test_the_screen_shows_what_status_json_prints(demo_db: Path) -> None:
    report = json.loads(
        subprocess.run([sys.executable, "-m", "eventops", "status", "--db", str(demo_db), "--json"],
                       capture_output=True, text=True, check=True).stdout
    )
    app = DashboardApp(demo_db)
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(app, pilot)
        day = report["as_of"][:10]
        total = label(app.arrivals, "#arrivals-total")
        assert total.startswith(f"{report['checked_in'][day]} of {report['attendees']} checked in")
        shown = room_rows(app)
        for room in report["rooms"]:
            assert shown[room["id"]]["count"] == f"{room['occupancy']}/{room['capacity']}"
            assert shown[room["id"]]["name"] == room["name"]
        buses = bus_rows(app)
        for visit in report["visits"]:
            for bus in visit["buses"]:
                if bus["id"] in buses:
                    assert buses[bus["id"]]["count"] == f"{bus['boarded']}/{bus['assigned']}"
        open_incidents = [i for i in report["incidents"] if not i["acknowledged"]]
        assert app.incidents.row_count == min(len(open_incidents), 40)
        assert str(app.incidents.border_title).startswith(f"Incidents · {len(open_incidents)} open")
        assert report["as_of"][11:19] in label(app.screen, "#topbar")


async def test_rooms_are_coloured_at_80_and_100_percent(scene_db: Path, tmp_path: Path) -> None:
    app = frozen(scene_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        rows = room_rows(app)
        assert "-over" in rows["R5"]["classes"] and rows["R5"]["count"] == "13/12"
        assert "-warn" in rows["R2"]["classes"] and rows["R2"]["count"] == "32/40"
        assert "-ok" in rows["R1"]["classes"]
        first = app.query(RoomRow).first()
        assert first.line is not None and first.line.id == "R5"  # needs attention: on top


async def test_events_appended_by_another_process_show_within_a_second(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert room_rows(app)["R3"]["count"] == "10/30"
        script = (
            "import sys\n"
            "from db.connect import connect\nfrom db.log import append\n"
            "db = connect(sys.argv[1], create=False)\n"
            f"for i in (100, 118, 119):\n"
            f"    append(db, 'door-R3', 'door.entry', {{'attendee': f'A{{i:04d}}', 'room': 'R3'}}, wall=lambda: {scene.at(149)})\n"
        )
        subprocess.run([sys.executable, "-c", script, str(scene_db)], check=True, cwd=Path(__file__).parents[2])
        appended = time.monotonic()
        while room_rows(app)["R3"]["count"] != "13/30" and time.monotonic() - appended < 5:
            await pilot.pause(0.02)
        seen_after = time.monotonic() - appended
        assert room_rows(app)["R3"]["count"] == "13/30"
        assert seen_after < 5  # typically ~0.1 s: the follower polls every 50 ms here, 250 ms by default
        assert app.refresh_ms, "the new events were folded in incrementally"


async def test_drill_down_lists_who_is_in_a_room(scene_db: Path, tmp_path: Path) -> None:
    app = frozen(scene_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        row = next(r for r in app.query(RoomRow) if r.line and r.line.id == "R5")
        row.focus()
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PeopleScreen))
        screen = app.screen
        assert isinstance(screen, PeopleScreen)
        table = screen.query_one("#people-table")
        ids = {str(key.value) for key in table.rows}  # type: ignore[attr-defined]
        assert ids == {scene.attendee_id(i) for i in range(87, 100)}
        assert "Small room" in label(screen, "#people-title") and "13 / 12 inside" in label(screen, "#people-title")
        await pilot.press("escape")
        assert not isinstance(app.screen, PeopleScreen)


async def test_an_open_drill_down_follows_new_events(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        next(r for r in app.query(RoomRow) if r.line and r.line.id == "R3").focus()
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PeopleScreen))
        screen = app.screen
        assert isinstance(screen, PeopleScreen)
        assert len(screen.query_one("#people-table").rows) == 10  # type: ignore[attr-defined]
        db = connect(scene_db, create=False)
        append(db, "door-R3", "door.entry", {"attendee": "A0100", "room": "R3"}, wall=lambda: scene.at(149))
        db.conn.close()
        await wait_until(pilot, lambda: len(screen.query_one("#people-table").rows) == 11)  # type: ignore[attr-defined]
        assert "A0100" in {str(k.value) for k in screen.query_one("#people-table").rows}  # type: ignore[attr-defined]
        assert "11 / 30 inside" in label(screen, "#people-title")


async def test_drill_down_of_a_bus_names_who_is_missing(scene_db: Path, tmp_path: Path) -> None:
    app = frozen(scene_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert bus_rows(app)["V1-B1"]["state"] == "departed 10:20"
        assert bus_rows(app)["V1-B1"]["missing"].startswith("MISSING (2)")
        row = next(r for r in app.query(BusRow) if r.line and r.line.id == "V1-B1")
        await pilot.click(row)
        assert await wait_until(pilot, lambda: isinstance(app.screen, PeopleScreen))
        screen = app.screen
        assert isinstance(screen, PeopleScreen)
        keys = [str(k.value) for k in screen.query_one("#people-table").rows]  # type: ignore[attr-defined]
        assert len(keys) == 10
        assert keys[-2:] == ["missing:A0109", "missing:A0110"]


async def test_roll_call_lists_everyone_inside_and_writes_csv_and_pdf(scene_db: Path, tmp_path: Path) -> None:
    app = frozen(scene_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("r")
        screen = app.screen
        assert isinstance(screen, RollCallScreen)
        assert await wait_until(pilot, lambda: "written" in label(screen, "#rollcall-files"), timeout=60)
        roll = screen.roll
    out = tmp_path / "out"
    csv_path = next(out.glob("rollcall-20240320-103000.csv"))
    pdf_path = next(out.glob("rollcall-20240320-103000.pdf"))
    with csv_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == roll.total
    by_place: dict[str, set[str]] = {}
    for row in rows:
        by_place.setdefault(row["place"], set()).add(row["attendee"])
    assert by_place["Small room"] == {scene.attendee_id(i) for i in range(87, 100)}
    assert by_place["V1 · Bus 1"] == {scene.attendee_id(i) for i in range(101, 109)}
    # everyone who checked in and is not in a room or on a bus is somewhere else on site
    assert len(by_place["Venue, not in a room"]) == 116 - sum(len(v) for k, v in by_place.items() if k != "Venue, not in a room")
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert pdf_path.stat().st_size > 5000


async def test_acknowledging_an_incident_appends_an_event(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = app.incidents.row_count
        first = app.incidents.selected
        assert first is not None and first.startswith("over_capacity:")
        await pilot.press("2", "a")  # the incidents panel, then acknowledge: it asks first
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmAcknowledgeScreen))
        await pilot.press("y")
        assert await wait_until(pilot, lambda: app.incidents.row_count == before - 1)
        assert "1 acknowledged" in str(app.incidents.border_title)
    db = connect(scene_db, create=False)
    acks = [e for e in all_events(db) if e.kind == "incident.acked"]
    db.conn.close()
    assert [e.data["incident"] for e in acks] == [first]
    assert re.fullmatch(r"ops-[a-z2-7]{6}", acks[0].station_id)  # this node's own id, not a shared "ops"


def test_two_dashboards_without_a_station_id_never_write_the_same_event(scene_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "copy.db"
    scene.copy_database(scene_db, other)  # the organiser's node, keys and all
    first = acknowledge(scene_db, "over_capacity:R5", wall=lambda: scene.at(151))
    again = acknowledge(scene_db, "double_admission:A0005", wall=lambda: scene.at(152))
    theirs = acknowledge(other, "over_capacity:R5", wall=lambda: scene.at(151))
    assert first == again  # one node, one author: its acks number 1, 2, ...
    assert theirs != first  # the copy's ack is its own event, not a conflicting twin of ours
    db = connect(scene_db, create=False)
    try:
        assert [e.seq for e in all_events(db) if e.station_id == first] == [1, 2]
        assert local_station(db) == "org"  # the node itself keeps its identity (the organiser's, here)
    finally:
        db.conn.close()
    enrolled = tmp_path / "enrolled.db"
    scene.copy_database(scene_db, enrolled)
    db = connect(enrolled, create=False)
    set_local_station(db, "ops-1")
    db.conn.close()
    assert acknowledge(enrolled, "over_capacity:R5", wall=lambda: scene.at(153)) == "ops-1"


async def test_a_replay_or_fixed_moment_writes_nothing(scene_db: Path, tmp_path: Path) -> None:
    app = frozen(scene_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("2", "a")
        await pilot.pause(0.2)
    db = connect(scene_db, create=False)
    assert not [e for e in all_events(db) if e.kind == "incident.acked"]
    db.conn.close()


async def test_replay_moves_the_clock_and_folds_the_day_as_it_goes(scene_db: Path) -> None:
    app = DashboardApp(scene_db, moment=Moment("replay", scene.DAY, 600.0, "10:00"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert "REPLAY ×600" in label(app.screen, "#topbar")
        assert app.shown is not None and app.board is not None
        first, folded, arrived = app.shown.now_ms, len(app.board.state.events), app.shown.arrivals.checked_in
        # about a second at 600x is ten minutes of the event
        assert await wait_until(pilot, lambda: app.shown is not None and app.shown.now_ms - first >= 10 * 60_000)
        assert len(app.board.state.events) > folded
        assert app.shown.arrivals.checked_in > arrived


async def test_a_missing_database_is_one_clear_line(tmp_path: Path) -> None:
    app = DashboardApp(tmp_path / "nothing.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.error is not None)
        assert app.error is not None and "does not exist" in app.error


async def test_the_stations_list_redraws_a_station_whose_line_changed(scene_db: Path, tmp_path: Path) -> None:
    """Every station is a line of one widget (hundreds of stations start fast): a changed line
    is redrawn, the silent desk keeps its mark."""
    import dataclasses

    from dashboard.widgets.stations import StationLines

    app = frozen(scene_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.shown is not None
        data = app.shown.stations
        assert data.silent and "SILENT" in str(app.query_one(StationLines).render())
        first = data.stations[0]
        app.stations.show(dataclasses.replace(data, stations=(dataclasses.replace(first, scans_today=4321), *data.stations[1:])))
        await pilot.pause()
        drawn = str(app.query_one(StationLines).render()).splitlines()
        assert len(drawn) == len(data.stations) and "4321" in drawn[0] and "SILENT" in "".join(drawn)
