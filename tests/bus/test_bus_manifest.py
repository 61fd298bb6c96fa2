"""The manifest, the departure and the return, as a coordinator sees and records them."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.bus import depart, manifest, manifest_text, return_
from checkin.station import Station, StationConfig
from db import events as ev
from db.fold import load_state
from db.log import all_events, get
from db.state import BUS, BUS_LEFT_MISSING, VENUE
from tests.bus.world import B1, B2, BOARDING_MS, MINUTE, T0, World, bus_station, bus_world


@pytest.fixture
def world(db_path: Path) -> World:
    """Anna checked in at 08:55 and boarded; Jean checked in at 08:55 and went to the Plenary at 10:02;
    Zoë never came. Coach 2's Łukasz boarded Coach 1."""
    world = bus_world(db_path)
    desk = Station(world.db, StationConfig("desk-1", "desk"), wall=lambda: T0 + 55 * MINUTE)
    desk.scan(world.token("A001"))
    desk.scan(world.token("A002"))
    door = Station(world.db, StationConfig("door-R2", "door", room="R2"), wall=lambda: T0 + 122 * MINUTE)
    door.scan(world.token("A002"))
    station = bus_station(world)
    station.scan(world.token("A001"))
    world.clock.advance(60)
    station.scan(world.token("A004"))
    return world


def test_manifest_ticks_the_boarded_and_says_where_the_missing_were_last_seen(world: World) -> None:
    sheet = manifest(load_state(world.db), B1, BOARDING_MS + 10 * MINUTE)
    assert (sheet.boarded, sheet.assigned, sheet.seats, sheet.state) == (2, 3, 4, "boarding")
    assert sheet.counts == "2 aboard / 3 assigned · 4 seats"
    ticked = {p.name: p.boarded for p in sheet.people}
    assert ticked == {"Anna Müller": True, "Jean Dupont": False, "Łukasz Nowak": True, "Zoë Peeters": False}
    walk_on = next(p for p in sheet.people if p.attendee == "A004")
    assert (walk_on.assigned, walk_on.other_bus) == (False, B2)
    assert [(p.name, p.last_seen) for p in sheet.missing] == [
        ("Jean Dupont", "in room Plenary since 10:02"),
        ("Zoë Peeters", "not checked in today"),
    ]
    text = "\n".join(manifest_text(sheet, load_state(world.db)))
    assert "[x] Anna Müller" in text and "[ ] Zoë Peeters" in text
    assert "on the list of Coach 2" in text
    assert "Jean Dupont: in room Plenary since 10:02" in text


def test_someone_only_checked_in_was_last_seen_at_the_desk(world: World) -> None:
    # Anna steps off Coach 1 onto Coach 2 (its list is full of other people, but the door is open).
    bus_station(world, B2).scan(world.token("A001"))
    state = load_state(world.db)
    sheet = manifest(state, B1, BOARDING_MS + 10 * MINUTE)
    assert "A001" not in {p.attendee for p in sheet.missing}
    assert [p.attendee for p in sheet.elsewhere] == ["A001"]
    desk_only = manifest(state, B2, BOARDING_MS + 10 * MINUTE)
    assert [(p.name, p.last_seen) for p in desk_only.missing] == [("Inês Gonçalves", "not checked in today")]


def test_checked_in_and_nothing_since_reads_checked_in_at(db_path: Path) -> None:
    world = bus_world(db_path)
    Station(world.db, StationConfig("desk-1", "desk"), wall=lambda: T0 + 55 * MINUTE).scan(world.token("A003"))
    sheet = manifest(load_state(world.db), B1, BOARDING_MS)
    assert ("Zoë Peeters", "checked in at 08:55") in [(p.name, p.last_seen) for p in sheet.missing]


def test_departure_with_people_missing_needs_confirmation_and_records_nothing_until_then(world: World) -> None:
    station = bus_station(world)
    before = len(all_events(world.db))
    asked = depart(station, confirm_missing=False)
    assert (asked.status, asked.reason, asked.event) == ("warning", "confirm_missing", None)
    assert asked.headline == "2 MISSING: CONFIRM DEPARTURE?"
    assert "Jean Dupont: in room Plenary since 10:02" in asked.detail
    assert [m["id"] for m in asked.to_json()["missing"]] == ["A002", "A003"]
    assert len(all_events(world.db)) == before
    assert station.state.buses[B1].state == "boarding"

    world.clock.advance(5 * 60)
    done = depart(station, confirm_missing=True)
    assert (done.status, done.reason, done.headline) == ("warning", "departed_missing", "DEPARTED: 2 MISSING")
    assert done.event is not None
    event = get(world.db, done.event.station_id, done.event.seq)
    assert event is not None and event.kind == ev.BUS_DEPARTED
    boarded = {a: load_state(world.db).places[a].since_ms for a in ("A001", "A004")}
    assert dict(event.data) == {"visit": "V1", "bus": B1, "headcount": 2, "missing": ["A002", "A003"], "aboard": boarded}
    state = load_state(world.db)
    assert state.buses[B1].state == "departed" and state.buses[B1].missing == ("A002", "A003")
    incidents = [i for i in state.open_incidents() if i.kind == BUS_LEFT_MISSING]
    assert len(incidents) == 1 and "Jean Dupont" in incidents[0].detail
    again = depart(station, confirm_missing=True)
    assert (again.reason, again.event) == ("already_departed", None)


def test_departure_with_everyone_aboard_is_green_without_confirmation(db_path: Path) -> None:
    world = bus_world(db_path)
    station = bus_station(world, B2)
    station.scan(world.token("A004"))
    station.scan(world.token("A005"))
    verdict = depart(station, confirm_missing=False)
    assert (verdict.status, verdict.reason, verdict.headline) == ("ok", "departed", "DEPARTED: EVERYONE ABOARD")
    assert not load_state(world.db).open_incidents()


def test_return_puts_everyone_aboard_back_at_the_venue(world: World) -> None:
    station = bus_station(world)
    not_yet = return_(station)
    assert (not_yet.status, not_yet.reason, not_yet.event) == ("refused", "not_departed", None)
    depart(station, confirm_missing=True)
    world.clock.advance(3 * 60 * 60)
    back = return_(station)
    assert (back.status, back.reason, back.headline) == ("ok", "returned", "BACK AT THE VENUE")
    assert back.detail == ("2 people back at the venue from Coach 1",)
    state = load_state(world.db)
    for attendee in ("A001", "A004"):
        place = state.place_at(attendee, world.clock())
        assert place is not None and place.kind == VENUE, attendee
    assert state.buses[B1].state == "returned"
    again = return_(station)
    assert (again.reason, again.event) == ("already_returned", None)


def test_before_return_the_aboard_are_on_the_bus_all_afternoon(world: World) -> None:
    station = bus_station(world)
    depart(station, confirm_missing=True)
    place = load_state(world.db).place_at("A001", BOARDING_MS + 3 * 60 * MINUTE)
    assert place is not None and (place.kind, place.ref) == (BUS, B1)
