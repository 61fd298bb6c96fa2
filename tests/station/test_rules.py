"""The headless station: what a desk volunteer or door steward is told, and what the log keeps."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from checkin.badges.keys import reissue_badge
from checkin.station import Station, StationConfig, StationNotReady
from db import events as ev
from db.connect import connect
from db.fold import load_state
from db.log import all_events, append, get
from db.node import set_local_station
from tests.station.world import MINUTE, Clock, World, build


@pytest.fixture
def world(db_path: Path) -> World:
    return build(db_path)


def desk(world: World, station: str = "desk-1") -> Station:
    return Station(world.db, StationConfig(station, "desk"), wall=world.clock)


def door(world: World, room: str = "R1", exit: bool = False, **kw: object) -> Station:
    return Station(world.db, StationConfig(f"door-{room}", "door", room=room, exit=exit, **kw), wall=world.clock)  # type: ignore[arg-type]


def test_desk_first_checkin_is_green_with_the_speaker_pack(world: World) -> None:
    verdict = desk(world).scan(world.token("A001"))
    assert (verdict.status, verdict.reason, verdict.headline) == ("ok", "checked_in", "WELCOME")
    assert verdict.attendee and verdict.attendee["name"] == "Anna Müller"
    assert "speaker: hand over the speaker pack" in verdict.detail
    assert verdict.event is not None
    recorded = get(world.db, verdict.event.station_id, verdict.event.seq)
    assert recorded is not None and recorded.kind == ev.DESK_CHECKIN
    assert recorded.data["attendee"] == "A001" and recorded.data["first"] is True


def test_desk_repeat_is_amber_with_time_and_first_station(world: World) -> None:
    desk(world, "desk-2").scan(world.token("A002"))
    world.clock.advance(20 * 60)
    verdict = desk(world, "desk-1").scan(world.token("A002"))
    assert (verdict.status, verdict.reason) == ("warning", "already_checked_in")
    assert verdict.detail[0] == "already checked in at 09:12 at desk-2"
    assert get(world.db, "desk-1", verdict.event.seq).data["first"] is False  # type: ignore[union-attr]


def test_a_scan_from_another_process_is_seen(world: World) -> None:
    station = desk(world)
    other = connect(world.path)
    Station(other, StationConfig("desk-2", "desk"), wall=world.clock).scan(world.token("A003"))
    verdict = station.scan(world.token("A003"))
    assert verdict.reason == "already_checked_in"


def test_door_entry_fills_the_room_until_room_full(world: World) -> None:
    station = door(world)
    for ident in ("A001", "A002", "A003"):
        desk(world).scan(world.token(ident))
        verdict = station.scan(world.token(ident))
        assert verdict.reason == "entered"
    assert (verdict.occupancy, verdict.capacity) == (3, 3)
    assert verdict.detail == ("FULL: that was the last place",)  # never "almost full: 0 places left"
    full = station.scan(world.token("A004"))
    assert (full.status, full.reason, full.headline) == ("refused", "room_full", "ROOM FULL")
    assert full.detail[0] == "capacity 3: 3 inside"
    assert get(world.db, "door-R1", full.event.seq).kind == ev.SCAN_REJECTED  # type: ignore[union-attr]
    assert load_state(world.db).occupancy("R1", world.clock()) == 3


def test_override_admits_over_capacity_and_is_recorded(world: World) -> None:
    station = door(world)
    for ident in ("A001", "A002", "A003"):
        station.scan(world.token(ident))
    verdict = station.scan(world.token("A004"), override=True)
    assert (verdict.status, verdict.reason) == ("warning", "room_full_override")
    assert verdict.occupancy == 4
    assert get(world.db, "door-R1", verdict.event.seq).data["override"] is True  # type: ignore[union-attr]
    state = load_state(world.db)
    assert any(i.kind == "over_capacity" for i in state.incidents.values())


def test_door_admits_not_checked_in_amber_as_arrival(world: World) -> None:
    verdict = door(world).scan(world.token("A005"))
    assert (verdict.status, verdict.reason) == ("warning", "not_checked_in")
    assert load_state(world.db).checked_in("A005", "2024-03-20") is not None


def test_door_can_require_a_desk_checkin(world: World) -> None:
    verdict = door(world, door_requires_checkin=True).scan(world.token("A005"))
    assert (verdict.status, verdict.reason) == ("refused", "not_checked_in")
    assert verdict.occupancy == 0


def test_exit_frees_a_place(world: World) -> None:
    door(world).scan(world.token("A001"))
    world.clock.advance(60)
    verdict = door(world, exit=True).scan(world.token("A001"))
    assert (verdict.status, verdict.reason, verdict.occupancy) == ("ok", "exited", 0)
    again = door(world, exit=True).scan(world.token("A001"))
    assert again.reason == "not_inside"


def test_undo_voids_the_last_scan_within_the_window(world: World) -> None:
    station = desk(world)
    first = station.scan(world.token("A001"))
    world.clock.advance(5)
    undo = station.undo_last()
    assert (undo.status, undo.reason) == ("ok", "undone")
    assert undo.attendee and undo.attendee["id"] == "A001"
    void = get(world.db, "desk-1", undo.event.seq)  # type: ignore[union-attr]
    assert void is not None and void.kind == ev.VOID and void.data["seq"] == first.event.seq  # type: ignore[union-attr]
    assert load_state(world.db).checked_in("A001", "2024-03-20") is None
    assert station.scan(world.token("A001")).reason == "checked_in"  # a fresh first check-in
    world.clock.advance(31)
    assert station.undo_last().reason == "nothing_to_undo"


def test_undo_after_a_refusal_takes_nothing_back(world: World) -> None:
    station = desk(world)
    station.scan(world.token("A001"))
    station.scan("NOT A BADGE")
    assert station.undo_last().reason == "nothing_to_undo"
    assert load_state(world.db).checked_in("A001", "2024-03-20") is not None


def test_search_is_accent_and_case_insensitive_and_partial(world: World) -> None:
    station = desk(world)
    assert [h.attendee.name for h in station.search("muller")] == ["Anna Müller"]
    assert [h.attendee.id for h in station.search("liege")] == ["A002"]
    assert [h.attendee.id for h in station.search("LUKA")] == ["A004"]
    assert [h.attendee.id for h in station.search("goncal")] == ["A005"]
    assert [h.attendee.id for h in station.search("zoe pee")] == ["A003"]
    assert station.search("nobody-like-this") == []


def test_check_in_by_search_is_recorded_as_such(world: World) -> None:
    station = desk(world)
    verdict = station.check_in_by_search("A006")
    assert (verdict.reason, verdict.via) == ("checked_in", "search")
    assert get(world.db, "desk-1", verdict.event.seq).data["via"] == "search"  # type: ignore[union-attr]
    repeat = desk(world, "desk-2").scan(world.token("A006"))
    assert "by name search" in repeat.detail[0]


@pytest.mark.parametrize(
    ("payload", "reason", "recorded"),
    [
        ("hello world", "malformed", "malformed"),
        ("", "malformed", "malformed"),
        ("\x00" * 500, "malformed", "malformed"),
    ],
)
def test_junk_is_refused_and_counted(world: World, payload: str, reason: str, recorded: str) -> None:
    verdict = desk(world).scan(payload)
    assert (verdict.status, verdict.reason, verdict.attendee) == ("refused", reason, None)
    assert get(world.db, "desk-1", verdict.event.seq).data["reason"] == recorded  # type: ignore[union-attr]
    assert load_state(world.db).rejected[recorded] == 1


def test_tampered_badge_is_forged(world: World) -> None:
    token = world.token("A001")
    # Swap the attendee id inside a genuine token: the signature no longer matches.
    tampered = token.replace("A001", "A002", 1)
    verdict = desk(world).scan(tampered)
    assert (verdict.status, verdict.reason, verdict.headline) == ("refused", "forged", "FORGED BADGE")
    assert verdict.attendee is None
    state = load_state(world.db)
    assert any(i.kind == "forged_badge" for i in state.incidents.values())


def test_badge_signed_by_another_key_is_recorded_as_forged(tmp_path: Path, world: World) -> None:
    other = build(tmp_path / "other.db")
    # Same event id, different signing key.
    verdict = desk(world).scan(other.token("A001"))
    assert verdict.reason == "unknown_key"
    assert get(world.db, "desk-1", verdict.event.seq).data["reason"] == "forged"  # type: ignore[union-attr]


def test_revoked_badge_is_red_and_names_the_person(world: World) -> None:
    old = world.token("A002")
    reissue_badge(world.db, world.path, "A002")
    verdict = desk(world).scan(old)
    assert (verdict.status, verdict.reason) == ("refused", "revoked")
    assert verdict.attendee and verdict.attendee["name"] == "Jean Dupont"
    state = load_state(world.db)
    assert any(i.kind == "revoked_badge" for i in state.incidents.values())


def test_every_verdict_is_durable_before_it_returns(world: World) -> None:
    station = desk(world)
    verdicts = [station.scan(world.token(i)) for i in ("A001", "A002", "A001")] + [station.scan("junk")]
    reader = connect(world.path)  # a second connection sees only committed data
    held = {(e.station_id, e.seq) for e in all_events(reader)}
    assert all((v.event.station_id, v.event.seq) in held for v in verdicts)  # type: ignore[union-attr]


def test_a_database_without_event_key_or_station_says_what_to_run(tmp_path: Path, world: World) -> None:
    empty = connect(tmp_path / "empty.db")
    with pytest.raises(StationNotReady, match="eventops init --db"):
        Station(empty, StationConfig("desk-1", "desk"))
    with pytest.raises(StationNotReady, match="eventops station add desk-9 --kind desk"):
        Station(world.db, StationConfig("desk-9", "desk"))
    with pytest.raises(StationNotReady, match="door mode needs a room"):
        Station(world.db, StationConfig("desk-1", "door"))


def test_door_station_takes_its_room_from_the_station_record(world: World) -> None:
    station = Station(world.db, StationConfig("door-R1", "door"), wall=world.clock)
    assert station.config.room == "R1"
    assert station.status().capacity == 3


def test_status_counts_todays_scans(world: World) -> None:
    station = desk(world)
    station.scan(world.token("A001"))
    station.scan(world.token("A002"))
    world.clock.advance(MINUTE / 1000)
    status = station.status()
    assert (status.scans_today, status.mode, status.event_name) == (2, "desk", "Security, Democracy & Cities")


def test_clock_fixture_is_frozen() -> None:
    clock = Clock()
    assert clock() == clock()


def test_a_laptop_enrolled_as_one_station_refuses_to_scan_as_another(world: World) -> None:
    set_local_station(world.db, "desk-1")  # what `eventops station enrol` records
    with pytest.raises(StationNotReady, match="is enrolled as station 'desk-1', not 'desk-2': run it with --station desk-1"):
        Station(world.db, StationConfig("desk-2", "desk"), wall=world.clock)
    assert desk(world, "desk-1").scan(world.token("A001")).reason == "checked_in"
    assert not [e for e in all_events(world.db) if e.station_id == "desk-2"]


@contextmanager
def lock_held_elsewhere(station: Station) -> Iterator[None]:
    """The station's lock held by another thread, as a scan waiting on a busy database holds it."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with station._lock:
            taken.set()
            release.wait(30)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    taken.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join(5)


def answers_while_locked(call: Callable[[], Any]) -> Any:
    """`call()` run in a thread; fails if it waited for the lock (the thread is left behind)."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(5)
    assert result, "it waited for the station's lock"
    return result[0]


def test_the_status_line_and_search_never_wait_for_the_stations_lock(world: World) -> None:
    station = door(world)
    station.scan(world.token("A001"))
    station.name_index()  # warmed, as the app does at start and after each poll
    with lock_held_elsewhere(station):
        status = answers_while_locked(station.status)
        assert (status.occupancy, status.capacity, status.scans_today) == (1, 3, 1)
        hits = answers_while_locked(lambda: station.search("liege"))
        assert [h.attendee.id for h in hits] == ["A002"]
        answers_while_locked(lambda: station.set_exit(True))
        assert answers_while_locked(station.status).exit is True
        keys = answers_while_locked(lambda: station.badge_keys)
        assert keys.keys == dict(load_state(world.db).keys)


def test_status_and_search_follow_the_log_after_a_refresh(world: World) -> None:
    station = desk(world)
    assert station.search("Ngozi") == []
    append(world.db, "org", ev.ATTENDEE_REGISTERED, {"id": "A100", "name": "Ngozi Okafor", "first": "Ngozi",
                                                      "last": "Okafor", "org": "Lagos State", "tags": []}, wall=world.clock)
    Station(connect(world.path), StationConfig("desk-2", "desk"), wall=world.clock).scan(world.token("A002"))
    assert station.status().scans_today == 0  # published at the last fold: nothing new folded yet
    station.refresh()  # what the app's poll worker does every second
    assert [h.attendee.id for h in station.search("ngozi")] == ["A100"]
    assert station.search("okaf")[0].attendee.name == "Ngozi Okafor"
    assert station.status().scans_today == 0  # desk-2's scan is not this station's
    world.clock.advance(10 * 60)
    station.refresh()
    assert station.status().now_ms == world.clock()
