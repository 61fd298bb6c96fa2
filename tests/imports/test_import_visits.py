"""Field visit imports: visits, buses with seats, and who rides which bus."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from db import events as ev
from db.fold import load_state
from db.imports import ImportProblems, import_attendees, import_visits
from db.log import all_events, count

HEAD = "visit_id;visit_title;day;depart;return;bus;bus_capacity;attendee\n"


@pytest.fixture
def registered(event_db: Database, data: Path) -> Database:
    import_attendees(event_db, data / "pretix_orders.csv")
    return event_db


def ids_by_name(db: Database) -> dict[str, str]:
    return {a.name: a.id for a in load_state(db).attendees.values()}


def manifests(db: Database) -> dict[str, set[str]]:
    names = {a.id: a.name for a in load_state(db).attendees.values()}
    return {b.id: {names[a] for a in b.assigned} for b in load_state(db).buses.values()}


def test_visits_buses_and_assignments(registered: Database, data: Path) -> None:
    report = import_visits(registered, data / "visits.csv")
    state = load_state(registered)
    assert {v: (t.added, t.updated, t.unchanged) for v, t in report.tallies.items()} == {
        "visits": (2, 0, 0),
        "buses": (3, 0, 0),
        "assignments": (4, 0, 0),
    }
    visit = state.visits["V1"]
    assert (visit.title, visit.day, visit.depart, visit.back) == (
        'Safe consumption room "Gate"',
        "2024-03-21",
        "2024-03-21T13:30:00+01:00",
        "2024-03-21T17:00:00+01:00",
    )
    assert {b.id: (b.visit, b.capacity, b.label) for b in state.buses.values()} == {
        "V1-B1": ("V1", 2, "Bus 1"),
        "V1-B2": ("V1", 20, "Bus 2"),
        "V2-B1": ("V2", 30, "Bus 1"),
    }
    # Found by e-mail (local contacts), by name, and by registration reference.
    assert manifests(registered) == {
        "V1-B1": {"Élodie Lefèvre", "Katrin Müller"},
        "V1-B2": {"Jean-Marc Dubois"},
        "V2-B1": {"Agnieszka Wiśniewska"},
    }


def test_reimport_appends_nothing(registered: Database, data: Path) -> None:
    import_visits(registered, data / "visits.csv")
    before = count(registered)
    again = import_visits(registered, data / "visits.csv")
    assert count(registered) == before and again.events == 0 and again.unchanged == 2 + 3 + 4


def test_updated_manifest_moves_and_unassigns(registered: Database, data: Path) -> None:
    import_visits(registered, data / "visits.csv")
    before = count(registered)
    updated = (data / "visits.csv").read_text(encoding="utf-8")
    updated = updated.replace("13:30;17:00;1;2;Katrin Müller", "13:30;17:00;2;20;Katrin Müller")
    updated = "\n".join(line for line in updated.splitlines() if "AB3KX-2" not in line) + "\n"
    report = import_visits(registered, updated.encode())
    kinds = [e.kind for e in all_events(registered)[before:]]
    assert kinds == [ev.BUS_UNASSIGNED, ev.BUS_ASSIGNED, ev.BUS_UNASSIGNED]
    assert report.tally("assignments").updated == 1 and report.detail["unassigned"] == 1
    assert manifests(registered)["V1-B2"] == {"Katrin Müller"}
    assert manifests(registered)["V1-B1"] == {"Élodie Lefèvre"}


def test_dry_run_appends_nothing(registered: Database, data: Path) -> None:
    before = count(registered)
    report = import_visits(registered, data / "visits.csv", dry_run=True)
    assert report.events == 2 + 3 + 4 and count(registered) == before


def test_unknown_attendee_and_seat_conflict_reported_by_line(registered: Database, data: Path) -> None:
    before = count(registered)
    with pytest.raises(ImportProblems) as refused:
        import_visits(registered, data / "broken_visits_unknown_attendee.csv")
    message = str(refused.value)
    assert "line 3: no attendee 'nobody@nowhere.example'" in message
    assert "line 4: bus V1-B1 has 40 seats here but 50 at line 2" in message
    assert count(registered) == before


def test_overfull_bus_refused(registered: Database) -> None:
    sheet = HEAD + "V1;Crisis centre;2024-03-21;09:00;12:00;1;1;elodie.lefevre@liege.be\nV1;Crisis centre;2024-03-21;09:00;12:00;1;1;Katrin Müller\n"
    with pytest.raises(ImportProblems, match="bus V1-B1 has 2 attendees assigned but 1 seats"):
        import_visits(registered, sheet.encode())


def test_attendee_on_two_buses_of_one_visit_refused(registered: Database) -> None:
    sheet = HEAD + "V1;Crisis centre;2024-03-21;09:00;12:00;1;10;Katrin Müller\nV1;Crisis centre;2024-03-21;09:00;12:00;2;10;k.mueller@muenchen.de\n"
    with pytest.raises(ImportProblems, match="line 3: k.mueller@muenchen.de is on bus V1-B2 here but on V1-B1 at line 2"):
        import_visits(registered, sheet.encode())


def test_header_variants_and_titles_without_ids(registered: Database) -> None:
    sheet = "Visite;Jour;Départ;Retour;Car;Places;Participant\nCentre de crise régional;22/03/2024;9h00;12h30;Bus 2;45;Katrin Müller\n"
    report = import_visits(registered, sheet.encode())
    state = load_state(registered)
    assert report.added == 3
    (visit,) = state.visits.values()
    assert (visit.id, visit.title, visit.depart) == ("V1", "Centre de crise régional", "2024-03-22T09:00:00+01:00")
    assert state.buses["V1-B2"].capacity == 45
    # Importing the same sheet again finds the visit by its title.
    assert import_visits(registered, sheet.encode()).events == 0


def test_visit_rows_must_agree(registered: Database) -> None:
    sheet = HEAD + "V1;Crisis centre;2024-03-21;09:00;12:00;1;10;\nV1;Crisis centre;2024-03-22;09:00;12:00;1;10;\n"
    with pytest.raises(ImportProblems, match="line 3: visit V1: day '2024-03-22' here but '2024-03-21' at line 2"):
        import_visits(registered, sheet.encode())
