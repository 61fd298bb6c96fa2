"""What a visit coordinator is told at the bus door, and what the log keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.bus import BusNotReady
from checkin.station import Station, StationConfig, StationNotReady
from db import events as ev
from db.fold import load_state
from db.log import Draft, append_many, get
from db.state import BUS
from tests.bus.world import B1, B2, VISIT, World, bus_station, bus_world


@pytest.fixture
def world(db_path: Path) -> World:
    return bus_world(db_path)


def recorded(world: World, verdict: object) -> ev.Event:
    event = getattr(verdict, "event", None)
    assert event is not None
    found = get(world.db, event.station_id, event.seq)
    assert found is not None
    return found


def test_boarding_is_green_with_the_counts_and_puts_them_on_the_bus(world: World) -> None:
    verdict = bus_station(world).scan(world.token("A001"))
    assert (verdict.status, verdict.reason, verdict.headline) == ("ok", "boarded", "WELCOME ABOARD")
    assert verdict.name == "Anna Müller"
    assert "Coach 1: 1 aboard / 3 assigned, 4 seats" in verdict.detail
    assert verdict.to_json()["boarded"] == 1 and verdict.to_json()["seats"] == 4
    event = recorded(world, verdict)
    assert event.kind == ev.BUS_BOARDED
    assert {k: event.data[k] for k in ("attendee", "visit", "bus", "via")} == {
        "attendee": "A001", "visit": VISIT, "bus": B1, "via": "scan"}
    place = load_state(world.db).place_at("A001", world.clock())
    assert place is not None and (place.kind, place.ref) == (BUS, B1)


def test_scanning_someone_already_aboard_is_amber_with_the_boarding_time(world: World) -> None:
    station = bus_station(world)
    station.scan(world.token("A002"))
    world.clock.advance(4 * 60)
    verdict = station.scan(world.token("A002"))
    assert (verdict.status, verdict.reason) == ("warning", "already_aboard")
    assert verdict.detail[0] == "boarded at 13:05"
    assert station.state.buses[B1].aboard == {"A002"}


def test_someone_assigned_to_the_other_bus_boards_amber_naming_their_bus(world: World) -> None:
    verdict = bus_station(world).scan(world.token("A004"))
    assert (verdict.status, verdict.reason, verdict.headline) == ("warning", "other_bus", "ASSIGNED TO COACH 2")
    assert verdict.detail[0] == "on the list of Coach 2 (V1-B2): boarding here recorded"
    assert verdict.to_json()["assigned_bus"] == B2
    assert recorded(world, verdict).kind == ev.BUS_BOARDED
    state = load_state(world.db)
    assert "A004" in state.buses[B1].aboard and "A004" in state.buses[B2].assigned


def test_moving_from_one_boarding_bus_to_the_other_is_said_and_counted_once(world: World) -> None:
    bus_station(world, B2).scan(world.token("A004"))
    verdict = bus_station(world, B1).scan(world.token("A004"))
    assert "was aboard Coach 2: moved to this bus" in verdict.detail
    state = load_state(world.db)
    assert "A004" in state.buses[B1].aboard and "A004" not in state.buses[B2].aboard


def test_not_registered_is_red_until_the_coordinator_confirms_a_free_seat(world: World) -> None:
    station = bus_station(world)
    refused = station.scan(world.token("A006"))
    assert (refused.status, refused.reason, refused.headline) == ("refused", "not_registered", "NOT ON THIS VISIT")
    assert refused.detail == ("not registered for Safe consumption room", "1 seat free: the coordinator may confirm boarding")
    assert refused.to_json()["can_override"] is True
    assert recorded(world, refused).kind == ev.SCAN_REJECTED
    assert "A006" not in station.state.buses[B1].aboard

    confirmed = station.scan(world.token("A006"), override=True)
    assert (confirmed.status, confirmed.reason) == ("warning", "not_registered_override")
    event = recorded(world, confirmed)
    assert event.kind == ev.BUS_BOARDED and event.data["override"] is True
    assert "A006" in load_state(world.db).buses[B1].aboard


def test_not_registered_with_every_seat_kept_cannot_be_confirmed(db_path: Path) -> None:
    world = bus_world(db_path, b1_seats=3)
    verdict = bus_station(world).scan(world.token("A006"), override=True)
    assert (verdict.status, verdict.reason) == ("refused", "not_registered")
    assert "no free seat" in verdict.detail[1]
    assert verdict.to_json()["can_override"] is False


def test_a_full_bus_is_red_and_boards_no_one_more(db_path: Path) -> None:
    world = bus_world(db_path, b1_seats=2)
    station = bus_station(world)
    station.scan(world.token("A001"))
    station.scan(world.token("A002"))
    verdict = station.scan(world.token("A003"))
    assert (verdict.status, verdict.reason, verdict.headline) == ("refused", "bus_full", "BUS FULL")
    assert verdict.detail[0] == "all 2 seats taken: 2 aboard"
    assert recorded(world, verdict).data["reason"] == "bus_full"
    assert load_state(world.db).buses[B1].aboard == {"A001", "A002"}


def test_after_departure_only_those_aboard_are_recognised(world: World) -> None:
    from checkin.bus import depart

    station = bus_station(world)
    station.scan(world.token("A001"))
    station.scan(world.token("A002"))
    depart(station, confirm_missing=True)
    world.clock.advance(30 * 60)
    late = station.scan(world.token("A003"))
    assert (late.status, late.reason, late.headline) == ("refused", "bus_departed", "BUS HAS LEFT")
    assert late.detail[0].startswith("Coach 1 left at 13:05")
    headcount = station.scan(world.token("A001"))  # counting heads at the site, before the way back
    assert (headcount.status, headcount.reason) == ("warning", "already_aboard")
    assert station.state.buses[B1].aboard == {"A001", "A002"}


def test_after_return_scans_are_refused(world: World) -> None:
    from checkin.bus import depart, return_

    station = bus_station(world)
    station.scan(world.token("A001"))
    depart(station, confirm_missing=True)
    return_(station)
    verdict = station.scan(world.token("A001"))
    assert (verdict.status, verdict.reason) == ("refused", "bus_returned")


def test_undo_takes_a_boarding_back(world: World) -> None:
    station = bus_station(world)
    station.scan(world.token("A001"))
    undone = station.undo_last()
    assert undone.reason == "undone"
    assert "A001" not in station.state.buses[B1].aboard


def test_search_boards_someone_without_a_badge_as_such(world: World) -> None:
    station = bus_station(world)
    verdict = station.check_in_by_search("A003")
    assert verdict.reason == "boarded"
    assert recorded(world, verdict).data["via"] == "search"


@pytest.mark.parametrize(
    "config,words",
    [
        (StationConfig("bus-V1-B1", "bus", visit=VISIT, bus="V9-B9"), "bus mode needs a bus"),
        (StationConfig("desk-1", "bus", visit=VISIT), "bus mode needs a bus"),  # no bus, and no place to take it from
        (StationConfig("bus-V1-B1", "bus", visit="V9", bus=B1), "bus mode needs a visit"),
    ],
)
def test_a_station_set_up_for_an_unknown_bus_says_so_in_words(world: World, config: StationConfig, words: str) -> None:
    with pytest.raises(StationNotReady, match=words):
        Station(world.db, config, wall=world.clock)


def test_a_bus_of_another_visit_is_refused_in_words(world: World) -> None:
    append_many(world.db, "org", [Draft(ev.VISIT_ADDED, {"id": "V2", "title": "Crisis centre", "day": "2024-03-20"})],
                wall=world.clock)
    with pytest.raises(StationNotReady, match="bus V1-B1 belongs to visit V1, not V2"):
        Station(world.db, StationConfig("bus-V1-B1", "bus", visit="V2", bus=B1), wall=world.clock)
    station = Station(world.db, StationConfig("bus-V1-B1", "bus", visit="V2", bus=B1), wall=world.clock, check=False)
    with pytest.raises(BusNotReady, match="bus V1-B1 belongs to visit V1, not V2"):
        station.scan(world.token("A001"))
    assert not [e for e in load_state(world.db).events if e.station_id == "bus-V1-B1"]


@pytest.mark.parametrize(
    "config",
    [
        StationConfig("bus-V1-B1", "bus", bus=B1),  # `eventops checkin --mode bus --bus V1-B1`
        StationConfig("bus-V1-B1", "bus"),  # the bus from the station's registered place
    ],
)
def test_a_bus_station_takes_its_visit_from_its_bus(world: World, config: StationConfig) -> None:
    station = Station(world.db, config, wall=world.clock)
    assert (station.config.visit, station.config.bus) == (VISIT, B1)
    verdict = station.scan(world.token("A001"))
    assert (verdict.reason, verdict.place) == ("boarded", B1)
    assert station.status().place_name == "Coach 1"
