"""The presence rules of DESIGN.md, one example each, on the fold alone."""

from __future__ import annotations

from db import events as ev
from db.fold import fold_events
from db.state import BUS, ROOM, VENUE
from tests.db.factory import DAY, Log, at, reference


def test_first_desk_scan_of_the_day_is_the_arrival_and_a_repeat_is_not() -> None:
    log = Log()
    reference(log)
    log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True, via="scan")
    log.add("desk-1", 62, ev.DESK_CHECKIN, attendee="A001", first=False, via="scan")
    state = fold_events(log.events)
    checkin = state.checked_in("A001", DAY)
    assert checkin is not None and checkin.at_ms == at(60) and checkin.station == "desk-1"
    assert sum(state.arrivals.values()) == 1
    assert state.place_kind("A001", at(70)) == VENUE
    assert not state.open_incidents()


def test_same_badge_admitted_at_two_offline_desks_is_a_double_admission() -> None:
    log = Log()
    reference(log)
    log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    log.add("desk-2", 61, ev.DESK_CHECKIN, attendee="A001", first=True)
    state = fold_events(log.events)
    kinds = [i.kind for i in state.open_incidents()]
    assert kinds == ["double_admission"]
    assert state.open_incidents()[0].attendee == "A001"


def test_door_entry_moves_people_and_session_end_empties_the_room() -> None:
    log = Log()
    reference(log)
    log.add("door-R1", 55, ev.DOOR_ENTRY, attendee="A001", room="R1")
    log.add("door-R1", 56, ev.DOOR_ENTRY, attendee="A002", room="R1")
    log.add("door-R2", 58, ev.DOOR_ENTRY, attendee="A002", room="R2")
    state = fold_events(log.events)
    assert state.occupancy("R1", at(59)) == 1
    assert state.occupancy("R2", at(59)) == 1
    place = state.place_at("A001", at(60))
    assert place is not None and place.kind == ROOM and place.ref == "R1"
    # The morning session ends 10:30 (+10 min grace): A001 is back in the venue, R1 is empty.
    assert state.occupancy("R1", at(160)) == 0
    assert state.place_kind("A001", at(160)) == VENUE
    # Door entry without desk check-in counts as the day's arrival.
    assert state.checked_in("A001", DAY) is not None
    # After the day closes (last session 17:00 + 1 h) everyone is away.
    assert state.place_kind("A002", at(12 * 60)) == "away"


def test_exit_scan_and_over_capacity_incident() -> None:
    log = Log()
    reference(log, capacity=2)
    for i in range(1, 4):
        log.add("door-R1", 50 + i, ev.DOOR_ENTRY, attendee=f"A00{i}", room="R1", override=i == 3)
    log.add("door-R1", 70, ev.DOOR_EXIT, attendee="A001", room="R1")
    state = fold_events(log.events)
    assert state.occupancy("R1", at(71)) == 2
    incidents = state.open_incidents()
    assert [i.kind for i in incidents] == ["over_capacity"]
    assert "3 people for 2 places" in incidents[0].detail


def test_bus_departure_freezes_missing_and_return_brings_people_back() -> None:
    log = Log()
    reference(log)
    log.add("bus-V1-B1", 290, ev.BUS_BOARDED, attendee="A001", visit="V1", bus="V1-B1")
    log.add("bus-V1-B1", 291, ev.BUS_BOARDED, attendee="A004", visit="V1", bus="V1-B1")  # wrong bus
    log.add("bus-V1-B1", 300, ev.BUS_DEPARTED, visit="V1", bus="V1-B1", headcount=2)
    state = fold_events(log.events)
    bus = state.buses["V1-B1"]
    assert bus.state == "departed" and bus.missing == ("A002", "A003")
    assert state.place_kind("A004", at(310)) == BUS
    assert [i.kind for i in state.open_incidents()] == ["bus_left_missing"]
    log.add("bus-V1-B1", 500, ev.BUS_RETURNED, visit="V1", bus="V1-B1")
    state = fold_events(log.events)
    assert state.buses["V1-B1"].state == "returned"
    assert state.place_kind("A001", at(501)) == VENUE


def test_void_undoes_a_scan_and_ack_closes_an_incident() -> None:
    log = Log()
    reference(log)
    scan = log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    log.add("desk-1", 60.2, ev.VOID, station_id=scan.station_id, seq=scan.seq)
    rejected = log.add("desk-1", 61, ev.SCAN_REJECTED, reason="forged", mode="desk")
    state = fold_events(log.events)
    assert state.checked_in("A001", DAY) is None
    assert state.place_kind("A001", at(65)) == "away"
    incident_id = state.open_incidents()[0].id
    assert incident_id == f"forged_badge:desk-1:{rejected.seq}"
    log.add("ops", 62, ev.INCIDENT_ACKED, incident=incident_id)
    assert fold_events(log.events).open_incidents() == []


def test_revoked_badge_and_suspect_clock_are_incidents() -> None:
    log = Log()
    reference(log)
    log.add("door-R1", 61, ev.SCAN_REJECTED, reason="revoked", attendee="A003", mode="door")
    log.add("hub", 62, ev.CLOCK_SUSPECT, station_id="desk-9", seq=1, hlc=(at(60) + 365 * 86_400_000) << 16,
            seen_at=at(62))
    state = fold_events(log.events)
    assert sorted(i.kind for i in state.open_incidents()) == ["clock_suspect", "revoked_badge"]
    assert state.rejected["revoked"] == 1


def test_only_the_organiser_and_its_hubs_set_up_the_event() -> None:
    """A stolen desk laptop cannot swap the badge key, revoke stations or rename people."""
    log = Log()
    reference(log)
    log.add("org", -100, ev.STATION_ADDED, id="desk-1", kind="desk")
    log.add("org", -99, ev.STATION_ADDED, id="hub", kind="hub")
    log.add("org", -98, ev.KEY_ADDED, kid="K1", public_key="genuine")
    log.add("desk-1", 10, ev.KEY_ADDED, kid="K1", public_key="attacker")
    log.add("desk-1", 11, ev.STATION_REVOKED, id="hub")
    log.add("desk-1", 12, ev.ATTENDEE_UPDATED, id="A001", name="Mallory")
    log.add("desk-1", 13, ev.EVENT_CREATED, id="EVIL", name="Evil", days=[DAY], tz="UTC")
    log.add("hub", 14, ev.ATTENDEE_UPDATED, id="A002", org="Ville de Liège")
    state = fold_events(log.events)
    assert state.keys == {"K1": "genuine"}
    assert not state.stations["hub"].revoked
    assert state.attendees["A001"].name == "Person 1"
    assert state.info is not None and state.info.id == "TEST"
    assert state.attendees["A002"].org == "Ville de Liège"


def test_a_station_can_only_undo_its_own_scans_and_bad_voids_are_ignored() -> None:
    log = Log()
    reference(log)
    scan = log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    log.add("desk-2", 61, ev.VOID, station_id=scan.station_id, seq=scan.seq)
    log.add("desk-2", 62, ev.VOID, station_id="desk-2", seq="abc")
    log.add("desk-2", 63, ev.VOID)
    state = fold_events(log.events)
    assert state.checked_in("A001", DAY) is not None


def test_malformed_events_do_not_stop_the_fold() -> None:
    log = Log()
    reference(log)
    log.add("org", -50, ev.ROOM_ADDED, id="R9", name="Broken", capacity="lots")
    log.add("org", -49, ev.SESSION_ADDED, id="S9", room="R1", start="yesterday", end="tomorrow")
    log.add("door-R1", 60, ev.DOOR_ENTRY, attendee="A001", room="R1")
    state = fold_events(log.events)
    assert state.occupancy("R1", at(61)) == 1


def test_an_unknown_time_zone_falls_back_instead_of_breaking_every_day() -> None:
    log = Log()
    log.add("org", 0, ev.EVENT_CREATED, id="X", name="X", days=[DAY], tz="Mars/Olympus")
    log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    state = fold_events(log.events)
    assert state.tz == "Europe/Brussels" and state.checked_in("A001", DAY) is not None


def test_stations_report_their_sync_health_without_looking_active() -> None:
    log = Log()
    reference(log)
    log.add("org", -90, ev.STATION_ADDED, id="desk-1", kind="desk")
    log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    log.add("desk-1", 70, ev.STATION_HEALTH, waiting=3, last_sync_ms=at(65))
    state = fold_events(log.events)
    health = state.station_health["desk-1"]
    assert (health.waiting, health.last_sync_ms) == (3, at(65))
    assert state.station_last_ms["desk-1"] == at(60)
