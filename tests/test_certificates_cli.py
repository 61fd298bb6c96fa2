"""`eventops certificates` through the real command on a real event database: who gets one, what
it says (read back with pdftotext), the same minutes as `export attendance`, names in every
script, and bad input refused with one line and nothing written."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from db import events as ev
from db import reports
from db.fold import load_state
from db.log import Draft, append_many
from eventops.cli import main
from eventops.options import open_db
from tests.badges.helpers import script_people
from tests.station.world import MINUTE, T0, a_day_of_attendance, build, scan_at

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")



@pytest.fixture
def event_db(tmp_path: Path) -> Path:
    """Anna is in the morning session 60 minutes, Jean 200 (never scanned out); Zoë checks in on
    day two only; Łukasz, Inês and Mark never come."""
    return a_day_of_attendance(tmp_path / "event.db", capacity=10)


def certificates(*args: str) -> Result:
    return CliRunner().invoke(main, ["certificates", *args])


def text_of(pdf: Path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.split())


@needs_pdftotext
def test_one_certificate_per_attendee_who_attended_saying_what_they_attended(event_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "certificates"
    result = certificates("--db", str(event_db), "--out", str(out), "--place", "Brussels, Belgium")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["A001.pdf", "A002.pdf", "A003.pdf"]
    assert "3 certificates of attendance" in result.stdout
    assert "never checked in (3): " in result.stdout and "A004 (Łukasz Nowak)" in result.stdout
    anna = text_of(out / "A001.pdf")
    for words in ("Security, Democracy & Cities", "20–21 March 2024 · Brussels, Belgium", "CERTIFICATE OF ATTENDANCE",
                  "Anna Müller", "Stadt Köln", "present on Wednesday 20 March 2024", "Wed 20 Mar", "09:00–12:30",
                  "Atelier", "Morning", "60", "Total time in sessions", "1 h 00 min (1.00 hours)", "For the organisers"):
        assert words in anna, words
    assert "3 h 20 min (3.33 hours)" in text_of(out / "A002.pdf")
    zoe = text_of(out / "A003.pdf")  # checked in, no session: certified for the day
    assert "present on Thursday 21 March 2024" in zoe and "No session attendance was recorded" in zoe


def test_the_minutes_are_those_of_export_attendance(event_db: Path) -> None:
    exported = json.loads(CliRunner().invoke(main, ["export", "attendance", "--db", str(event_db), "--json"]).stdout)
    made, _ = reports.certificates(load_state(open_db(event_db)))
    on_certificates = {c.attendee: sorted((s.session, s.minutes) for s in c.sessions) for c in made}
    in_export = {p["attendee"]: sorted((s["session"], s["minutes"]) for s in p["sessions"] if s["minutes"] > 0)
                 for p in exported if p["days"] or p["sessions"]}
    assert on_certificates == in_export
    assert {c.attendee: c.days for c in made} == {p["attendee"]: tuple(d["day"] for d in p["days"])
                                                 for p in exported if p["days"]}


def test_min_minutes_drops_short_sessions_and_lists_who_is_left_out(event_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "certificates"
    result = certificates("--db", str(event_db), "--out", str(out), "--min-minutes", "61", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["A002.pdf"]
    assert "no session attended for 61 minutes or more (2): A001 (Anna Müller), A003 (Zoë Peeters)" in result.stdout


def test_only_makes_those_named(event_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "certificates"
    result = certificates("--db", str(event_db), "--out", str(out), "--only", "A002", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["A002.pdf"] and "1 certificate of attendance" in result.stdout


def test_as_of_a_moment_before_anyone_came_there_is_nothing_to_certify(event_db: Path, tmp_path: Path) -> None:
    result = certificates("--db", str(event_db), "--out", str(tmp_path / "c"), "--at", "2024-03-20T08:30")
    assert result.exit_code == 0, result.output
    assert "0 certificates" in result.stdout and "never checked in (6)" in result.stdout


@pytest.mark.parametrize("args,says", [
    (["--only", "A001", "--only", "NOPE1"], "no attendee 'NOPE1'"),
    (["--at", "yesterday-ish"], "--at 'yesterday-ish'"),
    (["--out-is-a-file"], "is a file, not a directory"),
])
def test_bad_input_is_one_line_and_nothing_written(event_db: Path, tmp_path: Path, args: list[str], says: str) -> None:
    out = tmp_path / "certificates"
    if args == ["--out-is-a-file"]:
        out.write_text("not a directory")
        args = []
    result = certificates("--db", str(event_db), "--out", str(out), *args)
    assert result.exit_code == 1
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert out.is_file() if out.exists() else True
    assert not out.is_dir()


@needs_pdftotext
def test_names_in_every_script(tmp_path: Path) -> None:
    world = build(tmp_path / "event.db", capacity=50)
    people = script_people()
    append_many(world.db, "org", [Draft(ev.ATTENDEE_REGISTERED, {
        "id": ident, "name": name, "first": "", "last": name, "org": org, "city": city, "country": country,
        "role": role, "ref": ident, "tags": []}) for ident, name, org, city, country, role in people])
    for n, (ident, *_) in enumerate(people):
        scan_at(world, "desk-1", T0 + (20 + n) * MINUTE, ev.DESK_CHECKIN, attendee=ident, first=True, via="search")
        scan_at(world, "door-R1", T0 + (62 + n) * MINUTE, ev.DOOR_ENTRY, attendee=ident, room="R1")
    world.db.conn.close()
    out = tmp_path / "certificates"
    result = certificates("--db", str(world.path), "--out", str(out), *[a for p in people for a in ("--only", p[0])])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    for ident, name, org, *_ in people:
        text = text_of(out / f"{ident}.pdf")
        if ident in ("S07", "S08"):  # right to left: pdftotext gives the shaped forms, looked at in the snapshot
            continue
        assert name in text and org in text, (ident, text[:200])


def test_one_certificate_that_cannot_be_written_is_listed_and_the_others_are_made(event_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "certificates"
    (out / "A001.pdf").mkdir(parents=True)  # something in the way of Anna's file
    result = certificates("--db", str(event_db), "--out", str(out))
    assert result.exit_code == 1
    assert "2 certificates of attendance" in result.stdout
    assert "could not make 1 certificate:" in result.stderr and "A001: IsADirectoryError" in result.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["A002.pdf", "A003.pdf"]
    assert "Traceback" not in result.output
