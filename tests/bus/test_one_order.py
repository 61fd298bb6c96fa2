"""One order of people everywhere (db.text.person_key): the roll call, the bus manifest and the
attendee list name the same people in the same order, by family name with accents and scripts
folded ("Álvarez" with the A's, not after Z), whether a registration split the name or not."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from db import events as ev
from db import views
from db.fold import load_state
from db.log import Draft, append_many
from db.text import person_key
from eventops.cli import main
from tests.bus.world import B1, VISIT, bus_station, bus_world

# (id, full name, first, last): some registrations give only the full name.
TRICKY = [
    ("T01", "Íñigo Álvarez", "Íñigo", "Álvarez"),
    ("T02", "Γιώργος Παπαδόπουλος", "", ""),
    ("T03", "Søren Ødegaard", "Søren", "Ødegaard"),
    ("T04", "Zygmunt Żółć", "", ""),
    ("T05", "Ådne Zahl", "Ådne", "Zahl"),
    ("T06", "Émile Zola", "", ""),
    ("T07", "Жана Иванова", "Жана", "Иванова"),
]
# By family name: Álvarez, Dupont, Ivanova, Müller, Ødegaard, Papadopoulos, Peeters, Zahl, Zola, Żółć ("zolc")
EXPECTED = ["T01", "A002", "T07", "A001", "T03", "T02", "A003", "T05", "T06", "T04"]


def test_the_one_key_sorts_by_family_name_then_given_name_folded() -> None:
    names = ["Zoë Zola", "Álvaro Zapata", "Ana Álvarez", "Émile Zola", "Ødegaard", "Anna Ödberg"]
    assert sorted(names, key=person_key) == ["Ana Álvarez", "Anna Ödberg", "Ødegaard", "Álvaro Zapata", "Émile Zola",
                                             "Zoë Zola"]
    assert person_key("Jean-Pierre Dubois")[:2] == ("dubois", "jean-pierre")
    assert person_key("Anna Maria Lopez Garcia", "Anna Maria", "")[:2] == ("lopez garcia", "anna maria")


def test_the_roll_call_the_manifest_and_the_attendee_list_agree(db_path: Path) -> None:
    world = bus_world(db_path, b1_seats=20)
    append_many(world.db, "org", [
        *[Draft(ev.ATTENDEE_REGISTERED, {"id": i, "name": name, "first": first, "last": last, "org": "", "tags": []})
          for i, name, first, last in TRICKY],
        *[Draft(ev.BUS_ASSIGNED, {"visit": VISIT, "bus": B1, "attendee": i}) for i, *_ in TRICKY],
    ], wall=world.clock)
    station = bus_station(world)
    for attendee in ["T06", "A003", "T02", "A001", "T04", "T07", "A002", "T05", "T01", "T03"]:  # boarding order
        assert station.scan(world.token(attendee)).status == "ok"
    state, now = load_state(world.db), world.clock()
    manifest = [line.attendee for line in views.manifest(state, B1, now).people]
    roll = next(place for place in views.roll_call(state, now).places if place.ref == B1)
    drill_down = views.bus_people(state, B1, now)
    assert manifest == EXPECTED
    assert [p.id for p in roll.people] == EXPECTED
    assert [p.id for p in drill_down.people] == EXPECTED
    result = CliRunner().invoke(main, ["attendees", "--db", str(world.path), "--json"])
    listed = [a["id"] for a in json.loads(result.stdout)]
    assert [a for a in listed if a in set(EXPECTED)] == EXPECTED
    result = CliRunner().invoke(main, ["rollcall", "--db", str(world.path), "--json"])
    bus = next(p for p in json.loads(result.stdout)["places"] if p["id"] == B1)
    assert [p["id"] for p in bus["people"]] == EXPECTED
