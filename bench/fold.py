"""Benchmark of the log and the fold: 10,000 attendees, 100,000 events.

Prints one JSON object: the full-fold time (against a raw read of the same rows), the
incremental time per 10 new events (on time and late), and the commit time of single scans
with `synchronous=FULL`, signed and chained (against a raw sqlite3 insert + commit on the same
settings), in wall and in CPU time (the fsync wait is the disk's; signing and SQL are ours).
Targets (DESIGN.md): full fold <= 1 s, 10 new events <= 20 ms, commit <= 5 ms p95.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db import events as ev  # noqa: E402
from db import log  # noqa: E402
from db.connect import connect  # noqa: E402
from db.events import Event  # noqa: E402
from db.fold import EventState, load_state  # noqa: E402
from db.hlc import pack  # noqa: E402

ATTENDEES = 10_000
EVENTS = 100_000
T0 = 1710921600000  # 2024-03-20 08:00 Brussels


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def build(path: Path, rng: random.Random) -> None:
    db = connect(path)
    clock = iter(range(T0 - 86_400_000, T0 + 10 * 86_400_000, 50))
    wall = lambda: next(clock)  # noqa: E731
    drafts = [log.Draft(ev.EVENT_CREATED, {"id": "BENCH", "name": "Bench", "days": ["2024-03-20", "2024-03-21", "2024-03-22"], "tz": "Europe/Brussels"})]
    rooms = [f"R{i}" for i in range(1, 25)]
    for i, room in enumerate(rooms):
        drafts.append(log.Draft(ev.ROOM_ADDED, {"id": room, "name": f"Room {i}", "capacity": 500}))
        for day in ("2024-03-20", "2024-03-21", "2024-03-22"):
            for start, end in (("09:00", "10:30"), ("11:00", "12:30"), ("14:00", "15:30"), ("16:00", "17:30")):
                drafts.append(log.Draft(ev.SESSION_ADDED, {"id": f"{room}-{day}-{start}", "title": "Talk", "room": room, "start": f"{day}T{start}:00+01:00", "end": f"{day}T{end}:00+01:00"}))
    for i in range(ATTENDEES):
        drafts.append(log.Draft(ev.ATTENDEE_REGISTERED, {"id": f"A{i:05d}", "name": f"Person {i}", "org": "Org", "city": "Brussels", "country": "BE", "role": "police"}))
    log.append_many(db, "org", drafts, wall=wall)
    stations = [f"door-{r}" for r in rooms] + [f"desk-{i}" for i in range(1, 9)]
    remaining = EVENTS - log.count(db)
    batch: dict[str, list[log.Draft]] = {s: [] for s in stations}
    arrived: set[str] = set()
    for n in range(remaining):
        station = rng.choice(stations)
        attendee = f"A{rng.randrange(ATTENDEES):05d}"
        if station.startswith("desk"):
            # As a station records it: the first scan is the arrival, a repeat says so.
            first = attendee not in arrived
            arrived.add(attendee)
            batch[station].append(log.Draft(ev.DESK_CHECKIN, {"attendee": attendee, "first": first, "via": "scan"}))
        else:
            kind = ev.DOOR_ENTRY if n % 3 else ev.DOOR_EXIT
            batch[station].append(log.Draft(kind, {"attendee": attendee, "room": station[5:]}))
    scan_clock = iter(range(T0, T0 + 10 * 86_400_000, 700))
    for station, drafts in batch.items():
        log.append_many(db, station, drafts, wall=lambda: next(scan_clock))
    db.conn.close()


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        started = time.perf_counter()
        build(path, rng)
        build_s = time.perf_counter() - started
        db = connect(path)

        # Raw floor: read every row and parse its JSON, nothing else.
        started = time.perf_counter()
        raw = [(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in db.execute("SELECT station_id, seq, hlc, kind, data FROM events ORDER BY hlc, station_id, seq")]
        raw_read_s = time.perf_counter() - started

        full_runs = []
        for _ in range(3):
            started = time.perf_counter()
            state = load_state(db)
            full_runs.append(time.perf_counter() - started)
        events = state.events
        fold_only = []
        for _ in range(3):
            started = time.perf_counter()
            EventState().apply(events)
            fold_only.append(time.perf_counter() - started)

        # Incremental: 10 new events on top, and 10 late events (an offline door syncing).
        last_ms = state.last_event_ms
        on_time, late = [], []
        seq = 10**6
        for round_ in range(100):
            fresh = []
            for i in range(10):
                seq += 1
                fresh.append(Event("desk-bench", seq, pack(last_ms + 1000 * (round_ * 10 + i + 1)), ev.DESK_CHECKIN, {"attendee": f"A{rng.randrange(ATTENDEES):05d}", "first": True}))
            started = time.perf_counter()
            state.apply(fresh)
            on_time.append(time.perf_counter() - started)
        for round_ in range(20):
            fresh = []
            for i in range(10):
                seq += 1
                fresh.append(Event("door-late", seq, pack(state.last_event_ms - 60_000 * (round_ + 1) - i), ev.DOOR_ENTRY, {"attendee": f"A{rng.randrange(ATTENDEES):05d}", "room": "R1"}))
            started = time.perf_counter()
            state.apply(fresh)
            late.append(time.perf_counter() - started)

        # Commit of single scans with synchronous=FULL: ours vs raw sqlite3.
        # Ours and raw sqlite3 alternate, one commit each, so both see the same load and disk;
        # CPU time beside wall time: the fsync wait is the disk's, the signing and SQL are ours.
        log.append(db, "desk-commit", ev.DESK_CHECKIN, {"attendee": "A99999", "first": True})  # bound, key made
        raw_conn = sqlite3.connect(str(Path(tmp) / "raw.db"), isolation_level=None)
        raw_conn.execute("PRAGMA journal_mode=WAL")
        raw_conn.execute("PRAGMA synchronous=FULL")
        raw_conn.execute("CREATE TABLE t (a TEXT, b INTEGER, c TEXT, PRIMARY KEY (a, b))")
        ours, ours_cpu, raw_commit, raw_cpu = [], [], [], []
        for i in range(300):
            started, cpu = time.perf_counter(), time.thread_time()
            log.append(db, "desk-commit", ev.DESK_CHECKIN, {"attendee": f"A{i:05d}", "first": True})
            ours.append(time.perf_counter() - started)
            ours_cpu.append(time.thread_time() - cpu)
            started, cpu = time.perf_counter(), time.thread_time()
            raw_conn.execute("BEGIN IMMEDIATE")
            raw_conn.execute("INSERT INTO t VALUES (?, ?, ?)", ("desk", i, "{}"))
            raw_conn.execute("COMMIT")
            raw_commit.append(time.perf_counter() - started)
            raw_cpu.append(time.thread_time() - cpu)

    # How fast is this machine? The same pure-Python loop takes ~9 us on a recent laptop.
    calibration = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000

    ms = lambda s: round(s * 1000, 3)  # noqa: E731
    print(json.dumps({
        "machine_sum_range_1000_us": round(calibration * 1e6, 1),
        "attendees": ATTENDEES,
        "events": len(raw),
        "build_s": round(build_s, 2),
        "raw_read_and_parse_ms": ms(raw_read_s),
        "full_fold_with_read_ms": {"median": ms(statistics.median(full_runs)), "target": 1000},
        "fold_only_ms": {"median": ms(statistics.median(fold_only))},
        "incremental_10_events_ms": {"median": ms(statistics.median(on_time)), "p95": ms(p95(on_time)), "target": 20},
        "late_10_events_ms": {"median": ms(statistics.median(late)), "p95": ms(p95(late)), "note": "events an hour late: rewind to a checkpoint and replay"},
        "commit_one_scan_ms": {"median": ms(statistics.median(ours)), "p95": ms(p95(ours)), "target_p95": 5, "note": "log.append: signed (Ed25519), chained, synchronous=FULL"},
        "raw_sqlite_commit_ms": {"median": ms(statistics.median(raw_commit)), "p95": ms(p95(raw_commit))},
        "commit_one_scan_cpu_ms": {"median": ms(statistics.median(ours_cpu)), "p95": ms(p95(ours_cpu))},
        "raw_sqlite_commit_cpu_ms": {"median": ms(statistics.median(raw_cpu)), "p95": ms(p95(raw_cpu))},
    }, indent=2))


if __name__ == "__main__":
    main()
