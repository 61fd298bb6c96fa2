"""A demo happening today: its three days start today, a badge scanned now counts today, the
first run's progress moves, and the accelerated simulator skips the night."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from checkin.badges.keys import load_signing_key, token_for
from checkin.simulator.run import MORNING_LEAD_MS, Simulation
from checkin.simulator.setup import init_demo, today
from db.connect import connect
from db.demo import build_demo
from db.demo.programme import DAYS
from db.fold import load_state

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Europe/Brussels")


def eventops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eventops", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_a_moved_demo_is_the_same_event_on_other_days() -> None:
    fixed, moved = build_demo(7), build_demo(7, "2026-07-01")  # a summer day: +02:00 in Brussels
    assert fixed.days == DAYS and moved.days == ("2026-07-01", "2026-07-02", "2026-07-03")
    assert [a.name for a in moved.attendees] == [a.name for a in fixed.attendees]
    for before, after in zip(fixed.sessions, moved.sessions, strict=True):
        assert (after.title, after.room, after.speakers) == (before.title, before.room, before.speakers)
        assert after.start[11:16] == before.start[11:16] and after.start.endswith("+02:00")
        assert after.day == moved.days[fixed.days.index(before.day)]
    assert [v.depart[11:16] for v in moved.visits] == [v.depart[11:16] for v in fixed.visits]
    assert {v.day for v in moved.visits} == {moved.days[1]}
    assert datetime.fromtimestamp(moved.setup_ms / 1000, TZ).isoformat()[:16] == "2026-06-30T12:00"


def test_demo_init_today_then_a_scan_now_counts_today(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    made = eventops("demo", "init", "--db", str(path), "--today")
    assert made.returncode == 0, made.stderr
    state = load_state(connect(path))
    assert state.info is not None and state.info.days[0] == today()
    visitor = sorted(state.attendees)[0]
    token = token_for(state, load_signing_key(path), visitor)
    scanned = eventops("scan", "--db", str(path), "--station", "desk-1", token)
    verdict = json.loads(scanned.stdout)
    assert (verdict["status"], verdict["reason"]) == ("ok", "checked_in"), scanned.stderr
    day = datetime.fromtimestamp(verdict["at_ms"] / 1000, TZ).date().isoformat()  # today, even across midnight
    status = json.loads(eventops("status", "--db", str(path), "--json").stdout)
    assert status["checked_in"][day] == 1 and status["as_of"][:10] == day
    assert list(status["checked_in"]) == list(state.info.days)


def test_the_fixed_demo_keeps_its_march_days(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    assert eventops("demo", "init", "--db", str(path)).returncode == 0
    info = load_state(connect(path)).info
    assert info is not None and info.days == DAYS


def test_simulating_a_demo_of_today_never_plays_past_now(tmp_path: Path) -> None:
    """Started yesterday, so today's morning is played; nothing later than now is written."""
    path = tmp_path / "demo.db"
    init_demo(path, first_day=(date.fromisoformat(today()) - timedelta(days=1)).isoformat())
    result = eventops("demo", "simulate", "--db", str(path))
    assert result.returncode == 0, result.stderr
    after = int(time.time() * 1000)
    state = load_state(connect(path))
    assert 0 < state.last_scan_ms <= after


def test_the_accelerated_simulator_skips_the_night(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    init_demo(path)
    db = connect(path, create=False)
    sim = Simulation(db, path)
    times = sorted(step.at_ms for step in sim.steps())
    evening = max(t for t in times if sim.demo.days[0] in datetime.fromtimestamp(t / 1000, TZ).isoformat()[:10])
    morning = min(t for t in times if t > evening)
    ticks = {"n": 0}

    def monotonic() -> float:  # one simulated minute per reading at speed 60
        ticks["n"] += 1
        return float(ticks["n"])

    sim.run_live(evening, 60.0, stop=lambda: ticks["n"] > 6, monotonic=monotonic, sleep=lambda _: None)
    assert sim.done_until >= morning - MORNING_LEAD_MS  # 6 minutes of play reached the next morning
    db.conn.close()


@pytest.mark.timeout(300)
def test_the_first_runs_progress_moves(tmp_path: Path) -> None:
    """The real `eventops demo`: its progress lines on stderr count up to 100 % (it stayed at 0 %)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "eventops", "demo", "--db", str(tmp_path / "demo.db"), "--fixed-days"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    finished = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.strip())
            if line.strip() == "simulating: 100%":
                finished.set()
        finished.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert finished.wait(240), lines
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the dashboard and its simulator, in their own session
        proc.wait(timeout=30)
        reader.join(timeout=30)
    shown = [int(line.split()[-1].rstrip("%")) for line in lines if line.startswith("simulating:")]
    assert shown[0] == 0 and shown[-1] == 100, lines
    assert shown == sorted(shown) and len(set(shown)) >= 5


def test_a_demo_whose_days_are_over_is_started_again_but_never_another_event(tmp_path: Path) -> None:
    from eventops.commands.demo import _over, _remove_demo

    old = tmp_path / "demo.db"
    init_demo(old)  # 20-22 March 2024: over
    assert _over(old)
    _remove_demo(old)
    assert not old.exists()
    current = tmp_path / "current.db"
    init_demo(current, first_day=today())
    assert not _over(current)
    other = tmp_path / "other.db"
    assert eventops("init", "--db", str(other), "--name", "Other", "--days", "2024-01-01:2024-01-02").returncode == 0
    assert not _over(other)  # not a demo: never touched
