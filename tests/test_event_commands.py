"""`eventops init`, `attendees` and `status` from the command line, good input and bad."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from db import events as ev
from db import log
from db.connect import connect
from eventops.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def make_event(path: Path) -> None:
    code, out, _ = run("init", "--db", str(path), "--name", "Security, Democracy & Cities", "--days", "2024-03-20:2024-03-22")
    assert code == 0, out
    db = connect(path)
    log.append_many(db, "org", [
        log.Draft(ev.ATTENDEE_REGISTERED, {"id": "A1", "name": "Jürgen Müller", "org": "Stadt Köln", "city": "Köln", "country": "DE", "role": "police"}),
        log.Draft(ev.ATTENDEE_REGISTERED, {"id": "A2", "name": "Anne Dupont", "org": "Ville de Liège", "city": "Liège", "country": "BE", "role": "elected official"}),
        log.Draft(ev.ROOM_ADDED, {"id": "R1", "name": "Plenary", "capacity": 400}),
    ])
    db.conn.close()


def test_init_creates_an_event_that_status_reports(db_path: Path) -> None:
    make_event(db_path)
    code, out, _ = run("status", "--db", str(db_path), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["event"]["name"] == "Security, Democracy & Cities"
    assert report["checked_in"] == {"2024-03-20": 0, "2024-03-21": 0, "2024-03-22": 0}
    assert report["attendees"] == 2
    assert report["rooms"] == [{"id": "R1", "name": "Plenary", "capacity": 400, "occupancy": 0, "session": None}]
    assert report["vector"] == {"org": 5}  # the organiser's key, the event, and three set-up events
    code, out, _ = run("status", "--db", str(db_path))
    assert code == 0 and "Plenary" in out and "2 registered" in out


def test_attendee_search_ignores_accents_and_case(db_path: Path) -> None:
    make_event(db_path)
    code, out, _ = run("attendees", "--db", str(db_path), "--search", "muller", "--json")
    assert code == 0
    assert [a["name"] for a in json.loads(out)] == ["Jürgen Müller"]
    code, out, _ = run("attendees", "--db", str(db_path), "--search", "LIEGE", "--json")
    assert [a["id"] for a in json.loads(out)] == ["A2"]
    assert "email" not in json.loads(out)[0]


def contents(path: Path) -> list[str]:
    """Everything the database holds, as SQL (a WAL checkpoint that moves pages is not a change)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_init_twice_is_refused_and_changes_nothing(db_path: Path) -> None:
    make_event(db_path)
    before = contents(db_path)
    code, _, err = run("init", "--db", str(db_path), "--name", "Other", "--days", "2024-05-01:2024-05-02")
    assert code == 1 and "already holds an event" in err
    assert contents(db_path) == before


def test_bad_input_is_one_clear_line_without_traceback(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database at all\n" * 10)
    cases = [
        (["status", "--db", str(text)], "not an SQLite database"),
        (["status", "--db", str(tmp_path / "missing.db")], "does not exist"),
        (["init", "--db", str(tmp_path / "x.db"), "--name", "X", "--days", "2024-13-01:2024-13-02"], "expected YYYY-MM-DD"),
        (["init", "--db", str(tmp_path / "x.db"), "--name", "X", "--days", "2024-03-22:2024-03-20"], "before the first"),
        (["init", "--db", str(tmp_path / "x.db"), "--name", "X", "--days", "2024-03-20", "--tz", "Mars/Olympus"], "unknown time zone"),
    ]
    for args, message in cases:
        code, out, err = run(*args)
        assert code == 1, (args, out, err)
        assert message in err and "Traceback" not in err + out
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.db").exists()
    assert text.read_text().startswith("not a database")


def test_other_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    code, _, err = run("status", "--db", str(other))
    assert code == 1 and "another application" in err
    assert other.read_bytes() == before
