"""A real `eventops hub` on 127.0.0.1 under hostile input: strangers posting 8 MB of nested JSON
get a 4xx and the honest station keeps pulling and pushing (timings: bench/hostile.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from db.connect import connect
from db.node import set_local_station
from sync import store
from sync.client import HubClient, sync_once

from .helpers import HubProcess, grant, reference_data, scan

#: 8 MB of nested JSON: valid and 12 deep (a million lists to build), or four million deep.
WIDE = b"[" + b",".join([b"[" * 11 + b"0" + b"]" * 11] * (8 * 1024 * 1024 // 24)) + b"]"
DEEP = b"[" * (4 * 1024 * 1024) + b"]" * (4 * 1024 * 1024)


def chunked(body: bytes) -> Iterator[bytes]:
    """The same body without a Content-Length: the hub must cut it off by itself."""
    for start in range(0, len(body), 256 * 1024):
        yield body[start : start + 256 * 1024]


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[HubProcess, str]]:
    db = connect(tmp_path / "hub.db")
    set_local_station(db, "org")
    store.ensure_tables(db)
    reference_data(db)
    desk = connect(tmp_path / "desk-1.db")
    set_local_station(desk, "desk-1")
    token = grant(db, "desk-1", key_from=desk)  # enrolled: the hub knows its key
    desk.conn.close()
    db.conn.close()
    with HubProcess(tmp_path / "hub.db") as process:
        yield process, token


def test_strangers_posting_nested_megabytes_get_4xx_while_the_honest_station_syncs(hub: tuple[HubProcess, str], tmp_path: Path) -> None:
    process, token = hub
    events_before = httpx.get(f"{process.url}/v1/health").json()["events"]
    answers: list[int | str] = []
    pulled: list[int] = []

    def stranger(route: str) -> None:
        with httpx.Client(base_url=process.url, timeout=30) as client:
            for content in (WIDE, chunked(WIDE), DEEP):
                try:
                    answers.append(client.post(route, content=content).status_code)
                except httpx.HTTPError as error:  # a refusal must be an answer, not a dropped line
                    answers.append(type(error).__name__)

    def honest() -> None:
        station = HubClient(process.url, token, timeout=30)
        try:
            for _ in range(5):
                events, _, _ = station.pull({}, limit=2000)
                pulled.append(len(events))
        finally:
            station.close()

    threads = [threading.Thread(target=stranger, args=(route,)) for route in ("/v1/enrol", "/v1/enrol", "/v1/push")]
    threads.append(threading.Thread(target=honest))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert len(answers) == 9 and all(isinstance(a, int) and 400 <= a < 500 for a in answers), answers
    assert pulled == [events_before] * 5
    assert httpx.get(f"{process.url}/v1/health").json()["events"] == events_before
    # the honest station still pushes its scans through the same hub
    desk = connect(tmp_path / "desk-1.db")
    set_local_station(desk, "desk-1")
    scan(desk, "desk-1", 1, lambda: 1710921700000)
    report = sync_once(desk, process.url, token)
    assert report.pushed == 1 and report.waiting == 0
    desk.conn.close()


def test_a_pull_asking_to_wait_nan_is_refused_at_once(hub: tuple[HubProcess, str]) -> None:
    process, token = hub
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    # held open, this request would outlast its 10 s timeout and fail the test
    response = httpx.post(f"{process.url}/v1/pull", content=b'{"vector": {}, "wait": NaN}', headers=headers, timeout=10)
    assert (response.status_code, response.json()["error"]) == (400, "malformed")
    surrogate = b'{"vector": {"desk-\\ud800": 1}}'
    response = httpx.post(f"{process.url}/v1/pull", content=surrogate, headers=headers, timeout=10)
    assert (response.status_code, response.json()["error"]) == (400, "malformed")
