"""Enrolling a walk-in desk over HTTP: its badge key is published in its binding; a malformed
badge key is refused with one clear reason, and the code stays usable."""

from __future__ import annotations

import base64
from pathlib import Path

from db import events as ev
from db import log, trust
from db.badge_keys import badge_public_key
from db.fold import load_state
from sync import protocol as p
from sync.enrol import add_station

from .helpers import Node, reference_data


def test_a_walk_in_desks_badge_key_is_bound_at_enrolment_and_a_bad_one_is_refused(hub: Node, tmp_path: Path) -> None:
    reference_data(hub.db, wall=hub.wall)
    code = add_station(hub.db, hub.path, "desk-9", "desk", walk_ins=True)
    assert code.walk_ins and type(code).decode(code.encode()).walk_ins
    desk = Node(tmp_path / "desk-9.db", "desk-9")
    try:
        station_key = base64.b64encode(trust.public_key_of(desk.db, "desk-9")).decode()
        client = hub.serve()
        bad = client.post("/v1/enrol", json={"secret": code.secret, "public_key": station_key, "badge_key": "not a key"})
        assert bad.status_code == 400 and bad.json()["error"] == p.MALFORMED and "badge_key" in bad.json()["message"]
        badge_key = badge_public_key(desk.db, "desk-9")
        good = client.post("/v1/enrol", json={"secret": code.secret, "public_key": station_key,
                                              "badge_key": base64.b64encode(badge_key).decode()})
        assert good.status_code == 200, good.text
        assert good.json()["kind"] == "walk-in-desk"
    finally:
        desk.close()
    (binding,) = [e for e in log.all_events(hub.db) if e.kind == ev.NODE_KEY and e.data["station"] == "desk-9"]
    assert binding.data["badge_key"] == base64.b64encode(badge_key).decode()
    assert load_state(hub.db).desk_keys["desk-9"].public_key == binding.data["badge_key"]
