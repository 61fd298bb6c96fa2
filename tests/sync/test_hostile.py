"""The hub under hostile input, in-process (the real Starlette app over a real SQLite file):
every bad request is a 4xx with a reason, never a 500, and leaves the log as it was; a token
that floods the hub is slowed down with 429 `quota`, and the station's sync loop backs off
and gets through once the quota allows."""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Callable, Iterator

import pytest

from db import events as ev
from sync import protocol as p
from sync.client import SyncLoop, SyncStatus
from sync.hub import create_app
from sync.quota import Quota, Quotas

from .helpers import Node, grant, scan

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")


def post(client: TestClient, path: str, raw: bytes, token: str | None = None) -> tuple[int, dict, dict]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = client.post(path, content=raw, headers=headers)
    return response.status_code, response.json(), dict(response.headers)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def event_bytes(event: ev.Event, station_id: bytes | None = None, **data: object) -> bytes:
    wire = event.to_wire()
    if data:
        wire["data"] = {**wire["data"], **data}
    raw = json.dumps({"events": [wire]}).encode()
    if station_id is not None:
        raw = raw.replace(json.dumps(event.station_id).encode(), station_id)
    return raw


# route, body (or a function of the desk's first scan), status, reason; all but enrol carry a token
CASES: dict[str, tuple[str, bytes | Callable[[ev.Event], bytes], int, str]] = {
    "pull: wait NaN": ("/v1/pull", b'{"vector": {}, "wait": NaN}', 400, p.MALFORMED),
    "pull: wait Infinity": ("/v1/pull", b'{"vector": {}, "wait": Infinity}', 400, p.MALFORMED),
    "pull: wait 1e999": ("/v1/pull", b'{"vector": {}, "wait": 1e999}', 400, p.MALFORMED),
    "pull: wait negative": ("/v1/pull", b'{"vector": {}, "wait": -1}', 400, p.MALFORMED),
    "pull: nested 17 deep": ("/v1/pull", b'{"vector": ' + nested(16) + b"}", 400, p.MALFORMED),
    "pull: nested 100,000 deep": ("/v1/pull", b'{"vector": ' + nested(100_000) + b"}", 400, p.MALFORMED),
    "pull: too many objects": ("/v1/pull", b'{"vector": {}, "x": [' + b",".join([b"{}"] * 100_001) + b"]}", 413, p.TOO_LARGE),
    "pull: larger than its cap": ("/v1/pull", b'{"vector": {}, "x": "' + b"a" * p.MAX_PULL_BYTES + b'"}', 413, p.TOO_LARGE),
    "pull: lone surrogate in a vector key": ("/v1/pull", b'{"vector": {"desk-\\ud800": 1}}', 400, p.MALFORMED),
    "pull: invalid UTF-8 in a vector key": ("/v1/pull", b'{"vector": {"desk-\xed\xa0\x80": 1}}', 400, p.MALFORMED),
    "pull: a seq beyond 64 bits": ("/v1/pull", b'{"vector": {"desk-1": 18446744073709551615}}', 400, p.MALFORMED),
    "push: nested 1,000,000 deep": ("/v1/push", b'{"events": ' + nested(1_000_000) + b"}", 400, p.MALFORMED),
    "push: lone surrogate in a station id": ("/v1/push", lambda e: event_bytes(e, b'"desk-\\udc00"'), 400, p.MALFORMED),
    "push: e-mail key nested in data": (
        "/v1/push", lambda e: event_bytes(e, notes=[{"contact": {"E-Mail": "jan@example.org"}}]), 422, p.PERSONAL_DATA,
    ),
    "push: phone key nested in data": ("/v1/push", lambda e: event_bytes(e, extra={"phone": "+32 2 555 01 01"}), 422, p.PERSONAL_DATA),
    "push: e-mail address as a value": ("/v1/push", lambda e: event_bytes(e, note="call jan.peeters@example.be"), 422, p.PERSONAL_DATA),
    "push: a seq beyond 64 bits": (
        "/v1/push", lambda e: event_bytes(e).replace(b'"seq": 1', b'"seq": 18446744073709551615'), 422, p.INVALID_EVENT,
    ),
    "enrol: larger than 4 KiB": ("/v1/enrol", b'{"secret": "' + b"a" * p.MAX_ENROL_BYTES + b'"}', 413, p.TOO_LARGE),
    "enrol: 8 MB of nesting": ("/v1/enrol", nested(4 * 1024 * 1024), 413, p.TOO_LARGE),
    "enrol: nested within its cap": ("/v1/enrol", b'{"secret": ' + nested(1000) + b"}", 400, p.MALFORMED),
    "enrol: lone surrogate": ("/v1/enrol", b'{"secret": "\\ud800"}', 400, p.MALFORMED),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_request_is_a_4xx_with_a_reason_and_changes_nothing(hub: Node, desk: Node, case: str) -> None:
    path, body, status, reason = CASES[case]
    token = grant(hub.db, "desk-1", key_from=desk.db)
    event = scan(desk.db, "desk-1", 1, desk.wall)
    raw = body(event) if callable(body) else body
    before, vector_before = hub.idents(), hub.vector()
    got, answer, _ = post(hub.serve(), path, raw, None if path == "/v1/enrol" else token)
    assert (got, answer["error"]) == (status, reason), answer
    assert answer["message"] and "Traceback" not in answer["message"]
    assert hub.idents() == before and hub.vector() == vector_before
    # the hub keeps serving the honest station
    assert post(hub.serve(), "/v1/push", event_bytes(event), token)[0] == 200
    assert hub.vector()["desk-1"] == 1


def test_an_oversized_body_without_a_length_is_cut_off(hub: Node) -> None:
    """A chunked body (no Content-Length) is refused once it passes the cap, not after."""

    def chunks() -> Iterator[bytes]:
        yield b'{"secret": "'
        for _ in range(64):
            yield b"a" * 1024
        yield b'"}'

    response = hub.serve().post("/v1/enrol", content=chunks())
    assert (response.status_code, response.json()["error"]) == (413, p.TOO_LARGE)


def test_a_pull_with_a_long_wait_is_held_at_most_the_cap() -> None:
    assert p.parse_pull({"vector": {}, "wait": 10**9}).wait == p.MAX_WAIT_S
    assert p.parse_pull({"vector": {}, "wait": 2.5}).wait == 2.5
    for wait in (float("nan"), float("inf"), -0.5, True, "5"):
        with pytest.raises(p.ProtocolError) as refused:
            p.parse_pull({"vector": {}, "wait": wait})
        assert refused.value.status == 400


@pytest.mark.parametrize("depth", [1, 8, p.MAX_DEPTH])
def test_legitimate_nesting_passes_the_shape_check(depth: int) -> None:
    """The byte-level check counts only structure: brackets, braces and escaped quotes inside
    strings do not count."""
    value: object = "x"
    for level in range(depth - 1):
        value = [value, "]]]{{\\\""] if level % 2 else {"k[": value, "z": '"}}'}
    raw = json.dumps({"v": value} if depth > 1 else {"v": "[[[["}).encode()
    p.check_shape(raw)
    assert p.decode_body(raw)["v"] == (value if depth > 1 else "[[[[")


def test_contact_data_is_found_at_any_depth() -> None:
    assert p.contact_data({"attendee": "A001", "via": "scan"}) == []
    assert p.contact_data({"a": [{"b": {"Phone": "1"}}]}) == ["data.a[0].b.Phone"]
    assert p.contact_data({"a": {"e_mail": "x"}, "b": ["see x.y@example.org"]}) == ["data.a.e_mail", "data.b[0]"]
    assert p.contact_data({"email": None, "note": "@home, or room 2.13"}) == []


# --- quotas -----------------------------------------------------------------------------


def quota_client(hub: Node, quota: Quota) -> TestClient:
    client = TestClient(create_app(hub.path, quota=quota))
    client.__enter__()
    return client


def test_a_station_over_its_quota_gets_429_with_retry_after_and_nothing_lands(hub: Node, desk: Node) -> None:
    client = quota_client(hub, Quota(events_per_minute=5, bytes_per_minute=None))
    try:
        token = grant(hub.db, "desk-1", key_from=desk.db)
        events = [scan(desk.db, "desk-1", i, desk.wall) for i in range(1, 9)]
        wire = [e.to_wire() for e in events]
        assert post(client, "/v1/push", json.dumps({"events": wire[:5]}).encode(), token)[0] == 200
        before = hub.idents()
        status, answer, headers = post(client, "/v1/push", json.dumps({"events": wire[5:6]}).encode(), token)
        assert (status, answer["error"]) == (429, p.QUOTA)
        assert int(headers["retry-after"]) == answer["retry_after"] >= 1
        assert hub.idents() == before
        # a batch that could never fit a minute's quota is refused as too large, not "later"
        status, answer, _ = post(client, "/v1/push", json.dumps({"events": wire[5:] * 2}).encode(), token)
        assert (status, answer["error"]) in {(429, p.QUOTA), (413, p.TOO_LARGE)}
        # other stations have their own quota; a relay has none by default
        relay = grant(hub.db, "hub-2", role=p.ROLE_RELAY, kind="hub")
        assert post(client, "/v1/push", json.dumps({"events": wire[5:]}).encode(), relay)[0] == 200
        assert hub.vector()["desk-1"] == 8
    finally:
        client.__exit__(None, None, None)


def test_bytes_are_charged_before_parsing(hub: Node, desk: Node) -> None:
    client = quota_client(hub, Quota(events_per_minute=None, bytes_per_minute=4000))
    try:
        token = grant(hub.db, "desk-1", key_from=desk.db)
        junk = b'{"events": [], "junk": "' + b"x" * 3000 + b'"}'
        assert post(client, "/v1/push", junk, token)[0] == 200
        status, answer, headers = post(client, "/v1/push", junk, token)
        assert (status, answer["error"]) == (429, p.QUOTA) and "retry-after" in headers
        # pulls draw from the same bytes: a flood of pull bodies is slowed down too
        assert post(client, "/v1/pull", b'{"vector": {}, "x": "' + b"y" * 2000 + b'"}', token)[0] == 429
    finally:
        client.__exit__(None, None, None)


def test_quota_buckets_refill_with_time() -> None:
    now = [0.0]
    quotas = Quotas(Quota(events_per_minute=60, bytes_per_minute=None), clock=lambda: now[0])
    quotas.charge_events("desk-1", p.ROLE_STATION, 60)
    with pytest.raises(p.ProtocolError) as refused:
        quotas.charge_events("desk-1", p.ROLE_STATION, 10)
    assert (refused.value.status, refused.value.extra["retry_after"]) == (429, 10)
    now[0] = 9.0
    with pytest.raises(p.ProtocolError):
        quotas.charge_events("desk-1", p.ROLE_STATION, 10)  # a refusal draws nothing ...
    now[0] = 10.0
    quotas.charge_events("desk-1", p.ROLE_STATION, 10)  # ... so ten seconds give ten events
    quotas.charge_events("desk-2", p.ROLE_STATION, 60)  # a bucket per station
    quotas.charge_events("hub-2", p.ROLE_RELAY, 10**6)  # relays: no limit by default


def test_the_sync_loop_backs_off_on_429_and_gets_through(hub: Node, desk: Node) -> None:
    """429 is "later", not "never": the loop shows the refusal, retries, and every scan lands."""
    app = create_app(hub.path, quota=Quota(events_per_minute=120, bytes_per_minute=None))
    with TestClient(app) as client:
        token = grant(hub.db, "desk-1", key_from=desk.db)
        for i in range(1, 131):  # 120 land at once, the last 10 once the quota refills (2 a second)
            scan(desk.db, "desk-1", i % 30 + 1, desk.wall)
        statuses: list[SyncStatus] = []
        landed = threading.Event()

        def on_status(status: SyncStatus) -> None:
            statuses.append(status)
            if status.online and status.waiting == 0:
                landed.set()

        loop = SyncLoop(
            desk.path, "http://testserver", token, http_factory=lambda: client, on_status=on_status,
            backoff_s=(0.1, 0.5), long_poll_s=0.2, batch=10,
        )
        with loop:
            assert landed.wait(60), statuses[-3:]
        assert hub.vector()["desk-1"] == 130
        assert any(s.reason == "hub refused (429 quota)" for s in statuses)
