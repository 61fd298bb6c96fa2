"""`eventops export ...` through the real command on a real event database: attendance by
attendee and by session, no-shows, incidents, and agreement with `eventops status --json`."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import events as ev
from db.log import Draft, append_many
from eventops.cli import main
from tests.station.world import MINUTE, T0, a_day_of_attendance, build, scan_at


@pytest.fixture
def event_db(tmp_path: Path) -> Path:
    """Two people check in on day one and go to the morning session in the Atelier (capacity 1,
    so the second is over capacity: an incident); a third checks in on day two; three never come."""
    return a_day_of_attendance(tmp_path / "event.db", capacity=1)


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_attendance_by_attendee_lists_days_and_sessions(event_db: Path) -> None:
    rows = {r["attendee"]: r for r in json.loads(run("export", "attendance", "--db", str(event_db), "--json"))}
    anna = rows["A001"]
    assert [(d["day"], d["station"], d["first"]) for d in anna["days"]] == [
        ("2024-03-20", "desk-1", "2024-03-20T08:50:00+01:00")]
    assert [(s["session"], s["room"], s["entry"], s["exit"], s["minutes"]) for s in anna["sessions"]] == [
        ("S1", "Atelier", "2024-03-20T09:05:00+01:00", "2024-03-20T10:05:00+01:00", 60)]
    jean = rows["A002"]["sessions"][0]  # never scanned out: present until the session ended
    assert (jean["entry"], jean["minutes"]) == ("2024-03-20T09:10:00+01:00", 200)
    assert [d["day"] for d in rows["A003"]["days"]] == ["2024-03-21"] and rows["A003"]["sessions"] == []


def test_attendance_by_attendee_csv_to_a_file(event_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "attendance.csv"
    assert run("export", "attendance", "--db", str(event_db), "--by", "attendee", "--out", str(out)) == ""
    lines = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {(r["attendee"], r["what"]) for r in lines} == {
        ("A001", "checkin"), ("A001", "session"), ("A002", "checkin"), ("A002", "session"), ("A003", "checkin")}
    session_line = next(r for r in lines if r["attendee"] == "A001" and r["what"] == "session")
    assert (session_line["station_or_room"], session_line["minutes"]) == ("Atelier", "60")


def test_attendance_by_session_counts_people_and_peak(event_db: Path) -> None:
    (morning,) = json.loads(run("export", "attendance", "--db", str(event_db), "--by", "session", "--json"))
    assert (morning["session"], morning["count"], morning["peak"]) == ("S1", 2, 2)
    assert morning["peak_at"] == "2024-03-20T09:10:00+01:00"
    assert [p["attendee"] for p in morning["people"]] == ["A002", "A001"]  # by name: Dupont, Müller
    text = run("export", "attendance", "--db", str(event_db), "--by", "session")
    (line,) = csv.DictReader(io.StringIO(text))
    assert (line["count"], line["peak"], line["peak_at"]) == ("2", "2", "2024-03-20T09:10:00+01:00")


def test_attendance_as_of_a_moment(event_db: Path) -> None:
    (morning,) = json.loads(run("export", "attendance", "--db", str(event_db), "--by", "session",
                                "--at", "2024-03-20T09:07", "--json"))
    assert (morning["count"], morning["peak"]) == (1, 1)


def test_no_shows_are_those_never_checked_in(event_db: Path) -> None:
    rows = json.loads(run("export", "no-shows", "--db", str(event_db), "--json"))
    assert sorted(r["attendee"] for r in rows) == ["A004", "A005", "A006"]
    text = run("export", "no-shows", "--db", str(event_db))
    assert text.splitlines()[0] == "attendee,name,organisation,email" and len(text.splitlines()) == 4


def test_incidents_csv_has_every_incident(event_db: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("export", "incidents", "--db", str(event_db)))))
    assert rows and all(r["acknowledged"] in ("yes", "no") for r in rows)
    assert any(r["kind"] == "over_capacity" and r["station"] == "door-R1" for r in rows)


def test_exports_agree_with_status(event_db: Path) -> None:
    status = json.loads(run("status", "--db", str(event_db), "--json"))
    people = json.loads(run("export", "attendance", "--db", str(event_db), "--json"))
    per_day = Counter(day["day"] for person in people for day in person["days"])
    assert {d: n for d, n in status["checked_in"].items() if n} == dict(per_day)
    no_shows = json.loads(run("export", "no-shows", "--db", str(event_db), "--json"))
    assert len(no_shows) == status["attendees"] - len({p["attendee"] for p in people if p["days"]})
    incidents = json.loads(run("export", "incidents", "--db", str(event_db), "--json"))
    assert incidents == list(reversed(status["incidents"]))


def test_an_empty_database_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "incidents", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_a_voided_entry_never_happened_and_a_second_scan_is_the_same_stay(tmp_path: Path) -> None:
    world = build(tmp_path / "event.db", capacity=10)
    scan_at(world, "door-R1", T0 + 65 * MINUTE, ev.DOOR_ENTRY, attendee="A001", room="R1")  # 09:05
    scan_at(world, "door-R1", T0 + 80 * MINUTE, ev.DOOR_ENTRY, attendee="A001", room="R1")  # 09:20, again
    scan_at(world, "door-R1", T0 + 81 * MINUTE, ev.DOOR_ENTRY, attendee="A004", room="R1")  # 09:21, a mistake
    (mistake,) = append_many(world.db, "door-R1", [Draft(ev.DOOR_EXIT, {"attendee": "A001", "room": "R1"})],
                             wall=lambda: T0 + 95 * MINUTE)  # 09:35
    seq = mistake.seq - 1  # A004's entry
    scan_at(world, "door-R1", T0 + 96 * MINUTE, ev.VOID, station_id="door-R1", seq=seq)
    world.db.conn.close()
    rows = {r["attendee"]: r for r in json.loads(run("export", "attendance", "--db", str(world.path), "--json"))}
    assert [(s["entry"], s["exit"], s["minutes"]) for s in rows["A001"]["sessions"]] == [
        ("2024-03-20T09:05:00+01:00", "2024-03-20T09:35:00+01:00", 30)]
    assert rows["A004"]["sessions"] == []
    (morning,) = json.loads(run("export", "attendance", "--db", str(world.path), "--by", "session", "--json"))
    assert (morning["count"], morning["peak"]) == (1, 1)


def test_a_voided_scan_after_a_continued_stay_changes_nothing(tmp_path: Path) -> None:
    world = build(tmp_path / "event.db", capacity=10)
    scan_at(world, "door-R1", T0 + 65 * MINUTE, ev.DOOR_ENTRY, attendee="A001", room="R1")  # 09:05
    scan_at(world, "door-R1", T0 + 80 * MINUTE, ev.DOOR_ENTRY, attendee="A001", room="R1")  # 09:20, again
    (mistake,) = append_many(world.db, "door-R2", [Draft(ev.DOOR_ENTRY, {"attendee": "A001", "room": "R2"})],
                             wall=lambda: T0 + 300 * MINUTE)  # 13:00 at a door, undone at once
    scan_at(world, "door-R2", T0 + 301 * MINUTE, ev.VOID, station_id="door-R2", seq=mistake.seq)
    world.db.conn.close()
    rows = {r["attendee"]: r for r in json.loads(run("export", "attendance", "--db", str(world.path), "--json"))}
    assert [(s["room"], s["entry"], s["minutes"]) for s in rows["A001"]["sessions"]] == [
        ("Atelier", "2024-03-20T09:05:00+01:00", 205)]
