"""Revocation is the organiser's word (and its hubs' about the stations they enrol), counted by
seq: a hub cannot revoke the organiser or another hub, a revoked hub revokes nobody, and what a
hub did before its revocation counts on every node whatever order the news arrives in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db import events as ev
from db import log, signing, trust
from db.events import Event
from sync import protocol as p
from sync import store
from sync.client import pull_all, sync_once
from sync.enrol import revoke_station

from .helpers import Node, reference_data, scan

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[dict[str, Node]]:
    """The organiser's hub and two more hubs it added (relays), each holding the organiser's log."""
    made = {name: Node(tmp_path / f"{name}.db", name) for name in ("org", "hub-2", "hub-3", "desk-7", "dash-1")}
    try:
        reference_data(made["org"].db)
        made["org"].serve()
        for relay in ("hub-2", "hub-3"):
            sync_once(made[relay].db, client=made["org"].client_for(made[relay], role=p.ROLE_RELAY))
        yield made
    finally:
        for node in made.values():
            node.close()


def test_a_hub_cannot_revoke_the_organiser_or_another_hub(nodes: dict[str, Node]) -> None:
    org, hub2, hub3, desk7 = nodes["org"], nodes["hub-2"], nodes["hub-3"], nodes["desk-7"]
    for target in ("org", "hub-3", "desk-1"):
        log.append(hub2.db, "hub-2", ev.STATION_REVOKED, {"id": target, "up_to": 0}, wall=hub2.wall)
    sync_once(hub2.db, client=org.client_for(hub2, role=p.ROLE_RELAY))
    assert set(trust.revoked(org.db)) == {"desk-1"}  # a station hub-2 may enrol, nothing above it

    # hub-3 keeps its powers at the organiser's hub: it enrols desk-7, whose scans it relays
    trust.vouch(hub3.db, "desk-7", "desk", trust.public_key_of(desk7.db, "desk-7"), wall=hub3.wall)
    log.merge(desk7.db, log.all_events(hub3.db))
    for i in range(1, 4):
        scan(desk7.db, "desk-7", i, desk7.wall)
    sync_once(desk7.db, client=hub3.client_for(desk7))
    report = sync_once(hub3.db, client=org.client_for(hub3, role=p.ROLE_RELAY))
    assert report.quarantined == 0 and not store.quarantined(org.db)
    assert org.vector()["desk-7"] == 3 and trust.author(org.db, "desk-7") is not None


def test_stations_enrolled_by_a_hub_before_its_revocation_count_on_a_node_that_learns_the_revocation_first(
    nodes: dict[str, Node],
) -> None:
    org, hub2, desk7, dash = nodes["org"], nodes["hub-2"], nodes["desk-7"], nodes["dash-1"]
    trust.vouch(hub2.db, "desk-7", "desk", trust.public_key_of(desk7.db, "desk-7"), wall=hub2.wall)
    log.merge(desk7.db, log.all_events(hub2.db))
    for i in range(1, 4):
        scan(desk7.db, "desk-7", i, desk7.wall)
    sync_once(desk7.db, client=hub2.client_for(desk7))
    sync_once(hub2.db, client=org.client_for(hub2, role=p.ROLE_RELAY))
    assert org.vector()["desk-7"] == 3
    revoke_station(org.db, "hub-2")  # the hub laptop was stolen: what it did so far still counts

    # a dashboard enrolled now gets the whole log, the revocation with it, in one pull
    pulled, _ = pull_all(dash.db, org.client_for(dash), batch=5000)
    assert pulled == log.count(org.db)
    assert trust.waiting_count(dash.db) == 0
    assert dash.vector()["desk-7"] == 3


def test_a_revoked_hub_revokes_nobody(nodes: dict[str, Node]) -> None:
    org, hub2, dash = nodes["org"], nodes["hub-2"], nodes["dash-1"]
    revoke_station(org.db, "hub-2")
    up_to = trust.revoked(org.db)["hub-2"]
    # the thief signs a revocation of desk-1 with the stolen hub's key, after its revocation
    key = signing.private_key(hub2.db, "hub-2")
    assert key is not None
    late, _ = signing.sign(key, trust.held_link(hub2.db, "hub-2", up_to),
                           Event("hub-2", up_to + 1, max(e.hlc for e in log.all_events(org.db)) + 1, ev.STATION_REVOKED, {"id": "desk-1", "up_to": 0}))
    log.merge(dash.db, log.all_events(org.db))
    log.merge(dash.db, [late])
    assert "desk-1" not in trust.revoked(dash.db)


def test_the_fold_ignores_a_hub_revoking_another_hub_or_the_organiser() -> None:
    """The fold rules as the gate does: only who may vouch for a station may revoke it."""
    from db.fold import fold_events
    from tests.db.factory import Log, reference

    events = Log()
    reference(events)
    events.add("org", -89, ev.STATION_ADDED, id="hub-2", kind="hub", place="")
    events.add("org", -88, ev.STATION_ADDED, id="desk-5", kind="desk", place="")
    events.add("hub-2", 10, ev.STATION_REVOKED, id="hub")  # another hub: ignored
    events.add("hub-2", 11, ev.STATION_REVOKED, id="org")  # the organiser: ignored
    events.add("hub-2", 12, ev.STATION_REVOKED, id="desk-5")  # a desk it may enrol: counts
    stations = fold_events(events.events).stations
    assert {s for s in stations if stations[s].revoked} == {"desk-5"}
