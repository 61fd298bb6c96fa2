"""Events from other nodes: anything that would not read back the same everywhere is refused."""

from __future__ import annotations

import pytest

from db.events import Event


def wire(**data: object) -> dict:
    return {"station_id": "desk-1", "seq": 1, "hlc": 1 << 16, "kind": "checkin.desk", "data": data, "sig": "ab" * 64}


@pytest.mark.parametrize(
    "data",
    [{"x": float("nan")}, {"x": float("inf")}, {"x": 10**30}, {"x": [[[[[[[[[[1]]]]]]]]]]}, {"x": "é" * 20_000}],
    ids=["nan", "infinity", "huge-int", "deep", "oversized"],
)
def test_unreadable_or_oversized_data_is_refused(data: dict) -> None:
    with pytest.raises(ValueError):
        Event.from_wire(wire(**data))


@pytest.mark.parametrize(
    "patch",
    [{"seq": 0}, {"seq": "1"}, {"hlc": -1}, {"kind": "drop.table"}, {"station_id": ""}, {"station_id": "x" * 65}, {"data": []},
     {"sig": ""}, {"sig": "zz" * 64}, {"sig": 12}],
)
def test_bad_identity_or_kind_is_refused(patch: dict) -> None:
    with pytest.raises(ValueError):
        Event.from_wire({**wire(attendee="A1"), **patch})


def test_a_good_event_round_trips() -> None:
    event = Event.from_wire(wire(attendee="A1", first=True, name="Łódź"))
    assert Event.from_wire(event.to_wire()) == event
    assert Event.from_wire(event.to_wire()).sig == bytes.fromhex("ab" * 64)
    assert Event.from_row(event.to_row()) == event


def test_an_enrolled_station_refuses_to_set_up_the_event(fresh_db) -> None:
    """Its own reference events would be ignored everywhere and block its sync: say so instead."""
    from db import events as ev
    from db import log
    from db.connect import set_setting
    from db.errors import EventOpsError

    set_setting(fresh_db, "station_id", "desk-1")
    set_setting(fresh_db, "sync.role", "station")
    with pytest.raises(EventOpsError, match="organiser's database"):
        log.append(fresh_db, "desk-1", ev.ROOM_ADDED, {"id": "R1", "name": "Annex", "capacity": 20})
    assert log.count(fresh_db) == 0
    log.append(fresh_db, "desk-1", ev.DESK_CHECKIN, {"attendee": "A1", "first": True})
    assert log.count(fresh_db) == 1


def test_text_that_is_not_unicode_is_refused() -> None:
    with pytest.raises(ValueError):
        Event.from_wire(wire(attendee="\ud800"))
