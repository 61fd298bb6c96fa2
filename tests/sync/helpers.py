"""Nodes for sync tests: a real SQLite file each, served by the real hub app in-process
(Starlette's TestClient drives the ASGI app) or by a real `eventops hub` process."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlite_utils import Database

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "use httpx2": the installed httpx works
    from starlette.testclient import TestClient

from db import events as ev
from db import log, trust
from db.connect import connect
from db.log import Draft
from db.node import set_local_station
from sync import store
from sync.client import HubClient
from sync.hub import create_app
from tests import processes

ROOT = Path(__file__).resolve().parents[2]
EVENTOPS = str(ROOT / ".venv" / "bin" / "eventops")
DAY = "2024-03-20"
T0 = 1710921600000  # 2024-03-20T08:00:00+01:00


def frozen(ms: int) -> Callable[[], int]:
    return lambda: ms


class Ticker:
    """A wall clock that moves one second per reading (scans a second apart)."""

    def __init__(self, start: int = T0) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1000
        return self.now


def reference_data(db: Database, attendees: int = 30, wall: Callable[[], int] | None = None) -> None:
    """An event with two rooms and some attendees, authored by the organiser."""
    wall = wall or frozen(T0 - 3_600_000)
    drafts = [
        Draft(ev.EVENT_CREATED, {"id": "SYNC", "name": "Sync test", "days": [DAY], "tz": "Europe/Brussels", "demo": False}),
        Draft(ev.ROOM_ADDED, {"id": "R1", "name": "Atelier", "capacity": 50}),
        Draft(ev.ROOM_ADDED, {"id": "R2", "name": "Plenary", "capacity": 400}),
    ]
    drafts += [
        Draft(ev.ATTENDEE_REGISTERED, {"id": f"A{i:03d}", "name": f"Person {i}", "first": "Person", "last": str(i),
                                      "org": "City", "city": "Brussels", "country": "BE", "role": "police"})
        for i in range(1, attendees + 1)
    ]
    log.append_many(db, "org", drafts, wall=wall)


def scan(db: Database, station: str, attendee: int, wall: Callable[[], int]) -> ev.Event:
    """A scan as the station's kind writes it (db/permissions.py: a door scans doors, a bus boards)."""
    if station.startswith("door"):
        return log.append(db, station, ev.DOOR_ENTRY, {"attendee": f"A{attendee:03d}", "room": "R1"}, wall=wall)
    if station.startswith("bus-"):
        visit, _, bus = station[4:].partition("-")
        data = {"attendee": f"A{attendee:03d}", "visit": visit, "bus": f"{visit}-{bus}"}
        return log.append(db, station, ev.BUS_BOARDED, data, wall=wall)
    return log.append(db, station, ev.DESK_CHECKIN, {"attendee": f"A{attendee:03d}", "first": True, "via": "scan"}, wall=wall)


def kind_of(station: str, role: str = "station") -> str:
    """A test station's kind, from its name (desk-1, door-R1, bus-V1-B1; a relay is a hub)."""
    if role == "relay":
        return "hub"
    prefix = station.split("-")[0]
    return prefix if prefix in ("desk", "door", "bus", "dashboard") else ""


def grant(
    db: Database,
    station: str,
    role: str = "station",
    kind: str | None = None,
    *,
    key_from: Database | None = None,
    wall: Callable[[], int] | None = None,
) -> str:
    """Enrol `station` on the node holding `db` (as its hub) and return its token.

    With `key_from` (the station's own database) the hub also binds the station's key, as
    `eventops station enrol` does: without it the hub keeps the station's events waiting.
    """
    kind = kind if kind is not None else kind_of(station, role)
    secret = store.add_station(db, station, kind or "desk", role)
    redeemed = store.redeem(db, secret)
    assert redeemed is not None
    if key_from is not None and trust.may_vouch_here(db, kind):
        trust.vouch(db, station, kind, trust.public_key_of(key_from, station), **({"wall": wall} if wall else {}))
    return redeemed[1]


class Node:
    """One node: its own database file (or, with `store`, a PostgreSQL database: a hub's store),
    and (when asked) the hub app serving it."""

    def __init__(self, path: Path, station: str, *, wall: Callable[[], int] | None = None, pg: str | None = None) -> None:
        self.path = path
        self.station = station
        self.pg = pg
        if pg is not None:
            from sync.pg.store import connect as connect_pg

            self.db = connect_pg(pg)
        else:
            self.db = connect(path)
            # In-process tests pull no power cords: skip fsync on the test's own connection (speed).
            self.db.execute("PRAGMA synchronous = OFF")
        set_local_station(self.db, station)
        store.ensure_tables(self.db)
        self.wall = wall or Ticker()
        self._client: TestClient | None = None
        self.tokens: dict[str, str] = {}

    def serve(self, hub_wall: Callable[[], int] | None = None) -> TestClient:
        if self._client is None:
            app = create_app(self.pg or self.path, **({"wall": hub_wall} if hub_wall else {}))
            self._client = TestClient(app)
            self._client.__enter__()
        return self._client

    def restart(self) -> None:
        """Stop serving and serve again: a new hub on the same file, no memory carried over."""
        if self._client is not None:
            self._client.__exit__(None, None, None)
            self._client = None
        self.serve()

    def client_for(self, other: Node, role: str = "station") -> HubClient:
        """A client through which `other` syncs with this node."""
        if other.station not in self.tokens:
            self.tokens[other.station] = grant(self.db, other.station, role, key_from=other.db, wall=self.wall)
        return HubClient("http://testserver", self.tokens[other.station], http=self.serve())

    def close(self) -> None:
        if self._client is not None:
            self._client.__exit__(None, None, None)
            self._client = None
        self.db.conn.close()

    def vector(self) -> dict[str, int]:
        return log.vector(self.db)

    def idents(self) -> set[tuple[str, int, int, str, str]]:
        return {(e.station_id, e.seq, e.hlc, e.kind, ev.encode_data(e.data)) for e in log.all_events(self.db)}


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, every: float = 0.02) -> bool:
    """Poll `predicate` until it holds or `timeout` passes; True when it held. Tests wait for
    exactly the condition they then assert, however slow the machine (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


# --- real processes -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(*args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([EVENTOPS, *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"eventops {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


class HubProcess:
    """`eventops hub` as a real process on 127.0.0.1, started and killed like in the field."""

    def __init__(self, db_path: Path, port: int | None = None, *extra: str, store: str | None = None) -> None:
        self.db_path = db_path
        self.store = store  # a postgresql:// URL: the hub serves that store instead of db_path
        self.port = port or free_port()
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.scheme = "https" if "--tls-self-signed" in extra else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> HubProcess:
        self.proc = processes.start(
            [EVENTOPS, "hub", *(["--store", self.store] if self.store else ["--db", str(self.db_path)]), "--port", str(self.port),
             *self.extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/v1/health", verify=False, timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.kill()
                raise AssertionError(f"the hub exited with {code}")
            time.sleep(0.05)
        self.kill()
        raise AssertionError("the hub did not answer /v1/health in time")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the hub with `sig` (SIGKILL: the power cut; SIGTERM: a clean stop) and wait until
        it and anything it started are gone."""
        if self.proc is not None:
            processes.stop(self.proc, sig)
        self.proc = None

    def __enter__(self) -> HubProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.kill(signal.SIGTERM)


PYTHON = sys.executable
