"""Clocks that lie: an event stamped far outside the event (year 4199, 1970, before the event
existed) is reported as a suspect clock naming its station, and moves nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from dashboard.panels import arrivals, incidents, stations
from db import events as ev
from db import log, trust
from db.connect import connect, connect_memory
from db.events import Event
from db.fold import EventState, fold_events, load_state
from db.hlc import pack
from db.node import set_local_station
from db.state import CLOCK_SUSPECT, Incident
from db.status import reference_now, render_text, status
from db.times import WINDOW_AFTER_MS, WINDOW_BEFORE_MS, parse_local
from tests.db.factory import DAY, Log, at, reference

#: The largest HLC an event may carry (`Event.from_wire`): 4199-11-24 in milliseconds.
LARGEST_HLC = 2**62 - 1
YEAR_MS = 365 * 86_400_000
#: The factory's event: created 2024-03-19 23:00, days 20-21 March (Brussels).
CREATED_MS = at(-600)
WINDOW_END_MS = parse_local("2024-03-22T00:00", "Europe/Brussels") + WINDOW_AFTER_MS


def suspects(state: EventState) -> list[Incident]:
    return [i for i in state.open_incidents() if i.kind == CLOCK_SUSPECT]


def days_shown(state: EventState, now_ms: int) -> set[str]:
    """Every day any view could show: check-ins, arrivals, station scan counts, status."""
    report = status(state, now_ms)
    return (
        {day for day, _ in state.checkins}
        | {day for day, _ in state.arrivals}
        | {day for _, day in state.station_scans}
        | set(report["checked_in"])
    )


def test_a_scan_a_year_ahead_counts_for_nothing_and_names_its_station() -> None:
    log = Log()
    reference(log)
    log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    honest = fold_events(log.events)
    far = log.add_hlc("desk-2", pack(at(61) + YEAR_MS), ev.DESK_CHECKIN, attendee="A002", first=True)
    state = fold_events(log.events)
    assert (state.last_event_ms, state.last_scan_ms) == (honest.last_event_ms, honest.last_scan_ms) == (at(60), at(60))
    assert state.checked_in("A002", "2025-03-20") is None and state.checked_in("A002", DAY) is None
    assert days_shown(state, at(120)) == days_shown(honest, at(120)) == {DAY, "2024-03-21"}
    assert "desk-2" not in state.station_last_ms and sum(state.arrivals.values()) == 1
    [incident] = suspects(state)
    assert incident.id == f"clock_suspect:desk-2:{far.seq}" and incident.station == "desk-2"
    assert incident.attendee == "A002" and incident.at_ms == at(60)  # noticed at the last trustworthy time
    assert "clock of desk-2 says 2025-03-20 10:01" in incident.detail and "not counted" in incident.detail


def test_an_event_at_hlc_zero_opens_no_1970_day_anywhere() -> None:
    log = Log()
    reference(log)
    log.add("org", -90, ev.STATION_ADDED, id="door-R1", kind="door", place="R1")
    log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    zero = log.add_hlc("door-R1", 0, ev.DOOR_ENTRY, attendee="A002", room="R1")
    state = fold_events(log.events)
    now = at(120)
    assert days_shown(state, now) == {DAY, "2024-03-21"}
    assert state.place_at("A002", now) is None and state.occupancy("R1", 1000) == 0
    assert "door-R1" not in state.station_last_ms
    [incident] = suspects(state)
    # It sorts before the event existed: reported once the event is created, at that moment.
    assert incident.id == f"clock_suspect:door-R1:{zero.seq}" and incident.at_ms == CREATED_MS
    assert "clock of door-R1 says 1970-01-01 01:00" in incident.detail
    report = status(state, now)
    assert "1970" not in json.dumps({k: v for k, v in report.items() if k != "incidents"})
    assert [i["at"][:10] for i in report["incidents"]] == ["2024-03-19"]
    shown = [arrivals.fetch(state, now), incidents.fetch(state, now), stations.fetch(state, now)]
    assert "1970" not in repr(shown).replace("1970-01-01 01:00", "")  # only the incident's words say it


def test_honest_clocks_a_little_off_still_count() -> None:
    """An hour ahead, a clock behind the organiser's, a late upload a week later: all normal."""
    log = Log()
    reference(log)
    log.add("desk-1", 60 + 60, ev.DESK_CHECKIN, attendee="A001", first=True)  # an hour ahead
    log.add("desk-2", -720, ev.DESK_CHECKIN, attendee="A002", first=True)  # tried out before the event was created
    log.add_hlc("bus-V1-B1", pack(WINDOW_END_MS), ev.BUS_BOARDED, attendee="A003", visit="V1", bus="V1-B1")
    log.add_hlc("desk-3", pack(CREATED_MS - WINDOW_BEFORE_MS), ev.DESK_CHECKIN, attendee="A004", first=True)
    state = fold_events(log.events)
    assert not suspects(state)
    assert state.checked_in("A001", DAY) is not None and state.checked_in("A002", "2024-03-19") is not None
    assert state.last_scan_ms == state.last_event_ms == WINDOW_END_MS
    log.add_hlc("bus-V1-B1", pack(WINDOW_END_MS + 1), ev.BUS_RETURNED, visit="V1", bus="V1-B1")
    log.add_hlc("desk-3", pack(CREATED_MS - WINDOW_BEFORE_MS - 1), ev.DESK_CHECKIN, attendee="A005", first=True)
    state = fold_events(log.events)
    assert {i.station for i in suspects(state)} == {"bus-V1-B1", "desk-3"}
    assert state.buses["V1-B1"].state == "boarding" and state.checked_in("A005", "2024-03-18") is None


def test_reference_data_prepared_weeks_ahead_and_a_key_before_the_event_still_count() -> None:
    log = Log()
    log.add("org", -60 * 24 * 40, ev.KEY_ADDED, kid="K1", public_key="genuine")  # before the event exists
    reference(log)
    log.add("org", -60 * 24 * 40 + 1, ev.ROOM_ADDED, id="R9", name="Annex", capacity=20)  # sorts before too
    state = fold_events(log.events)
    assert state.keys == {"K1": "genuine"} and "R9" in state.rooms
    assert not suspects(state) and state.last_event_ms == at(-400 + 6 / 100)  # the last bus assignment


def test_the_organisers_clock_keeps_a_postponed_event_open() -> None:
    """Two years on, the organiser adds a desk: that desk's scans count, a stranger's clock does not."""
    log = Log()
    reference(log)
    later = at(0) + 2 * YEAR_MS
    log.add_hlc("desk-9", pack(later), ev.KEY_ADDED, kid="K9", public_key="not the organiser's")
    log.add_hlc("desk-9", pack(later + 1), ev.DESK_CHECKIN, attendee="A001", first=True)
    log.add_hlc("org", pack(later + 2), ev.STATION_ADDED, id="desk-5", kind="desk")
    log.add_hlc("desk-5", pack(later + 3600_000), ev.DESK_CHECKIN, attendee="A002", first=True)
    log.add_hlc("desk-5", pack(later + YEAR_MS), ev.DESK_CHECKIN, attendee="A003", first=True)
    state = fold_events(log.events)
    assert state.checked_in("A002", "2026-03-20") is not None and state.last_scan_ms == later + 3600_000
    assert state.checked_in("A001", "2026-03-20") is None and state.checked_in("A003", "2027-03-20") is None
    assert sorted(i.id for i in suspects(state)) == ["clock_suspect:desk-5:2", "clock_suspect:desk-9:2"]


def test_an_event_created_after_its_days_reaches_back_to_them() -> None:
    """A log filled in afterwards (`eventops init` for last month's event, then its scans imported)."""
    log = Log()
    log.add("org", 60 * 24 * 60, ev.EVENT_CREATED, id="X", name="X", days=[DAY], tz="Europe/Brussels")
    log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    log.add("desk-1", -3 * 60 * 24, ev.DESK_CHECKIN, attendee="A002", first=True)
    state = fold_events(log.events)
    assert state.checked_in("A001", DAY) is not None and state.checked_in("A002", "2024-03-17") is None
    assert [i.station for i in suspects(state)] == ["desk-1"]


def test_an_undo_from_a_lying_clock_still_undoes() -> None:
    log = Log()
    reference(log)
    scan = log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    log.add_hlc("desk-1", LARGEST_HLC, ev.VOID, station_id="desk-1", seq=scan.seq)
    state = fold_events(log.events)
    assert state.checked_in("A001", DAY) is None and state.last_event_ms < at(0)
    [incident] = suspects(state)
    assert "4199-11-24" in incident.detail and "kept" in incident.detail


def test_incremental_folds_agree_with_a_rebuild_whenever_the_lie_arrives() -> None:
    """The 1970 scan lands before everything, event.created last: same state every way."""
    log = Log()
    reference(log)
    log.add("desk-1", 60, ev.DESK_CHECKIN, attendee="A001", first=True)
    log.add_hlc("desk-2", 0, ev.DESK_CHECKIN, attendee="A002", first=True)
    log.add_hlc("desk-2", LARGEST_HLC, ev.DESK_CHECKIN, attendee="A003", first=True)
    truth = fold_events(log.events).fingerprint()
    for order in (log.events, log.events[::-1], log.events[1:] + log.events[:1]):
        state = EventState()
        state.CHECKPOINT_EVERY = 4
        for event in order:
            state.apply([event])
        assert state.fingerprint() == truth


# --- on a real SQLite file, through sync's merge and the real command ---------------------
def wall(ms: int) -> Any:
    return lambda: ms


def organiser_db(path: Path) -> Database:
    db = connect(path)
    drafts = [
        log.Draft(ev.EVENT_CREATED, {"id": "SDC24", "name": "Security, Democracy & Cities", "days": [DAY, "2024-03-21"], "tz": "Europe/Brussels"}),
        log.Draft(ev.STATION_ADDED, {"id": "desk-1", "kind": "desk"}),
        log.Draft(ev.STATION_ADDED, {"id": "desk-9", "kind": "desk"}),
        log.Draft(ev.STATION_ADDED, {"id": "door-R1", "kind": "door", "place": "R1"}),
        log.Draft(ev.ROOM_ADDED, {"id": "R1", "name": "Atelier", "capacity": 50}),
    ]
    drafts += [log.Draft(ev.ATTENDEE_REGISTERED, {"id": f"A{i:03d}", "name": f"Person {i}"}) for i in range(1, 6)]
    log.append_many(db, "org", drafts, wall=wall(CREATED_MS))
    log.merge(db, [station_scan(db, "desk-1", "desk", at(70), ev.DESK_CHECKIN, {"attendee": "A001", "first": True})], observer="org", wall=wall(at(75)))
    return db


def station_scan(organiser: Database, station: str, kind: str, clock_ms: int, event_kind: str, data: dict[str, Any]) -> Event:
    """A scan signed by a real station (its key vouched for by the organiser) whose clock says `clock_ms`."""
    own = connect_memory()
    set_local_station(own, station)
    trust.vouch(organiser, station, kind, trust.public_key_of(own, station), wall=wall(CREATED_MS))
    return log.append(own, station, event_kind, data, wall=wall(clock_ms))


def test_a_4199_scan_merged_from_another_station_leaves_status_as_it_was(db_path: Path) -> None:
    db = organiser_db(db_path)
    before = load_state(db)
    report_before = status(before, reference_now(before, at(24 * 60 * 30)))
    scan = station_scan(db, "desk-9", "desk", LARGEST_HLC >> 16, ev.DESK_CHECKIN, {"attendee": "A002", "first": True})
    merged = log.merge(db, [scan], observer="org", wall=wall(at(80)))
    assert [e.station_id for e in merged.suspect] == ["desk-9"]  # flagged on merge, reported by the hub
    state = load_state(db)
    report = status(state, reference_now(state, at(24 * 60 * 30)))
    assert report["as_of"] == report_before["as_of"] == "2024-03-20T10:10:00+01:00"
    assert report["checked_in"] == report_before["checked_in"] == {DAY: 1, "2024-03-21": 0}
    assert next(s for s in report["stations"] if s["id"] == "desk-9")["last_event"] is None
    [incident] = [i for i in report["incidents"] if i["kind"] == CLOCK_SUSPECT]
    assert incident["id"] == "clock_suspect:desk-9:1" and incident["station"] == "desk-9"
    assert "desk-9 says 4199-11-24" in incident["detail"]
    assert "4199" not in render_text(report).replace("says 4199-11-24", "")


def test_eventops_status_ignores_lying_clocks_on_a_real_file(db_path: Path) -> None:
    db = organiser_db(db_path)
    far = station_scan(db, "desk-9", "desk", LARGEST_HLC >> 16, ev.DESK_CHECKIN, {"attendee": "A002", "first": True})
    log.merge(db, [far], observer="org", wall=wall(at(80)))
    zero = station_scan(db, "door-R1", "door", 0, ev.DOOR_ENTRY, {"attendee": "A003", "room": "R1"})
    log.merge(db, [zero], observer="org", wall=wall(at(81)))
    db.conn.close()

    def eventops(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "eventops", "status", "--db", str(db_path), *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    report = json.loads(eventops("--json"))
    assert report["as_of"] == "2024-03-20T10:10:00+01:00"  # the last honest scan, not 4199
    assert report["checked_in"] == {DAY: 1, "2024-03-21": 0}
    assert {i["station"]: i["detail"][:32] for i in report["incidents"] if i["kind"] == CLOCK_SUSPECT} == {
        "desk-9": "clock of desk-9 says 4199-11-24 ",
        "door-R1": "clock of door-R1 says 1970-01-01",
    }
    assert all(i["at"].startswith("2024-03-") for i in report["incidents"])
    text = eventops()
    assert "as of 2024-03-20T10:10:00+01:00" in text
    assert [line for line in text.splitlines() if "4199" in line or "1970" in line] == [
        line for line in text.splitlines() if "clock_suspect" in line
    ]
