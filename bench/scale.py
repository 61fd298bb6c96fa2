"""The fold at scale: a realistic log of N events and M attendees, and what a node pays to start.

    python bench/scale.py build --db PATH --events N --attendees M
    python bench/scale.py run [--dir DIR] [--sizes 100000:10000,1000000:100000]

`build` writes a three-day event the way the organiser and its stations would: reference data
through the real `db.log.append_many` (stations vouched for by the organiser), then every
station's scans signed with its own key in its own chain (`db.signing.sign`, the same digest
`db.log` signs) and inserted in bulk, one transaction per few thousand rows. Desks, doors and
buses scan; some scans are voided a few seconds later; two bus stations were offline all day
and their events reach the log last (they sort hours before the rows written after them).

`run` builds (or reuses) each size under `--dir` and prints one JSON object, sizes side by side,
each figure beside the raw read-and-parse of the same rows in the same run (the machine is
shared: the anchor says how busy it was):

- full fold (no snapshot) against the raw read;
- start from the newest snapshot (`db.fold.load_state`), and `eventops status --json` in a fresh
  process (the command as an operations lead runs it), and where its time goes (imports, state,
  report, JSON: `status_breakdown`);
- 10 new events on top, 10 events an hour late (an offline door syncing);
- peak resident memory (VmHWM) of a process that starts from the snapshot and follows the log;
- the dashboard's first paint from the snapshot: the real Textual app run headless, timed from
  its construction until its first frame shows the folded data (`first_frame_s`) and until every
  row is mounted and the app is idle (`first_paint_s`), its imports apart, with the dashboard
  process's peak resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db import events as ev  # noqa: E402
from db import log, signing, trust  # noqa: E402
from db.connect import connect, write  # noqa: E402
from db.events import Event  # noqa: E402
from db.hlc import pack  # noqa: E402

TZ = "Europe/Brussels"
DAYS = ("2024-03-20", "2024-03-21", "2024-03-22")
SLOTS = (("09:00", "10:30"), ("11:00", "12:30"), ("14:00", "15:30"), ("16:00", "17:30"))
BATCH = 5000


def _ms(day: str, hhmm: str) -> int:
    h, m = (int(p) for p in hhmm.split(":"))
    moment = datetime.combine(date.fromisoformat(day), datetime.min.time(), ZoneInfo(TZ)) + timedelta(hours=h, minutes=m)
    return int(moment.timestamp() * 1000)


# --- build -----------------------------------------------------------------------------------
def build(path: Path, events: int, attendees: int, seed: int = 11) -> dict[str, float]:
    """Write a log of about `events` events for `attendees` people at `path` (a new file)."""
    if path.exists():
        raise SystemExit(f"{path} exists already: build writes a new database")
    rng = random.Random(seed)
    started = time.perf_counter()
    db = connect(path)
    rooms = max(8, attendees // 400)
    visits_per_day = max(2, attendees // 5000)
    buses_per_visit = 3
    people = [f"A{i:06d}" for i in range(attendees)]

    # Reference data, as the organiser's node writes it (through the log's own path).
    org_clock = iter(range(_ms(DAYS[0], "00:00") - 20 * 86_400_000, 10**15, 3))
    wall = lambda: next(org_clock)  # noqa: E731
    drafts = [log.Draft(ev.EVENT_CREATED, {"id": "SCALE", "name": "Scale", "days": list(DAYS), "tz": TZ})]
    for r in range(rooms):
        drafts.append(log.Draft(ev.ROOM_ADDED, {"id": f"R{r}", "name": f"Room {r}", "capacity": 450}))
        for day in DAYS:
            for start, end in SLOTS:
                drafts.append(log.Draft(ev.SESSION_ADDED, {"id": f"R{r}-{day}-{start}", "title": "Talk", "room": f"R{r}",
                                                           "start": f"{day}T{start}:00+01:00", "end": f"{day}T{end}:00+01:00"}))
    for i, a in enumerate(people):
        drafts.append(log.Draft(ev.ATTENDEE_REGISTERED, {"id": a, "name": f"Person {i}", "first": "Person", "last": str(i),
                                                         "org": f"Org {i % 700}", "city": "Brussels", "country": "BE", "role": "police"}))
    buses: list[tuple[str, str, str]] = []  # (visit, bus, day)
    for day in DAYS:
        for v in range(visits_per_day):
            visit = f"V{day[-2:]}{v}"
            drafts.append(log.Draft(ev.VISIT_ADDED, {"id": visit, "title": f"Visit {visit}", "day": day, "depart": "13:30", "return": "17:00"}))
            for b in range(buses_per_visit):
                bus = f"{visit}-B{b}"
                buses.append((visit, bus, day))
                drafts.append(log.Draft(ev.BUS_ADDED, {"id": bus, "visit": visit, "capacity": 50, "label": f"Coach {b}"}))
    assigned: dict[str, list[str]] = {}
    for visit, bus, _ in buses:
        riders = rng.sample(people, min(40, len(people)))
        assigned[bus] = riders
        drafts += [log.Draft(ev.BUS_ASSIGNED, {"visit": visit, "bus": bus, "attendee": a}) for a in riders]
    desks = [f"desk-{i}" for i in range(max(4, attendees // 5000))]
    doors = [f"door-R{r}" for r in range(rooms)]
    bus_stations = [f"bus-{bus}" for _, bus, _ in buses]
    for s in desks:
        drafts.append(log.Draft(ev.STATION_ADDED, {"id": s, "kind": "desk", "place": "Hall"}))
    for r, s in enumerate(doors):
        drafts.append(log.Draft(ev.STATION_ADDED, {"id": s, "kind": "door", "place": f"R{r}"}))
    for s, (_, bus, _) in zip(bus_stations, buses, strict=True):
        drafts.append(log.Draft(ev.STATION_ADDED, {"id": s, "kind": "bus", "place": bus}))
    log.append_many(db, "org", drafts, wall=wall)
    # Every station is enrolled before the event: the organiser vouches for its key.
    for station, kind in [(s, "desk") for s in desks] + [(s, "door") for s in doors] + [(s, "bus") for s in bus_stations]:
        key = signing.private_key(db, station, create=True)
        assert key is not None
        trust.vouch(db, station, kind, signing.public_raw(key), wall=wall)
    reference = log.count(db)

    # Every station's scans: what happens on each day, in time order per station.
    plan: dict[str, list[tuple[int, str, dict[str, object]]]] = {s: [] for s in desks + doors + bus_stations}
    budget = max(0, events - reference - len(plan))
    per_day = budget // len(DAYS)
    for day in DAYS:
        _day_scans(rng, day, people, rooms, desks, buses, assigned, per_day, plan)
    late = set(rng.sample(bus_stations, min(2, len(bus_stations))))
    order = [s for s in plan if s not in late] + sorted(late)  # the offline buses sync last
    for station in order:
        _write_station(db, station, plan[station], wall)
    db.execute("UPDATE clock SET last_hlc = (SELECT MAX(hlc) FROM events) WHERE id = 1")
    total = log.count(db)
    db.conn.close()
    return {"events": total, "attendees": attendees, "build_s": round(time.perf_counter() - started, 1)}


def _day_scans(
    rng: random.Random,
    day: str,
    people: list[str],
    rooms: int,
    desks: list[str],
    buses: list[tuple[str, str, str]],
    assigned: dict[str, list[str]],
    budget: int,
    plan: dict[str, list[tuple[int, str, dict[str, object]]]],
) -> None:
    """About `budget` scans on `day`: arrivals at desks, then doors for each session, buses."""
    opening = _ms(day, "08:00")
    present = rng.sample(people, int(len(people) * 0.85))
    arrival: dict[str, int] = {}
    used = 0
    for a in present:
        at = opening + int(rng.triangular(0, 3.5, 0.8) * 3_600_000)
        arrival[a] = at
        desk = rng.choice(desks)
        plan[desk].append((at, ev.DESK_CHECKIN, {"attendee": a, "first": True, "via": "scan"}))
        used += 1
        if rng.random() < 0.02:  # scanned again: a repeat, or an undo of a wrong scan
            if rng.random() < 0.5:
                plan[desk].append((at + 4000, ev.VOID, {"_void_of": at}))
            else:
                plan[desk].append((at + 60_000, ev.DESK_CHECKIN, {"attendee": a, "first": False, "via": "scan"}))
            used += 1
    for visit, bus, bus_day in buses:
        if bus_day != day:
            continue
        station = f"bus-{bus}"
        depart = _ms(day, "13:30")
        for a in assigned[bus]:
            if rng.random() < 0.9:
                plan[station].append((depart - rng.randrange(1, 1_500_000), ev.BUS_BOARDED, {"attendee": a, "visit": visit, "bus": bus}))
                used += 1
        plan[station].append((depart, ev.BUS_DEPARTED, {"visit": visit, "bus": bus}))
        plan[station].append((_ms(day, "17:00") + rng.randrange(0, 900_000), ev.BUS_RETURNED, {"visit": visit, "bus": bus}))
        used += 2
    # Doors: entries (and some exits) spread over the sessions until the budget is spent.
    sessions = [(_ms(day, s), _ms(day, e)) for s, e in SLOTS]
    while used < budget:
        a = rng.choice(present)
        start, end = rng.choice(sessions)
        at = max(arrival[a] + 60_000, start - 900_000 + rng.randrange(0, 1_800_000))
        if at >= end:
            continue
        door = f"door-R{rng.randrange(rooms)}"
        plan[door].append((at, ev.DOOR_ENTRY, {"attendee": a, "room": door[5:]}))
        used += 1
        roll = rng.random()
        if roll < 0.25:
            plan[door].append((min(end - 1000, at + rng.randrange(600_000, 3_600_000)), ev.DOOR_EXIT, {"attendee": a, "room": door[5:]}))
            used += 1
        elif roll < 0.27:
            plan[door].append((at + 3000, ev.VOID, {"_void_of": at}))
            used += 1


def _write_station(db, station: str, scans: list[tuple[int, str, dict[str, object]]], wall: Callable[[], int]) -> None:
    """Sign `station`'s scans in its own chain and insert them in bulk."""
    if not scans:
        return
    scans.sort(key=lambda s: s[0])
    key, _ = trust.signer(db, station)
    seq, prev = log._tail(db, station)
    last_hlc = 0
    by_time: dict[int, int] = {}  # scan time -> seq (what a void names)
    rows: list[tuple[object, ...]] = []
    for at, kind, data in scans:
        hlc = max(pack(at), last_hlc + 1)
        last_hlc = hlc
        seq += 1
        if kind == ev.VOID:
            target = by_time.get(int(data["_void_of"]))  # type: ignore[call-overload]
            if target is None:
                seq -= 1
                continue
            data = {"station_id": station, "seq": target}
        by_time[at] = seq
        event, prev = signing.sign(key, prev, Event(station, seq, hlc, kind, data))
        rows.append((station, seq, hlc, kind, event.data_text(), event.sig, prev.chain))
        if len(rows) >= BATCH:
            _insert(db, rows)
    _insert(db, rows)


def _insert(db, rows: list[tuple[object, ...]]) -> None:
    if rows:
        with write(db):
            db.conn.executemany(f"INSERT INTO events ({log.EVENT_COLUMNS}, chain) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        rows.clear()


# --- run -------------------------------------------------------------------------------------
def vm_hwm_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def raw_read_s(path: Path) -> float:
    """The floor: SELECT every row in fold order and parse its JSON, nothing else."""
    db = connect(path, create=False)
    started = time.perf_counter()
    rows = [(r[0], r[1], r[2], r[3], orjson.loads(r[4])) for r in db.execute(f"SELECT {log.EVENT_COLUMNS} FROM events ORDER BY hlc, station_id, seq")]
    elapsed = time.perf_counter() - started
    del rows
    db.conn.close()
    return elapsed


def _child(args: list[str]) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


def measure_full(path: Path) -> dict[str, object]:
    """(child process) A full rebuild, no snapshot used or written."""
    from db import snapshots
    from db.fold import load_state

    db = connect(path, create=False)
    started = time.perf_counter()
    state = load_state(db, snapshots=False)
    elapsed = time.perf_counter() - started
    return {"full_fold_s": round(elapsed, 2), "events": state.event_count, "rss_mb": vm_hwm_mb(), "rebuilds": state.rebuilds,
            "snapshot_format": snapshots.FORMAT}


def measure_start(path: Path) -> dict[str, object]:
    """(child process) Start from the newest snapshot, then 10 new and 10 late events."""
    from db.fold import load_state

    db = connect(path, create=False)
    started = time.perf_counter()
    state = load_state(db)
    start_s = time.perf_counter() - started
    rng = random.Random(3)
    people = sorted(state.attendees)
    rooms = sorted(state.rooms)
    last = state.last_event_ms
    on_time, late = [], []
    for round_ in range(30):
        fresh = [Event("door-bench", round_ * 10 + i + 1, pack(last + 1000 * (round_ * 10 + i + 1)), ev.DOOR_ENTRY,
                       {"attendee": rng.choice(people), "room": rng.choice(rooms)}) for i in range(10)]
        t = time.perf_counter()
        state.apply(fresh)
        on_time.append(time.perf_counter() - t)
    last = state.last_event_ms
    for round_ in range(10):
        at = last - 3_600_000 + round_ * 1000
        fresh = [Event("door-late", round_ * 10 + i + 1, pack(at + i), ev.DOOR_ENTRY,
                       {"attendee": rng.choice(people), "room": rng.choice(rooms)}) for i in range(10)]
        t = time.perf_counter()
        state.apply(fresh)
        late.append(time.perf_counter() - t)
    ms = lambda s: round(s * 1000, 1)  # noqa: E731
    return {
        "start_from_snapshot_s": round(start_s, 2),
        "started_from": state.started_from,
        "new_10_events_ms": {"median": ms(statistics.median(on_time)), "max": ms(max(on_time))},
        "late_10_events_1h_ms": {"median": ms(statistics.median(late)), "max": ms(max(late))},
        "rss_mb": vm_hwm_mb(),
    }


def measure_dashboard(path: Path) -> dict[str, object]:
    """(child process) The dashboard's first paint from the newest snapshot: the real app, headless."""
    started = time.perf_counter()
    from dashboard.app import DashboardApp

    imports_s = time.perf_counter() - started
    db = connect(path, create=False)
    wall_ms = int(db.execute("SELECT MAX(hlc) FROM events").fetchone()[0]) >> 16  # live, at the log's last moment
    db.conn.close()

    async def first_paint() -> dict[str, object]:
        started = time.perf_counter()
        app = DashboardApp(path, wall=lambda: wall_ms)
        async with app.run_test(size=(200, 60)) as pilot:
            while app.shown is None and app.error is None:
                await pilot.pause(0.01)
            if app.error is not None:
                raise SystemExit(f"the dashboard did not open {path}: {app.error}")
            await pilot.pause()  # the panels drawn with what `shown` holds, every row mounted, the app idle
            paint_s = time.perf_counter() - started
            shown = app.shown
            assert shown is not None and app.first_frame_at is not None
        # first_frame_s: the first frame a person sees with the folded data in every panel (a
        # long list of rooms or stations is still growing below the fold: dashboard/widgets/rows.py).
        return {"first_paint_s": round(paint_s, 2), "first_frame_s": round(app.first_frame_at - started, 2),
                "rooms_shown": len(shown.rooms.rooms), "inside_shown": shown.rooms.inside,
                "checked_in_shown": shown.arrivals.checked_in}

    out = asyncio.run(first_paint())
    out.update({"imports_s": round(imports_s, 2), "rss_mb": vm_hwm_mb()})
    return out


def status_s(path: Path) -> float:
    """`eventops status --json` in a fresh process, as an operations lead runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "eventops", "status", "--db", str(path), "--json"], check=True,
                   capture_output=True, env=env, cwd=ROOT)
    return round(time.perf_counter() - started, 2)


def measure_status(path: Path) -> dict[str, object]:
    """(child process) Where `eventops status --json` spends its time: the command's imports (in
    a fresh interpreter, its own start-up subtracted), the state from the snapshot, the report,
    its JSON (the parts `status_s` times as one)."""
    import gc

    from db.fold import load_state
    from db.snapshots import held
    from db.status import reference_now, status

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    bare = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import eventops.cli"], check=True, env=env)
    imports_s = (time.perf_counter() - started) - (started - bare)
    imported = time.perf_counter()
    db = connect(path, create=False)
    state = load_state(db)
    gc.freeze()  # as the command does
    loaded = time.perf_counter()
    report = status(state, reference_now(state, int(time.time() * 1000)), vector=held(db))
    reported = time.perf_counter()
    text = json.dumps(report, ensure_ascii=False)
    done = time.perf_counter()
    return {"imports_s": round(imports_s, 2), "state_s": round(loaded - imported, 2),
            "report_s": round(reported - loaded, 2), "json_s": round(done - reported, 2), "json_chars": len(text)}


def run(directory: Path, sizes: list[tuple[int, int]]) -> dict[str, object]:
    from db import snapshots

    out: dict[str, object] = {"cpus": os.cpu_count(), "load_avg": os.getloadavg()[0]}
    for events, attendees in sizes:
        path = directory / f"scale-{events}-{attendees}.db"
        entry: dict[str, object] = {}
        if not path.exists():
            entry["build"] = build(path, events, attendees)
        snapshots.drop_all(connect(path, create=False))
        raw = raw_read_s(path)
        entry["raw_read_and_parse_s"] = round(raw, 2)
        full = _child(["measure-full", str(path)])
        entry["full"] = full
        entry["full_over_raw"] = round(float(full["full_fold_s"]) / raw, 2)  # type: ignore[arg-type]
        _child(["write-snapshot", str(path)])
        entry["raw_read_and_parse_again_s"] = round(raw_read_s(path), 2)
        entry["status_json_from_snapshot_s"] = status_s(path)
        entry["status_breakdown"] = _child(["measure-status", str(path)])
        entry["start"] = _child(["measure-start", str(path)])
        entry["dashboard"] = _child(["measure-dashboard", str(path)])
        out[f"{events}/{attendees}"] = entry
    return out


def write_snapshot(path: Path) -> dict[str, object]:
    """(child process) Fold once and persist snapshots the way a running node would."""
    from db import snapshots
    from db.fold import load_state

    db = connect(path, create=False)
    started = time.perf_counter()
    state = load_state(db)
    snapshots.flush()
    return {"s": round(time.perf_counter() - started, 2), "snapshots": len(snapshots.listing(db)), "events": state.event_count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write a realistic log")
    b.add_argument("--db", required=True, type=Path)
    b.add_argument("--events", required=True, type=int)
    b.add_argument("--attendees", required=True, type=int)
    r = sub.add_parser("run", help="measure sizes side by side")
    r.add_argument("--dir", type=Path, default=Path("/tmp/eventops-scale"))
    r.add_argument("--sizes", default="100000:10000,1000000:100000")
    for name in ("measure-full", "measure-start", "measure-status", "measure-dashboard", "write-snapshot"):
        sub.add_parser(name).add_argument("path", type=Path)
    args = parser.parse_args()
    if args.command == "build":
        print(json.dumps(build(args.db, args.events, args.attendees)))
    elif args.command == "run":
        args.dir.mkdir(parents=True, exist_ok=True)
        sizes = [tuple(int(x) for x in s.split(":")) for s in args.sizes.split(",")]
        print(json.dumps(run(args.dir, sizes), indent=2))  # type: ignore[arg-type]
    else:
        func = {"measure-full": measure_full, "measure-start": measure_start, "measure-status": measure_status,
                "measure-dashboard": measure_dashboard, "write-snapshot": write_snapshot}[args.command]
        print(json.dumps(func(args.path)))


if __name__ == "__main__":
    main()
