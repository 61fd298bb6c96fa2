"""Only the organiser (and hubs it added) can revoke a station, on the hub as in the fold."""

from __future__ import annotations

import pytest

from db import events as ev
from db import log, signing, trust
from db.connect import connect_memory
from db.events import Event
from db.fold import fold_events, load_state
from db.node import set_local_station
from sync.store import revoked_in_log


def station_db(organiser, station: str, kind: str):  # type: ignore[no-untyped-def]
    """A station's own database, enrolled (its key vouched for) and holding the organiser's log."""
    db = connect_memory()
    set_local_station(db, station)
    trust.vouch(organiser, station, kind, trust.public_key_of(db, station))
    log.merge(db, log.all_events(organiser))
    return db


def test_a_revocation_from_a_desk_is_ignored_by_the_hub_and_the_fold() -> None:
    db = connect_memory()
    log.append(db, "org", ev.EVENT_CREATED, {"id": "X", "name": "X", "days": ["2024-03-20"], "tz": "Europe/Brussels"})
    for station, kind in (("hub-2", "hub"), ("desk-2", "desk"), ("desk-3", "desk"), ("desk-4", "desk"), ("desk-9", "desk")):
        log.append(db, "org", ev.STATION_ADDED, {"id": station, "kind": kind})
    desk9 = station_db(db, "desk-9", "desk")
    hub2 = station_db(db, "hub-2", "hub")

    # desk-9 cannot even write it on its own laptop, and one signed with its key by hand is refused
    with pytest.raises(log.NotPermitted):
        log.append(desk9, "desk-9", ev.STATION_REVOKED, {"id": "desk-2"})
    key = signing.private_key(desk9, "desk-9")
    assert key is not None
    later = max(e.hlc for e in log.all_events(db)) + (60_000 << 16)
    forged, _ = signing.sign(key, signing.GENESIS, Event("desk-9", 1, later, ev.STATION_REVOKED, {"id": "desk-2"}))
    with pytest.raises(trust.Refused, match="may not write station.revoked"):
        log.merge(db, [forged])

    log.append(hub2, "hub-2", ev.STATION_REVOKED, {"id": "desk-3"})
    log.merge(db, log.all_events(hub2))
    log.append(db, "org", ev.STATION_REVOKED, {"id": "desk-4"})
    assert revoked_in_log(db) == {"desk-3", "desk-4"}
    stations = load_state(db).stations
    assert {s for s in stations if stations[s].revoked} == {"desk-3", "desk-4"}

    # and a fold over a log that somehow holds the desk's revocation ignores it too
    state = fold_events([*log.all_events(db), forged])
    assert {s for s in state.stations if state.stations[s].revoked} == {"desk-3", "desk-4"}
