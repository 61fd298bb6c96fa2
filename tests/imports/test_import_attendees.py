"""Attendee imports from the exports organisers really have: pretix (`;`, BOM),
Eventbrite (`,`), Excel on Windows (cp1252), hand-made French and Dutch sheets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from db import events as ev
from db.errors import NoEventYet
from db.fold import load_state
from db.imports import ImportProblems, import_attendees
from db.log import all_events, count


def contacts(db: Database) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in db.execute("SELECT attendee_id, email, phone FROM contacts")}


def by_name(db: Database) -> dict[str, object]:
    return {a.name: a for a in load_state(db).attendees.values()}


def test_pretix_export_with_bom_and_semicolons(event_db: Database, data: Path) -> None:
    report = import_attendees(event_db, data / "pretix_orders.csv")
    people = by_name(event_db)
    assert report.added == 6 and report.detail["preset"] == "pretix"
    assert report.detail["separator"] == "semicolon" and report.detail["encoding"] == "utf-8-sig"
    assert "Pau Ortiz" not in people  # cancelled order
    assert any("Pau Ortiz (status Canceled), not imported" in w for w in report.warnings)
    assert any("Siobhán O'Connor (status Pending), imported" in w for w in report.warnings)
    agnieszka = people["Agnieszka Wiśniewska"]
    assert (agnieszka.city, agnieszka.org, agnieszka.country) == ("Łódź", "Urząd Miasta Łodzi", "PL")
    assert (agnieszka.first, agnieszka.last, agnieszka.ref) == ("Agnieszka", "Wiśniewska", "LDZ9Q-1")
    # The attendee's company, not the invoice address that pretix writes later under the same header.
    assert people["Katrin Müller"].org == "Landeshauptstadt München"
    assert people["Niels Jansen"].org == "Gemeente Rotterdam; Directie Veiligheid"
    assert people["Élodie Lefèvre"].role == "Elected official"
    assert people["Siobhán O'Connor"].tags == ("Day pass 21 March",)


def test_email_and_phone_only_in_local_contacts(event_db: Database, data: Path) -> None:
    import_attendees(event_db, data / "pretix_orders.csv")
    people = by_name(event_db)
    book = contacts(event_db)
    assert book[people["Élodie Lefèvre"].id] == ("elodie.lefevre@liege.be", "+32 4 221 80 11")
    # No attendee e-mail in the order: the buyer's e-mail is the contact.
    assert book[people["Jean-Marc Dubois"].id][0] == "secretariat@liege.be"
    for event in all_events(event_db):
        text = json.dumps(dict(event.data), ensure_ascii=False)
        assert "@" not in text and "+32" not in text, event


def test_eventbrite_export_with_commas(event_db: Database, data: Path) -> None:
    report = import_attendees(event_db, data / "eventbrite_attendees.csv")
    people = by_name(event_db)
    assert report.detail["preset"] == "eventbrite" and report.detail["separator"] == "comma"
    assert set(people) == {"Sophie Van den Broeck", "Tomasz Kowalczyk", "Lars Øberg"}  # Ana: not attending
    assert people["Tomasz Kowalczyk"].org == "Jagiellonian University, Institute of Sociology"
    assert people["Tomasz Kowalczyk"].role == "Researcher"
    assert people["Lars Øberg"].city == "Göteborg" and people["Lars Øberg"].ref == "9182741201"


def test_windows_1252_french_sheet(event_db: Database, data: Path) -> None:
    report = import_attendees(event_db, data / "inscriptions_fr_cp1252.csv")
    people = by_name(event_db)
    assert report.detail["encoding"] == "cp1252" and report.detail["preset"] == "plain"
    juergen = people["Jürgen Müller"]
    assert (juergen.first, juergen.last) == ("Jürgen", "Müller")  # "Nom" is the family name
    assert juergen.org == "Stadt Köln – Ordnungsamt" and juergen.role == "Agent public"
    assert people["Françoise Lefèbvre"].city == "Liège"
    assert people["Ségolène Cœurdevey"].org == "Œuvre nationale de l'enfance"
    assert contacts(event_db)[juergen.id] == ("juergen.mueller@stadt-koeln.de", "+49 221 2210")


def test_dutch_sheet_in_utf8(event_db: Database, data: Path) -> None:
    import_attendees(event_db, data / "deelnemers_nl.csv")
    people = by_name(event_db)
    assert people["Małgorzata Nowak"].city == "Łódź"
    assert (people["Pieter De Smet"].last, people["Pieter De Smet"].role) == ("De Smet", "Ambtenaar")


def test_reimport_appends_nothing(event_db: Database, data: Path) -> None:
    import_attendees(event_db, data / "pretix_orders.csv")
    before = count(event_db)
    again = import_attendees(event_db, data / "pretix_orders.csv")
    assert count(event_db) == before
    assert (again.added, again.updated, again.unchanged, again.events) == (0, 0, 6, 0)


def test_updated_export_appends_only_the_changes(event_db: Database, data: Path) -> None:
    import_attendees(event_db, data / "pretix_orders.csv")
    before = count(event_db)
    report = import_attendees(event_db, data / "pretix_orders_updated.csv")
    new = all_events(event_db)[before:]
    assert (report.added, report.updated, report.unchanged) == (1, 1, 5)
    assert [e.kind for e in new] == [ev.ATTENDEE_UPDATED, ev.ATTENDEE_REGISTERED]
    assert set(new[0].data) == {"id", "org"}  # only what changed
    people = by_name(event_db)
    assert people["Katrin Müller"].org == "Polizeipräsidium München"
    assert people["Marco Rossi"].city == "Torino"
    assert len(people) == 7


def test_dry_run_reports_and_appends_nothing(event_db: Database, data: Path) -> None:
    before = count(event_db)
    report = import_attendees(event_db, data / "pretix_orders.csv", dry_run=True)
    assert report.dry_run and report.added == 6 and report.events == 6
    assert count(event_db) == before and contacts(event_db) == {}


def test_map_reads_unusual_headers(event_db: Database) -> None:
    sheet = "Participant;Institution;Where from;Mail\nAnna Kowalska;Kraków City Hall;Kraków;anna@krakow.pl\n".encode()
    report = import_attendees(event_db, sheet, mapping={"institution": "org", "where from": "city"})
    anna = by_name(event_db)["Anna Kowalska"]
    assert (anna.org, anna.city) == ("Kraków City Hall", "Kraków") and report.added == 1


def test_id_column_is_the_attendee_id(event_db: Database) -> None:
    import_attendees(event_db, b"ID,Name,Organisation\nA0042,Ines Ferreira,Camara Municipal de Lisboa\n")
    assert "A0042" in load_state(event_db).attendees


def test_sheet_without_email_updates_by_name_and_organisation(event_db: Database) -> None:
    import_attendees(event_db, b"Naam;Stad\nJan Peeters;Gent\n")
    report = import_attendees(event_db, b"Naam;Stad\nJan Peeters;Antwerpen\n")
    assert (report.added, report.updated) == (0, 1)
    assert [a.city for a in load_state(event_db).attendees.values()] == ["Antwerpen"]


def test_shared_email_does_not_merge_colleagues(event_db: Database) -> None:
    sheet = b"Name,Email\nAnne Martin,assistant@ville.fr\nLuc Bernard,assistant@ville.fr\n"
    import_attendees(event_db, sheet)
    assert sorted(a.name for a in load_state(event_db).attendees.values()) == ["Anne Martin", "Luc Bernard"]


def test_repeated_row_imported_once_conflicting_row_refused(event_db: Database) -> None:
    report = import_attendees(event_db, b"Name,Email\nAnne Martin,anne@ville.fr\nAnne Martin,anne@ville.fr\n")
    assert report.added == 1 and any("repeats line 2" in w for w in report.warnings)
    with pytest.raises(ImportProblems) as refused:
        import_attendees(event_db, b"Name,Email,City\nAnne Martin,anne@ville.fr,Lyon\nAnne Martin,anne@ville.fr,Lille\n")
    assert "line 3: same attendee as line 2" in str(refused.value)


def test_excel_sep_hint_tabs_and_utf16(event_db: Database) -> None:
    import_attendees(event_db, "sep=;\nName;City\nZoé Dupont;Paris\n".encode())
    import_attendees(event_db, "Name\tCity\r\nLars Øberg\tGöteborg\r\n".encode("utf-16"))
    cities = {a.name: a.city for a in load_state(event_db).attendees.values()}
    assert cities == {"Zoé Dupont": "Paris", "Lars Øberg": "Göteborg"}


def test_every_bad_row_named_with_its_line_and_nothing_imported(event_db: Database, data: Path) -> None:
    before = count(event_db)
    with pytest.raises(ImportProblems) as refused:
        import_attendees(event_db, data / "broken_wrong_columns.csv")
    lines = [p.line for p in refused.value.problems]
    assert lines == [3, 4, 5]
    assert "line 5: no name" in str(refused.value)
    assert count(event_db) == before


@pytest.mark.parametrize(
    "name,words",
    [
        ("broken_unterminated_quote.csv", "line 2: malformed CSV (a quoted field is never closed)"),
        ("broken_no_name_column.csv", "no name column"),
        ("no_such_file.csv", "no such file"),
    ],
)
def test_broken_files_change_nothing(event_db: Database, data: Path, name: str, words: str) -> None:
    before = count(event_db)
    with pytest.raises(ImportProblems) as refused:
        import_attendees(event_db, data / name)
    assert words in str(refused.value)
    assert count(event_db) == before and contacts(event_db) == {}


def test_no_event_yet_says_how_to_create_one(fresh_db: Database, data: Path) -> None:
    with pytest.raises(NoEventYet, match="eventops init"):
        import_attendees(fresh_db, data / "pretix_orders.csv")


def test_title_lines_above_the_header_are_skipped(event_db: Database) -> None:
    sheet = "Liste des participants – SDC 2024;;;\n;;;\nNom;Prénom;Ville;Pays\nDupont;Zoé;Paris;France\n"
    report = import_attendees(event_db, sheet.encode("cp1252"))
    assert report.added == 1 and any("2 title line(s) above the header skipped" in w for w in report.warnings)
    assert by_name(event_db)["Zoé Dupont"].city == "Paris"
    with pytest.raises(ImportProblems, match="line 5: 3 fields but the header has 4"):
        import_attendees(event_db, (sheet + "Müller;Jürgen;Köln\n").encode("cp1252"))


def test_one_column_file(event_db: Database) -> None:
    report = import_attendees(event_db, "Name\nZoé Dupont\nLars Øberg\n".encode())
    assert report.added == 2


def test_one_column_names_with_commas(event_db: Database) -> None:
    report = import_attendees(event_db, '"Nom complet"\n"Dupont, Zoé"\n'.encode())
    assert report.added == 1 and "Dupont, Zoé" in by_name(event_db)
