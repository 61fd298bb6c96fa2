"""A malformed event is refused whole and counted: the state is the state without it.

One malformed payload per event kind (a number that is none, a time that is none, data that
is not a JSON object...), each folded into a day with arrivals, rooms and a bus trip, in the
middle of the log where applying half of it would show.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from db import events as ev
from db import payloads
from db.events import Event
from db.fold import EventState, fold_events
from db.hlc import pack
from db.status import render_text, status
from tests.db.factory import DAY, Log, at, reference

NOT_AN_OBJECT = ["not", "an", "object"]

#: kind -> (station allowed to write it, malformed data, minute of the day it claims)
MALFORMED: dict[str, tuple[str, Any, float]] = {
    ev.EVENT_CREATED: ("org", {"id": "X", "name": "X", "days": 5, "tz": "Europe/Brussels"}, -700),
    ev.ATTENDEE_REGISTERED: ("org", NOT_AN_OBJECT, 30),
    ev.ATTENDEE_UPDATED: ("org", NOT_AN_OBJECT, 30),
    ev.ROOM_ADDED: ("org", {"id": "R1", "name": "Atelier", "capacity": "lots"}, 30),
    ev.SESSION_ADDED: ("org", {"id": "S1", "room": "R2", "start": "yesterday", "end": "2024-03-20T10:30:00+01:00"}, 30),
    ev.VISIT_ADDED: ("org", NOT_AN_OBJECT, 30),
    ev.BUS_ADDED: ("org", {"id": "V1-B1", "visit": "V2", "capacity": "ten"}, 30),
    ev.BUS_ASSIGNED: ("org", NOT_AN_OBJECT, 30),
    ev.BUS_UNASSIGNED: ("org", NOT_AN_OBJECT, 30),
    ev.STATION_ADDED: ("org", NOT_AN_OBJECT, 30),
    ev.STATION_REVOKED: ("org", NOT_AN_OBJECT, 30),
    ev.KEY_ADDED: ("org", NOT_AN_OBJECT, 30),
    ev.BADGE_ISSUED: ("org", {"attendee": "A001"}, 30),
    ev.BADGE_REVOKED: ("org", {"attendee": "A001", "serial": "the old one"}, 30),
    ev.NODE_KEY: ("org", NOT_AN_OBJECT, 30),
    ev.DESK_CHECKIN: ("desk-1", NOT_AN_OBJECT, 5),
    ev.DOOR_ENTRY: ("door-R1", NOT_AN_OBJECT, 65),
    ev.DOOR_EXIT: ("door-R1", NOT_AN_OBJECT, 70),
    ev.BUS_BOARDED: ("bus-1", NOT_AN_OBJECT, 290),
    ev.BUS_DEPARTED: ("bus-1", {"visit": "V1", "bus": "V1-B1", "headcount": "many", "missing": ["A003"]}, 295),
    ev.BUS_RETURNED: ("bus-1", NOT_AN_OBJECT, 500),
    ev.VOID: ("desk-1", {"station_id": "desk-1", "seq": "the last one"}, 12),
    ev.SCAN_REJECTED: ("desk-1", NOT_AN_OBJECT, 15),
    ev.INCIDENT_ACKED: ("ops", NOT_AN_OBJECT, 100),
    ev.CLOCK_SUSPECT: ("hub", {"station_id": "desk-2", "seq": 1, "hlc": "soon"}, 100),
    ev.STATION_HEALTH: ("desk-1", {"waiting": "a few", "last_sync_ms": at(60)}, 100),
    ev.KEY_MISUSED: ("hub", NOT_AN_OBJECT, 100),
}


def day_of_scans() -> Log:
    """Arrivals, a door with an over-capacity incident, a double admission, a bus trip."""
    log = Log()
    reference(log)
    for i in range(1, 8):
        log.add("desk-1" if i % 2 else "desk-2", 10 + i, ev.DESK_CHECKIN, attendee=f"A{i:03d}", first=True)
    log.add("desk-2", 20, ev.DESK_CHECKIN, attendee="A001", first=True)  # a double admission
    for i in range(1, 7):
        log.add("door-R1", 60 + i, ev.DOOR_ENTRY, attendee=f"A{i:03d}", room="R1")  # 6 for 5 places
    log.add("door-R1", 80, ev.DOOR_EXIT, attendee="A006", room="R1")
    for i in (1, 2):
        log.add("bus-1", 285 + i, ev.BUS_BOARDED, attendee=f"A{i:03d}", visit="V1", bus="V1-B1")
    log.add("bus-1", 300, ev.BUS_DEPARTED, visit="V1", bus="V1-B1", headcount=2)
    log.add("bus-1", 540, ev.BUS_RETURNED, visit="V1", bus="V1-B1")
    return log


def with_malformed(kind: str) -> tuple[list[Event], Event]:
    """The day, and one malformed event of `kind` (its station's last seq, in the middle by time)."""
    log = day_of_scans()
    station, data, minute = MALFORMED[kind]
    bad = log.add_hlc(station, pack(at(minute), 3), kind)
    bad = Event(bad.station_id, bad.seq, bad.hlc, kind, data)
    return [*log.events[:-1], bad], bad


def without_refusals(state: EventState) -> dict[str, Any]:
    return {k: v for k, v in state.fingerprint().items() if k != "refused"}


def test_every_kind_has_a_malformed_example() -> None:
    assert set(MALFORMED) == set(ev.ALL_KINDS)


@pytest.mark.parametrize("kind", sorted(ev.ALL_KINDS))
def test_a_malformed_event_is_refused_whole_and_counted(kind: str) -> None:
    events, bad = with_malformed(kind)
    with pytest.raises(payloads.Malformed):
        payloads.parse(bad.kind, bad.data)
    clean = fold_events(e for e in events if e is not bad)
    state = fold_events(events)
    assert (state.refused, state.refused_ids) == (1, ((bad.station_id, bad.seq),))
    assert (clean.refused, clean.refused_ids) == (0, ())
    assert without_refusals(state) == without_refusals(clean)
    # Folded late (a rewind past it and a replay) it is refused the same way.
    late = fold_events(e for e in events if e is not bad)
    late.apply([bad])
    assert late.fingerprint() == state.fingerprint()


def test_the_day_itself_is_not_empty() -> None:
    """The malformed events above land among real effects (or the test would prove little)."""
    state = fold_events(day_of_scans().events)
    assert state.checked_in("A007", DAY) is not None
    assert state.buses["V1-B1"].state == "returned"
    assert {i.kind for i in state.incidents.values()} >= {"double_admission", "over_capacity"}


def test_a_departure_with_a_bad_headcount_leaves_the_bus_boarding() -> None:
    """The finding of issue 11: the bus's state must not change before the headcount fails."""
    log = day_of_scans()
    log.events = [e for e in log.events if e.kind not in (ev.BUS_DEPARTED, ev.BUS_RETURNED)]
    log.add("bus-1", 300, ev.BUS_DEPARTED, visit="V1", bus="V1-B1", headcount="many", missing=["A003"])
    state = fold_events(log.events)
    bus = state.buses["V1-B1"]
    assert (bus.state, bus.departed_ms, bus.missing, state.refused) == ("boarding", None, (), 1)


def test_refusals_show_in_status_and_one_log_line_names_them(caplog: pytest.LogCaptureFixture) -> None:
    events, bad = with_malformed(ev.ROOM_ADDED)
    with caplog.at_level(logging.WARNING, logger="eventops.fold"):
        state = fold_events(events)
    lines = [r.getMessage() for r in caplog.records if r.name == "eventops.fold"]
    assert lines == [f"1 malformed events refused whole (not folded): {bad.station_id}#{bad.seq}"]
    report = status(state, at(120))
    assert report["refused_events"] == 1
    assert "1 malformed refused" in render_text(report)
