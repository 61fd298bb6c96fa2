"""Snapshots are exact: a start from any saved snapshot plus the tail equals a full fold.

Events reach a real database file in any interleaving of the stations' logs and in batches of
any size; snapshots are saved at any moment (of the newest state, or of the oldest checkpoint a
node still holds); a late event may sort before every snapshot and every checkpoint in memory.
Whatever happened, a fresh start, a node that followed along, and a full fold agree.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import snapshots
from db.connect import connect
from db.events import Event
from db.fold import EventState, fold_events, load_state
from db.log import EVENT_COLUMNS, all_events
from db.status import status
from tests.db.factory import Log, reference
from tests.db.test_fold_property import action, build

ROOT = Path(__file__).resolve().parents[2]


def _insert(db, events: list[Event]) -> None:
    """Rows as a merge writes them (the fold reads rows; signatures are another test's concern)."""
    with db.conn:
        db.conn.executemany(
            f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            [(e.station_id, e.seq, e.hlc, e.kind, e.data_text(), b"") for e in events],
        )


def _arrival(data: st.DataObject, events: list[Event]) -> list[Event]:
    """Any interleaving of the stations' logs, each station's events in its own order."""
    shuffled = data.draw(st.permutations(events))
    by_station: dict[str, list[Event]] = {}
    for event in sorted(events, key=lambda e: (e.station_id, e.seq)):
        by_station.setdefault(event.station_id, []).append(event)
    return [by_station[e.station_id].pop(0) for e in shuffled]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(action, max_size=50), data=st.data())
def test_a_start_from_any_snapshot_and_its_tail_equals_a_full_fold(actions, data) -> None:
    events = _arrival(data, build(actions))
    cuts = sorted(data.draw(st.lists(st.integers(1, max(1, len(events))), min_size=1, max_size=6)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "event.db"
        db = connect(path)
        live: EventState | None = None
        previous = 0
        for cut in [*cuts, len(events)]:
            batch = events[previous:cut]
            previous = max(previous, cut)
            _insert(db, batch)
            if live is None:
                live = load_state(db)
                live.CHECKPOINT_EVERY = data.draw(st.sampled_from([2, 5, 1000]))
                live.RETAIN_MS = 0  # memory reaches back two checkpoints: later events go to a snapshot
            else:
                live.apply(batch)
            which = data.draw(st.sampled_from(["none", "newest", "oldest"]))
            saved = live.saveable(oldest=which == "oldest") if which != "none" else None
            if saved is not None:
                snapshots.save(str(path), saved)
            truth = fold_events(all_events(db)).fingerprint()
            assert live.fingerprint() == truth
            assert load_state(db).fingerprint() == truth
        db.conn.close()


def _status_digest(db_path: Path, now_ms: int) -> tuple[str, int]:
    """(digest of the status report, snapshot started from) as a fresh process computes them."""
    script = (
        "import hashlib, json, sys\n"
        "from db.connect import connect\nfrom db.fold import load_state\nfrom db.status import status\n"
        f"state = load_state(connect({str(db_path)!r}, create=False))\n"
        f"report = json.dumps(status(state, {now_ms}), sort_keys=True, default=str)\n"
        "print(hashlib.sha256(report.encode()).hexdigest(), state.started_from)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    digest, started = out.stdout.split()
    return digest, int(started)


def _big_log() -> list[Event]:
    log = Log()
    reference(log, attendees=40)
    from db import events as ev

    for i in range(1, 400):
        log.add("door-R1", 30 + i * 0.5, ev.DOOR_ENTRY, attendee=f"A{i % 40 + 1:03d}", room="R1")
        log.add("desk-1", 30 + i * 0.5, ev.DESK_CHECKIN, attendee=f"A{i % 40 + 1:03d}", first=True)
    return log.events


def test_a_snapshot_survives_a_restart_and_a_copied_file_does_not_trust_it(tmp_path: Path) -> None:
    path = tmp_path / "event.db"
    db = connect(path)
    events = _big_log()
    _insert(db, events[:-100])
    state = load_state(db)
    saved = state.saveable()
    assert saved is not None
    snapshots.save(str(path), saved)
    _insert(db, events[-100:])  # the tail a restarted node folds on top
    now = events[-1].at_ms
    expected = hashlib.sha256(json.dumps(status(fold_events(all_events(db)), now), sort_keys=True, default=str).encode()).hexdigest()
    db.conn.close()

    digest, started = _status_digest(path, now)
    assert (digest, started > 0) == (expected, True)

    # The same file on another machine (copied without the keys beside it): its snapshots do
    # not verify there, so they are not read, and the fold starts from the first event.
    copy = tmp_path / "copy" / "event.db"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    digest, started = _status_digest(copy, now)
    assert (digest, started) == (expected, 0)


def test_a_late_event_older_than_every_snapshot_rebuilds_exactly(tmp_path: Path) -> None:
    path = tmp_path / "event.db"
    db = connect(path)
    events = _big_log()
    late = [e for e in events if e.station_id == "desk-1"]
    _insert(db, [e for e in events if e.station_id != "desk-1"])
    state = load_state(db)
    saved = state.saveable()
    assert saved is not None
    snapshots.save(str(path), saved)
    _insert(db, late)  # the desk was offline all morning: every one of its events sorts earlier
    assert load_state(db).fingerprint() == fold_events(all_events(db)).fingerprint()
    assert load_state(db).started_from == 0  # the only snapshot lacks events sorting before it


def _crowd_log(people: int) -> list[Event]:
    """More attendees, check-ins and places than `snapshots.PART_RECORDS // 4`: tables saved as columns."""
    from db import events as ev

    log = Log()
    reference(log, attendees=people)
    for i in range(1, people + 1):
        log.add("desk-1", 30 + i / 1000, ev.DESK_CHECKIN, attendee=f"A{i:03d}", first=True)
        if i % 3 == 0:
            log.add("door-R2", 60 + i / 1000, ev.DOOR_ENTRY, attendee=f"A{i:03d}", room="R2")
    return log.events


def test_large_tables_are_saved_as_columns_and_read_back_as_the_same_records(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "event.db"
    db = connect(path)
    people = snapshots.PART_RECORDS // 4 + 500
    events = _crowd_log(people)
    _insert(db, events[:-10])
    saved = load_state(db).saveable()
    assert saved is not None
    snapshots.save(str(path), saved)
    _insert(db, events[-10:])

    parts = [pickle.loads(bytes(row[0])) for row in db.execute("SELECT data FROM snapshot_parts")]  # noqa: S301 - our own test file
    assert {part[1] for part in parts if part[0] == "columns"} >= {"attendees", "checkins", "places"}
    started = load_state(db)
    assert started.started_from > 0
    truth = fold_events(all_events(db))
    assert started.fingerprint() == truth.fingerprint()
    assert {type(a) for a in started.attendees.values()} == {type(next(iter(truth.attendees.values())))}
    assert started.checkins[("2024-03-20", "A007")] == truth.checkins[("2024-03-20", "A007")]
    assert hash(started.places["A003"]) == hash(truth.places["A003"])
    now = events[-1].at_ms
    assert status(started, now) == status(truth, now)


def test_held_is_the_vector_of_the_log(tmp_path: Path) -> None:
    from db.log import vector

    db = connect(tmp_path / "event.db")
    assert snapshots.held(db) == vector(db) == {}
    _insert(db, _big_log())
    assert snapshots.held(db) == vector(db)
    assert set(snapshots.held(db)) == {"org", "door-R1", "desk-1"}


def test_threads_making_the_first_snapshot_at_once_share_one_whole_key(tmp_path: Path) -> None:
    """The background writer and a command's own save may make a node's first snapshot at the
    same moment: each must MAC with the one key that stays on disk, never with an empty file
    another thread created and had not written yet (that snapshot would never verify)."""
    import threading

    for attempt in range(100):
        path = str(tmp_path / f"event-{attempt}.db")
        barrier = threading.Barrier(4)
        keys: list[bytes | None] = []

        def make_key(path: str = path, barrier: threading.Barrier = barrier, keys: list[bytes | None] = keys) -> None:
            barrier.wait()
            keys.append(snapshots._mac_key(path, create=True))

        threads = [threading.Thread(target=make_key) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        on_disk = snapshots._mac_key(path, create=False)
        assert on_disk is not None and len(on_disk) == 32
        assert keys == [on_disk] * 4
