"""Issue 10's attacks, replayed against the signed log through the real commands and a real hub.

1. A USB bundle claiming to be the organiser (a new badge key, a VIP, a rename, a revocation).
2. A bundle taking another station's next seq, to make the genuine scan unmergeable.
3. A desk's token acknowledging every incident and blaming another station's clock.
Plus what the signatures make possible: a cloned key shows as evidence, and events whose
author's key has not arrived yet wait, beside forgeries, without being blocked by them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checkin.badges import token as tokens
from checkin.station import Station, StationConfig
from db import events as ev
from db import log, signing, trust
from db.connect import connect, connect_memory
from db.events import Event
from db.fold import load_state
from db.node import set_local_station
from eventops.cli import main
from sync import bundle
from sync.client import HubClient, HubRefused, sync_once
from tests.station.world import World, build

from .helpers import HubProcess, Node, grant, kind_of, run_cli

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")


def station_node(tmp_path: Path, hub: World, name: str) -> Node:
    """A station laptop enrolled at the organiser's hub: its key is bound in the log, and it holds the event."""
    node = Node(tmp_path / f"{name}.db", name, wall=hub.clock)
    kind = kind_of(name)
    if name not in load_state(hub.db).stations:
        log.append(hub.db, "org", ev.STATION_ADDED, {"id": name, "kind": kind, "place": ""}, wall=hub.clock)
    grant(hub.db, name, kind, key_from=node.db, wall=hub.clock)
    log.merge(node.db, log.all_events(hub.db))
    return node


#: What each forged event chains to (the forger computes digests like anyone: they are public).
_links: dict[bytes, signing.Link] = {}


def forged(key: Ed25519PrivateKey, prev: Event | None, station: str, kind: str, data: dict[str, Any], hlc: int, db: Any = None) -> Event:
    """An event in `station`'s name, chained correctly to `prev` (held in `db`, or forged
    before), signed with `key`."""
    seq = prev.seq + 1 if prev else 1
    link = signing.GENESIS
    if prev is not None:
        link = _links.get(prev.sig) or trust.held_link(db, prev.station_id, prev.seq)
    event, after = signing.sign(key, link, Event(station, seq, hlc, kind, data))
    _links[event.sig] = after
    return event


def write_bundle(path: Path, source: str, key: Ed25519PrivateKey, events: list[Event]) -> Path:
    """A bundle framed exactly as `sync export` frames one, its end line signed with `key`."""
    header = {"format": bundle.FORMAT, "version": bundle.VERSION, "source": source, "vector": {}, "since": {}, "count": len(events)}
    body = json.dumps(header).encode() + b"\n" + b"".join(json.dumps(e.to_wire()).encode() + b"\n" for e in events)
    end = bundle.trailer(hashlib.sha256(body).hexdigest(), len(events), source, key)
    path.write_bytes(body + json.dumps(end).encode() + b"\n")
    return path


def sync_import(path: Path, db_path: Path) -> Any:
    return CliRunner().invoke(main, ["sync", "import", str(path), "--db", str(db_path)])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    world = build(tmp_path / "hub.db")
    yield world
    world.db.conn.close()


def test_a_bundle_claiming_the_organiser_changes_nothing_and_the_foreign_badge_stays_refused(world: World, tmp_path: Path) -> None:
    """Finding 1: a stolen desk laptop writes a bundle of organiser events (new badge key, a VIP,
    a rename, a revocation); the stick is refused whole, and a badge signed with the thief's key is
    refused at every station after they have all synced."""
    thief = station_node(tmp_path, world, "desk-2")
    desk = station_node(tmp_path, world, "desk-1")
    log.append(world.db, "org", ev.STATION_ADDED, {"id": "desk-3", "kind": "desk", "place": ""}, wall=world.clock)  # the hub's own desk
    stolen_key = signing.private_key(thief.db, "desk-2")
    assert stolen_key is not None
    badge_key = Ed25519PrivateKey.generate()
    kid = tokens.kid_for(signing.public_raw(badge_key))
    org_tail = log.get(world.db, "org", log.vector(world.db)["org"])
    assert org_tail is not None
    hlc = org_tail.hlc + (60_000 << 16)
    claims = [
        (ev.KEY_ADDED, {"kid": kid, "public_key": base64.b64encode(signing.public_raw(badge_key)).decode()}),
        (ev.ATTENDEE_REGISTERED, {"id": "X999", "name": "Very Important", "role": "VIP"}),
        (ev.ATTENDEE_UPDATED, {"id": "A001", "name": "Someone Else"}),
        (ev.STATION_REVOKED, {"id": "desk-1", "up_to": 0}),
    ]
    before = (log.count(world.db), log.vector(world.db))
    # as the organiser, chained to its real last event, but signed with the thief's key
    as_org: list[Event] = []
    for offset, (kind, data) in enumerate(claims):
        as_org.append(forged(stolen_key, as_org[-1] if as_org else org_tail, "org", kind, data, hlc + offset, world.db))
    result = sync_import(write_bundle(tmp_path / "org.bundle", "desk-2", stolen_key, as_org), world.path)
    assert result.exit_code == 1 and "org#" in result.output and "did not sign it" in result.output, result.output
    assert "nothing was imported" in result.output and len(result.output.strip().splitlines()) == 1
    # in its own name, signed with its own (stolen) key: a desk may not set up the event
    as_desk: list[Event] = []
    for offset, (kind, data) in enumerate(claims):
        as_desk.append(forged(stolen_key, as_desk[-1] if as_desk else None, "desk-2", kind, data, hlc + offset))
    result = sync_import(write_bundle(tmp_path / "desk.bundle", "desk-2", stolen_key, as_desk), world.path)
    assert result.exit_code == 1 and "desk-2 is a desk station and may not write key.added" in result.output, result.output
    assert (log.count(world.db), log.vector(world.db)) == before
    # every node syncs; the thief's badge is refused everywhere, the organiser's still welcomes
    for node in (thief, desk):
        log.merge(node.db, log.all_events(world.db))
    badge = tokens.encode_token(str(load_state(world.db).info.id), kid, "A002", 1, badge_key.sign)  # type: ignore[union-attr]
    for db, station in ((world.db, "desk-3"), (desk.db, "desk-1"), (thief.db, "desk-2")):
        verdict = Station(db, StationConfig(station, "desk"), wall=world.clock).scan(badge)
        assert (verdict.status, verdict.reason) == ("refused", "unknown_key"), station  # signed by no key of the event
    genuine = Station(desk.db, StationConfig("desk-1", "desk"), wall=world.clock).scan(world.token("A003"))
    assert genuine.status == "ok"
    state = load_state(world.db)
    assert "X999" not in state.attendees and state.attendees["A001"].name != "Someone Else"
    assert not state.stations["desk-1"].revoked and kid not in state.keys
    thief.close()
    desk.close()


def test_a_bundle_cannot_take_another_stations_next_seq(world: World, tmp_path: Path) -> None:
    """Finding 2: a bundle line `vdesk#3` made by someone else is refused; the genuine vdesk#3,
    written offline, arrives at the hub and at every other station afterwards."""
    vdesk = station_node(tmp_path, world, "vdesk")
    thief = station_node(tmp_path, world, "desk-2")
    door = station_node(tmp_path, world, "door-R1")
    vdesk_db, door_db = vdesk.db, door.db
    for attendee in ("A001", "A002"):
        Station(vdesk_db, StationConfig("vdesk", "desk"), wall=world.clock).scan(world.token(attendee))
    log.merge(world.db, log.lacking(vdesk_db, log.vector(world.db)))
    Station(vdesk_db, StationConfig("vdesk", "desk"), wall=world.clock).scan(world.token("A003"))  # offline
    genuine = log.get(vdesk_db, "vdesk", 3)
    held = log.get(world.db, "vdesk", 2)
    assert genuine is not None and held is not None and log.get(world.db, "vdesk", 3) is None
    stolen_key = signing.private_key(thief.db, "desk-2")
    assert stolen_key is not None
    phantom = forged(stolen_key, held, "vdesk", ev.DESK_CHECKIN, {"attendee": "A006", "first": True, "via": "scan"}, held.hlc + 5, world.db)
    result = sync_import(write_bundle(tmp_path / "phantom.bundle", "desk-2", stolen_key, [phantom]), world.path)
    assert result.exit_code == 1 and "vdesk#3 refused" in result.output, result.output
    assert log.vector(world.db)["vdesk"] == 2
    # the genuine scan still merges, at the hub and then at the door
    assert len(log.merge(world.db, log.lacking(vdesk_db, log.vector(world.db))).added) == 1
    log.merge(door_db, log.lacking(world.db, log.vector(door_db)))
    for db in (world.db, door_db):
        event = log.get(db, "vdesk", 3)
        assert event is not None and event.data["attendee"] == "A003"
        state = load_state(db)
        assert state.checked_in("A003", "2024-03-20") is not None and state.checked_in("A006", "2024-03-20") is None
    for node in (vdesk, thief, door):
        node.close()


def test_a_desk_token_cannot_acknowledge_incidents_nor_blame_another_clock(tmp_path: Path) -> None:
    """Finding 3, through a real hub process: a desk pushes `incident.acked` for the open
    incidents and a `clock.suspect` about a door; both are refused (403) and nothing changes."""
    world = build(tmp_path / "hub.db")
    desk = Node(tmp_path / "desk-1.db", "desk-1", wall=world.clock)
    token = grant(world.db, "desk-1", key_from=desk.db, wall=world.clock)
    stranger = Ed25519PrivateKey.generate()
    kid = tokens.kid_for(signing.public_raw(stranger))
    for attendee in ("A001", "A002"):  # two forged badges: two open incidents
        badge = tokens.encode_token(str(load_state(world.db).info.id), kid, attendee, 1, stranger.sign)  # type: ignore[union-attr]
        Station(world.db, StationConfig("door-R1", "door"), wall=world.clock).scan(badge)
    world.db.conn.close()
    open_before = json.loads(run_cli("status", "--db", str(world.path), "--json").stdout)["incidents"]
    assert open_before
    with HubProcess(world.path) as hub:
        client = HubClient(hub.url, token)
        try:
            sync_once(desk.db, client=client)
            acks = [ev.INCIDENT_ACKED, {"incident": open_before[0]["id"]}]
            blame = [ev.CLOCK_SUSPECT, {"station_id": "door-R1", "seq": 1, "hlc": 1 << 60, "seen_at": 0}]
            for kind, data in (acks, blame):
                held = log.vector(desk.db).get("desk-1", 0)
                prev = log.get(desk.db, "desk-1", held)
                key = signing.private_key(desk.db, "desk-1")
                assert key is not None
                event = forged(key, prev, "desk-1", str(kind), dict(data), world.clock() << 16, desk.db)  # type: ignore[arg-type]
                with pytest.raises(HubRefused) as refusal:
                    client.push([event])
                assert (refusal.value.status, refusal.value.reason) == (403, "not_permitted")
                assert f"may not write {kind}" in str(refusal.value)
            vector = httpx.post(f"{hub.url}/v1/pull", json={"vector": {}, "limit": 0}, headers={"authorization": f"Bearer {token}"}).json()["vector"]
            assert "desk-1" not in vector
        finally:
            client.close()
    open_after = json.loads(run_cli("status", "--db", str(world.path), "--json").stdout)["incidents"]
    assert open_after == open_before
    desk.close()


def test_a_cloned_desk_key_is_evidence_and_both_events_stay_out_of_the_fold(world: World, tmp_path: Path) -> None:
    """Two laptops with one desk's key each write desk-1#1: the second to arrive is kept as
    evidence, a `key.misused` incident names the desk, and neither scan counts anywhere."""
    first = station_node(tmp_path, world, "desk-1")
    (tmp_path / "clone.db.keys").mkdir(mode=0o700)
    shutil.copy(signing.keys_dir(first.path) / "desk-1.key", tmp_path / "clone.db.keys")  # the stolen key file
    clone = Node(tmp_path / "clone.db", "desk-1", wall=world.clock)
    log.merge(clone.db, log.all_events(world.db))
    Station(first.db, StationConfig("desk-1", "desk"), wall=world.clock).scan(world.token("A001"))
    Station(clone.db, StationConfig("desk-1", "desk"), wall=world.clock).scan(world.token("A005"))
    log.merge(world.db, log.lacking(first.db, log.vector(world.db)), observer="org", wall=world.clock)
    result = log.merge(world.db, log.lacking(clone.db, {**log.vector(world.db), "desk-1": 0}), observer="org", wall=world.clock)
    assert [(held.data["attendee"], other.data["attendee"]) for held, other in result.misused] == [("A001", "A005")]
    state = load_state(world.db)
    [incident] = [i for i in state.open_incidents() if i.kind == "key_misused"]
    assert incident.station == "desk-1" and "desk-1 signed two different events #1" in incident.detail
    assert state.checked_in("A001", "2024-03-20") is None and state.checked_in("A005", "2024-03-20") is None
    # the evidence travels: another station folds the same
    door = station_node(tmp_path, world, "door-R1")
    assert load_state(door.db).checked_in("A001", "2024-03-20") is None
    for node in (first, clone, door):
        node.close()


def test_events_wait_for_their_authors_key_and_a_forgery_beside_them_never_blocks_them(world: World, tmp_path: Path) -> None:
    """A door enrolled before the bus: the bus's scans (by stick) wait at the door, next to a forged
    copy of them; when the door learns the bus's key, the genuine ones merge and the forgery is dropped."""
    door = station_node(tmp_path, world, "door-R1")
    bus = station_node(tmp_path, world, "bus-V1-B1")  # enrolled after the door synced
    for attendee in ("A001", "A002"):
        log.append(bus.db, "bus-V1-B1", ev.BUS_BOARDED, {"attendee": attendee, "visit": "V1", "bus": "V1-B1"}, wall=world.clock)
    genuine = [e for e in log.all_events(bus.db) if e.station_id == "bus-V1-B1"]
    fake = forged(Ed25519PrivateKey.generate(), None, "bus-V1-B1", ev.BUS_BOARDED, {"attendee": "A006", "visit": "V1", "bus": "V1-B1"}, genuine[0].hlc)
    assert log.merge(door.db, [fake]).waiting == 1
    assert log.merge(door.db, genuine).waiting == 2
    assert "bus-V1-B1" not in log.vector(door.db)
    result = log.merge(door.db, log.lacking(world.db, log.vector(door.db)))  # the door syncs: the key arrives
    assert result.released == 2
    assert [e.data["attendee"] for e in log.all_events(door.db) if e.station_id == "bus-V1-B1"] == ["A001", "A002"]
    assert trust.waiting_count(door.db) == 0
    for node in (door, bus):
        node.close()


def test_a_stranger_cannot_make_itself_organiser_nor_bind_keys(world: World) -> None:
    """A self-announced organiser key is the root of trust only while a log knows no organiser;
    afterwards a second one, or a binding by anyone but an authority, binds nothing."""
    stranger = Ed25519PrivateKey.generate()
    public = signing.public_raw(stranger)
    hlc = log.get(world.db, "org", 1).hlc  # type: ignore[union-attr]
    claim = forged(stranger, None, "evil", ev.NODE_KEY, trust.node_key_data("evil", "organiser", public), hlc)
    created = forged(stranger, claim, "evil", ev.EVENT_CREATED, {"id": "EVIL", "name": "Evil", "days": ["2024-03-20"], "tz": "UTC"}, hlc + 1)
    assert log.merge(world.db, [claim, created]).waiting == 2  # no key: it waits, binds nothing
    assert trust.author(world.db, "evil") is None and load_state(world.db).info.id != "EVIL"  # type: ignore[union-attr]
    own = connect_memory()
    set_local_station(own, "evil")
    with pytest.raises(Exception, match="may not vouch"):
        trust.vouch(own, "desk-9", "desk", public)


def test_enrolment_through_the_real_commands_binds_the_key_and_a_copied_database_cannot_write(tmp_path: Path) -> None:
    world = build(tmp_path / "hub.db")
    world.db.conn.close()
    with HubProcess(world.path) as hub:
        code = json.loads(run_cli("station", "add", "desk-7", "--kind", "desk", "--db", str(world.path), "--json").stdout)["code"]
        run_cli("station", "enrol", "--db", str(tmp_path / "desk-7.db"), "--hub", hub.url, code, "--json")
    db = connect(world.path, create=False)
    bound = trust.author(db, "desk-7")
    assert bound is not None and bound.kind == "desk" and bound.voucher == "org"
    desk = connect(tmp_path / "desk-7.db", create=False)
    assert signing.public_raw(signing.private_key(desk, "desk-7")) == bound.public_key  # type: ignore[arg-type]
    assert oct((tmp_path / "desk-7.db.keys" / "desk-7.key").stat().st_mode & 0o777) == "0o600"
    db.conn.close()
    desk.conn.close()
    # a copy of the hub's database without the keys beside it cannot write as the organiser
    copy = tmp_path / "copy.db"
    copy.write_bytes(world.path.read_bytes())
    result = run_cli("station", "add", "desk-8", "--kind", "desk", "--db", str(copy), check=False)
    assert result.returncode == 1 and "private key is not beside it" in result.stderr


def test_a_revocation_counts_a_stations_events_up_to_the_seq_it_names_on_every_node(world: World, tmp_path: Path) -> None:
    """The hub held desk-2#1..3 when it revoked desk-2: another node that had only #1 takes #2 and
    #3 from a stick later, and keeps #4 and #5 out (quarantined, with an incident)."""
    from sync import store
    from sync.enrol import revoke_station

    thief = station_node(tmp_path, world, "desk-2")
    door = station_node(tmp_path, world, "door-R1")
    for attendee in ("A001", "A002", "A003", "A004", "A005"):
        log.append(thief.db, "desk-2", ev.DESK_CHECKIN, {"attendee": attendee, "first": True, "via": "scan"}, wall=world.clock)
    scans = [e for e in log.all_events(thief.db) if e.station_id == "desk-2"]
    log.merge(world.db, scans[:3])
    log.merge(door.db, scans[:1])
    store.ensure_tables(world.db)
    store.add_station(world.db, "desk-2", "desk", "station")
    revoke_station(world.db, "desk-2")
    log.merge(door.db, log.lacking(world.db, {**log.vector(door.db), "desk-2": 3}))  # the revocation arrives
    assert trust.revoked(door.db) == {"desk-2": 3}
    report = bundle.import_events(door.db, scans)
    assert (report.added, report.duplicates, report.quarantined) == (2, 1, 2)
    assert log.vector(door.db)["desk-2"] == 3 and [e.seq for e in store.quarantined(door.db)] == [4, 5]
    for node in (thief, door):
        node.close()


def test_rewriting_an_earlier_event_under_its_old_signature_breaks_the_chain(world: World, tmp_path: Path) -> None:
    """One signature checks a whole run only because each digest commits to the previous digest
    and signature: an event rewritten in the middle of a run, its signature kept, is refused."""
    desk = station_node(tmp_path, world, "desk-1")
    for attendee in ("A001", "A002", "A003"):
        log.append(desk.db, "desk-1", ev.DESK_CHECKIN, {"attendee": attendee, "first": True, "via": "scan"}, wall=world.clock)
    run = [e for e in log.all_events(desk.db) if e.station_id == "desk-1"]
    rewritten = Event("desk-1", 2, run[1].hlc, ev.DESK_CHECKIN, {"attendee": "A006", "first": True, "via": "scan"}, run[1].sig)
    with pytest.raises(trust.Refused, match="desk-1#2 refused"):
        log.merge(world.db, [run[0], rewritten, run[2]])
    assert "desk-1" not in log.vector(world.db)
    assert len(log.merge(world.db, run).added) == 3
    desk.close()


def test_a_station_s_next_event_arriving_with_its_key_joins_the_ones_that_waited_for_it(world: World, tmp_path: Path) -> None:
    """Found by the convergence machine (one run in 25): the bus's first scans reach a door before
    its key; the next batch carries the key's binding and the bus's next scan together. The next
    scan continues what waited aside, not the (empty) log: all of them merge, in order, no gap."""
    door = station_node(tmp_path, world, "door-R1")
    bus = station_node(tmp_path, world, "bus-V1-B1")  # enrolled after the door synced
    for attendee in ("A001", "A002", "A003"):
        log.append(bus.db, "bus-V1-B1", ev.BUS_BOARDED, {"attendee": attendee, "visit": "V1", "bus": "V1-B1"}, wall=world.clock)
    mine = [e for e in log.all_events(bus.db) if e.station_id == "bus-V1-B1"]
    assert log.merge(door.db, mine[:2]).waiting == 2
    result = log.merge(door.db, [*log.lacking(world.db, log.vector(door.db)), mine[2]])  # the key and the next scan
    assert result.released == 3
    assert [e.data["attendee"] for e in log.all_events(door.db) if e.station_id == "bus-V1-B1"] == ["A001", "A002", "A003"]
    assert trust.waiting_count(door.db) == 0
    for node in (door, bus):
        node.close()
