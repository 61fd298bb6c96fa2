"""Benchmark of the check-in station: scan to verdict on screen, and name search.

Prints one JSON object:
- `wedge`: keys of a badge delivered to the real app (under Pilot, headless) as a terminal
  delivers a scanner's burst, until the verdict card has been repainted: p50/p95/max ms;
- `camera`: a video of badges played at 30 fps through the real OpenCV capture and decoder
  chain in the app's camera worker, from the start of reading the frame that shows a badge
  to the repainted verdict: p50/p95/max ms;
- `scan_commit`: the headless `Station.scan` alone (verify, decide, append, commit FULL);
- `search`: per keystroke on 10,000 attendees with real-world names (typing "muller",
  "liege", "van den", "dupont j"...), and the time to build the index.
Targets (issue 4): scan to verdict <= 100 ms p95; search <= 10 ms per keystroke.

    .venv/bin/python bench/station.py [--scans 100] [--badges 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkin.scanning import synth  # noqa: E402
from checkin.search import NameIndex  # noqa: E402
from checkin.station import Station, StationConfig  # noqa: E402
from checkin.tui.app import CheckinApp  # noqa: E402
from db.demo.names import NAMES, family_name, split  # noqa: E402
from db.state import Attendee  # noqa: E402
from tests.station.pilot import type_burst  # noqa: E402
from tests.station.world import World, build  # noqa: E402


def summary(values_ms: list[float]) -> dict[str, float | int]:
    ordered = sorted(values_ms)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
    }


async def wedge_bench(world: World, people: list[str]) -> dict[str, float | int]:
    station = Station(world.db, StationConfig("desk-1", "desk"))
    app = CheckinApp(station, sound=False)
    latencies = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        for i, person in enumerate(people):
            token = world.token(person)
            started = time.monotonic()
            type_burst(app, token)
            while len(app.shown) <= i:
                await asyncio.sleep(0.0005)
            latencies.append((app.shown[i].at - started) * 1000)
            await pilot.pause(0.01)
    return summary(latencies)


async def camera_bench(world: World, people: list[str], video: Path) -> dict[str, float | int]:
    cards = [(world.token(p), synth.qr_card(world.token(p), 6), 6.0) for p in people]
    frames, _ = synth.parade(cards, size=(640, 480), frames_per_badge=4, gap_frames=3)
    synth.write_video(video, frames, fps=30)
    station = Station(world.db, StationConfig("desk-2", "desk"))
    app = CheckinApp(station, sound=False, camera=str(video), preview=True, realtime_camera=True)
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 60
        while not app.camera_done and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await pilot.pause(0.3)
    latencies = [(s.at - s.started) * 1000 for s in app.shown if s.started is not None]
    out = summary(latencies)
    out["badges"] = len(people)
    out["verdicts"] = len(app.shown)
    return out


def commit_bench(world: World, people: list[str]) -> dict[str, float | int]:
    station = Station(world.db, StationConfig("desk-2", "desk"))
    tokens = [world.token(p) for p in people]
    times = []
    for token in tokens:
        started = time.perf_counter()
        station.scan(token)
        times.append((time.perf_counter() - started) * 1000)
    return summary(times)


def people_with_real_names(count: int, seed: int = 3) -> list[Attendee]:
    rng = random.Random(seed)
    countries = sorted(NAMES)
    out = []
    for i in range(count):
        country = rng.choice(countries)
        female_names, male_names, families = NAMES[country]
        female = rng.random() < 0.5
        first = rng.choice(split(female_names if female else male_names))
        last = family_name(rng.choice(split(families)), female)
        org = f"{rng.choice(['City of', 'Ville de', 'Stadt', 'Police of', 'Université de'])} {rng.choice(['Liège', 'Köln', 'Kraków', 'Lisboa', 'Malmö', 'Gent', 'Zürich', 'Łódź'])}"
        out.append(Attendee(f"P{i:05d}", f"{first} {last}", first, last, org))
    out.append(Attendee("P99999", "Anna Müller", "Anna", "Müller", "Stadt Köln"))
    return out


def search_bench(count: int = 10_000) -> dict[str, object]:
    people = people_with_real_names(count)
    started = time.perf_counter()
    index = NameIndex.of({a.id: a for a in people})
    build_ms = (time.perf_counter() - started) * 1000
    queries = ["muller", "liege", "van den", "dupont j", "anna", "koln", "maria gon", "lodz", "e", "peeters"]
    per_key = []
    found = {}
    for query in queries:
        for end in range(1, len(query) + 1):
            started = time.perf_counter()
            hits = index.search(query[:end])
            per_key.append((time.perf_counter() - started) * 1000)
        found[query] = len(hits)
    out: dict[str, object] = {"attendees": len(index), "index_build_ms": round(build_ms, 1)}
    out.update(summary(per_key))
    out["keystrokes"] = len(per_key)
    out["anna_muller_finds_Anna_Müller"] = index.search("anna muller")[0].attendee.name == "Anna Müller"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=int, default=100, help="wedge scans through the app")
    parser.add_argument("--badges", type=int, default=30, help="badges in the camera video")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        world = build(Path(tmp) / "bench.db", extra_attendees=2 * args.scans + args.badges + 10)
        ids = [f"B{i:05d}" for i in range(2 * args.scans + args.badges)]
        result = {
            "search": search_bench(),
            "scan_commit": commit_bench(world, ids[: args.scans]),
            "wedge": asyncio.run(wedge_bench(world, ids[args.scans : 2 * args.scans])),
            "camera": asyncio.run(camera_bench(world, ids[2 * args.scans :], Path(tmp) / "badges.avi")),
            "targets": {"scan_to_verdict_p95_ms": 100, "search_per_keystroke_ms": 10},
            "load_average_1min": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
