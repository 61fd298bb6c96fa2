"""A scan committed by another process reaches the hub because it was committed, not on a timer.

`eventops scan` (its own process, its own connection) writes on a station's file while the
sync loop runs: the loop sees the commit through `PRAGMA data_version` and pushes at once.
Between commits it reads nothing (its rounds are counted). Timings are in bench/sync.py.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from checkin.badges.keys import create_signing_key, load_signing_key, token_for
from db import log
from db.connect import connect
from db.fold import load_state
from sync.client import SyncLoop
from sync.enrol import add_station, enrol

from .helpers import EVENTOPS, T0, HubProcess, frozen, reference_data, run_cli, wait_for

#: Far longer than any test waits: a push seen within the bound below came from a commit.
IDLE_S = 120.0
BOUND_S = 10.0




def organiser_hub(hub_db: Path) -> None:
    """The event, its attendees and its badge key, on the hub's file."""
    db = connect(hub_db)
    reference_data(db)
    create_signing_key(db, hub_db, wall=frozen(T0 - 3_000_000))
    db.conn.close()


def badge(hub_db: Path, attendee: str) -> str:
    return token_for(load_state(connect(hub_db)), load_signing_key(hub_db), attendee)


def enrolled(hub: HubProcess, tmp_path: Path, station: str) -> Path:
    db_path = tmp_path / f"{station}.db"
    code = add_station(connect(hub.db_path), hub.db_path, station, "desk").encode()
    enrol(connect(db_path), code, hub.url)
    return db_path


def scan_in_another_process(db_path: Path, station: str, payload: str) -> int:
    """`eventops scan` as a desk would run it; returns the seq it recorded."""
    out = run_cli("scan", "--db", str(db_path), "--station", station, "--mode", "desk", payload)
    return int(json.loads(out.stdout)["event"]["seq"])


def settled_rounds(loop: SyncLoop, quiet_s: float = 0.5) -> int:
    """The loop's push-round count once no round has run for `quiet_s` (bounded by BOUND_S)."""
    deadline = time.monotonic() + BOUND_S
    rounds = loop.push_rounds
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        if loop.push_rounds == rounds:
            return rounds
        rounds = loop.push_rounds
    raise AssertionError(f"the loop never went quiet: {rounds} push rounds and counting")


def hub_holds(hub_db: Path, station: str, seq: int) -> bool:
    conn = connect(hub_db)
    try:
        return log.vector(conn).get(station, 0) >= seq
    finally:
        conn.conn.close()


def test_the_loop_pushes_another_process_s_scan_on_its_commit_and_reads_nothing_meanwhile(tmp_path: Path) -> None:
    hub_db = tmp_path / "hub.db"
    organiser_hub(hub_db)
    with HubProcess(hub_db) as hub:
        desk = enrolled(hub, tmp_path, "desk-1")
        loop = SyncLoop(desk, long_poll_s=30, idle_s=IDLE_S, backoff_s=(0.1, 0.5)).start()
        try:
            assert wait_for(lambda: loop.status().online)
            # The first rounds settle (enrolment's settings, the first pull): wait until no round has run
            # for half a second, however slow the machine, before counting.
            rounds = settled_rounds(loop)
            time.sleep(1.0)  # nobody writes: no round, no read of the log
            assert loop.push_rounds == rounds
            for attendee in ("A001", "A002"):
                seq = scan_in_another_process(desk, "desk-1", badge(hub_db, attendee))
                assert wait_for(lambda seq=seq: hub_holds(hub_db, "desk-1", seq)), "the scan never reached the hub"
            # One round per commit (the scan), give or take the settings a round writes: not a poll.
            assert 2 <= loop.push_rounds - rounds <= 8
        finally:
            loop.stop()


def test_eventops_sync_pushes_what_eventops_scan_wrote(tmp_path: Path) -> None:
    """Real processes only: a hub, `eventops sync` on the station's file, `eventops scan` on it."""
    hub_db = tmp_path / "hub.db"
    organiser_hub(hub_db)
    with HubProcess(hub_db) as hub:
        desk = enrolled(hub, tmp_path, "desk-1")
        sync = subprocess.Popen([EVENTOPS, "sync", "--db", str(desk), "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        try:
            assert sync.stdout is not None
            for _ in range(20):  # its status lines, until online
                line = sync.stdout.readline()
                if not line or json.loads(line)["online"]:
                    break
            assert line and json.loads(line)["online"], "eventops sync never came online"
            seq = scan_in_another_process(desk, "desk-1", badge(hub_db, "A001"))
            assert wait_for(lambda: hub_holds(hub_db, "desk-1", seq)), "the scan never reached the hub"
            assert sync.poll() is None  # still running
        finally:
            sync.send_signal(signal.SIGTERM)
            sync.wait(10)
