"""Schedule imports: rooms with capacities and sessions in the event's local time, from
CSV, frab schedule XML and pretalx/frab schedule JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from db import events as ev
from db.fold import load_state
from db.imports import ImportProblems, import_schedule
from db.log import all_events, count
from tests.imports.conftest import make_event


def rooms(db: Database) -> dict[str, int]:
    return {r.name: r.capacity for r in load_state(db).rooms.values()}


def sessions(db: Database) -> dict[str, tuple[str, str, str]]:
    state = load_state(db)
    return {s.title: (state.rooms[s.room].name, s.start, s.end) for s in state.sessions.values()}


def test_frab_xml(event_db: Database, data: Path) -> None:
    report = import_schedule(event_db, data / "schedule_frab.xml", capacities={"salle horta": 80})
    assert report.detail["format"] == "frab-xml"
    assert rooms(event_db) == {"Auditorium Henri Fayol": 100, "Salle Horta": 80}
    assert any("Auditorium Henri Fayol: no capacity in the file, 100 assumed" in w for w in report.warnings)
    assert sessions(event_db)["Urban security and fundamental rights"] == (
        "Auditorium Henri Fayol",
        "2024-03-20T11:00:00+01:00",
        "2024-03-20T12:30:00+01:00",
    )
    assert set(load_state(event_db).sessions) == {"S101", "S102", "S103", "S104"}


def test_pretalx_json_with_room_capacities(event_db: Database, data: Path) -> None:
    report = import_schedule(event_db, data / "schedule_pretalx.json", capacities={"zaal van de velde": 60})
    assert report.detail["format"] == "frab-json" and not report.warnings
    assert rooms(event_db) == {"Auditorium Henri Fayol": 450, "Salle Horta": 80, "Zaal Van de Velde": 60}
    assert sessions(event_db)["Lightning talks: tools for prevention workers"] == (
        "Zaal Van de Velde",
        "2024-03-20T14:00:00+01:00",
        "2024-03-20T14:45:00+01:00",
    )


def test_csv_with_durations_french_dates_and_day_numbers(event_db: Database, data: Path) -> None:
    report = import_schedule(event_db, data / "schedule.csv")
    got = sessions(event_db)
    assert report.added == 3 + 5 and not report.warnings
    assert rooms(event_db) == {"Auditorium Henri Fayol": 450, "Salle Horta": 80, "Foyer (coffee)": 200}
    assert got["Workshop: night-time economy and public space"][1:] == ("2024-03-20T11:00:00+01:00", "2024-03-20T12:30:00+01:00")
    assert got["Closing session"][1:] == ("2024-03-22T16:00:00+01:00", "2024-03-22T17:00:00+01:00")


def test_reimport_appends_nothing_and_formats_agree(event_db: Database, data: Path) -> None:
    import_schedule(event_db, data / "schedule_pretalx.json", capacities={"zaal van de velde": 60})
    before = count(event_db)
    again = import_schedule(event_db, data / "schedule_pretalx.json", capacities={"zaal van de velde": 60})
    assert count(event_db) == before and again.events == 0 and again.unchanged == 6
    # The frab XML of the same pretalx event: same rooms and sessions, two more sessions.
    xml = import_schedule(event_db, data / "schedule_frab.xml")
    assert xml.tally("rooms").unchanged == 2 and xml.tally("sessions").added == 2
    assert rooms(event_db)["Auditorium Henri Fayol"] == 450  # kept from the log


def test_moved_session_is_one_update(event_db: Database) -> None:
    sheet = "id;title;room;capacity;date;start;end\nS1;Keynote;Aula;300;2024-03-20;09:00;10:00\nS2;Panel;Aula;300;2024-03-20;10:30;12:00\n"
    import_schedule(event_db, sheet.encode())
    before = count(event_db)
    report = import_schedule(event_db, sheet.replace("10:30;12:00", "11:00;12:30").encode())
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    new = all_events(event_db)[before:]
    assert [(e.kind, e.data["id"], e.data["start"]) for e in new] == [(ev.SESSION_ADDED, "S2", "2024-03-20T11:00:00+01:00")]


def test_capacity_option_wins_and_updates_a_room(event_db: Database, data: Path) -> None:
    import_schedule(event_db, data / "schedule.csv")
    report = import_schedule(event_db, data / "schedule.csv", capacities={"salle horta": 60})
    assert report.tally("rooms").updated == 1 and rooms(event_db)["Salle Horta"] == 60
    assert any("capacity 60 from --capacity (the file says 80)" in w for w in report.warnings)


def test_times_follow_the_event_zone_across_daylight_saving(db_path: Path) -> None:
    from db.connect import connect

    db = connect(db_path)
    make_event(db, days=["2024-03-30", "2024-03-31", "2024-04-01"])
    sheet = "title;room;capacity;start;end\nBefore;Aula;10;2024-03-30 18:00;2024-03-30 19:00\nAfter;Aula;10;2024-04-01 09:00;2024-04-01 10:00\nUTC;Aula;10;2024-03-31T08:00:00Z;2024-03-31T09:00:00Z\n"
    import_schedule(db, sheet.encode())
    got = sessions(db)
    assert got["Before"][1] == "2024-03-30T18:00:00+01:00"
    assert got["After"][1] == "2024-04-01T09:00:00+02:00"
    assert got["UTC"][1] == "2024-03-31T10:00:00+02:00"
    db.conn.close()


def test_dry_run_appends_nothing(event_db: Database, data: Path) -> None:
    before = count(event_db)
    report = import_schedule(event_db, data / "schedule_frab.xml", dry_run=True)
    assert report.events == 6 and count(event_db) == before


@pytest.mark.parametrize(
    "name,words",
    [
        ("broken_invalid.xml", "line 8: invalid XML"),
        ("broken_schedule.json", "line 3: invalid JSON"),
        ("broken_bad_capacity.csv", "line 3: capacity 'quatre cents' is not a whole number of places; line 4: capacity '-5'"),
        ("pretix_orders.csv", "no room column"),
    ],
)
def test_broken_schedules_change_nothing(event_db: Database, data: Path, name: str, words: str) -> None:
    before = count(event_db)
    with pytest.raises(ImportProblems) as refused:
        import_schedule(event_db, data / name)
    assert words in str(refused.value)
    assert count(event_db) == before


def test_bad_rows_all_reported(event_db: Database, data: Path) -> None:
    with pytest.raises(ImportProblems) as refused:
        import_schedule(event_db, data / "broken_bad_capacity.csv")
    assert [p.line for p in refused.value.problems] == [3, 4, 5]
    assert "line 5: session 'Radicalisation' ends before it starts" in str(refused.value)


def test_conflicting_capacities_and_foreign_xml_refused(event_db: Database) -> None:
    sheet = b"title;room;capacity;date;start;end\nA;Aula;300;2024-03-20;09:00;10:00\nB;Aula;250;2024-03-20;11:00;12:00\n"
    with pytest.raises(ImportProblems, match="line 3: room 'Aula' has capacity 250 here but 300 at line 2"):
        import_schedule(event_db, sheet)
    with pytest.raises(ImportProblems, match="not a frab schedule"):
        import_schedule(event_db, b"<?xml version='1.0'?><rss><channel/></rss>")
    with pytest.raises(ImportProblems, match="not a frab/pretalx schedule"):
        import_schedule(event_db, b'{"talks": []}')
    assert count(event_db) == 2  # the organiser's key and the event, nothing more


def test_xml_entities_and_broken_archives_refused(event_db: Database) -> None:
    laughs = b'<?xml version="1.0"?><!DOCTYPE schedule [<!ENTITY lol "lol">]><schedule>&lol;</schedule>'
    with pytest.raises(ImportProblems, match="declares entities"):
        import_schedule(event_db, laughs)
    with pytest.raises(ImportProblems, match="ZIP archive but not a spreadsheet"):
        import_schedule(event_db, b"PK\x03\x04\x14\x00\x06\x00rest-of-an-xlsx", fmt="csv")
    assert count(event_db) == 2  # the organiser's key and the event, nothing more


def test_overlong_title_refused(event_db: Database) -> None:
    sheet = f"title;room;capacity;date;start;end\n{'x' * 400};Aula;10;2024-03-20;09:00;10:00\n"
    with pytest.raises(ImportProblems, match="line 2: title 'xxx"):
        import_schedule(event_db, sheet.encode())


def test_frab_times_without_offset_are_in_the_schedules_zone(event_db: Database) -> None:
    xml = b"""<schedule><conference><time_zone_name>Europe/Lisbon</time_zone_name></conference>
    <day date="2024-03-20"><room name="Sala" capacity="40">
      <event id="7"><start>10:00</start><duration>00:30</duration><title>Lisbon time</title></event>
    </room></day></schedule>"""
    report = import_schedule(event_db, xml)
    assert not report.warnings and rooms(event_db) == {"Sala": 40}
    assert sessions(event_db)["Lisbon time"] == ("Sala", "2024-03-20T11:00:00+01:00", "2024-03-20T11:30:00+01:00")


def test_pretalx_json_with_room_names_not_in_the_room_list(event_db: Database) -> None:
    doc = b"""{"schedule": {"conference": {"days": [{"date": "2024-03-21", "rooms": {
      "Online": [{"id": 9, "start": "14:00", "duration": "1:00", "title": "Remote keynote"}]}}]}}}"""
    report = import_schedule(event_db, doc, default_capacity=500)
    assert sessions(event_db)["Remote keynote"] == ("Online", "2024-03-21T14:00:00+01:00", "2024-03-21T15:00:00+01:00")
    assert rooms(event_db) == {"Online": 500} and "500 assumed" in report.warnings[1]
    assert report.warnings[0].startswith("the file names no time zone: 1 session time(s) read in Europe/Brussels")
