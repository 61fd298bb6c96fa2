"""Only the organiser (and hubs it added) can revoke a station, on the hub as in the fold."""

from __future__ import annotations

from db import events as ev
from db import log
from db.connect import connect_memory
from db.events import Event
from db.fold import load_state
from sync.store import revoked_in_log


def test_a_revocation_from_a_desk_is_ignored_by_the_hub_and_the_fold() -> None:
    db = connect_memory()
    log.append(db, "org", ev.EVENT_CREATED, {"id": "X", "name": "X", "days": ["2024-03-20"], "tz": "Europe/Brussels"})
    for station, kind in (("hub-2", "hub"), ("desk-2", "desk"), ("desk-3", "desk"), ("desk-4", "desk"), ("desk-9", "desk")):
        log.append(db, "org", ev.STATION_ADDED, {"id": station, "kind": kind})
    later = max(e.hlc for e in log.all_events(db)) + (60_000 << 16)
    log.merge(db, [Event("desk-9", 1, later, ev.STATION_REVOKED, {"id": "desk-2"})])
    log.merge(db, [Event("hub-2", 1, later + 1, ev.STATION_REVOKED, {"id": "desk-3"})])
    log.append(db, "org", ev.STATION_REVOKED, {"id": "desk-4"})
    assert revoked_in_log(db) == {"desk-3", "desk-4"}
    stations = load_state(db).stations
    assert {s for s in stations if stations[s].revoked} == {"desk-3", "desk-4"}
