"""The demo event holds what the issue promises: 700 people from 27 countries, a full programme,
five field visits with buses, and the stations to scan them, with nothing inconsistent."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import pytest

from db.demo import DemoEvent, build_demo
from db.events import ALL_KINDS, Event

ROLES = {
    "elected official",
    "public officer",
    "magistrate",
    "police",
    "social worker",
    "researcher",
    "private sector",
    "civil society",
    "EU institution",
    "press",
    "staff",
}


@pytest.fixture(scope="module")
def demo() -> DemoEvent:
    return build_demo()


def test_the_event_is_security_democracy_and_cities_in_brussels(demo: DemoEvent) -> None:
    created = demo.drafts[0]
    assert created.kind == "event.created"
    assert created.data == {
        "id": "SDC24",
        "name": "Security, Democracy & Cities",
        "days": ["2024-03-20", "2024-03-21", "2024-03-22"],
        "tz": "Europe/Brussels",
        "demo": True,
    }


def test_seven_hundred_attendees_from_27_countries_and_140_places(demo: DemoEvent) -> None:
    ids = [a.id for a in demo.attendees]
    assert ids == [f"A{n:04d}" for n in range(1, 701)]
    assert len({a.country for a in demo.attendees}) == 27
    assert len({a.city for a in demo.attendees}) >= 140
    assert len({a.name for a in demo.attendees}) == 700, "two attendees share a full name"
    assert len({a.ref for a in demo.attendees}) == 700
    for a in demo.attendees:
        assert a.name == f"{a.first} {a.last}"
        assert a.org and a.city and a.country and a.ref.startswith("SDC24-")


def test_roles_are_a_realistic_mix(demo: DemoEvent) -> None:
    roles = Counter(a.role for a in demo.attendees)
    assert set(roles) == ROLES
    assert roles.most_common(1)[0][0] == "public officer"
    assert roles["staff"] < roles["police"] < roles["public officer"]
    assert 40 <= len(demo.speakers) <= 120
    assert all(a.role not in ("staff", "press") for a in demo.speakers)
    assert sum("vip" in a.tags for a in demo.attendees) == 12


def test_names_carry_their_diacritics_and_scripts(demo: DemoEvent) -> None:
    names = " ".join(a.name for a in demo.attendees)
    for letter in "üłøšřóéåçñ":
        assert letter in names.lower(), f"no name with {letter!r}"
    assert re.search("[\u0370-\u03ff]", names), "no Greek name in Greek script"
    assert re.search("[\u0400-\u04ff]", names), "no Bulgarian name in Cyrillic"
    cities = {a.city for a in demo.attendees}
    assert {"Liège", "Kraków", "Malmö", "Iași", "Košice"} <= cities


def test_programme_has_24_sessions_in_six_rooms_without_overlap(demo: DemoEvent) -> None:
    rooms = {r.id: r for r in demo.rooms}
    assert len(demo.rooms) >= 6
    assert len(demo.sessions) >= 24
    assert len({s.room for s in demo.sessions}) >= 6
    assert min(r.capacity for r in demo.rooms) <= 30 < 400 == max(r.capacity for r in demo.rooms)
    for session in demo.sessions:
        assert session.room in rooms
        assert session.start.endswith("+01:00") and session.end.endswith("+01:00")
        assert session.start[:10] == session.day in demo.days
        assert session.start_ms < session.end_ms
    for room in demo.rooms:
        held = sorted((s.start_ms, s.end_ms, s.id) for s in demo.sessions if s.room == room.id)
        for (_, end, first), (start, _, second) in zip(held, held[1:], strict=False):
            assert end <= start, f"{first} and {second} overlap in {room.id}"
    assert {s.day for s in demo.sessions} == set(demo.days)


def test_five_field_visits_with_buses_and_manifests(demo: DemoEvent) -> None:
    known = {a.id for a in demo.attendees}
    staff = {a.id for a in demo.attendees if a.role == "staff"}
    assert len(demo.visits) == 5
    everyone_on_a_visit: list[str] = []
    for visit in demo.visits:
        assert visit.day == "2024-03-21"
        assert visit.depart.startswith("2024-03-21T1") and visit.depart_ms < visit.back_ms
        assert 1 <= len(visit.buses) <= 2
        assert 20 <= len(visit.assigned) <= 60
        assert len(set(visit.assigned)) == len(visit.assigned), f"someone is on two buses of {visit.id}"
        for bus in visit.buses:
            assert bus.id.startswith(f"{visit.id}-B") and bus.visit == visit.id
            assert 20 <= bus.capacity <= 50
            assert len(bus.assigned) <= bus.capacity
            assert set(bus.assigned) <= known
            assert not set(bus.assigned) & staff
        everyone_on_a_visit += visit.assigned
    assert len(set(everyone_on_a_visit)) == len(everyone_on_a_visit), "someone is on two visits at once"
    titles = " ".join(v.title.lower() for v in demo.visits)
    for theme in ("safe consumption room", "crisis management centre", "crime prevention", "public space", "social mediation"):
        assert theme in titles


def test_speakers_of_the_visit_afternoon_stay_at_the_venue(demo: DemoEvent) -> None:
    travelling = {a for v in demo.visits for a in v.assigned}
    afternoon = [s for s in demo.sessions if s.day == "2024-03-21" and s.start[11:16] >= "13:00"]
    assert afternoon
    for session in afternoon:
        assert not set(session.speakers) & travelling


def test_stations_cover_desks_doors_and_buses(demo: DemoEvent) -> None:
    stations = {s.id: s for s in demo.stations}
    assert [s.id for s in demo.stations_of("desk")] == ["desk-1", "desk-2", "desk-3", "desk-4"]
    for room in demo.rooms:
        assert stations[f"door-{room.id}"].kind == "door"
        assert stations[f"door-{room.id}"].place == room.id == demo.room(room.id).id
    for bus in demo.buses:
        assert stations[f"bus-{bus.id}"].kind == "bus" and stations[bus.station].place == bus.id
    assert stations["hub"].kind == "hub" and stations["ops"].kind == "dashboard"


def test_drafts_are_valid_events_with_the_contract_fields(demo: DemoEvent) -> None:
    fields = {
        "event.created": {"id", "name", "days", "tz", "demo"},
        "room.added": {"id", "name", "capacity"},
        "session.added": {"id", "title", "room", "start", "end"},
        "attendee.registered": {"id", "name", "first", "last", "org", "city", "country", "role", "ref", "tags"},
        "visit.added": {"id", "title", "day", "depart", "return"},
        "bus.added": {"id", "visit", "capacity", "label"},
        "bus.assigned": {"visit", "bus", "attendee"},
        "station.added": {"id", "kind", "place"},
    }
    for seq, draft in enumerate(demo.drafts, start=1):
        assert draft.kind in ALL_KINDS
        assert set(draft.data) == fields[draft.kind], draft.kind
        Event.from_wire({"station_id": "org", "seq": seq, "hlc": seq, "kind": draft.kind, "data": draft.data, "sig": "00" * 64})
    kinds = [d.kind for d in demo.drafts]
    assert kinds.count("attendee.registered") == 700
    assert kinds.count("bus.assigned") == sum(len(b.assigned) for b in demo.buses)
    # Whatever an event refers to comes before it.
    last_of = {kind: max(i for i, k in enumerate(kinds) if k == kind) for kind in set(kinds)}
    first_of = {kind: kinds.index(kind) for kind in set(kinds)}
    assert first_of["event.created"] == 0
    assert last_of["room.added"] < first_of["session.added"]
    assert last_of["attendee.registered"] < first_of["bus.assigned"]
    assert last_of["bus.added"] < first_of["bus.assigned"]


def test_session_times_are_brussels_local_time(demo: DemoEvent) -> None:
    opening = demo.session("S01")
    assert opening.start == "2024-03-20T09:30:00+01:00"
    assert datetime.fromisoformat(opening.start).utcoffset().total_seconds() == 3600  # type: ignore[union-attr]
    assert [s.id for s in demo.sessions] == sorted(s.id for s in demo.sessions)
    assert [s.start_ms for s in demo.sessions] == sorted(s.start_ms for s in demo.sessions)
