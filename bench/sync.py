"""Sync benchmarks on loopback, in one run, printing JSON.

- anchors: raw `cryptography` Ed25519 verifications per second and raw SHA-256 of ~200-byte
  messages per second, on one core (CPU time of this thread);
- the trust gate alone: `trust.admit` and `log.merge` of one station's 5,000-event run into a
  database, against verifying one signature per event (why events are chained: one Ed25519
  verification per run plus a SHA-256 per event);
- scan -> visible: a scan appended at one station (pushed at once by its SyncLoop) until the
  long-poll of a second node's SyncLoop hands it over (p50, p95; target p95 <= 1 s);
- 20 stations x 5,000 events converging through one hub (target <= 5 s): time until the hub
  holds every event, and until every station holds every event; the hub's ingest rate with
  signature verification, per wall second and per second of hub CPU (target >= 20,000/s a core);
- catch-up: a station offline for a day's scans (pushes them) while the venue went on
  (pulls everyone else's);
- the hub's store on PostgreSQL (a throwaway server, tests/pgserver.py), two `eventops hub
  --store` processes serving it: 20 stations x 5,000 events converging, half the stations at
  each hub (target <= 5 s for the hub to hold them all), and a scan at a station of hub A ->
  visible at a station of hub B (LISTEN/NOTIFY wakes B's long-poll; target p95 <= 1 s);
- written by another process -> at the hub: a scan committed by one process (as `eventops scan`
  or the station app would) on a station's file, pushed by a running `eventops sync` process
  that sees the commit through `PRAGMA data_version` (target <= 100 ms; it used to wait for the
  5 s idle timer).

The hub is a real `eventops hub` process (uvicorn); stations are threads of this process,
each with its own SQLite file (the convergence bench: one process per station). Every station
is enrolled as `eventops station enrol` does (the hub's `enrol_station`: token and `node.key`),
so its signed events are merged, not kept waiting for a key.
- with `--only pg100`: 100 stations x 1,000 events pushed to one SQLite hub, then to two hubs on
  PostgreSQL (pushes only: 100 stations pulling everything would move 9.9 million events).
Usage: .venv/bin/python bench/sync.py [--quick] [--only gate|latency|converge|catchup|other|pg|pg100]
"""

from __future__ import annotations

import hashlib
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlite_utils  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from db import events as ev  # noqa: E402
from db import log, signing, trust  # noqa: E402
from db.connect import connect  # noqa: E402
from db.events import Event  # noqa: E402
from db.log import Draft  # noqa: E402
from db.node import set_local_station  # noqa: E402
from sync import store  # noqa: E402
from sync.client import HUB_URL, TOKEN, SyncLoop, sync_once  # noqa: E402
from sync.connection import open_more  # noqa: E402
from sync.hub import enrol_station  # noqa: E402

EVENTOPS = str(ROOT / ".venv" / "bin" / "eventops")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Hub:
    def __init__(self, db_path: Path, store: str | None = None) -> None:
        self.db_path = db_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        where = ["--store", store] if store else ["--db", str(db_path)]
        self.proc = subprocess.Popen(
            [EVENTOPS, "hub", *where, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
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
    """A station database enrolled on the hub as `eventops station enrol` does: the hub swaps
    the one-time secret for a token and binds the station's public key (`node.key`), and the
    station keeps its private key beside its database (`<path>.keys/`)."""
    db = connect(path)
    set_local_station(db, station)
    public = trust.public_key_of(db, station)
    hub = connect(hub_db)
    secret = store.add_station(hub, station, kind_of(station), role)
    redeemed = enrol_station(hub, secret, public)
    hub.conn.close()
    assert redeemed is not None
    db.execute("INSERT INTO node (key, value) VALUES (?, ?)", [TOKEN, redeemed[1]])
    db.conn.close()
    return path


def set_up(hub_db: Path, paths: list[Path]) -> None:
    """Every station takes the set-up the evening before (reference data and every station's
    `node.key`), as its first sync after enrolment would: a station that lacks another
    station's key keeps that station's events waiting instead of merging them."""
    hub = connect(hub_db)
    held = log.lacking(hub, {}, limit=10**9)
    hub.conn.close()
    for path in paths:
        db = connect(path)
        log.merge(db, held)
        db.conn.close()


def kind_of(station: str) -> str:
    """A bench station's kind, from its name (desk-1, door-R1, dashboard-1)."""
    return station.split("-")[0]


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
    """A day's scans of one station, as its kind writes them (a door scans doors)."""
    db = connect(db_path)
    if station.startswith("door-"):
        drafts = [Draft(ev.DOOR_ENTRY, {"attendee": f"A{i % attendees:05d}", "room": station[5:]}) for i in range(count)]
    else:
        drafts = [Draft(ev.DESK_CHECKIN, {"attendee": f"A{i % attendees:05d}", "first": False, "via": "scan"}) for i in range(count)]
    log.append_many(db, station, drafts)
    db.conn.close()


def latency_summary(samples: int, latencies: list[float]) -> dict[str, object]:
    """p50, p95 and max of a list of delays in milliseconds."""
    latencies = sorted(latencies)
    return {
        "samples": samples,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "max_ms": round(latencies[-1], 1),
    }


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of a database and of its private keys (db/signing.py keeps them beside it)."""
    return signing.copy_database(src, dst)


def per_cpu_s(count: int, fn: Callable[[], object], repeat: int = 3) -> dict[str, float]:
    """`fn` timed `repeat` times: its best rate per second of this thread's CPU (one core), and
    the wall time of that run (the machine is shared: CPU time is the figure load cannot inflate)."""
    best_cpu, best_wall = float("inf"), float("inf")
    for _ in range(repeat):
        cpu, wall = time.thread_time(), time.perf_counter()
        fn()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        if cpu < best_cpu:
            best_cpu, best_wall = cpu, wall
    return {"per_cpu_s": round(count / best_cpu), "cpu_ms": round(best_cpu * 1000, 1), "wall_ms": round(best_wall * 1000, 1)}


def bench_anchors() -> dict[str, object]:
    """What one core does with the raw libraries: the floor under the gate's figures."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    message = hashlib.sha256(b"anchor").digest()
    sig = key.sign(message)
    verifies = 2000

    def verify_all() -> None:
        for _ in range(verifies):
            public.verify(sig, message)

    block = (b'{"attendee":"A00042","first":false,"via":"scan"}' * 5)[:200]
    hashes = 100_000

    def hash_all() -> None:
        sha256 = hashlib.sha256
        for _ in range(hashes):
            sha256(block).digest()

    signs = 1000

    def sign_all() -> None:
        for _ in range(signs):
            key.sign(message)

    return {
        "ed25519_verify": per_cpu_s(verifies, verify_all),
        "ed25519_sign": per_cpu_s(signs, sign_all),
        "sha256_200_bytes": per_cpu_s(hashes, hash_all),
    }


def verify_each(db: sqlite_utils.Database, author: trust.Author, run: list[Event]) -> None:
    """The gate as it would be with one signature per event: the same digests, every one verified."""
    prev = trust.held_link(db, author.station_id, run[0].seq - 1)
    for event in run:
        message = signing.digest(prev, event)
        if not signing.verifies(author.public_key, event.sig, message):
            raise AssertionError(f"{event.station_id}#{event.seq} did not verify")
        prev = signing.Link(message, event.sig)


def bench_gate(work: Path, count: int) -> dict[str, object]:
    """The trust gate alone: one station's run of `count` events, parsed as the hub receives them."""
    hub_db = work / "gate-hub.db"
    seed_reference(hub_db, 700)
    station = station_db(hub_db, work / "gate-station.db", "desk-gate")
    scans(station, "desk-gate", count)
    db = connect(station)
    run = [Event.from_wire(json.loads(json.dumps(e.to_wire()))) for e in log.lacking(db, {}, limit=count)]
    db.conn.close()
    assert len(run) == count
    hub = connect(hub_db)
    author = trust.author(hub, "desk-gate")
    assert author is not None
    admit = per_cpu_s(count, lambda: trust.admit(hub, {"desk-gate": run}, [], {"desk-gate": 0}))
    each = per_cpu_s(count, lambda: verify_each(hub, author, run))
    hub.conn.close()
    copies = iter(copy_db(hub_db, work / f"gate-copy-{i}.db") for i in range(3))
    merged: list[int] = []

    def merge_into_a_copy() -> None:
        target = connect(next(copies))
        merged.append(len(log.merge(target, run).added))
        target.conn.close()

    merge = per_cpu_s(count, merge_into_a_copy)
    assert merged == [count] * 3, merged
    return {
        "events": count,
        "admit_chain_one_verify_per_run": admit,
        "one_verify_per_event": each,
        "merge_into_database_sync_full": merge,
        "chain_speedup_over_per_event": round(admit["per_cpu_s"] / each["per_cpu_s"], 1),
    }


def scan_to_seen(a: Path, hub_a: str, b: Path, hub_b: str, samples: int) -> dict[str, object]:
    """Scans appended at station `a` (syncing with `hub_a`) until a long-poll at station `b`
    (syncing with `hub_b`, the same hub or another on one store) merges each: p50/p95 in ms."""
    for path, url in ((a, hub_a), (b, hub_b)):
        db = connect(path)
        db.execute("INSERT INTO node (key, value) VALUES (?, ?)", [HUB_URL, url])
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
            arrived.wait_for(lambda: event.seq in seen, timeout=10)  # noqa: B023 (waited for here, in the loop)
        latencies.append((seen.get(event.seq, float("inf")) - start) * 1000)
        time.sleep(0.02)
    watcher.stop()
    scanner.stop()
    db.conn.close()
    return latency_summary(samples, latencies)


def bench_latency(work: Path, samples: int) -> dict[str, object]:
    hub_db = work / "lat-hub.db"
    seed_reference(hub_db, 100)
    hub = Hub(hub_db)
    try:
        a = station_db(hub_db, work / "lat-a.db", "desk-1")
        b = station_db(hub_db, work / "lat-b.db", "dashboard-1")
        return scan_to_seen(a, hub.url, b, hub.url, samples)
    finally:
        hub.stop()


def _warm(_: int) -> None:
    import sync.client  # noqa: F401


def _push_only(args: tuple[str, str]) -> float:
    """A station pushes its day (what the hub lacks of it), as right after each scan; returns
    the CPU seconds the station spent (on 2 cores, 20 stations' CPU bounds the wall time)."""
    cpu = time.process_time()
    from sync.client import client_for, push_all

    db = open_more(args[0])
    hub = client_for(db, args[1])
    _, vector, _ = hub.pull(log.vector(db), 0)
    push_all(db, hub, vector)
    hub.close()
    db.conn.close()
    return time.process_time() - cpu


def _sync(args: tuple[str, str]) -> float:
    cpu = time.process_time()
    db = open_more(args[0])
    sync_once(db, args[1])
    db.conn.close()
    return time.process_time() - cpu


def bench_convergence(work: Path, stations: int, per_station: int) -> dict[str, float]:
    hub_db = work / "conv-hub.db"
    seed_reference(hub_db, 700)
    paths = [station_db(hub_db, work / f"conv-{i}.db", f"desk-{i}") for i in range(stations)]
    set_up(hub_db, paths)
    for i, path in enumerate(paths):
        scans(path, f"desk-{i}", per_station)
    hub = Hub(hub_db)
    ctx = multiprocessing.get_context("spawn")
    try:
        with ctx.Pool(stations) as pool:
            pool.map(_warm, range(stations), chunksize=1)  # every station process is up
            cpu0 = hub.cpu_s()
            start = time.perf_counter()
            stations_cpu_push = sum(pool.map(_push_only, [(str(p), hub.url) for p in paths], chunksize=1))
            pushed = time.perf_counter() - start
            hub_cpu_push = hub.cpu_s() - cpu0
            hub_conn = connect(hub_db)
            hub_has_all = log.count(hub_conn) >= stations * per_station
            hub_waiting = trust.waiting_count(hub_conn)
            stations_cpu_sync = sum(pool.map(_sync, [(str(p), hub.url) for p in paths], chunksize=1))
            converged = time.perf_counter() - start
            hub_cpu_all = hub.cpu_s() - cpu0
        hub_vector = log.vector(hub_conn)
        hub_conn.conn.close()
        same = all(log.vector(connect(p)) == hub_vector for p in paths)
        pushed_events = stations * per_station
        return {
            "stations": stations,
            "events_per_station": per_station,
            "hub_holds_all_s": round(pushed, 2) if hub_has_all else -1,
            "hub_cpu_s_for_the_pushes": round(hub_cpu_push, 2),
            "hub_ingest_events_per_s_wall": round(pushed_events / pushed) if hub_has_all else -1,
            "hub_ingest_events_per_hub_cpu_s": round(pushed_events / hub_cpu_push) if hub_has_all and hub_cpu_push > 0 else -1,
            "hub_ingest_target_per_core": 20_000,
            "hub_events_waiting_for_a_key": hub_waiting,
            "stations_cpu_s_for_the_pushes": round(stations_cpu_push, 2),
            "all_stations_converged_s": round(converged, 2),
            "hub_cpu_s_until_converged": round(hub_cpu_all, 2),
            "stations_cpu_s_for_the_pulls": round(stations_cpu_sync, 2),
            "converged": same,
            "events_moved": stations * per_station + stations * (stations - 1) * per_station,
        }
    finally:
        hub.stop()


def bench_catch_up(work: Path, offline_scans: int, venue_events: int) -> dict[str, float]:
    hub_db = work / "cu-hub.db"
    seed_reference(hub_db, 700)
    hub_conn = connect(hub_db)
    trust.vouch(hub_conn, "desk-venue", "desk", trust.public_key_of(hub_conn, "desk-venue"))
    hub_conn.conn.close()
    path = station_db(hub_db, work / "cu-station.db", "door-R1")
    set_up(hub_db, [path])
    scans(hub_db, "desk-venue", venue_events)  # what the rest of the venue did meanwhile
    scans(path, "door-R1", offline_scans)
    hub = Hub(hub_db)
    try:
        db = connect(path)
        start = time.perf_counter()
        report = sync_once(db, hub.url)
        took = time.perf_counter() - start
        db.conn.close()
        return {"offline_scans_pushed": report.pushed, "events_pulled": report.pulled, "seconds": round(took, 2), "events_per_s": round((report.pushed + report.pulled) / took)}
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


def bench_other_process(work: Path, samples: int) -> dict[str, object]:
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
        return latency_summary(samples, latencies)
    finally:
        for proc in (writer, sync):
            if proc is not None:
                proc.kill()
                proc.wait(10)
        hub.stop()


def on_postgresql(hub_db: Path, url: str) -> None:
    """Move the SQLite hub's event (log, tokens, keys) into the store at `url`, as `eventops hub migrate`."""
    from sync.pg.move import move
    from sync.pg.store import connect as connect_pg

    source, target = connect(hub_db), connect_pg(url)
    move(source, hub_db, target)
    source.conn.close()
    target.conn.close()


def bench_two_hubs_latency(work: Path, url: str, samples: int) -> dict[str, object]:
    """A scan at a station of hub A -> handed over by the long-poll a station holds at hub B."""
    hub_db = work / "pglat-hub.db"
    seed_reference(hub_db, 100)
    a_path = station_db(hub_db, work / "pglat-a.db", "desk-1")
    b_path = station_db(hub_db, work / "pglat-b.db", "dashboard-1")
    on_postgresql(hub_db, url)
    hubs = [Hub(hub_db, url), Hub(hub_db, url)]
    try:
        return scan_to_seen(a_path, hubs[0].url, b_path, hubs[1].url, samples)
    finally:
        for hub in hubs:
            hub.stop()


def bench_two_hubs_convergence(work: Path, url: str | None, stations: int, per_station: int, *, pull: bool = True) -> dict[str, object]:
    """The convergence bench with the hub's store on PostgreSQL and two hubs, half the stations
    each (`url` None: one SQLite hub, for the same figures side by side). Without `pull`, only
    until the store holds every event (100 stations would then pull 9.9 million events)."""
    from sync.pg.store import connect as connect_pg

    hub_db = work / f"pgconv-{stations}-{'pg' if url else 'sqlite'}-hub.db"
    seed_reference(hub_db, 700)
    paths = [station_db(hub_db, hub_db.with_name(f"{hub_db.stem}-{i}.db"), f"desk-{i}") for i in range(stations)]
    set_up(hub_db, paths)
    for i, path in enumerate(paths):
        scans(path, f"desk-{i}", per_station)
    if url:
        on_postgresql(hub_db, url)
    hubs = [Hub(hub_db, url), Hub(hub_db, url)] if url else [Hub(hub_db)]
    at = [hubs[i % len(hubs)].url for i in range(stations)]
    ctx = multiprocessing.get_context("spawn")
    processes = min(stations, 20)
    try:
        with ctx.Pool(processes) as pool:
            pool.map(_warm, range(processes), chunksize=1)
            cpu0 = sum(h.cpu_s() for h in hubs)
            start = time.perf_counter()
            stations_cpu_push = sum(pool.map(_push_only, [(str(p), u) for p, u in zip(paths, at, strict=True)], chunksize=1))
            pushed = time.perf_counter() - start
            hubs_cpu_push = sum(h.cpu_s() for h in hubs) - cpu0
            store = connect_pg(url).as_database() if url else connect(hub_db)
            store_has_all = log.count(store) >= stations * per_station
            if pull:
                pool.map(_sync, [(str(p), u) for p, u in zip(paths, at, strict=True)], chunksize=1)
            converged = time.perf_counter() - start
        store_vector = log.vector(store)
        store.conn.close()
        same = all(log.vector(connect(p)) == store_vector for p in paths) if pull else None
        return {
            "stations": stations,
            "events_per_station": per_station,
            "store": "postgresql" if url else "sqlite",
            "hubs": len(hubs),
            "station_processes": processes,
            "store_holds_all_s": round(pushed, 2) if store_has_all else -1,
            "hubs_cpu_s_for_the_pushes": round(hubs_cpu_push, 2),
            "ingest_events_per_s_wall": round(stations * per_station / pushed) if store_has_all else -1,
            "stations_cpu_s_for_the_pushes": round(stations_cpu_push, 2),
            "all_stations_converged_s": round(converged, 2) if pull else None,
            "converged": same,
        }
    finally:
        for hub in hubs:
            hub.stop()


def bench_postgresql(work: Path, quick: bool, hundred: bool = False) -> dict[str, object]:
    """The PostgreSQL store's figures, on a throwaway server on this machine."""
    from tests.pgserver import PgServer, why_unavailable

    why = why_unavailable()
    if why:
        return {"skipped": why}
    os.environ["EVENTOPS_PG_HOME"] = str(work / "pg-home")
    server = PgServer().start()
    try:
        if hundred:
            return {  # pushes only: 100 stations pulling everything would move 9.9 million events
                "push_100x1000_sqlite_one_hub": bench_two_hubs_convergence(work, None, 100, 100 if quick else 1000, pull=False),
                "push_100x1000_postgresql_two_hubs": bench_two_hubs_convergence(work, server.database(), 100, 100 if quick else 1000, pull=False),
            }
        return {
            "scan_at_hub_a_to_visible_at_hub_b": bench_two_hubs_latency(work, server.database(), 30 if quick else 200),
            "converge_20x5000_two_hubs": bench_two_hubs_convergence(work, server.database(), 20, 500 if quick else 5000),
        }
    finally:
        server.stop()


def main() -> None:
    quick = "--quick" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        result: dict[str, object] = {"cores": os.cpu_count(), "load_average_before": round(os.getloadavg()[0], 1)}
        if only in ("", "gate"):
            result["anchors_one_core"] = bench_anchors()
            result["gate_one_station_run"] = bench_gate(work, 5000)
        if only in ("", "latency"):
            result["scan_to_visible"] = bench_latency(work, 30 if quick else 200)
        if only in ("", "converge"):
            result["converge_20x5000"] = bench_convergence(work, 20, 500 if quick else 5000)
        if only in ("", "pg"):
            result["postgresql_two_hubs"] = bench_postgresql(work, quick)
        if only == "pg100":
            result["postgresql_100_stations"] = bench_postgresql(work, quick, hundred=True)
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
