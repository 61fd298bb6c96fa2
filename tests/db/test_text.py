"""One folding of names (db/text.py) for the station's search, `attendees --search`, imports and sorting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checkin.search import NameIndex
from db import events as ev
from db import log
from db.connect import connect
from db.fold import load_state
from db.imports import import_attendees
from db.imports.columns import normal
from db.text import fold_text
from eventops.cli import main

PEOPLE = [
    ("A1", "Guðrún", "Jónsdóttir", "Reykjavíkurborg", "Reykjavík", "IS"),
    ("A2", "Łukasz", "Wiśniewski", "Urząd Miasta Łodzi", "Łódź", "PL"),
    ("A3", "Søren", "Ødegaard", "Oslo kommune", "Oslo", "NO"),
    ("A4", "Þórður", "Æsason", "Hafnarfjörður", "Hafnarfjörður", "IS"),
    ("A5", "Anne", "Nilsen", "Ville de Liège", "Liège", "BE"),
    ("A6", "Jan", "Peeters", "Stad Gent", "Gent", "BE"),
]


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Guðrún", "gudrun"),
        ("Łódź", "lodz"),
        ("ŁÓDŹ", "lodz"),
        ("Þórður", "thordur"),
        ("Søren Ødegaard", "soren odegaard"),
        ("Æsa", "aesa"),
        ("Œuvre", "oeuvre"),
        ("Straße", "strasse"),
        ("Đorđe", "dorde"),
        ("Liège", "liege"),
        ("O’Brien", "o'brien"),
    ],
)
def test_names_fold_to_what_people_type(written: str, folded: str) -> None:
    assert fold_text(written) == folded


def make_event(path: Path) -> None:
    db = connect(path)
    drafts = [log.Draft(ev.EVENT_CREATED, {"id": "T", "name": "Text", "days": ["2024-03-20"], "tz": "Europe/Brussels"})]
    drafts += [
        log.Draft(ev.ATTENDEE_REGISTERED, {"id": i, "name": f"{first} {last}", "first": first, "last": last, "org": org,
                                           "city": city, "country": country, "role": "x"})
        for i, first, last, org, city, country in PEOPLE
    ]
    log.append_many(db, "org", drafts)
    db.conn.close()


def attendees(db_path: Path, *extra: str) -> list[str]:
    result = CliRunner().invoke(main, ["attendees", "--db", str(db_path), "--json", *extra])
    assert result.exit_code == 0, result.output
    return [a["id"] for a in json.loads(result.stdout)]


def test_the_station_and_the_command_find_the_same_people(db_path: Path) -> None:
    make_event(db_path)
    index = NameIndex.of(load_state(connect(db_path)).attendees)
    for typed, expected in [("gudrun", ["A1"]), ("Guðrún", ["A1"]), ("lodz", ["A2"]), ("thordur", ["A4"]),
                            ("odegaard", ["A3"]), ("aesason", ["A4"])]:
        assert [hit.attendee.id for hit in index.search(typed)] == expected, typed
        assert attendees(db_path, "--search", typed) == expected, typed


def test_names_sort_among_their_letters(db_path: Path) -> None:
    make_event(db_path)
    # by family name: Æsason, Jónsdóttir, Nilsen, Ødegaard (with the O's, not after Z), Peeters, Wiśniewski
    assert attendees(db_path) == ["A4", "A1", "A5", "A3", "A6", "A2"]


def test_imports_fold_names_as_the_station_does(db_path: Path) -> None:
    assert normal("Łódź") == normal("Lodz") == fold_text("Łódź") == "lodz"
    assert normal("Guðrún Jónsdóttir") == "gudrun jonsdottir"
    make_event(db_path)
    db = connect(db_path)
    before = len(load_state(db).attendees)
    # The same person typed on a keyboard without Polish letters: matched, not added again.
    sheet = b"First name,Last name,Organisation,City\nLukasz,Wisniewski,Urzad Miasta Lodzi,Lodz\n"
    report = import_attendees(db, sheet, name="ascii.csv")
    assert report.added == 0
    assert len(load_state(db).attendees) == before
