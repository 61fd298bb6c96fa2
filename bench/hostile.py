"""The hub under attack, on loopback, printing JSON: does an honest station still get served?

A real `eventops hub` process holds an event (700 attendees). An honest, enrolled station
pulls from it again and again: a catch-up pull (everything, ~700 events) and an up-to-date pull
(its vector is the hub's: nothing to send). First idle, then while three unauthenticated
senders (separate processes) post 8 MB of nested JSON to `/v1/enrol` as fast as they can, for
a bounded time. Reported: p50/p95 of each pull idle and under attack, their ratio (target:
under attack <= 3x idle), what the attackers got back, and the hub's CPU seconds.

On one small machine the senders also take CPU from the hub and from the honest station (here
they run flat out on loopback, where a real sender would be held back by its network). So a
control phase runs first: as many processes as senders, only burning CPU, never touching the
hub. `ratio_to_control` is the part of the slowdown that is the hub's; `--nice 19` runs the
senders (and the control) at the lowest priority, as if they were on other machines.

Traffic goes only to 127.0.0.1. Usage:
  PYTHONPATH=$PWD .venv/bin/python bench/hostile.py [--seconds 20] [--senders 3] [--route /v1/enrol]
      [--shape wide|deep] [--nice 19]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from db import events as ev  # noqa: E402
from db import log  # noqa: E402
from db.connect import connect  # noqa: E402
from db.log import Draft  # noqa: E402
from db.node import set_local_station  # noqa: E402
from sync import store  # noqa: E402

EVENTOPS = str(ROOT / ".venv" / "bin" / "eventops")
#: What each attacker posts, 8 MB of nested JSON: "wide" is valid JSON, 12 deep, that a parser
#: must build a million lists for (seconds of work); "deep" is four million brackets deep.
SHAPES = {
    "wide": b"[" + b",".join([b"[" * 11 + b"0" + b"]" * 11] * (8 * 1024 * 1024 // 24)) + b"]",
    "deep": b"[" * (4 * 1024 * 1024) + b"]" * (4 * 1024 * 1024),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(hub_db: Path, attendees: int) -> str:
    """The hub's database: an event, its attendees, one enrolled desk; returns the desk's token."""
    db = connect(hub_db)
    set_local_station(db, "org")
    drafts = [Draft(ev.EVENT_CREATED, {"id": "BENCH", "name": "Bench", "days": ["2024-03-20"], "tz": "Europe/Brussels", "demo": False})]
    drafts += [
        Draft(ev.ATTENDEE_REGISTERED, {"id": f"A{i:05d}", "name": f"Person {i}", "org": "City", "city": "Brussels", "country": "BE", "role": "x"})
        for i in range(attendees)
    ]
    log.append_many(db, "org", drafts)
    secret = store.add_station(db, "desk-1", "desk", "station")
    redeemed = store.redeem(db, secret)
    db.conn.close()
    assert redeemed is not None
    return redeemed[1]


def start_hub(hub_db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [EVENTOPS, "hub", "--db", str(hub_db), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the hub did not start")


def cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds a process has used: (user, system)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) / os.sysconf("SC_CLK_TCK"), int(fields[12]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan"), float("nan")


def cpu_since(pid: int, before: tuple[float, float]) -> dict[str, float]:
    user, system = cpu_s(pid)
    return {"user": round(user - before[0], 2), "system": round(system - before[1], 2)}


def attack(args: tuple[str, str, str, float, int]) -> dict[str, int]:
    """One unauthenticated sender: post the nested body until time is up; count the answers."""
    url, route, shape, seconds, nice = args
    os.nice(nice)
    body = SHAPES[shape]
    got: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=30) as client:
        while time.monotonic() < deadline:
            try:
                got[str(client.post(route, content=body).status_code)] += 1
            except httpx.HTTPError as error:
                got[type(error).__name__] += 1
    return dict(got)


def burn(args: tuple[float, int]) -> int:
    """A control "sender" that only takes CPU, for as long as an attacker would."""
    seconds, nice = args
    os.nice(nice)
    spins = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        spins += 1
    return spins


def pulls(client: httpx.Client, token: str, vector: dict[str, int], until: float, every: float) -> list[float]:
    """Pull with `vector` every `every` s until `until`; the latencies in ms (a failed pull: inf)."""
    out: list[float] = []
    headers = {"authorization": f"Bearer {token}"}
    body = json.dumps({"vector": vector, "limit": 2000, "wait": 0})
    while time.monotonic() < until:
        start = time.perf_counter()
        response = client.post("/v1/pull", content=body, headers=headers)
        ok = response.status_code == 200 and response.content.startswith(b'{"events":')
        out.append((time.perf_counter() - start) * 1000 if ok else float("inf"))
        time.sleep(every)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "samples": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 1),
        "failed": sum(1 for x in ordered if x == float("inf")),
    }


def measure(client: httpx.Client, token: str, vector: dict[str, int], seconds: float) -> dict[str, dict[str, float]]:
    """Alternate catch-up and up-to-date pulls for `seconds`."""
    catch_up: list[float] = []
    up_to_date: list[float] = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        catch_up += pulls(client, token, {}, time.monotonic() + 0.5, 0.02)
        up_to_date += pulls(client, token, vector, time.monotonic() + 0.5, 0.02)
    return {"catch_up": summary(catch_up), "up_to_date": summary(up_to_date)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the attack lasts")
    parser.add_argument("--senders", type=int, default=3)
    parser.add_argument("--route", default="/v1/enrol", help="where the attackers post (no token)")
    parser.add_argument("--shape", default="wide", choices=sorted(SHAPES), help="what they post")
    parser.add_argument(
        "--nice", type=int, default=0, help="niceness of the senders (and control): 19 models senders on other machines"
    )
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    hub_db = work / "hub.db"
    token = prepare(hub_db, 700)
    proc, url = start_hub(hub_db)
    ctx = multiprocessing.get_context("spawn")
    result: dict[str, object] = {"cores": os.cpu_count(), "load_average_before": round(os.getloadavg()[0], 1)}
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            vector = client.post("/v1/pull", json={"vector": {}, "limit": 0}, headers={"authorization": f"Bearer {token}"}).json()["vector"]
            measure(client, token, vector, 1.0)  # warm up
            cpu0 = cpu_s(proc.pid)
            idle = measure(client, token, vector, min(options.seconds, 10.0))
            hub_cpu_idle = cpu_since(proc.pid, cpu0)
            window = min(options.seconds, 10.0)
            with ctx.Pool(options.senders) as pool:
                burning = pool.map_async(burn, [(window + 1.0, options.nice)] * options.senders)
                time.sleep(0.5)
                control = measure(client, token, vector, window - 1.0)
                burning.get(window + 30)
                sent = pool.map_async(attack, [(url, options.route, options.shape, options.seconds, options.nice)] * options.senders)
                time.sleep(1.0)  # the senders are up and posting
                cpu1 = cpu_s(proc.pid)
                attacked = measure(client, token, vector, options.seconds - 2.0)
                hub_cpu_attack = cpu_since(proc.pid, cpu1)
                answers: Counter[str] = Counter()
                for counts in sent.get(options.seconds + 60):
                    answers.update(counts)
        result.update(
            {
                "attack": {"senders": options.senders, "route": options.route, "shape": options.shape, "body_bytes": len(SHAPES[options.shape]), "nice": options.nice, "seconds": options.seconds},
                "idle": idle,
                "control_cpu_only": control,
                "under_attack": attacked,
                "ratio_p50": {k: round(attacked[k]["p50_ms"] / idle[k]["p50_ms"], 2) for k in idle},
                "ratio_p95": {k: round(attacked[k]["p95_ms"] / idle[k]["p95_ms"], 2) for k in idle},
                "ratio_to_control_p50": {k: round(attacked[k]["p50_ms"] / control[k]["p50_ms"], 2) for k in idle},
                "ratio_to_control_p95": {k: round(attacked[k]["p95_ms"] / control[k]["p95_ms"], 2) for k in idle},
                "attackers_got": dict(answers),
                "hub_cpu_s": {"idle_window": hub_cpu_idle, "attack_window": hub_cpu_attack},
                "load_average_after": round(os.getloadavg()[0], 1),
            }
        )
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
