"""`eventops scan`: the headless station from the command line, one JSON object per scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.connect import connect
from db.log import get
from eventops.cli import main
from tests.station.world import World, around_today, build


def eventops(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (as scripts and the demo call it)."""
    return subprocess.run([sys.executable, "-m", "eventops", *args], capture_output=True, text=True, timeout=60)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The same command line in this process (click's runner): faster for the many cases."""
    result = CliRunner().invoke(main, list(args))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def world(db_path: Path) -> World:
    return build(db_path, capacity=1, days=around_today())  # `eventops scan` runs on the real clock


def test_scan_prints_the_verdict_and_records_it(world: World) -> None:
    token = world.token("A001")
    first = eventops("scan", "--db", str(world.path), "--station", "desk-1", "--mode", "desk", token)
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert (out["status"], out["reason"]) == ("ok", "checked_in")
    assert out["attendee"]["id"] == "A001" and out["attendee"]["name"] == "Anna Müller"
    assert out["event"]["station_id"] == "desk-1"
    recorded = get(connect(world.path), "desk-1", out["event"]["seq"])
    assert recorded is not None and recorded.data["attendee"] == "A001"
    again = json.loads(eventops("scan", "--db", str(world.path), "--station", "desk-2", "--mode", "desk", token).stdout)
    assert (again["status"], again["reason"]) == ("warning", "already_checked_in")


def test_refusals_exit_zero_with_a_reason(world: World) -> None:
    result = cli("scan", "--db", str(world.path), "--station", "desk-1", "--mode", "desk", "garbage")
    assert result.returncode == 0
    out = json.loads(result.stdout)
    assert (out["status"], out["reason"], out["attendee"]) == ("refused", "malformed", None)
    assert out["event"]["seq"] >= 1


def test_door_room_full_and_override(world: World) -> None:
    door = ["scan", "--db", str(world.path), "--station", "door-R1", "--mode", "door", "--room", "R1"]
    assert json.loads(cli(*door, world.token("A001")).stdout)["reason"] == "not_checked_in"
    full = json.loads(cli(*door, world.token("A002")).stdout)
    assert (full["status"], full["reason"], full["occupancy"], full["capacity"]) == ("refused", "room_full", 1, 1)
    forced = json.loads(cli(*door, "--override", world.token("A002")).stdout)
    assert (forced["reason"], forced["occupancy"]) == ("room_full_override", 2)


def test_usage_and_database_errors_are_one_line(tmp_path: Path, world: World) -> None:
    missing = cli("scan", "--db", str(tmp_path / "nope.db"), "--station", "desk-1", "X")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "does not exist" in missing.stderr
    unknown = cli("scan", "--db", str(world.path), "--station", "desk-9", "X")
    assert unknown.returncode == 1 and "eventops station add desk-9 --kind desk" in unknown.stderr
    usage = cli("scan", "--db", str(world.path), "--station", "desk-1", "--mode", "teleport", "X")
    assert usage.returncode == 2


def test_checkin_on_a_database_without_event_says_what_to_run(tmp_path: Path) -> None:
    connect(tmp_path / "empty.db").conn.close()
    result = cli("checkin", "--db", str(tmp_path / "empty.db"), "--station", "desk-1")
    assert result.returncode == 1
    assert "eventops init --db" in result.stderr and "Traceback" not in result.stderr


def test_a_database_enrolled_as_another_station_is_refused_in_one_line(world: World) -> None:
    from db.node import set_local_station

    set_local_station(world.db, "desk-1")
    result = cli("scan", "--db", str(world.path), "--station", "desk-2", world.token("A001"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is enrolled as station 'desk-1', not 'desk-2': run it with --station desk-1" in result.stderr
    ok = cli("scan", "--db", str(world.path), "--station", "desk-1", world.token("A001"))
    assert json.loads(ok.stdout)["event"]["station_id"] == "desk-1"


def _off_day_world(db_path: Path) -> World:
    """The test event with days that do not include today (last week and next week), so the
    real clock of `eventops scan` falls on a day the event does not have."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Europe/Brussels")).date()
    days = [(today + timedelta(days=n)).isoformat() for n in (-7, -6, 6, 7)]
    return build(db_path, capacity=5, days=["2024-03-20", "2024-03-21", *days])


def test_a_scan_on_a_day_the_event_does_not_have_is_amber_and_counts_nothing(db_path: Path) -> None:
    world = _off_day_world(db_path)
    today = json.loads(cli("status", "--db", str(world.path), "--json").stdout)["as_of"][:10]
    desk = json.loads(cli("scan", "--db", str(world.path), "--station", "desk-1", world.token("A001")).stdout)
    assert (desk["status"], desk["reason"], desk["headline"]) == ("warning", "not_event_day", "NOT AN EVENT DAY")
    assert desk["event"]["kind"] == "scan.rejected" and any("not a day of this event" in line for line in desk["detail"])
    door = ["scan", "--db", str(world.path), "--station", "door-R1", "--mode", "door", "--room", "R1"]
    entry = json.loads(cli(*door, world.token("A002")).stdout)
    assert (entry["status"], entry["reason"], entry["occupancy"]) == ("warning", "not_event_day", 0)
    status = json.loads(cli("status", "--db", str(world.path), "--json").stdout)
    assert today not in status["checked_in"] and sum(status["checked_in"].values()) == 0
    assert status["present"] == {"venue": 0, "rooms": 0, "buses": 0}
    assert status["rejected"] == {"not_event_day": 2}
    recorded = get(connect(world.path), "desk-1", desk["event"]["seq"])
    assert recorded is not None and recorded.data["reason"] == "not_event_day" and recorded.data["refused"] is False


def test_strict_days_refuses_the_scan_in_red(db_path: Path) -> None:
    world = _off_day_world(db_path)
    result = cli("scan", "--db", str(world.path), "--station", "desk-1", "--strict-days", world.token("A001"))
    out = json.loads(result.stdout)
    assert (out["status"], out["reason"]) == ("refused", "not_event_day")
    recorded = get(connect(world.path), "desk-1", out["event"]["seq"])
    assert recorded is not None and recorded.data["refused"] is True
    door = cli("scan", "--db", str(world.path), "--station", "door-R1", "--mode", "door", "--strict-days", world.token("A002"))
    assert json.loads(door.stdout)["status"] == "refused"
    status = json.loads(cli("status", "--db", str(world.path), "--json").stdout)
    assert sum(status["checked_in"].values()) == 0 and status["present"]["rooms"] == 0
