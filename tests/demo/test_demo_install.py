"""Installing the demo: one transaction as the organiser, dated the day before the event,
deterministic for a seed, and never on top of another event."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from db import log
from db.demo import EventExists, build_demo, install_demo
from db.errors import EventOpsError
from db.event import create_event
from db.fold import load_state

ROOT = Path(__file__).resolve().parents[2]
SETUP_MS = int(datetime(2024, 3, 19, 11, 0, tzinfo=UTC).timestamp() * 1000)  # 12:00 in Brussels

DIGEST = """
import hashlib, json
from db.demo import build_demo
drafts = [[d.kind, d.data] for d in build_demo(7).drafts]
print(hashlib.sha256(json.dumps(drafts, ensure_ascii=False).encode()).hexdigest())
"""


def _digest(seed: int) -> str:
    drafts = [[d.kind, d.data] for d in build_demo(seed).drafts]
    return hashlib.sha256(json.dumps(drafts, ensure_ascii=False).encode()).hexdigest()


def _log_snapshot(db: Database) -> tuple[int, dict[str, int], list[tuple[object, ...]]]:
    clock = db.execute("SELECT last_hlc FROM clock").fetchall()
    return log.count(db), log.vector(db), [tuple(r) for r in clock]


def test_same_seed_same_demo_different_seed_other_people() -> None:
    assert build_demo(7) == build_demo(7)
    other = build_demo(8)
    assert [a.name for a in other.attendees] != [a.name for a in build_demo(7).attendees]
    assert len(other.attendees) == 700 and len(other.sessions) == len(build_demo(7).sessions)


def test_same_seed_same_demo_in_another_process() -> None:
    """Nothing depends on Python's per-process string hashing."""
    expected = _digest(7)
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", DIGEST], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == expected


def test_install_appends_everything_as_the_organiser_before_the_event(fresh_db: Database) -> None:
    demo = install_demo(fresh_db)
    key, *events = log.all_events(fresh_db)  # the organiser's first event announces its key
    assert key.kind == "node.key" and key.data["station"] == "org" and key.data["kind"] == "organiser"
    assert len(events) == len(demo.drafts)
    assert log.vector(fresh_db) == {"org": len(demo.drafts) + 1}
    assert [(e.kind, dict(e.data)) for e in events] == [(d.kind, dict(d.data)) for d in demo.drafts]
    assert [e.at_ms for e in events] == list(range(SETUP_MS + 1, SETUP_MS + 1 + len(events)))
    assert events[-1].at_ms < demo.sessions[0].start_ms


def test_the_fold_sees_the_whole_demo(fresh_db: Database) -> None:
    demo = install_demo(fresh_db, seed=3)
    state = load_state(fresh_db)
    assert state.info is not None and state.info.demo and state.info.id == "SDC24"
    assert len(state.attendees) == 700
    assert state.attendees["A0001"].name == demo.attendees[0].name
    assert set(state.rooms) == {r.id for r in demo.rooms}
    assert set(state.sessions) == {s.id for s in demo.sessions}
    assert set(state.visits) == {v.id for v in demo.visits}
    for bus in demo.buses:
        assert state.buses[bus.id].assigned == set(bus.assigned)
        assert state.buses[bus.id].capacity == bus.capacity
    assert {s.id: (s.kind, s.place) for s in state.stations.values()} == {
        s.id: (s.kind, s.place) for s in demo.stations
    }


def test_a_second_install_is_refused_and_changes_nothing(fresh_db: Database) -> None:
    install_demo(fresh_db)
    before = _log_snapshot(fresh_db)
    with pytest.raises(EventOpsError, match="already has an event"):
        install_demo(fresh_db, seed=8)
    assert _log_snapshot(fresh_db) == before


def test_install_refuses_a_database_holding_another_event(fresh_db: Database) -> None:
    create_event(fresh_db, "Our own conference", ["2024-05-02"], "Europe/Brussels")
    before = _log_snapshot(fresh_db)
    with pytest.raises(EventExists, match="already has an event \\(Our own conference\\)"):
        install_demo(fresh_db)
    assert _log_snapshot(fresh_db) == before


def test_install_refuses_a_database_with_events_but_no_event(fresh_db: Database) -> None:
    log.append(fresh_db, "desk-1", "checkin.desk", {"attendee": "A0001", "first": True, "via": "scan"})
    with pytest.raises(EventExists, match="already holds 1 events"):
        install_demo(fresh_db)
    assert log.count(fresh_db) == 1


def test_install_is_one_transaction(fresh_db: Database) -> None:
    """A failure at the very last event (here: the disk refuses it) leaves the log empty."""
    fresh_db.execute(
        """
        CREATE TEMP TRIGGER refuse_last BEFORE INSERT ON events
        WHEN NEW.kind = 'station.added' AND NEW.data LIKE '%"id":"ops"%'
        BEGIN SELECT RAISE(ABORT, 'disk full'); END
        """
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        install_demo(fresh_db)
    assert _log_snapshot(fresh_db) == (0, {}, [(0,)])
    fresh_db.execute("DROP TRIGGER temp.refuse_last")
    install_demo(fresh_db)
    assert log.count(fresh_db) == len(build_demo().drafts) + 1  # and the organiser's key
