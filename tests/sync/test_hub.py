"""The hub in-process (the real Starlette app, a real SQLite file): what it accepts, what it
refuses and why, and that a refusal changes nothing while other stations keep syncing."""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from pathlib import Path

import pytest

from db import events as ev
from db import log, trust
from db.connect import connect_memory
from db.fold import load_state
from sync import protocol as p
from sync import store
from sync.client import HubClient, HubRefused, sync_once
from sync.incidents import REASON_REVOKED_STATION

from .helpers import Node, grant, scan

# TestClient ignores per-request timeouts and says so; the real client passes them to httpx.
pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")


def post(hub: Node, path: str, body: object, token: str | None, raw: bytes | None = None) -> tuple[int, dict]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    content = raw if raw is not None else json.dumps(body).encode()
    response = hub.serve().post(path, content=content, headers=headers)
    return response.status_code, response.json()


def wire(events: list[ev.Event]) -> list[dict]:
    return [e.to_wire() for e in events]


def test_a_station_pushes_its_scans_and_pulls_the_reference_data(hub: Node, desk: Node) -> None:
    for i in range(1, 6):
        scan(desk.db, "desk-1", i, desk.wall)
    report = sync_once(desk.db, client=hub.client_for(desk), batch=2)
    assert report.pushed == 5 and report.waiting == 0
    assert report.pulled == log.count(hub.db) - 5
    assert desk.idents() == hub.idents()
    assert len(load_state(desk.db).attendees) == 30
    assert {a for _, a in load_state(hub.db).checkins} == {f"A{i:03d}" for i in range(1, 6)}


def test_tokens_unknown_missing_revoked(hub: Node, desk: Node) -> None:
    token = grant(hub.db, "desk-1", key_from=desk.db)
    before = hub.idents()
    event = scan(desk.db, "desk-1", 1, desk.wall)
    assert post(hub, "/v1/push", {"events": wire([event])}, None)[0] == 401
    status, body = post(hub, "/v1/push", {"events": wire([event])}, "not-a-token")
    assert (status, body["error"]) == (401, p.UNAUTHORISED)
    store.revoke(hub.db, "desk-1")
    status, body = post(hub, "/v1/push", {"events": wire([event])}, token)
    assert (status, body["error"]) == (403, p.REVOKED)
    assert post(hub, "/v1/pull", {"vector": {}}, token)[0] == 403
    assert hub.idents() == before


@pytest.mark.parametrize(
    "case, status, reason",
    [
        ("not json", 400, p.MALFORMED),
        ("a list", 400, p.MALFORMED),
        ("bad event", 422, p.INVALID_EVENT),
        ("unknown kind", 422, p.INVALID_EVENT),
        ("gap in batch", 409, p.GAP),
        ("gap against hub", 409, p.GAP),
        ("conflict", 403, "forged"),
        ("another station", 403, p.FOREIGN_STATION),
        ("oversized", 413, p.TOO_LARGE),
        ("too many", 413, p.TOO_LARGE),
        ("an e-mail address", 422, p.PERSONAL_DATA),
    ],
)
def test_bad_batches_are_refused_with_a_reason_and_change_nothing(
    hub: Node, desk: Node, case: str, status: int, reason: str
) -> None:
    token = grant(hub.db, "desk-1", key_from=desk.db)
    events = [scan(desk.db, "desk-1", i, desk.wall) for i in range(1, 5)]
    assert post(hub, "/v1/push", {"events": wire(events[:1])}, token)[0] == 200
    before, vector_before = hub.idents(), hub.vector()
    raw = None
    body: object = {"events": wire(events)}
    if case == "not json":
        raw = b'{"events": [ {"station_id": "desk-1", '
    elif case == "a list":
        body = [1, 2]
    elif case == "bad event":
        body = {"events": [*wire(events[1:3]), {"station_id": "desk-1", "seq": "four"}]}
    elif case == "unknown kind":
        body = {"events": [{**events[1].to_wire(), "kind": "rm -rf"}]}
    elif case == "gap in batch":
        body = {"events": wire([events[1], events[3]])}
    elif case == "gap against hub":
        body = {"events": wire(events[2:])}
    elif case == "conflict":
        body = {"events": [{**events[0].to_wire(), "data": {"attendee": "A999"}}, *wire(events[1:])]}
    elif case == "another station":
        other = ev.Event("desk-2", 1, events[1].hlc, ev.DESK_CHECKIN, {"attendee": "A001"}, bytes(64))
        body = {"events": [*wire(events[1:]), other.to_wire()]}
    elif case == "oversized":
        raw = b" " * (p.MAX_BODY_BYTES + 10)
    elif case == "an e-mail address":
        body = {"events": [{**events[1].to_wire(), "data": {"attendee": "A001", "email": "jan@example.org"}}]}
    elif case == "too many":
        body = {"events": [events[1].to_wire()] * (p.MAX_PUSH_EVENTS + 1)}
    got_status, answer = post(hub, "/v1/push", body, token, raw)
    assert (got_status, answer["error"]) == (status, reason), answer
    assert answer["message"]
    assert hub.idents() == before and hub.vector() == vector_before
    # the hub keeps serving: the honest batch goes through right after
    assert post(hub, "/v1/push", {"events": wire(events[1:])}, token)[0] == 200
    assert hub.vector()["desk-1"] == 4


def test_replayed_reordered_and_cut_batches(hub: Node, desk: Node) -> None:
    """The hub's log is the set of distinct events, whatever the delivery; its vector only grows."""
    token = grant(hub.db, "desk-1", key_from=desk.db)
    events = [scan(desk.db, "desk-1", 1 + i % 30, desk.wall) for i in range(40)]
    rng = random.Random(5)
    seen_max = 0
    for _ in range(60):
        start = rng.randint(0, 39)
        batch = events[start : start + rng.randint(1, 12)]
        if rng.random() < 0.5:
            batch = batch + batch[: rng.randint(0, len(batch))]  # replayed inside the batch
        rng.shuffle(batch)
        status, answer = post(hub, "/v1/push", {"events": wire(batch)}, token)
        assert status in (200, 409)
        if status == 409:
            assert answer["error"] == p.GAP and "vector" in answer
        held = hub.vector().get("desk-1", 0)
        assert held >= seen_max
        seen_max = held
    # a request cut in the middle of its body is refused whole
    cut = json.dumps({"events": wire(events)}).encode()[:-700]
    assert post(hub, "/v1/push", None, token, cut)[0] == 400
    sync_once(desk.db, client=HubClient("http://testserver", token, http=hub.serve()))
    mine = {(e.station_id, e.seq) for e in log.all_events(hub.db) if e.station_id == "desk-1"}
    assert mine == {("desk-1", i) for i in range(1, 41)}
    assert {x for x in hub.idents() if x[0] == "desk-1"} == {x for x in desk.idents() if x[0] == "desk-1"}


def test_a_pull_waits_until_a_push_lands(hub: Node, desk: Node, tmp_path: Path) -> None:
    door = Node(tmp_path / "door.db", "door-R1")
    try:
        pusher = hub.client_for(desk)  # enrolled first: its key binding is news the door pulls now
        watcher = hub.client_for(door)
        sync_once(door.db, client=watcher)
        answers: list[list[ev.Event]] = []

        def long_poll() -> None:
            events, _, _ = watcher.pull(door.vector(), 100, wait=10)
            answers.append(events)

        thread = threading.Thread(target=long_poll)
        started = time.monotonic()
        thread.start()
        time.sleep(0.3)
        assert not answers  # still held open: nothing new yet
        event = scan(desk.db, "desk-1", 7, desk.wall)
        pusher.push([event])
        thread.join(10)
        assert answers and [e.ident for e in answers[0]] == [("desk-1", 1)]
        assert time.monotonic() - started < 5
        # with nothing new, the hub answers empty when the wait is over
        events, vector, more = watcher.pull(hub.vector(), 100, wait=0.2)
        assert events == [] and vector == hub.vector() and not more
    finally:
        door.close()


def test_events_relayed_from_a_revoked_station_are_quarantined_as_an_incident(hub: Node, desk: Node, tmp_path: Path) -> None:
    relay = Node(tmp_path / "relay.db", "hub-2")
    try:
        desk_on_hub = hub.client_for(desk)
        for i in range(1, 4):
            scan(desk.db, "desk-1", i, desk.wall)
        sync_once(desk.db, client=desk_on_hub)
        # the relay (a second laptop serving as hub) collects desk-1's scans, including later ones
        sync_once(relay.db, client=hub.client_for(relay, role=p.ROLE_RELAY))
        for i in range(4, 7):
            scan(desk.db, "desk-1", i, desk.wall)
        sync_once(desk.db, client=relay.client_for(desk, role=p.ROLE_STATION))
        assert relay.vector()["desk-1"] == 6
        from sync.enrol import revoke_station

        revoke_station(hub.db, "desk-1")
        with pytest.raises(HubRefused) as refused:
            sync_once(desk.db, client=desk_on_hub)
        assert refused.value.status == 403
        report = sync_once(relay.db, client=hub.client_for(relay, role=p.ROLE_RELAY))
        assert report.quarantined == 3
        assert hub.vector()["desk-1"] == 3  # what came before the revocation stays
        assert [e.seq for e in store.quarantined(hub.db)] == [4, 5, 6]
        incidents = [e for e in log.all_events(hub.db) if e.kind == ev.SCAN_REJECTED]
        assert [(e.data["reason"], e.data["station_id"], e.data["count"]) for e in incidents] == [(REASON_REVOKED_STATION, "desk-1", 3)]
        # relaying again quarantines nothing new and raises no second incident
        again = sync_once(relay.db, client=hub.client_for(relay, role=p.ROLE_RELAY))
        assert again.quarantined == 0
        assert len([e for e in log.all_events(hub.db) if e.kind == ev.SCAN_REJECTED]) == 1
        assert load_state(hub.db).stations["desk-1"].revoked
    finally:
        relay.close()


def test_health_and_enrolment_codes_are_one_time(hub: Node) -> None:
    client = hub.serve()
    health = client.get("/v1/health").json()
    # without a token: alive and how big, but no station ids (the vector names every station)
    assert health == {"ok": True, "events": sum(hub.vector().values()), "waiting": 0}
    secret = store.add_station(hub.db, "door-R2", "door", p.ROLE_STATION)
    public_key = base64.b64encode(trust.public_key_of(connect_memory(), "door-R2")).decode()
    first = client.post("/v1/enrol", json={"secret": secret, "public_key": public_key})
    assert first.status_code == 200 and first.json()["station"] == "door-R2"
    second = client.post("/v1/enrol", json={"secret": secret, "public_key": public_key})
    assert (second.status_code, second.json()["error"]) == (403, p.UNKNOWN_CODE)
    who = client.get("/v1/whoami", headers={"authorization": f"Bearer {first.json()['token']}"}).json()
    assert who == {"station": "door-R2", "kind": "door", "role": "station", "hub": "org"}


def test_a_relay_stands_in_for_the_hub_with_the_same_tokens(hub: Node, desk: Node, tmp_path: Path) -> None:
    """A second laptop (kind hub) copies the hub's tokens; stations sync with it unchanged."""
    standby = Node(tmp_path / "standby.db", "hub-2")
    try:
        desk_token = grant(hub.db, "desk-1", key_from=desk.db)
        sync_once(standby.db, client=hub.client_for(standby, role=p.ROLE_RELAY))
        assert standby.vector() == hub.vector()
        scan(desk.db, "desk-1", 3, desk.wall)
        via_standby = HubClient("http://testserver", desk_token, http=standby.serve())
        report = sync_once(desk.db, client=via_standby)  # the main hub is down: same token, other laptop
        assert report.pushed == 1 and desk.vector() == standby.vector()
        sync_once(standby.db, client=hub.client_for(standby, role=p.ROLE_RELAY))  # main hub back
        assert hub.vector() == standby.vector() == desk.vector()
        # a station cannot copy tokens
        with pytest.raises(HubRefused) as refused:
            HubClient("http://testserver", desk_token, http=hub.serve()).tokens()
        assert refused.value.status == 403
        # a revocation on the hub reaches the standby at its next sync
        from sync.enrol import revoke_station

        revoke_station(hub.db, "desk-1")
        sync_once(standby.db, client=hub.client_for(standby, role=p.ROLE_RELAY))
        with pytest.raises(HubRefused) as refused:
            sync_once(desk.db, client=via_standby)
        assert refused.value.status == 403
    finally:
        standby.close()
