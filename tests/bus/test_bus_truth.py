"""Issue 11's findings about buses, through the real commands on a real SQLite file.

`eventops status --json`, `eventops bus manifest --json`, `eventops rollcall --json` and the
dashboard's panels say the same thing about who is aboard, who is missing and who left a bus:

- someone on the wrong bus of the visit is elsewhere, not missing, in every view;
- someone scanned into a room after their bus left is off the bus, with where they were seen,
  and an incident says so;
- an undo after the departure or the return is refused at the station, and a void the fold
  receives anyway does not rewrite the trip;
- a visit of 21 March does not show on 20 March;
- the roll call names a bus by visit and bus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checkin import verdict as v
from checkin.bus import depart, return_
from checkin.station import Station, StationConfig
from dashboard.panels import visits as visits_panel
from dashboard.panels.people import bus_people
from db import events as ev
from db import log
from db.fold import load_state
from db.log import Draft, append_many
from db.state import LEFT_BUS
from eventops.cli import main
from tests.bus.world import B1, B2, BOARDING_MS, MINUTE, T0, World, bus_station, bus_world


def eventops(*args: str) -> Any:
    """Run `eventops ARGS --json` in-process (the real click command) and parse its output."""
    result = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def at(hhmm: str, day: str = "2024-03-20") -> str:
    return f"{day}T{hhmm}"


def bus_of(report: dict[str, Any], bus_id: str) -> dict[str, Any]:
    return next(b for visit in report["visits"] for b in visit["buses"] if b["id"] == bus_id)


@pytest.fixture
def world(db_path: Path) -> World:
    return bus_world(db_path)


def test_someone_on_the_wrong_bus_is_elsewhere_not_missing_in_every_view(world: World) -> None:
    """A001, on Coach 1's list, boards Coach 2: Coach 1 misses A002 and A003, everywhere."""
    verdict = bus_station(world, B2).scan(world.token("A001"))
    assert verdict.reason == "other_bus"
    path = str(world.path)
    report = eventops("status", "--db", path, "--at", at("13:20"))
    assert bus_of(report, B1)["missing"] == ["A002", "A003"]
    sheet = eventops("bus", "manifest", "--db", path, "--bus", B1)
    assert [m["id"] for m in sheet["missing"]] == ["A002", "A003"]
    assert [(m["id"], m["other_bus"]) for m in sheet["elsewhere"]] == [("A001", B2)]
    state = load_state(world.db)
    panel = {b.id: b for b in visits_panel.fetch(state, BOARDING_MS + 15 * MINUTE).buses}
    assert panel[B1].missing == ("A002", "A003")
    assert [p.id for p in bus_people(state, B1, BOARDING_MS + 15 * MINUTE).missing] == ["A002", "A003"]
    roll = eventops("rollcall", "--db", path, "--at", at("13:20"))
    assert {p["title"]: [x["id"] for x in p["people"]] for p in roll["places"]}["V1 · Coach 2"] == ["A001"]

    # The departure freezes the same list: the incident names A002 and A003, not A001.
    depart(bus_station(world), confirm_missing=True)
    report = eventops("status", "--db", path)
    assert bus_of(report, B1)["missing"] == ["A002", "A003"]
    assert eventops("bus", "manifest", "--db", path, "--bus", B1)["elsewhere"][0]["id"] == "A001"


def test_a_scan_in_a_room_after_the_departure_takes_a_person_off_the_bus(world: World) -> None:
    """Anna boards Coach 1 at 13:25, it leaves at 13:30, she is scanned into the Plenary at 13:52."""
    station = bus_station(world)
    world.clock.ms = T0 + 325 * MINUTE  # 13:25
    station.scan(world.token("A001"))
    station.scan(world.token("A002"))
    world.clock.ms = T0 + 330 * MINUTE
    assert depart(station, confirm_missing=True).reason == "departed_missing"
    door = Station(world.db, StationConfig("door-R2", "door", room="R2"), wall=lambda: T0 + 352 * MINUTE)
    assert door.scan(world.token("A001")).reason == "entered"
    path = str(world.path)

    sheet = eventops("bus", "manifest", "--db", path, "--bus", B1)
    assert sheet["boarded"] == 1
    assert [(p["id"], p["boarded"], p.get("left")) for p in sheet["people"] if p["id"] in ("A001", "A002")] == [
        ("A002", True, None), ("A001", False, True)  # by last name: Dupont, Müller
    ]
    assert [(p["id"], p["last_seen"]) for p in sheet["left"]] == [("A001", "in room Plenary since 13:52")]
    assert "A001" not in [m["id"] for m in sheet["missing"]]

    report = eventops("status", "--db", path, "--at", at("14:00"))
    line = bus_of(report, B1)
    assert (line["boarded"], line["left"], line["missing"]) == (1, ["A001"], ["A003"])
    left = [i for i in report["incidents"] if i["kind"] == LEFT_BUS]
    assert len(left) == 1 and "Anna Müller" in left[0]["detail"] and "Plenary" in left[0]["detail"]
    assert "13:52" in left[0]["detail"]

    roll = eventops("rollcall", "--db", path, "--at", at("14:00"))
    places = {p["title"]: [x["id"] for x in p["people"]] for p in roll["places"]}
    assert places["Plenary"] == ["A001"] and places["V1 · Coach 1"] == ["A002"]
    state = load_state(world.db)
    panel = {b.id: b for b in visits_panel.fetch(state, T0 + 360 * MINUTE).buses}
    assert (panel[B1].boarded, panel[B1].left) == (1, ("A001",))
    drill = bus_people(state, B1, T0 + 360 * MINUTE)
    assert [p.id for p in drill.people] == ["A002"] and [(p.id, p.since) for p in drill.left] == [("A001", "13:52")]


def test_an_undo_never_reaches_past_the_departure_or_the_return(db_path: Path) -> None:
    world = bus_world(db_path, b1_seats=6)
    station = bus_station(world)
    for attendee in ("A001", "A002", "A003"):
        station.scan(world.token(attendee))
    world.clock.advance(60)
    assert depart(station, confirm_missing=False).reason == "departed"
    refused = station.undo_last(window_s=3600)
    assert (refused.status, refused.reason, refused.event) == (v.REFUSED, v.UNDO_PAST_TRIP, None)
    assert "Coach 1 left at" in refused.detail[0]
    world.clock.advance(3 * 3600)
    assert return_(station).reason == "returned"
    refused = station.undo_last(window_s=4 * 3600)
    assert (refused.reason, refused.event) == (v.UNDO_PAST_TRIP, None)
    assert "came back at" in refused.detail[0]

    # A void the fold receives anyway (an older station) does not rewrite the finished trip.
    boarding = max((e for e in load_state(world.db).events if e.kind == ev.BUS_BOARDED), key=lambda e: e.seq)
    log.append(world.db, f"bus-{B1}", ev.VOID, {"station_id": boarding.station_id, "seq": boarding.seq},
               wall=lambda: world.clock() + MINUTE)
    state = load_state(world.db)
    assert boarding.ident in state.voided
    sheet = eventops("bus", "manifest", "--db", str(world.path), "--bus", B1)
    assert (sheet["state"], sheet["boarded"], sheet["missing"]) == ("returned", 3, [])
    report = eventops("status", "--db", str(world.path))
    assert bus_of(report, B1)["boarded"] == 3


def test_an_undo_while_boarding_still_works(world: World) -> None:
    station = bus_station(world)
    station.scan(world.token("A001"))
    undone = station.undo_last()
    assert undone.reason == v.UNDONE
    assert eventops("bus", "manifest", "--db", str(world.path), "--bus", B1)["boarded"] == 0


def test_a_visit_shows_on_its_own_day_only(world: World) -> None:
    append_many(world.db, "org", [
        Draft(ev.VISIT_ADDED, {"id": "V2", "title": "Port of Antwerp", "day": "2024-03-21",
                               "depart": "2024-03-21T13:30:00+01:00", "return": "2024-03-21T17:00:00+01:00"}),
        Draft(ev.BUS_ADDED, {"id": "V2-B1", "visit": "V2", "capacity": 40, "label": "Coach 1"}),
        Draft(ev.BUS_ASSIGNED, {"visit": "V2", "bus": "V2-B1", "attendee": "A006"}),
        Draft(ev.STATION_ADDED, {"id": "bus-V2-B1", "kind": "bus", "place": "V2-B1"}),
    ], wall=lambda: T0 - 500 * MINUTE)
    bus_station(world).scan(world.token("A001"))  # 13:05 on 20 March, on V1's Coach 1
    tomorrow = Station(world.db, StationConfig("bus-V2-B1", "bus", visit="V2", bus="V2-B1"),
                       wall=lambda: T0 + (24 * 60 + 320) * MINUTE)
    assert tomorrow.scan(world.token("A006")).reason == "boarded"
    path = str(world.path)

    today = eventops("status", "--db", path, "--at", at("13:20"))
    assert [visit["id"] for visit in today["visits"]] == ["V1"]
    state = load_state(world.db)
    assert {b.id for b in visits_panel.fetch(state, BOARDING_MS + 15 * MINUTE).buses} == {B1, B2}
    roll = eventops("rollcall", "--db", path, "--at", at("13:20"))
    assert [p["title"] for p in roll["places"] if p["kind"] == "bus"] == ["V1 · Coach 1"]

    next_day = eventops("status", "--db", path, "--at", at("13:25", "2024-03-21"))
    assert [visit["id"] for visit in next_day["visits"]] == ["V2"]
    roll = eventops("rollcall", "--db", path, "--at", at("13:25", "2024-03-21"))
    assert [(p["title"], [x["id"] for x in p["people"]]) for p in roll["places"] if p["kind"] == "bus"] == [
        ("V2 · Coach 1", ["A006"])
    ]


def test_rollcall_writes_its_csv_and_pdf_and_refuses_a_bad_time(world: World, tmp_path: Path) -> None:
    bus_station(world).scan(world.token("A001"))
    out = tmp_path / "calls"
    roll = eventops("rollcall", "--db", str(world.path), "--at", "13:20", "--out", str(out))
    assert roll["total"] == 1 and Path(roll["files"]["csv"]).parent == out
    assert "V1 · Coach 1" in Path(roll["files"]["csv"]).read_text(encoding="utf-8")
    assert Path(roll["files"]["pdf"]).read_bytes().startswith(b"%PDF")
    bad = CliRunner().invoke(main, ["rollcall", "--db", str(world.path), "--at", "teatime"])
    assert bad.exit_code == 1 and "--at 'teatime'" in bad.output and "Traceback" not in bad.output


def test_a_bus_that_never_left_holds_nobody_the_next_day(world: World) -> None:
    """Anna boarded Coach 1, which never recorded a departure; the next morning she checks in."""
    bus_station(world).scan(world.token("A001"))
    path = str(world.path)
    evening = eventops("rollcall", "--db", path, "--at", at("23:00"))
    assert evening["total"] == 0  # the venue closed with the bus still standing at it
    desk = Station(world.db, StationConfig("desk-1", "desk"), wall=lambda: T0 + (24 * 60 + 60) * MINUTE)
    assert desk.scan(world.token("A001")).reason == "checked_in"
    morning = eventops("rollcall", "--db", path, "--at", at("09:30", "2024-03-21"))
    assert [(p["kind"], [x["id"] for x in p["people"]]) for p in morning["places"]] == [("venue", ["A001"])]
    assert eventops("bus", "manifest", "--db", path, "--bus", B1)["boarded"] == 0
