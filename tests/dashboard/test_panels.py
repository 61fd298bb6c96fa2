"""The panels as data: the numbers each panel shows are the ones `eventops status` reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from checkin.bus import manifest
from dashboard.board import Board, Moment, open_board
from dashboard.panels import arrivals, incidents, rooms, stations, visits
from dashboard.panels.people import bus_people, roll_call, room_people
from db.connect import connect
from db.fold import load_state
from db.status import reference_now, status
from tests.dashboard import scene
from tests.dashboard.conftest import played_demo


def _status_and_board(db_path: Path) -> tuple[dict, Board]:
    db = connect(db_path, create=False)
    try:
        state = load_state(db)
    finally:
        db.conn.close()
    board, _ = open_board(db_path)
    now = reference_now(state, board.wall())
    return status(state, now), board


def assert_panels_match_status(report: dict, board: Board) -> None:
    panels = board.panels()
    assert panels.clock.endswith(report["as_of"][11:19])
    day = panels.arrivals.day
    assert panels.arrivals.checked_in == report["checked_in"][day]
    assert panels.arrivals.registered == report["attendees"]
    assert sum(r.registered for r in panels.arrivals.roles) == report["attendees"]
    assert {(r.id, r.occupancy, r.capacity, r.session or None) for r in panels.rooms.rooms} == {
        (r["id"], r["occupancy"], r["capacity"], r["session"]) for r in report["rooms"]
    }
    assert {v["day"] for v in report["visits"]} <= {day}  # a visit shows on its own day only
    reported = {b["id"]: b for v in report["visits"] for b in v["buses"]}
    assert {b.id for b in panels.visits.buses} == set(reported)
    for bus in panels.visits.buses:
        expected = reported[bus.id]
        assert (bus.boarded, bus.assigned, list(bus.missing), list(bus.left), bus.state) == (
            expected["boarded"], expected["assigned"], expected["missing"], expected["left"], expected["state"]
        )
    open_ids = [i["id"] for i in report["incidents"] if not i["acknowledged"]]
    assert panels.incidents.open_count == len(open_ids)
    assert [i.id for i in panels.incidents.open] == open_ids[: incidents.LISTED]
    assert {s.id for s in panels.stations.stations} == {s["id"] for s in report["stations"]}
    roll = roll_call(board.state, panels.now_ms)
    assert roll.total == sum(report["present"].values())


@pytest.fixture(scope="module")
def demo_afternoon_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real demo played to 15:00 on its second day: its field visits are on the road."""
    return played_demo(tmp_path_factory, "demo-visits", f"{VISIT_DAY}T15:00")


VISIT_DAY = "2024-03-21"


def test_demo_buses_count_the_same_in_the_panel_the_drill_down_the_manifest_and_the_roll_call(
    demo_afternoon_db: Path,
) -> None:
    """Issue 11: V2-B1 showed 36/43 on the panel and `24 / 50 inside` in its drill-down."""
    report, board = _status_and_board(demo_afternoon_db)
    assert_panels_match_status(report, board)
    state, now = board.state, board.now_ms()
    panel = board.panels().visits.buses
    assert panel and {b.visit for b in panel} == {v.id for v in state.visits.values() if v.day == VISIT_DAY}
    roll = {p.ref: len(p.people) for p in roll_call(state, now).places if p.kind == "bus"}
    for line in panel:
        drill = bus_people(state, line.id, now)
        sheet = manifest(state, line.id, now)
        assert line.boarded == len(drill.people) == sheet.boarded == roll.get(line.id, 0), line.id
        assert line.missing == tuple(sorted(p.id for p in drill.missing)) == tuple(sorted(p.attendee for p in sheet.missing))


def test_replaying_the_first_day_lists_none_of_the_second_days_buses(demo_afternoon_db: Path) -> None:
    board, _ = open_board(demo_afternoon_db, Moment("frozen", at="2024-03-20T13:30"))
    assert board.panels().visits.buses == ()
    assert [v["id"] for v in status(board.state, board.now_ms())["visits"]] == []


def test_scene_panels_show_what_status_reports(scene_db: Path) -> None:
    report, board = _status_and_board(scene_db)
    assert_panels_match_status(report, board)


def test_demo_panels_show_what_status_json_prints(demo_db: Path) -> None:
    import json

    printed = subprocess.run(
        [sys.executable, "-m", "eventops", "status", "--db", str(demo_db), "--json"],
        capture_output=True, text=True, check=True,
    ).stdout
    board, _ = open_board(demo_db)
    assert_panels_match_status(json.loads(printed), board)


def test_rooms_needing_attention_come_first(scene_db: Path) -> None:
    board, _ = open_board(scene_db, Moment("frozen", at=scene.AT))
    data = rooms.fetch(board.state, scene.AT_MS)
    assert [(r.name, r.occupancy, r.capacity, r.level) for r in data.rooms[:2]] == [
        ("Small room", 13, 12, rooms.OVER),
        ("Atelier Liège", 32, 40, rooms.WARN),
    ]
    assert data.rooms[-1].level == rooms.OK


def test_arrivals_per_five_minutes_add_up_to_the_check_ins(scene_db: Path) -> None:
    board, _ = open_board(scene_db, Moment("frozen", at=scene.AT))
    data = arrivals.fetch(board.state, scene.AT_MS)
    assert data.checked_in == 116 and data.registered == 120
    assert sum(data.buckets) == data.checked_in
    assert data.chart_from == "07:00" and data.chart_to == "10:30"
    assert data.rate_per_hour == data.last_15_min * 4 > 0


def test_buses_say_who_is_missing(scene_db: Path) -> None:
    board, _ = open_board(scene_db, Moment("frozen", at=scene.AT))
    data = visits.fetch(board.state, scene.AT_MS)
    by_id = {b.id: b for b in data.buses}
    assert by_id["V1-B1"].state_label == "departed 10:20"
    assert by_id["V1-B1"].missing == ("A0109", "A0110")
    assert (by_id["V1-B2"].boarded, by_id["V1-B2"].assigned) == (7, 10)
    assert data.missing == 2  # only the bus that left counts as leaving people behind
    aboard = bus_people(board.state, "V1-B1", scene.AT_MS)
    assert len(aboard.people) == 8 and [p.id for p in aboard.missing] == ["A0109", "A0110"]


def test_a_desk_that_stopped_scanning_is_marked_silent(scene_db: Path) -> None:
    board, _ = open_board(scene_db, Moment("frozen", at=scene.AT))
    data = stations.fetch(board.state, scene.AT_MS)
    silent = {s.id: s.silent_min for s in data.stations if s.silent_min is not None}
    assert list(silent) == ["desk-3"]
    assert data.stations[0].id == "desk-3"
    assert {s.id: s.place for s in data.stations}["door-R5"] == "Small room"


def test_incidents_newest_first(scene_db: Path) -> None:
    board, _ = open_board(scene_db, Moment("frozen", at=scene.AT))
    data = incidents.fetch(board.state, scene.AT_MS)
    assert [i.kind_label for i in data.open] == [
        "over capacity", "bus left, missing", "double admission", "forged badge", "revoked badge",
    ]
    assert [i.at_ms for i in data.open] == sorted((i.at_ms for i in data.open), reverse=True)


def test_a_room_lists_the_people_its_occupancy_counts(scene_db: Path) -> None:
    board, _ = open_board(scene_db, Moment("frozen", at=scene.AT))
    people = room_people(board.state, "R5", scene.AT_MS)
    assert len(people.people) == 13
    assert {p.id for p in people.people} == {scene.attendee_id(i) for i in range(87, 100)}
    assert all(p.since and p.org for p in people.people)


def test_replay_releases_events_as_its_clock_passes_them(scene_db: Path) -> None:
    ticks = [0.0]
    board, _ = open_board(scene_db, Moment("replay", scene.DAY, 60.0, "09:00"), monotonic=lambda: ticks[0])
    assert board.panels().clock.endswith("09:00:00")
    before = board.panels().arrivals.checked_in
    ticks[0] = 30.0  # 30 real seconds at 60x: half an hour later
    board.apply(board.due())
    after = board.panels()
    assert after.clock.endswith("09:30:00")
    assert after.arrivals.checked_in > before
    ticks[0] = 600.0
    board.apply(board.due())
    assert board.replay_done and board.panels().arrivals.checked_in == 116


def test_incidents_of_an_earlier_day_say_which_day(scene_db: Path) -> None:
    board, _ = open_board(scene_db, Moment("frozen", at="2024-03-21T09:00"))
    data = incidents.fetch(board.state, board.now_ms())
    assert data.open and {i.day_label for i in data.open} == {"Wed 20 Mar"}
    today = incidents.fetch(board.state, scene.AT_MS)
    assert {i.day_label for i in today.open} == {""}


def test_role_counts_kept_between_refreshes_survive_a_late_check_in() -> None:
    """A late desk rewinds the fold, which puts check-ins back in another order: the counts the
    board keeps between refreshes stay those of a count from scratch."""
    from db import events as ev
    from db.fold import EventState
    from tests.db.factory import Log, reference

    log = Log()
    reference(log, attendees=2)
    for i, role in ((3, "press"), (4, "police"), (5, "speaker")):
        log.add("org", -300 + i, ev.ATTENDEE_REGISTERED, id=f"A{i:03d}", name=f"Person {i}", role=role)
    state, kept = EventState(), arrivals.RoleCounts()
    state.apply(log.events)
    for minutes, attendee in ((10, "A001"), (20, "A003"), (30, "A004")):
        state.apply([log.add("desk-1", minutes, ev.DESK_CHECKIN, attendee=attendee, first=True)])
        kept.arrived(state, "2024-03-20")
    state.apply([log.add("desk-2", 15, ev.DESK_CHECKIN, attendee="A005", first=True)])  # offline until now
    assert state.rebuilds > 0
    assert kept.arrived(state, "2024-03-20") == arrivals.RoleCounts().arrived(state, "2024-03-20") == {
        "police": 2, "press": 1, "speaker": 1}
