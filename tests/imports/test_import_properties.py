"""Properties of attendee imports: the order of a file's rows never matters, and a file
imported twice appends nothing the second time."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from db.connect import connect_memory
from db.fold import load_state
from db.imports import import_attendees
from db.imports.columns import normal
from db.log import count
from tests.imports.conftest import make_event

FIRST = ["Élodie", "Jürgen", "Małgorzata", "Zoé", "Siobhán", "Lars", "Ana", "Pieter", "Ines", "Tomasz", "Jan"]
LAST = ["Lefèvre", "Müller", "Wiśniewska", "Dupont", "O'Connor", "Øberg", "Marić", "De Smet", "Ferreira", "Peeters"]
ORGS = ["Ville de Liège", "Stadt Köln", "Urząd Miasta Łodzi", "Gemeente Gent", "Politie; zone Noord", ""]
CITIES = ["Liège", "Köln", "Łódź", "Gent", "Lisboa", "Göteborg", ""]
EMAILS = ["", "", "secretariat@liege.be", "info@stad.gent", "a@b.eu"]

person = st.fixed_dictionaries(
    {
        "Prénom": st.sampled_from(FIRST),
        "Nom": st.sampled_from(LAST),
        "Organisation": st.sampled_from(ORGS),
        "Ville": st.sampled_from(CITIES),
        "E-mail": st.sampled_from(EMAILS),
    }
)
sheets = st.lists(person, min_size=1, max_size=12, unique_by=lambda p: normal(f"{p['Prénom']} {p['Nom']}"))


def render(rows: list[dict[str, str]], delimiter: str) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def imported(data: bytes) -> tuple[Database, dict[str, tuple[str, ...]], dict[str, str]]:
    """The attendees and their contacts by name (ids are random: two databases never share them)."""
    db = connect_memory()
    make_event(db)
    import_attendees(db, data)
    attendees = load_state(db).attendees.values()
    people = {a.name: (a.name, a.first, a.last, a.org, a.city) for a in attendees}
    names = {a.id: a.name for a in attendees}
    book = {names[r[0]]: r[1] for r in db.execute("SELECT attendee_id, email FROM contacts")}
    return db, people, book


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=sheets, data=st.data(), delimiter=st.sampled_from([",", ";"]), repeat=st.booleans())
def test_any_row_order_gives_the_same_attendees(rows: list[dict[str, str]], data: st.DataObject, delimiter: str, repeat: bool) -> None:
    if repeat:
        rows = [*rows, dict(rows[0])]  # an exact repeat is imported once
    shuffled = data.draw(st.permutations(rows))
    _, people, book = imported(render(rows, delimiter))
    db, people_shuffled, book_shuffled = imported(render(shuffled, delimiter))
    assert people_shuffled == people and book_shuffled == book
    assert len(people) == len(rows) - int(repeat)
    # ... and importing the original order on top of the shuffled one appends nothing.
    before = count(db)
    report = import_attendees(db, render(rows, delimiter))
    assert count(db) == before and report.added == report.updated == 0
