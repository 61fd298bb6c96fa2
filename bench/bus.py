"""Benchmark of bus mode on the demo event: boarding scans, the manifest, the departure.

Prints one JSON object: scan -> verdict (committed) per boarding on the headless station
(p50/p95 over every person of the demo's visits), the manifest of the largest bus (the bus
panel redraws it after each scan and every 2 s), and a departure with people missing.
Target (DESIGN.md): scan -> verdict well under 100 ms p95; a manifest redraw should not be felt.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import checkin.bus as bus_mode  # noqa: E402
from checkin.badges.keys import load_signing_key, token_for  # noqa: E402
from checkin.station import Station, StationConfig  # noqa: E402
from db.connect import connect  # noqa: E402
from db.fold import load_state  # noqa: E402


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        subprocess.run([sys.executable, "-m", "eventops", "demo", "init", "--db", str(path)], check=True,
                       capture_output=True, cwd=Path(__file__).resolve().parents[1])
        db = connect(path)
        state = load_state(db)
        key = load_signing_key(path)
        buses = sorted(state.buses.values(), key=lambda b: (-len(b.assigned), b.id))
        scans: list[float] = []
        for bus in buses:
            station = Station(db, StationConfig(f"bus-{bus.id}", "bus", visit=bus.visit, bus=bus.id))
            people = sorted(bus.assigned)[1:]  # one stays behind on every bus
            tokens = [token_for(state, key, a) for a in people]
            for token in tokens:
                started = time.perf_counter()
                station.scan(token)
                scans.append(time.perf_counter() - started)
        largest = buses[0]
        station = Station(db, StationConfig(f"bus-{largest.id}", "bus", visit=largest.visit, bus=largest.id))
        sheets = []
        for _ in range(50):
            started = time.perf_counter()
            bus_mode.station_manifest(station)
            sheets.append(time.perf_counter() - started)
        started = time.perf_counter()
        asked = bus_mode.depart(station, confirm_missing=False)
        ask_s = time.perf_counter() - started
        started = time.perf_counter()
        departed = bus_mode.depart(station, confirm_missing=True)
        depart_s = time.perf_counter() - started
        print(json.dumps({
            "buses": len(buses),
            "boardings": len(scans),
            "scan_to_verdict_ms": {"p50": ms(statistics.median(scans)), "p95": ms(p95(scans))},
            "manifest_ms": {"bus": largest.id, "assigned": len(largest.assigned),
                            "p50": ms(statistics.median(sheets)), "p95": ms(p95(sheets))},
            "depart_ask_ms": ms(ask_s),
            "depart_ms": ms(depart_s),
            "depart_reasons": [asked.reason, departed.reason],
        }))


if __name__ == "__main__":
    main()
