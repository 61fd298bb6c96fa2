"""Sync benchmarks on loopback, in one run, printing JSON.

- scan -> visible: a scan appended at one station (pushed at once by its SyncLoop) until the
  long-poll of a second node's SyncLoop hands it over (p50, p95; target p95 <= 1 s);
- 20 stations x 5,000 events converging through one hub (target <= 5 s): time until the hub
  holds every event, and until every station holds every event;
- catch-up: a station offline for a day's scans (pushes them) while the venue went on
  (pulls everyone else's);
- written by another process -> at the hub: a scan committed by one process (as `eventops scan`
  or the station app would) on a station's file, pushed by a running `eventops sync` process
  that sees the commit through `PRAGMA data_version` (target <= 100 ms; it used to wait for the
  5 s idle timer).

The hub is a real `eventops hub` process (uvicorn); stations are threads of this process,
each with its own SQLite file (the convergence bench: one process per station).
Usage: .venv/bin/python bench/sync.py [--quick] [--only latency|converge|catchup|other]
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from db import events as ev  # noqa: E402
from db import log, trust  # noqa: E402
from db.connect import connect  # noqa: E402
from db.log import Draft  # noqa: E402
from db.node import set_local_station  # noqa: E402
from sync import store  # noqa: E402
from sync.client import HUB_URL, TOKEN, SyncLoop, sync_once  # noqa: E402
from sync.connection import open_more  # noqa: E402

EVENTOPS = str(ROOT / ".venv" / "bin" / "eventops")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Hub:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [EVENTOPS, "hub", "--db", str(db_path), "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("hub did not start")

    def cpu_s(self) -> float:
        """CPU seconds the hub process has used (user + system): a figure the load cannot inflate."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return float("nan")

    def stop(self) -> None:
        os.kill(self.proc.pid, signal.SIGTERM)
        self.proc.wait(10)


def station_db(hub_db: Path, path: Path, station: str, role: str = "station") -> Path:
    """A station database enrolled on the hub (token stored, key bound, as enrolment would)."""
    db = connect(path)
    set_local_station(db, station)
    hub = connect(hub_db)
    secret = store.add_station(hub, station, "desk", role)
    redeemed = store.redeem(hub, secret)
    if trust.may_vouch_here(hub, "desk"):  # without a bound key the hub keeps its scans waiting
        trust.vouch(hub, station, "desk", trust.public_key_of(db, station))
    hub.conn.close()
    assert redeemed is not None
    db.execute("INSERT INTO node (key, value) VALUES (?, ?)", [TOKEN, redeemed[1]])
    db.conn.close()
    return path


def seed_reference(db_path: Path, attendees: int) -> None:
    db = connect(db_path)
    drafts = [Draft(ev.EVENT_CREATED, {"id": "BENCH", "name": "Bench", "days": ["2024-03-20"], "tz": "Europe/Brussels", "demo": False})]
    drafts += [
        Draft(ev.ATTENDEE_REGISTERED, {"id": f"A{i:05d}", "name": f"Person {i}", "org": "City", "city": "Brussels", "country": "BE", "role": "x"})
        for i in range(attendees)
    ]
    log.append_many(db, "org", drafts)
    db.conn.close()


def scans(db_path: Path, station: str, count: int, attendees: int = 700) -> None:
    db = connect(db_path)
    drafts = [Draft(ev.DESK_CHECKIN, {"attendee": f"A{i % attendees:05d}", "first": False, "via": "scan"}) for i in range(count)]
    log.append_many(db, station, drafts)
    db.conn.close()


def bench_latency(work: Path, samples: int) -> dict[str, float]:
    hub_db = work / "lat-hub.db"
    seed_reference(hub_db, 100)
    hub = Hub(hub_db)
    try:
        a = station_db(hub_db, work / "lat-a.db", "desk-1")
        b = station_db(hub_db, work / "lat-b.db", "dash-1")
        for path in (a, b):
            db = connect(path)
            db.execute("INSERT INTO node (key, value) VALUES (?, ?)", [HUB_URL, hub.url])
            sync_once(db)
            db.conn.close()
        seen: dict[int, float] = {}
        arrived = threading.Condition()

        def on_events(events: list[ev.Event]) -> None:
            now = time.perf_counter()
            with arrived:
                for e in events:
                    if e.station_id == "desk-1":
                        seen[e.seq] = now
                arrived.notify_all()

        watcher = SyncLoop(b, on_events=on_events, long_poll_s=25).start()
        scanner = SyncLoop(a).start()
        time.sleep(1.0)
        db = connect(a)
        latencies = []
        for _ in range(samples):
            start = time.perf_counter()
            event = log.append(db, "desk-1", ev.DESK_CHECKIN, {"attendee": "A00001", "first": False, "via": "scan"})
            scanner.nudge()
            with arrived:
                arrived.wait_for(lambda seq=event.seq: seq in seen, timeout=10)
            latencies.append((seen.get(event.seq, float("inf")) - start) * 1000)
            time.sleep(0.02)
        watcher.stop()
        scanner.stop()
        db.conn.close()
        latencies.sort()
        return {
            "samples": samples,
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "max_ms": round(latencies[-1], 1),
        }
    finally:
        hub.stop()


def _warm(_: int) -> None:
    import sync.client  # noqa: F401


def _push_only(args: tuple[str, str]) -> None:
    """A station pushes its day (what the hub lacks of it), as right after each scan."""
    from sync.client import client_for, push_all

    db = open_more(args[0])
    hub = client_for(db, args[1])
    _, vector, _ = hub.pull(log.vector(db), 0)
    push_all(db, hub, vector)
    hub.close()
    db.conn.close()


def _sync(args: tuple[str, str]) -> None:
    db = open_more(args[0])
    sync_once(db, args[1])
    db.conn.close()


def bench_convergence(work: Path, stations: int, per_station: int) -> dict[str, float]:
    hub_db = work / "conv-hub.db"
    seed_reference(hub_db, 700)
    paths = []
    for i in range(stations):
        path = station_db(hub_db, work / f"conv-{i}.db", f"desk-{i}")
        scans(path, f"desk-{i}", per_station)
        paths.append(path)
    hub = Hub(hub_db)
    ctx = multiprocessing.get_context("spawn")
    try:
        with ctx.Pool(stations) as pool:
            pool.map(_warm, range(stations), chunksize=1)  # every station process is up
            cpu0 = hub.cpu_s()
            start = time.perf_counter()
            pool.map(_push_only, [(str(p), hub.url) for p in paths], chunksize=1)
            pushed = time.perf_counter() - start
            hub_cpu_push = hub.cpu_s() - cpu0
            hub_conn = connect(hub_db)
            hub_has_all = log.count(hub_conn) >= stations * per_station
            pool.map(_sync, [(str(p), hub.url) for p in paths], chunksize=1)
            converged = time.perf_counter() - start
            hub_cpu_all = hub.cpu_s() - cpu0
        hub_vector = log.vector(hub_conn)
        hub_conn.conn.close()
        same = all(log.vector(connect(p)) == hub_vector for p in paths)
        return {
            "stations": stations,
            "events_per_station": per_station,
            "hub_holds_all_s": round(pushed, 2) if hub_has_all else -1,
            "hub_cpu_s_for_the_pushes": round(hub_cpu_push, 2),
            "all_stations_converged_s": round(converged, 2),
            "hub_cpu_s_until_converged": round(hub_cpu_all, 2),
            "converged": same,
            "events_moved": stations * per_station + stations * (stations - 1) * per_station,
        }
    finally:
        hub.stop()


def bench_catch_up(work: Path, offline_scans: int, venue_events: int) -> dict[str, float]:
    hub_db = work / "cu-hub.db"
    seed_reference(hub_db, 700)
    scans(hub_db, "org", venue_events)  # what the rest of the venue did meanwhile
    path = station_db(hub_db, work / "cu-station.db", "door-R1")
    scans(path, "door-R1", offline_scans)
    hub = Hub(hub_db)
    try:
        db = connect(path)
        start = time.perf_counter()
        report = sync_once(db, hub.url)
        took = time.perf_counter() - start
        db.conn.close()
        return {"offline_scans_pushed": report.pushed, "events_pulled": report.pulled, "seconds": round(took, 2)}
    finally:
        hub.stop()


#: The other process: appends one desk scan per line read, and prints its seq and monotonic time
#: once committed (CLOCK_MONOTONIC is one clock for every process of the machine).
WRITER = """
import sys, time
from db import events as ev, log
from db.connect import connect
db = connect(sys.argv[1], create=False)
for line in sys.stdin:
    event = log.append(db, sys.argv[2], ev.DESK_CHECKIN, {"attendee": "A00001", "first": False, "via": "scan"})
    print(event.seq, time.monotonic(), flush=True)
"""


def bench_other_process(work: Path, samples: int) -> dict[str, float]:
    import random

    hub_db = work / "op-hub.db"
    seed_reference(hub_db, 100)
    hub = Hub(hub_db)
    sync = writer = None
    try:
        from sync.enrol import add_station, enrol

        # Enrolled for real: the hub binds the station's key, so its scans are taken, not kept waiting.
        path = work / "op-desk.db"
        enrol(connect(path), add_station(connect(hub_db), hub_db, "desk-1", "desk").encode(), hub.url)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        sync = subprocess.Popen([EVENTOPS, "sync", "--db", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "desk-1"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        assert writer.stdin is not None and writer.stdout is not None
        hub_conn = connect(hub_db)
        time.sleep(2.0)  # `eventops sync` is up and connected
        rng = random.Random(5)
        latencies = []
        for _ in range(samples):
            writer.stdin.write("scan\n")
            writer.stdin.flush()
            seq_text, committed = writer.stdout.readline().split()
            seq, deadline = int(seq_text), time.monotonic() + 10
            while time.monotonic() < deadline:
                row = hub_conn.execute("SELECT MAX(seq) FROM events WHERE station_id = 'desk-1'").fetchone()
                if row[0] is not None and row[0] >= seq:
                    break
                time.sleep(0.001)
            latencies.append((time.monotonic() - float(committed)) * 1000)
            time.sleep(rng.uniform(0.05, 0.15))  # scans at any phase of the watch
        hub_conn.conn.close()
        latencies.sort()
        return {
            "samples": samples,
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "max_ms": round(latencies[-1], 1),
        }
    finally:
        for proc in (writer, sync):
            if proc is not None:
                proc.kill()
                proc.wait(10)
        hub.stop()


def main() -> None:
    quick = "--quick" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        result: dict[str, object] = {"cores": os.cpu_count(), "load_average_before": round(os.getloadavg()[0], 1)}
        if only in ("", "latency"):
            result["scan_to_visible"] = bench_latency(work, 30 if quick else 200)
        if only in ("", "converge"):
            result["converge_20x5000"] = bench_convergence(work, 20, 500 if quick else 5000)
        if only in ("", "other"):
            result["written_by_another_process_to_hub"] = bench_other_process(work, 30 if quick else 200)
        if only in ("", "catchup"):
            result["catch_up_day_offline"] = bench_catch_up(work, 1000 if quick else 5000, 5000 if quick else 50_000)
        result["load_average_after"] = round(os.getloadavg()[0], 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
