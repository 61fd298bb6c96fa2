"""Dashboard benchmark: 10,000 attendees and 100,000 events.

Measures what DESIGN.md targets: the dashboard's start (log folded and every panel drawn)
≤ 2 s, a refresh with 10 new events ≤ 20 ms of event-loop work, memory ≤ 300 MB.
Prints one JSON object.

    .venv/bin/python bench/dashboard.py [--attendees 10000] [--events 100000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db import events as ev  # noqa: E402
from db.connect import connect, write  # noqa: E402
from db.log import Draft, append_in_transaction  # noqa: E402

DAYS = ["2024-03-20", "2024-03-21", "2024-03-22"]
T0 = 1710918000000  # 2024-03-20T08:00:00+01:00
DAY_MS = 86_400_000
MIN = 60_000


def build(path: Path, attendees: int, total: int, seed: int = 1) -> int:
    """An event of `attendees` people over three days, its log grown to about `total` events."""
    rng = random.Random(seed)
    items: list[tuple[int, str, str, dict[str, Any]]] = []

    def add(ms: int, station: str, kind: str, data: dict[str, Any]) -> None:
        items.append((ms, station, kind, data))

    ref = T0 - DAY_MS
    add(ref, "org", ev.EVENT_CREATED, {"id": "BENCH", "name": "Benchmark event", "days": DAYS, "tz": "Europe/Brussels"})
    rooms = [f"R{i}" for i in range(1, 41)]
    for i, room in enumerate(rooms):
        add(ref, "org", ev.ROOM_ADDED, {"id": room, "name": f"Room {i + 1}", "capacity": rng.choice([40, 80, 150, 400])})
    sessions = []
    for d, day in enumerate(DAYS):
        for slot, (start, end) in enumerate([("09:30", "11:00"), ("11:30", "13:00"), ("14:30", "16:00"), ("16:30", "18:00")]):
            for room in rooms:
                sid = f"S{d}{slot}{room}"
                sessions.append((d, slot, room))
                add(ref, "org", ev.SESSION_ADDED, {"id": sid, "title": f"Session {sid}", "room": room,
                                                   "start": f"{day}T{start}:00+01:00", "end": f"{day}T{end}:00+01:00"})
    stations = [(f"desk-{i}", "desk", "Entrance") for i in range(1, 11)] + [(f"door-{r}", "door", r) for r in rooms]
    buses = []
    for d, day in enumerate(DAYS):
        for v in range(1, 4):
            visit = f"V{d}{v}"
            add(ref, "org", ev.VISIT_ADDED, {"id": visit, "title": f"Visit {visit}", "day": day,
                                             "depart": f"{day}T13:30:00+01:00", "return": f"{day}T17:00:00+01:00"})
            for b in range(1, 4):
                bus = f"{visit}-B{b}"
                buses.append((d, visit, bus))
                add(ref, "org", ev.BUS_ADDED, {"id": bus, "visit": visit, "capacity": 50, "label": f"Coach {b}"})
                stations.append((f"bus-{bus}", "bus", bus))
    for station, kind, place in stations:
        add(ref, "org", ev.STATION_ADDED, {"id": station, "kind": kind, "place": place})
    people = [f"A{i:05d}" for i in range(1, attendees + 1)]
    for person in people:
        add(ref, "org", ev.ATTENDEE_REGISTERED, {"id": person, "name": f"Person {person}", "org": "City",
                                                 "role": rng.choice(["participant", "speaker", "press", "police"])})
    for _, visit, bus in buses:
        for person in rng.sample(people, 45):
            add(ref, "org", ev.BUS_ASSIGNED, {"visit": visit, "bus": bus, "attendee": person})
    # Scans, day after day, until the log holds `total` events.
    day = 0
    while len(items) < total and day < len(DAYS):
        base = T0 + day * DAY_MS
        for person in people:
            if len(items) >= total:
                break
            arrive = base + int(rng.uniform(10, 120) * MIN)
            add(arrive, f"desk-{rng.randint(1, 10)}", ev.DESK_CHECKIN, {"attendee": person, "first": True, "via": "scan"})
            for start in (90, 210, 390, 510):
                if rng.random() < 0.7:
                    room = rng.choice(rooms)
                    at = max(arrive + MIN, base + int((start - rng.uniform(0, 20)) * MIN))
                    add(at, f"door-{room}", ev.DOOR_ENTRY, {"attendee": person, "room": room})
        day += 1
    items.sort(key=lambda item: item[0])
    db = connect(path)
    with write(db):
        for ms, station, kind, data in items:
            append_in_transaction(db, station, [Draft(kind, data)], wall=lambda ms=ms: ms)
    db.conn.close()
    return len(items)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max": round(ordered[-1], 2),
    }


async def measure_app(path: Path, wall_ms: int, rounds: int) -> dict[str, Any]:
    from dashboard.app import DashboardApp
    from db.log import append_many

    started, cpu = time.perf_counter(), time.process_time()
    app = DashboardApp(path, wall=lambda: wall_ms, poll_seconds=0.02)
    async with app.run_test(size=(200, 60)) as pilot:
        while app.shown is None:
            await pilot.pause(0.02)
        await pilot.pause()
        start_s = time.perf_counter() - started
        start_cpu_s = time.process_time() - cpu
        rss_after_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        db = connect(path, create=False)
        rng = random.Random(2)
        shown_after: list[float] = []
        for round_ in range(rounds):
            before = len(app.refresh_ms)
            drafts = [Draft(ev.DOOR_ENTRY, {"attendee": f"A{rng.randint(1, 10000):05d}", "room": f"R{rng.randint(1, 40)}"})
                      for _ in range(10)]
            at = wall_ms - 1000 + round_
            appended = time.perf_counter()
            append_many(db, "door-bench", drafts, wall=lambda at=at: at)
            while len(app.refresh_ms) == before:
                await pilot.pause(0.002)
            shown_after.append((time.perf_counter() - appended) * 1000)
        db.conn.close()
        refresh = app.refresh_ms[-rounds:]
        refresh_cpu = app.refresh_cpu_ms[-rounds:]
    return {
        "start_s": round(start_s, 3),
        "start_cpu_s": round(start_cpu_s, 3),
        "refresh_10_events_ms": summary(refresh),
        "refresh_10_events_cpu_ms": summary(refresh_cpu),
        "appended_to_drawn_ms_median": round(statistics.median(shown_after), 1),
        "rss_after_start_mb": round(rss_after_start, 1),
    }


def measure_memory(path: Path) -> dict[str, Any]:
    from dashboard.board import open_board

    tracemalloc.start()
    board, _ = open_board(path)
    board.panels()
    _, peak = tracemalloc.get_traced_memory()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"state_mb": round(current / 2**20, 1), "load_peak_mb": round(peak / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t = time.perf_counter()
        events = build(path, args.attendees, args.events)
        build_s = time.perf_counter() - t
        from dashboard.board import open_board

        t, cpu = time.perf_counter(), time.process_time()
        board, _ = open_board(path)
        fold_s, fold_cpu_s = time.perf_counter() - t, time.process_time() - cpu
        wall_ms = board.state.last_scan_ms + 1000  # "now" is just after the last scan
        board.panels(wall_ms)  # the first reading counts every check-in once
        t = time.process_time()
        for _ in range(10):
            board.panels(wall_ms)
        panels_ms = (time.process_time() - t) * 100
        del board
        app = asyncio.run(measure_app(path, wall_ms, args.rounds))
        memory = measure_memory(path)
    report = {
        "attendees": args.attendees,
        "events": events,
        "build_db_s": round(build_s, 2),
        "read_and_fold_s": round(fold_s, 3),
        "read_and_fold_cpu_s": round(fold_cpu_s, 3),
        "all_panels_fetch_cpu_ms": round(panels_ms, 2),
        **app,
        **memory,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "targets": {"start_s": 2.0, "refresh_10_events_ms": 20.0, "memory_mb": 300},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
