"""`eventops bus depart|return|manifest` as a script calls them: one JSON object, exit 0."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from db import events as ev
from db import log
from db.connect import connect
from db.fold import load_state
from db.node import set_local_station
from eventops.cli import main
from tests.bus.world import B1, VISIT, bus_station, bus_world

ROOT = Path(__file__).resolve().parents[2]


def eventops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eventops", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_depart_asks_then_records_and_return_closes_the_trip(db_path: Path) -> None:
    world = bus_world(db_path)
    station = bus_station(world)
    station.scan(world.token("A001"))
    # The commands below run on today's clock, long after this 2024 event: the organiser's set-up
    # today (re-adding the bus station) keeps the event's window open (db/times.py event_window).
    log.append(world.db, "org", ev.STATION_ADDED, {"id": f"bus-{B1}", "kind": "bus", "place": B1})
    world.db.conn.close()
    where = ["--db", str(db_path), "--station", f"bus-{B1}", "--visit", VISIT, "--bus", B1]

    asked = as_json(eventops("bus", "depart", *where))
    assert (asked["status"], asked["reason"], asked["event"]) == ("warning", "confirm_missing", None)
    assert [(m["id"], m["name"]) for m in asked["missing"]] == [("A002", "Jean Dupont"), ("A003", "Zoë Peeters")]
    assert all(m["last_seen"] for m in asked["missing"])

    departed = as_json(eventops("bus", "depart", *where, "--confirm-missing"))
    assert (departed["status"], departed["reason"], departed["headcount"]) == ("warning", "departed_missing", 1)
    assert departed["event"]["station_id"] == f"bus-{B1}" and departed["event"]["seq"] == 2

    sheet = as_json(eventops("bus", "manifest", "--db", str(db_path), "--bus", B1, "--json"))
    assert (sheet["state"], sheet["boarded"], sheet["assigned"], sheet["seats"]) == ("departed", 1, 3, 4)
    assert [m["id"] for m in sheet["missing"]] == ["A002", "A003"]

    back = as_json(eventops("bus", "return", *where))
    assert (back["status"], back["reason"], back["event"]["seq"]) == ("ok", "returned", 3)
    state = load_state(connect(db_path))
    assert state.buses[B1].state == "returned"


def test_the_manifest_in_words(db_path: Path) -> None:
    world = bus_world(db_path)
    bus_station(world).scan(world.token("A001"))
    world.db.conn.close()
    result = eventops("bus", "manifest", "--db", str(db_path), "--bus", B1)
    assert result.returncode == 0, result.stderr
    assert "Coach 1 (V1-B1) · Safe consumption room · boarding" in result.stdout
    assert "1 aboard / 3 assigned · 4 seats" in result.stdout
    assert "[x] Anna Müller" in result.stdout and "Missing (2):" in result.stdout


def test_an_unknown_bus_is_one_clear_line_and_status_1(db_path: Path) -> None:
    bus_world(db_path).db.conn.close()
    result = eventops("bus", "depart", "--db", str(db_path), "--station", "bus-V1-B1", "--bus", "V7-B1")
    assert result.returncode == 1
    assert "no bus 'V7-B1' in this event (buses: V1-B1 (Coach 1, visit V1), V1-B2 (Coach 2, visit V1))" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_scan_in_bus_mode_refuses_then_boards_with_override(db_path: Path) -> None:
    world = bus_world(db_path, b1_seats=5)
    token = world.token("A006")
    world.db.conn.close()
    where = ["scan", "--db", str(db_path), "--station", f"bus-{B1}", "--mode", "bus", "--visit", VISIT, "--bus", B1]
    refused = as_json(eventops(*where, token))
    assert (refused["status"], refused["reason"], refused["can_override"]) == ("refused", "not_registered", True)
    assert refused["event"]["kind"] == "scan.rejected"
    boarded = as_json(eventops(*where, "--override", token))
    assert (boarded["status"], boarded["reason"], boarded["event"]["kind"]) == ("warning", "not_registered_override", "bus.boarded")
    assert "A006" in load_state(connect(db_path)).buses[B1].aboard


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line in this process (click's runner): faster than a new process."""
    result = CliRunner().invoke(main, list(args))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_a_bus_station_needs_only_its_bus_or_its_own_id(db_path: Path) -> None:
    """As the `eventops checkin` help says: `--station bus-V1-B1 --mode bus --bus V1-B1`."""
    world = bus_world(db_path)
    anna, jean = world.token("A001"), world.token("A002")
    boarded = as_json(cli("scan", "--db", str(db_path), "--station", f"bus-{B1}", "--mode", "bus", "--bus", B1, anna))
    assert (boarded["reason"], boarded["visit"], boarded["bus"]) == ("boarded", VISIT, B1)
    by_place = as_json(cli("scan", "--db", str(db_path), "--station", f"bus-{B1}", "--mode", "bus", jean))
    assert (by_place["reason"], by_place["bus"]) == ("boarded", B1)
    assert load_state(connect(db_path)).buses[B1].aboard == {"A001", "A002"}


def test_bus_commands_refuse_a_station_id_other_than_the_enrolled_one(db_path: Path) -> None:
    world = bus_world(db_path)
    set_local_station(world.db, f"bus-{B1}")
    wrong = cli("bus", "depart", "--db", str(db_path), "--station", "bus-V1-B2", "--bus", "V1-B2")
    assert wrong.returncode == 1 and "is enrolled as station 'bus-V1-B1'" in wrong.stderr
    asked = as_json(cli("bus", "depart", "--db", str(db_path), "--bus", B1))  # the enrolled id by default
    assert (asked["reason"], asked["visit"]) == ("confirm_missing", VISIT)
