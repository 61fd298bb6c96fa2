"""A log with two `event.created`: imports, the dashboard and status all read the first, as the fold does.

The second one is what a careless second `init` tool or a merged foreign log leaves; the fold
ignores it, and so must every other reader (they once took the last one, or the union of days,
and defaulted to UTC where the fold says Europe/Brussels).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.run import check_replay_day
from db import events as ev
from db import log
from db.connect import connect
from db.errors import EventOpsError
from db.event import event_info
from db.imports import import_schedule
from db.imports.current import event_facts
from eventops.cli import main

FIRST_DAYS = ["2024-03-20", "2024-03-21"]


@pytest.fixture
def two_events(db_path: Path) -> Path:
    db = connect(db_path)
    # The first names no time zone: the fold's default is Europe/Brussels.
    log.append(db, "org", ev.EVENT_CREATED, {"id": "FIRST", "name": "First", "days": FIRST_DAYS})
    log.append(db, "org", ev.EVENT_CREATED, {"id": "SECOND", "name": "Second", "days": ["2024-04-01"], "tz": "Asia/Tokyo"})
    db.conn.close()
    return db_path


def test_the_fold_reads_the_first(two_events: Path) -> None:
    info = event_info(connect(two_events))
    assert info is not None and (info.id, info.days, info.tz) == ("FIRST", tuple(FIRST_DAYS), "Europe/Brussels")


def test_imports_read_the_first(two_events: Path) -> None:
    db = connect(two_events)
    facts = event_facts(db)
    assert (facts.id, facts.days, facts.tz) == ("FIRST", tuple(FIRST_DAYS), "Europe/Brussels")
    schedule = (
        b"title,room,start,end\n"
        b"Opening,Plenary,2024-03-20 09:00,2024-03-20 10:00\n"
        b"Elsewhere,Plenary,2024-04-01 09:00,2024-04-01 10:00\n"
    )
    report = import_schedule(db, schedule, name="programme.csv")
    assert any("'Elsewhere' is on 2024-04-01, not one of the event's days" in w for w in report.warnings)
    opening = next(e for e in log.iter_events(db, [ev.SESSION_ADDED]) if e.data["title"] == "Opening")
    assert opening.data["start"].startswith("2024-03-20T09:00") and opening.data["start"].endswith("+01:00")


def test_the_dashboard_replays_only_the_first_events_days(two_events: Path) -> None:
    check_replay_day(two_events, "2024-03-21")
    with pytest.raises(EventOpsError, match=r"2024-04-01 is not a day of this event \(2024-03-20, 2024-03-21\)"):
        check_replay_day(two_events, "2024-04-01")
    result = CliRunner().invoke(main, ["dashboard", "--db", str(two_events), "--replay", "2024-04-01"])
    assert result.exit_code == 1 and "is not a day of this event (2024-03-20, 2024-03-21)" in result.output


def test_status_reads_the_first(two_events: Path) -> None:
    result = CliRunner().invoke(main, ["status", "--db", str(two_events), "--json"])
    assert result.exit_code == 0, result.output
    event = json.loads(result.stdout)["event"]
    assert (event["id"], event["days"], event["tz"]) == ("FIRST", FIRST_DAYS, "Europe/Brussels")
