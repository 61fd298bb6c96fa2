"""Attendee ids from imports: random, always fit on a badge, and found again on re-import.

An id is printed in every QR code and held by every station: it must say nothing about the
person (a hash of an e-mail is reversed in ~70 guesses from the names on a station), and
every imported person must be able to get a badge.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from checkin.badges import token as tokens
from db import badge_ids
from db import events as ev
from db.connect import connect_memory
from db.fold import load_state
from db.imports import import_attendees, import_visits
from db.imports.ids import derived
from db.log import all_events, append, count
from tests.imports.conftest import make_event

PRETIX_HEAD = "Order code;Position ID;Status;Attendee name;Attendee email;Company;City\n"


def pretix_sheet(people: int, city: str = "City") -> bytes:
    """A pretix-like export (no id column): two positions per order, an e-mail for each."""
    rows = [
        f"O{i // 2:05d};{i % 2 + 1};Paid;Person {i};person.{i}@example.org;Org {i % 300};{city} {i % 140}\n"
        for i in range(people)
    ]
    return (PRETIX_HEAD + "".join(rows)).encode()


def attendees(db: Database) -> dict[str, object]:
    return dict(load_state(db).attendees)


def hashes_of(text: str) -> set[str]:
    """Every way a truncated hash of `text` could be written into an id."""
    out: set[str] = set()
    for algorithm in ("md5", "sha1", "sha256", "sha512", "blake2b"):
        digest = hashlib.new(algorithm, text.encode()).digest()
        for written in (digest.hex().upper(), base64.b32encode(digest).decode(), tokens.b32encode(digest)):
            out.add(written[:7])
    return out


def test_token_and_imports_share_one_alphabet_and_length() -> None:
    assert tokens.ALPHABET is badge_ids.ALPHABET
    fixed = 1 + tokens.TAG_LEN + tokens.KID_LEN + tokens.MAX_SERIAL_DIGITS + tokens.SIG_LEN
    assert tokens.MAX_LEN - fixed == badge_ids.MAX_ID_LEN


def test_20000_imported_without_an_id_column_all_get_badges_and_reimport_updates() -> None:
    db = connect_memory()
    make_event(db)
    sheet = pretix_sheet(20_000)
    report = import_attendees(db, sheet)
    assert report.added == 20_000 and report.detail["preset"] == "pretix"
    people = attendees(db)
    assert len(people) == 20_000
    key = Ed25519PrivateKey.generate()
    kid = tokens.kid_for(key.public_key().public_bytes_raw())
    longest_serial = (1 << (4 * tokens.MAX_SERIAL_DIGITS)) - 1
    emails = {r[0]: r[1] for r in db.execute("SELECT attendee_id, email FROM contacts")}
    assert emails.keys() == people.keys()
    for ident in people:
        token = tokens.encode_token("SDC24", kid, ident, longest_serial, key.sign)
        claim = tokens.parse_token(token)
        assert claim is not None and claim.attendee_id == ident and claim.serial == longest_serial
        assert token[0] == tokens.FORMAT_PLAIN  # the id verbatim: the smallest QR code
        email = emails[ident]
        assert ident != derived("A", "email:" + email) and not any(h in ident for h in hashes_of(email))
    # A re-import of the same export appends nothing; an updated one updates, never duplicates.
    before = count(db)
    again = import_attendees(db, sheet)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 20_000) and count(db) == before
    moved = import_attendees(db, pretix_sheet(20_000, city="Town"))
    assert (moved.added, moved.updated) == (0, 20_000)
    assert attendees(db).keys() == people.keys()


def test_ids_say_nothing_about_the_person() -> None:
    """The same file into two databases: not one id in common."""
    sheet = b"Name,Email,Organisation\n" + b"".join(f"Person {i},p{i}@ville.fr,Ville\n".encode() for i in range(200))
    seen = []
    for _ in range(2):
        db = connect_memory()
        make_event(db)
        import_attendees(db, sheet)
        seen.append(set(attendees(db)))
    assert len(seen[0]) == len(seen[1]) == 200 and not seen[0] & seen[1]
    assert all(badge_ids.fits_badge(i) for i in seen[0])


def test_file_ids_that_do_not_fit_get_ids_of_their_own_and_keep_theirs_as_reference(event_db: Database) -> None:
    sheet = (
        "ID,Name,Organisation\n"
        "A0042,Ines Ferreira,Camara Municipal de Lisboa\n"  # fits: stays
        "b7x,Lars Øberg,Göteborgs Stad\n"  # fits once upper-cased
        "nl-001,Pieter De Smet,Stad Gent\n"  # '-' is not in the badge alphabet
        "QW12,Zoé Dupont,Préfecture de police\n"  # Q and W are not either
        "REG2024000117,Jan Peeters,Stad Antwerpen\n"  # too long
    ).encode()
    report = import_attendees(event_db, sheet)
    assert any("3 id(s) of the file do not fit on a badge" in w for w in report.warnings)
    by_name = {a.name: a for a in load_state(event_db).attendees.values()}
    assert by_name["Ines Ferreira"].id == "A0042" and by_name["Lars Øberg"].id == "B7X"
    for name, original in (("Pieter De Smet", "nl-001"), ("Zoé Dupont", "QW12"), ("Jan Peeters", "REG2024000117")):
        assert by_name[name].ref == original and badge_ids.fits_badge(by_name[name].id)
    before = count(event_db)
    again = import_attendees(event_db, sheet)
    assert (again.added, again.unchanged) == (0, 5) and count(event_db) == before
    # A visits file may name people by the attendee file's ids, as written.
    visits = (
        b"visit_id;visit_title;day;depart;return;bus;bus_capacity;attendee\n"
        b"V1;Gate;2024-03-21;13:30;17:00;1;10;nl-001\n"
        b"V1;Gate;2024-03-21;13:30;17:00;1;10;b7x\n"
        b"V1;Gate;2024-03-21;13:30;17:00;1;10;REG2024000117\n"
    )
    import_visits(event_db, visits)
    assigned = load_state(event_db).buses["V1-B1"].assigned
    assert set(assigned) == {by_name[n].id for n in ("Pieter De Smet", "Lars Øberg", "Jan Peeters")}


def test_a_reference_column_added_later_finds_people_by_email(event_db: Database) -> None:
    import_attendees(event_db, b"Name,Email,City\nAnne Martin,anne@ville.fr,Lyon\nLuc Bernard,luc@ville.fr,Lille\n")
    first = set(attendees(event_db))
    report = import_attendees(event_db, b"Reference,Name,Email,City\nR1,Anne Martin,ANNE@ville.fr,Lyon\nR2,Luc Bernard,luc@ville.fr,Lille\n")
    assert (report.added, report.updated) == (0, 2) and set(attendees(event_db)) == first
    # ... and from then on the reference finds them, whatever the e-mail says.
    again = import_attendees(event_db, b"Reference,Name,Email,City\nR1,Anne Martin,anne.martin@lyon.fr,Lyon\n")
    assert (again.added, again.unchanged) == (0, 1)


def test_one_email_two_registrations_are_two_attendees(event_db: Database) -> None:
    """A secretariat's e-mail on two orders: a new order is a new badge, not an update."""
    import_attendees(event_db, b"Reference,Name,Email\nR1,Anne Martin,secretariat@ville.fr\n")
    report = import_attendees(event_db, b"Reference,Name,Email\nR2,Luc Bernard,secretariat@ville.fr\n")
    assert report.added == 1
    assert sorted(a.name for a in load_state(event_db).attendees.values()) == ["Anne Martin", "Luc Bernard"]


def test_a_database_imported_with_hashed_ids_is_updated_not_duplicated(event_db: Database, data: Path) -> None:
    """Databases made before random ids (ids hashed from the keys, no `import_keys`): the log's
    references and names and the local contacts find everyone again."""
    old = {
        derived("A", "ref:AB3KX-1"): ("Élodie Lefèvre", "AB3KX-1", "elodie.lefevre@liege.be"),
        derived("A", "email:anne@ville.fr"): ("Anne Martin", "", "anne@ville.fr"),
        derived("A", "name:jan peeters|org:"): ("Jan Peeters", "", ""),
    }
    for ident, (name, ref, email) in old.items():
        append(event_db, "org", ev.ATTENDEE_REGISTERED, {"id": ident, "name": name, "ref": ref, "org": "", "city": ""})
        if email:
            event_db.execute("INSERT INTO contacts (attendee_id, email) VALUES (?, ?)", [ident, email])
    import_attendees(event_db, data / "pretix_orders.csv")
    report = import_attendees(event_db, b"Name,Email,City\nAnne Martin,anne@ville.fr,Lyon\n")
    assert (report.added, report.updated) == (0, 1)
    report = import_attendees(event_db, b"Naam;Stad\nJan Peeters;Gent\n")
    assert (report.added, report.updated) == (0, 1)
    by_name = {a.name: a.id for a in load_state(event_db).attendees.values()}
    assert {by_name[n] for n in ("Élodie Lefèvre", "Anne Martin", "Jan Peeters")} == set(old)
    assert len(by_name) == 3 + 5  # pretix_orders.csv: Élodie found, five more


def test_import_keys_stay_on_the_organisers_node(event_db: Database, data: Path) -> None:
    import_attendees(event_db, data / "pretix_orders.csv")
    keys = {r[0] for r in event_db.execute("SELECT source_key FROM import_keys")}
    assert "ref:AB3KX-1" in keys and "email:elodie.lefevre@liege.be" in keys
    for event in all_events(event_db):
        assert "@" not in json.dumps(dict(event.data), ensure_ascii=False)


def test_dry_run_remembers_nothing(event_db: Database, data: Path) -> None:
    import_attendees(event_db, data / "pretix_orders.csv", dry_run=True)
    assert event_db.execute("SELECT count(*) FROM import_keys").fetchone()[0] == 0


def test_an_id_generator_that_repeats_itself_is_refused(event_db: Database) -> None:
    with pytest.raises(RuntimeError, match="repeats itself"):
        import_attendees(event_db, b"Name\nZoe Dupont\nLars Oberg\n", new_id=lambda: "A0000001")
    assert not attendees(event_db)
