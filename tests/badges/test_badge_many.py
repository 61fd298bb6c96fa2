"""Badges for 20,000 attendees imported without an id column (the importer gives them random
ids): every token decodes back to its owner, and printed badges scan back to theirs."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import zxingcpp
from sqlite_utils import Database

from checkin.badges.keys import load_signing_key
from checkin.badges.print import collect_faces
from checkin.badges.render import render_image
from checkin.badges.token import parse_token, verify_badge
from db.fold import load_state
from db.imports import import_attendees
from tests.badges.helpers import SCRIPTS, make_event

PEOPLE = 20_000
SAMPLE = 12


def export_without_ids(people: int, seed: int = 12) -> bytes:
    """A pretix-like attendee export: order codes, no attendee id column, names in many scripts."""
    rng = random.Random(seed)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Order code", "Position ID", "Status", "Email", "Attendee name: Given name", "Attendee name: Family name", "Company", "City", "Product"])
    scripts = list(SCRIPTS.values())
    for i in range(people):
        name, org, city, _, _ = scripts[i % len(scripts)]
        first, _, last = name.partition(" ")
        writer.writerow([f"O{i:05d}", "1", "Paid", f"p{i}@example.eu", first, f"{last or first} {rng.randrange(10**6)}", org, city, "Full pass"])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def test_20000_imported_attendees_all_get_a_badge_that_decodes_to_them(fresh_db: Database, db_path: Path) -> None:
    make_event(fresh_db, db_path, attendees=0)
    import_attendees(fresh_db, export_without_ids(PEOPLE))
    state = load_state(fresh_db)
    ids = sorted(state.attendees)
    assert len(ids) == PEOPLE
    faces, failures = collect_faces(state, load_signing_key(db_path), ids)
    assert failures == [] and len(faces) == PEOPLE
    for face in faces:  # every token, encoded and decoded
        claim = parse_token(face.token)
        assert claim is not None and claim.attendee_id == face.attendee_id
        check = verify_badge(face.token, state)
        assert check.ok and check.attendee_id == face.attendee_id, (face.attendee_id, check.reason)
    for face in random.Random(7).sample(faces, SAMPLE):  # and some, printed and scanned
        texts = [r.text for r in zxingcpp.read_barcodes(render_image(face, 100))]
        assert len(texts) == 1 and verify_badge(texts[0], state).attendee_id == face.attendee_id
