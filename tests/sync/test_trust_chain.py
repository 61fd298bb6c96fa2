"""A run of events is only as good as the signature of each of its events.

The gate checks one signature per run, which is sound only because each event's digest covers
the previous event's digest and signature (db/signing.py), not merely its signature: had it
covered only the signature, an earlier event could be rewritten under its old signature and the
last one would still verify. Whoever can hand a node a batch (a bundle on a stick signed by any
enrolled station, a relay, a stranger between a station and a hub served without TLS) would then
rewrite every event of a run but its last, have the rewrite merged, and the genuine events that
followed would look like a second, validly signed event for one id: the author framed for key
misuse. These tests keep that door shut.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checkin.badges import keys as badge_keys
from checkin.badges import token as tokens
from db import events as ev
from db import log, signing, trust
from db.events import Event
from db.fold import load_state
from eventops.cli import main
from sync import bundle

from .helpers import Node, grant, reference_data

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")


@pytest.fixture
def venue(tmp_path: Path) -> Iterator[tuple[Node, Node, Node]]:
    """The organiser's hub; a desk in sync with it (stolen later); a bus that left before the
    organiser published the badge key and a last room."""
    hub = Node(tmp_path / "hub.db", "org")
    desk = Node(tmp_path / "desk.db", "desk-1")
    bus = Node(tmp_path / "bus.db", "bus-V1-B1")
    try:
        reference_data(hub.db, attendees=5)
        grant(hub.db, "desk-1", key_from=desk.db, wall=hub.wall)
        grant(hub.db, "bus-V1-B1", key_from=bus.db, wall=hub.wall)
        log.merge(bus.db, log.all_events(hub.db))
        badge_keys.create_signing_key(hub.db, hub.path, wall=hub.wall)
        log.append(hub.db, "org", ev.ROOM_ADDED, {"id": "R3", "name": "Annex", "capacity": 20}, wall=hub.wall)
        log.merge(desk.db, log.all_events(hub.db))
        yield hub, desk, bus
    finally:
        for node in (hub, desk, bus):
            node.close()


def rewritten(event: Event, data: dict[str, object]) -> Event:
    """`event` saying something else, still carrying its author's signature."""
    return Event(event.station_id, event.seq, event.hlc, event.kind, data).signed(event.sig)


def test_a_stick_signed_by_a_stolen_desk_cannot_swap_the_badge_key_inside_the_organisers_run(
    venue: tuple[Node, Node, Node], tmp_path: Path
) -> None:
    hub, desk, bus = venue
    # The thief exports from the stolen desk what the bus lacks, swaps the public half of the
    # badge key for their own (same kid), and signs the stick with the desk's own key.
    thief = Ed25519PrivateKey.generate()
    lacking = log.lacking(desk.db, log.vector(bus.db))
    assert [e.kind for e in lacking][-2:] == [ev.KEY_ADDED, ev.ROOM_ADDED]  # the key is not the run's last event
    kid = next(str(e.data["kid"]) for e in lacking if e.kind == ev.KEY_ADDED)
    forged_key = badge_keys.SigningKey(kid, thief)
    tampered = [rewritten(e, {**e.data, "public_key": forged_key.public_b64}) if e.kind == ev.KEY_ADDED else e for e in lacking]
    header = {"format": bundle.FORMAT, "version": bundle.VERSION, "source": "desk-1", "vector": log.vector(desk.db),
              "since": log.vector(bus.db), "count": len(tampered)}
    body = json.dumps(header).encode() + b"\n" + b"".join(json.dumps(e.to_wire()).encode() + b"\n" for e in tampered)
    desk_key = signing.private_key(desk.db, "desk-1")
    assert desk_key is not None
    end = bundle.trailer(hashlib.sha256(body).hexdigest(), len(tampered), "desk-1", desk_key)
    stick = tmp_path / "visit.bundle"
    stick.write_bytes(body + json.dumps(end).encode() + b"\n")

    before = log.count(bus.db)
    result = CliRunner().invoke(main, ["sync", "import", str(stick), "--db", str(bus.path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert "org#" in result.output and "did not sign it" in result.output, result.output
    assert log.count(bus.db) == before

    # Back at the venue the bus syncs: the genuine events arrive, nobody is blamed, and a
    # badge minted with the thief's key is refused on the bus as everywhere.
    merged = log.merge(bus.db, log.lacking(hub.db, log.vector(bus.db)), observer="bus-V1-B1")
    assert not merged.misused and len(merged.added) == len(lacking)
    state = load_state(bus.db)
    badge = badge_keys.token_for(state, forged_key, "A001")
    assert not tokens.verify_badge(badge, state).ok
    assert tokens.verify_badge(badge_keys.issue_token(bus.db, hub.path, "A001"), state).ok


def test_a_rewritten_scan_in_the_middle_of_a_run_is_refused_and_never_frames_its_station(venue: tuple[Node, Node, Node]) -> None:
    hub, desk, _ = venue
    scans = [log.append(desk.db, "desk-1", ev.DESK_CHECKIN, {"attendee": f"A00{i}", "first": True, "via": "scan"}, wall=desk.wall)
             for i in (1, 2, 3)]
    altered = [scans[0], rewritten(scans[1], {**scans[1].data, "attendee": "A005"}), scans[2]]
    with pytest.raises(trust.Refused, match=r"desk-1#2 refused: desk-1's key did not sign it") as refusal:
        log.merge(hub.db, altered, observer="org")
    assert refusal.value.reason == trust.FORGED
    assert log.vector(hub.db).get("desk-1", 0) == 0

    merged = log.merge(hub.db, scans, observer="org")
    assert len(merged.added) == 3 and not merged.misused
    assert [e.data["attendee"] for e in log.all_events(hub.db) if e.station_id == "desk-1"] == ["A001", "A002", "A003"]
