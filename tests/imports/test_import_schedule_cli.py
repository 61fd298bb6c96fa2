"""`eventops import schedule` on the files organisers have: a pretalx JSON and a frab XML
that schedule a talk twice, a FOSDEM-2019-like XML without a time zone, a hand-made sheet
with `Time Start` and no room column, rooms without talks, a misspelt `--capacity`, and
a wrong `--days` (hundreds of sessions: one grouped warning)."""

from __future__ import annotations

import json
from pathlib import Path

from db.connect import connect
from db.fold import load_state
from tests.imports.conftest import event_count, fingerprint, run


def sessions(db_path: Path) -> dict[str, tuple[str, str, str]]:
    db = connect(db_path, create=False)
    try:
        state = load_state(db)
        return {s.id: (s.title, state.rooms[s.room].name, s.start) for s in state.sessions.values()}
    finally:
        db.conn.close()


def pretalx_talk(ident: int, title: str, room: str, when: str, duration: str = "01:00") -> dict[str, object]:
    return {
        "id": ident, "guid": f"6f0e6f4e-0000-4000-8000-00000000{ident:04d}", "code": f"T{ident:04d}",
        "logo": "", "date": when, "start": when[11:16], "duration": duration, "room": room,
        "slug": f"sdc24-{ident}", "url": f"https://pretalx.example/sdc24/talk/T{ident:04d}/",
        "title": title, "subtitle": "", "track": "Prevention", "type": "Talk", "language": "en",
        "abstract": "", "description": "", "recording_license": "", "do_not_record": False,
        "persons": [{"code": "P1", "name": "Katrin Müller", "biography": "", "answers": []}],
        "links": [], "feedback_url": "", "answers": [],
    }  # fmt: skip


def pretalx_schedule(days: dict[str, dict[str, list[dict[str, object]]]], tz: str | None = "Europe/Brussels") -> str:
    """pretalx's `schedule.json` (frab-compatible), with its room list and capacities."""
    rooms = sorted({room for day in days.values() for room in day})
    conference: dict[str, object] = {
        "acronym": "sdc24", "title": "Security, Democracy & Cities", "start": "2024-03-20", "end": "2024-03-22",
        "daysCount": 3, "timeslot_duration": "00:05", "url": "https://pretalx.example/sdc24/schedule/",
        "rooms": [{"name": r, "guid": f"room-{i}", "description": "", "capacity": 80 + i} for i, r in enumerate(rooms)],
        "tracks": [],
        "days": [
            {"index": i + 1, "date": date, "day_start": f"{date}T04:00:00+01:00", "day_end": f"{date}T03:59:00+01:00", "rooms": by_room}
            for i, (date, by_room) in enumerate(sorted(days.items()))
        ],
    }  # fmt: skip
    if tz:
        conference["time_zone_name"] = tz
    return json.dumps({"$schema": "https://c3voc.de/schedule/schema.json", "generator": {"name": "pretalx", "version": "2024.1.0"},
                       "schedule": {"url": "https://pretalx.example/sdc24/schedule/", "version": "0.7", "base_url": "https://pretalx.example",
                                    "conference": conference}}, ensure_ascii=False, indent=1)  # fmt: skip


def test_pretalx_talk_scheduled_twice_is_one_session_per_slot_with_stable_ids(closed_event_db: Path, tmp_path: Path) -> None:
    doc = tmp_path / "schedule.json"
    doc.write_text(
        pretalx_schedule({
            "2024-03-20": {"Salle Horta": [pretalx_talk(12, "Night-time economy", "Salle Horta", "2024-03-20T11:00:00+01:00"),
                                           pretalx_talk(13, "Safer nightlife", "Salle Horta", "2024-03-20T14:00:00+01:00")]},
            "2024-03-21": {"Zaal Van de Velde": [pretalx_talk(12, "Night-time economy", "Zaal Van de Velde", "2024-03-21T09:30:00+01:00")]},
        }),  # fmt: skip
        encoding="utf-8",
    )
    code, out, err = run("import", "schedule", doc, "--db", closed_event_db)
    assert code == 0, err
    assert "sessions: 3 added" in out
    assert "'Night-time economy' is scheduled 2 times: sessions S12, S12-2" in out
    assert sessions(closed_event_db) == {
        "S12": ("Night-time economy", "Salle Horta", "2024-03-20T11:00:00+01:00"),
        "S12-2": ("Night-time economy", "Zaal Van de Velde", "2024-03-21T09:30:00+01:00"),
        "S13": ("Safer nightlife", "Salle Horta", "2024-03-20T14:00:00+01:00"),
    }
    code, out, _ = run("import", "schedule", doc, "--db", closed_event_db)
    assert code == 0 and "sessions: 0 added, 0 updated, 3 unchanged" in out and "appended 0 events" in out


def test_frab_xml_event_in_two_slots_and_no_time_zone_warns(closed_event_db: Path, tmp_path: Path) -> None:
    xml = tmp_path / "fosdem-2019.xml"  # FOSDEM 2019's schedule.xml names no time zone
    xml.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <conference><title>FOSDEM 2019</title><subtitle/><venue>ULB (Campus Solbosch)</venue><city>Brussels</city>
    <start>2019-02-02</start><end>2019-02-03</end><days>2</days><day_change>09:00:00</day_change>
    <timeslot_duration>00:05:00</timeslot_duration></conference>
  <day index="1" date="2024-03-20">
    <room name="Janson">
      <event id="8326"><start>09:30</start><duration>00:25</duration><room>Janson</room><slug>keynotes_welcome</slug>
        <title>Welcome to FOSDEM 2019</title><subtitle/><track>Keynotes</track><type>keynote</type><language/></event>
    </room>
    <room name="K.1.105 (La Fontaine)">
      <event id="8327"><start>10:00</start><duration>00:50</duration><room>K.1.105 (La Fontaine)</room>
        <title>Can anyone live in full software freedom today?</title></event>
    </room>
  </day>
  <day index="2" date="2024-03-21">
    <room name="Janson">
      <event id="8326"><start>17:00</start><duration>00:25</duration><room>Janson</room>
        <title>Welcome to FOSDEM 2019</title></event>
    </room>
  </day>
</schedule>
""",
        encoding="utf-8",
    )
    code, out, err = run("import", "schedule", xml, "--db", closed_event_db, "--capacity", "Janson=1415", "--capacity", "K.1.105 (La Fontaine)=200")
    assert code == 0, err
    assert "warning: no time zone: the file names no time zone: 3 session time(s) read in Europe/Brussels" in out
    assert "sessions: 3 added" in out and "sessions S8326, S8326-2" in out
    assert sessions(closed_event_db)["S8326-2"] == ("Welcome to FOSDEM 2019", "Janson", "2024-03-21T17:00:00+01:00")


def test_sheet_with_time_start_day_first_dates_and_no_room_column(closed_event_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "ateliers.csv"
    sheet.write_text(
        "Session;Time Start;Time End\n"
        "Atelier 1: diagnostic local;20/03/2024 09:00;20/03/2024 10:30\n"
        "Atelier 2: médiation;20/03/2024 11:00;20/03/2024 12:15\n",
        encoding="utf-8",
    )
    before = fingerprint(closed_event_db)
    code, _, err = run("import", "schedule", sheet, "--db", closed_event_db)
    assert code == 1 and "no room column" in err and "--room NAME" in err and len(err.strip().splitlines()) == 1
    assert fingerprint(closed_event_db) == before
    code, out, err = run("import", "schedule", sheet, "--db", closed_event_db, "--room", "Salle Horta", "--capacity", "salle horta=60")
    assert code == 0, err
    assert "rooms: 1 added" in out and "sessions: 2 added" in out
    assert "time zone: Europe/Brussels (the event's; the file names none)" in out
    assert sorted(sessions(closed_event_db).values()) == [
        ("Atelier 1: diagnostic local", "Salle Horta", "2024-03-20T09:00:00+01:00"),
        ("Atelier 2: médiation", "Salle Horta", "2024-03-20T11:00:00+01:00"),
    ]


def test_sheet_headers_start_time_begin_end_time(closed_event_db: Path, tmp_path: Path) -> None:
    for name, header in (("a.csv", "Title,Room,Date,Start time,End time"), ("b.csv", "Title,Room,Date,Begin,End")):
        sheet = tmp_path / name
        sheet.write_text(f"{header}\nOpening {name},Aula Magna,2024-03-20,09:30,10:30\n", encoding="utf-8")
        code, out, err = run("import", "schedule", sheet, "--db", closed_event_db, "--default-capacity", "450")
        assert code == 0 and "sessions: 1 added" in out, err
    sheet = tmp_path / "c.csv"
    sheet.write_text("Title,Room,Date,Hour\nOpening,Aula Magna,2024-03-20,09:30\n", encoding="utf-8")
    code, _, err = run("import", "schedule", sheet, "--db", closed_event_db)
    assert code == 1 and "no start time column among 'Title', 'Room', 'Date', 'Hour'" in err and "--map COLUMN=start" in err


def test_rooms_without_talks_warn(closed_event_db: Path, tmp_path: Path) -> None:
    doc = tmp_path / "empty.json"
    doc.write_text(pretalx_schedule({"2024-03-20": {"Salle Horta": [], "Aula Magna": []}}), encoding="utf-8")
    code, out, _ = run("import", "schedule", doc, "--db", closed_event_db)
    assert code == 0 and "rooms: 2 added" in out and "sessions: 0 added" in out
    assert "the file has 2 room(s) but no sessions" in out


def test_misspelt_capacity_room_is_an_error_naming_the_rooms(closed_event_db: Path, tmp_path: Path) -> None:
    doc = tmp_path / "schedule.json"
    doc.write_text(pretalx_schedule({"2024-03-20": {"Zaal Jansens": [pretalx_talk(1, "Opening", "Zaal Jansens", "2024-03-20T09:30:00+01:00")]}}), encoding="utf-8")
    before = fingerprint(closed_event_db)
    code, out, err = run("import", "schedule", doc, "--db", closed_event_db, "--capacity", "Jansen=10")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--capacity names 'jansen', which is no room of the file or the event (rooms: Zaal Jansens)" in err
    assert fingerprint(closed_event_db) == before


def test_wrong_days_give_one_grouped_warning(tmp_path: Path) -> None:
    db = tmp_path / "event.db"
    assert run("init", "--db", db, "--name", "SDC", "--days", "2025-03-20:2025-03-22", "--tz", "Europe/Brussels")[0] == 0  # a year off
    sheet = tmp_path / "programme.csv"
    rows = [f"S{n:03d};Session {n};Room {n % 24};2024-03-{20 + n // 24 % 3};{8 + n // 24}:00;{9 + n // 24}:00" for n in range(240)]
    sheet.write_text("id;title;room;date;start;end\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run("import", "schedule", sheet, "--db", db, "--default-capacity", "50")
    assert code == 0 and "sessions: 240 added" in out
    warnings = [line for line in out.splitlines() if line.startswith("  warning:")]
    assert len(warnings) == 2, warnings  # one line per kind: days, assumed capacities
    days = next(w for w in warnings if "outside the event's days" in w)
    assert "sessions outside the event's days: 240 times, e.g. line 2: session 'Session 0' is on 2024-03-20" in days
    assert days.endswith("; and 237 more (--json lists them all)")
    code, out, _ = run("import", "schedule", sheet, "--db", db, "--json", "--dry-run")
    report = json.loads(out)
    assert len(report["warnings"]) == 240  # every one in JSON; the rooms have their capacity now
    assert [(g["kind"], g["count"], len(g["examples"])) for g in report["warning_groups"]] == [("sessions outside the event's days", 240, 3)]


def test_skip_invalid_schedule_rows(closed_event_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "programme.csv"
    sheet.write_text(
        "title;room;capacity;date;start;end\n"
        "Opening plenary;Aula Magna;450;2024-03-20;09:30;10:30\n"
        "Broken;Aula Magna;450;2024-03-20;quarter past;10:30\n"
        "Backwards;Salle Horta;80;2024-03-20;11:00;10:00\n",
        encoding="utf-8",
    )
    code, _, err = run("import", "schedule", sheet, "--db", closed_event_db)
    assert code == 1 and "2 problems" in err
    assert event_count(closed_event_db) == 2
    code, out, _ = run("import", "schedule", sheet, "--db", closed_event_db, "--skip-invalid")
    assert code == 0 and "sessions: 1 added" in out and "skipped 2 invalid rows" in out
    assert "    line 3: 'quarter past' is not a time of day" in out and "    line 4: session 'Backwards' ends before it starts" in out


def test_sessions_command_lists_the_folded_programme(closed_event_db: Path, tmp_path: Path) -> None:
    code, out, _ = run("sessions", "--db", closed_event_db)
    assert code == 0 and "no sessions; import a programme with `eventops import schedule" in out
    doc = tmp_path / "schedule.json"
    doc.write_text(
        pretalx_schedule({
            "2024-03-20": {"Salle Horta": [pretalx_talk(12, "Night-time economy", "Salle Horta", "2024-03-20T11:00:00+01:00", "01:30")]},
            "2024-03-21": {"Zaal Van de Velde": [pretalx_talk(12, "Night-time economy", "Zaal Van de Velde", "2024-03-21T09:30:00+01:00")]},
        }),  # fmt: skip
        encoding="utf-8",
    )
    assert run("import", "schedule", doc, "--db", closed_event_db, "--capacity", "Salle Horta=80")[0] == 0
    code, out, _ = run("sessions", "--db", closed_event_db)
    assert code == 0
    assert out.splitlines() == [
        "2024-03-20",
        "  11:00-12:30  Salle Horta (80)  Night-time economy  [S12]",
        "2024-03-21",
        "  09:30-10:30  Zaal Van de Velde (81)  Night-time economy  [S12-2]",
    ]
    code, out, _ = run("sessions", "--db", closed_event_db, "--day", "2", "--json")
    assert code == 0
    assert json.loads(out) == [{
        "id": "S12-2", "day": "2024-03-21", "start": "2024-03-21T09:30:00+01:00", "end": "2024-03-21T10:30:00+01:00",
        "room": "R2", "room_name": "Zaal Van de Velde", "capacity": 81, "title": "Night-time economy",
    }]  # fmt: skip
    assert json.loads(run("sessions", "--db", closed_event_db, "--day", "21/03/2024", "--json")[1])[0]["id"] == "S12-2"
    code, _, err = run("sessions", "--db", closed_event_db, "--day", "7")
    assert code == 2 and "day 7 is not one of the event's 3 days" in err
    code, _, err = run("sessions", "--db", tmp_path / "nothing.db")
    assert code == 1 and len(err.strip().splitlines()) == 1
