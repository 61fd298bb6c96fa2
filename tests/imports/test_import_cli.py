"""`eventops import attendees|schedule|visits`: reports on stdout, and for every bad input
one clear line on stderr, exit status 1 or 2, and a database left byte for byte as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.imports.conftest import event_count, fingerprint, run


def test_import_all_three_then_again(closed_event_db: Path, data: Path) -> None:
    db = closed_event_db
    code, out, _ = run("import", "attendees", data / "pretix_orders.csv", "--db", db, "--json")
    assert code == 0 and json.loads(out)["added"] == 6
    code, out, _ = run("import", "schedule", data / "schedule_pretalx.json", "--db", db, "--capacity", "Zaal Van de Velde=60")
    assert code == 0 and "rooms: 3 added" in out and "sessions: 3 added" in out
    code, out, _ = run("import", "visits", data / "visits.csv", "--db", db)
    assert code == 0 and "assignments: 4 added" in out
    events = event_count(db)
    code, out, _ = run("import", "attendees", data / "pretix_orders.csv", "--db", db)
    assert code == 0 and "0 added, 0 updated, 6 unchanged" in out and "appended 0 events" in out
    assert event_count(db) == events


def test_dry_run_leaves_the_file_untouched(closed_event_db: Path, data: Path) -> None:
    before = fingerprint(closed_event_db)
    code, out, _ = run("import", "attendees", data / "eventbrite_attendees.csv", "--db", closed_event_db, "--dry-run")
    assert code == 0 and "dry run" in out and "would append 3 events" in out
    assert fingerprint(closed_event_db) == before


@pytest.mark.parametrize(
    "kind,name,words",
    [
        ("attendees", "no_such_file.csv", "no such file"),
        ("attendees", "broken_unterminated_quote.csv", "line 2: malformed CSV"),
        ("attendees", "broken_wrong_columns.csv", "line 3: 5 fields but the header has 4"),
        ("attendees", "broken_no_name_column.csv", "no name column"),
        ("schedule", "broken_invalid.xml", "line 8: invalid XML"),
        ("schedule", "broken_schedule.json", "invalid JSON"),
        ("schedule", "broken_bad_capacity.csv", "is not a whole number of places"),
        ("visits", "broken_visits_unknown_attendee.csv", "no attendee"),
        ("attendees", ".", "is a directory"),
    ],
)
def test_bad_file_one_line_exit_1_database_unchanged(closed_event_db: Path, data: Path, kind: str, name: str, words: str) -> None:
    before = fingerprint(closed_event_db)
    code, out, err = run("import", kind, data / name, "--db", closed_event_db)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err + out
    assert fingerprint(closed_event_db) == before


@pytest.mark.parametrize(
    "extra,words",
    [
        (["--map", "Company"], "is not COLUMN=FIELD"),
        (["--map", "Company=salary"], "unknown field 'salary'"),
        (["--preset", "ticketmaster"], "Invalid value for '--preset'"),
        (["--bogus"], "No such option"),
    ],
)
def test_bad_option_exit_2_database_unchanged(closed_event_db: Path, data: Path, extra: list[str], words: str) -> None:
    before = fingerprint(closed_event_db)
    code, _, err = run("import", "attendees", data / "pretix_orders.csv", "--db", closed_event_db, *extra)
    assert code == 2 and words in err and "Traceback" not in err
    if extra[0] == "--map":
        assert err.strip().splitlines() == [err.strip()]  # our own checks: one line
    assert fingerprint(closed_event_db) == before


def test_bad_capacity_option_exit_2(closed_event_db: Path, data: Path) -> None:
    code, _, err = run("import", "schedule", data / "schedule_frab.xml", "--db", closed_event_db, "--capacity", "Salle Horta=lots")
    assert code == 2 and err.strip() == "Error: --capacity: capacity 'lots' is not a whole number of places"
    assert event_count(closed_event_db) == 2  # the organiser's key and the event, nothing more


def test_wrong_kind_of_database(tmp_path: Path, data: Path) -> None:
    import sqlite3

    other = tmp_path / "crm.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    before = fingerprint(other)
    for db in (other, data / "schedule.csv", tmp_path / "missing.db"):
        code, _, err = run("import", "attendees", data / "pretix_orders.csv", "--db", db)
        assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert fingerprint(other) == before
    assert not (tmp_path / "missing.db").exists()


def test_database_without_event_names_the_fix(db_path: Path, data: Path) -> None:
    from db.connect import connect

    connect(db_path).conn.close()
    code, _, err = run("import", "schedule", data / "schedule.csv", "--db", db_path)
    assert code == 1 and "eventops init --db" in err and event_count(db_path) == 0


def test_real_process_prints_no_traceback(closed_event_db: Path, data: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "eventops", "import", "schedule", str(data / "broken_invalid.xml"), "--db", str(closed_event_db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "invalid XML" in proc.stderr


def test_json_lists_every_problem(closed_event_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "many.csv"
    sheet.write_text("Name;City\n" + "".join(f";City {i}\n" for i in range(12)), encoding="utf-8")
    code, out, err = run("import", "attendees", sheet, "--db", closed_event_db, "--json")
    assert code == 1 and "and 4 more (--json lists them all)" in err
    problems = json.loads(out)["problems"]
    assert [p["line"] for p in problems] == list(range(2, 14))
    assert problems[0]["message"] == "no name (the name columns are empty)"
