"""An event with attendees and a signing key, made through the real log, for badge and scan tests."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from checkin.badges.keys import create_signing_key
from db.events import ATTENDEE_REGISTERED, EVENT_CREATED
from db.log import Draft, append_many

EVENT_ID = "SDC24X"
PEOPLE = [
    ("Zoë Ångström", "Ville de Genève", "Genève", "CH", "speaker"),
    ("Łukasz Żółć", "Miasto Kraków", "Kraków", "PL", "participant"),
    ("Αλέξανδρος Παπαδόπουλος", "Δήμος Αθηναίων", "Αθήνα", "GR", "press"),
    ("Жана Иванова", "Столична община", "София", "BG", "staff"),
    ("Siobhán Ó Súilleabháin", "Dublin City Council", "Dublin", "IE", "organiser"),
]


#: A fixed signing key, so synthetic camera frames (and so test outcomes) repeat exactly.
SIGNING_KEY = bytes(range(100, 132))


def make_event(db: Database, db_path: Path, attendees: int = 5, *, key: bool = True) -> list[str]:
    """`event.created` + `attendees` registrations (+ a fixed signing key); returns the attendee ids."""
    drafts = [Draft(EVENT_CREATED, {"id": EVENT_ID, "name": "Security, Democracy & Cities", "days": ["2024-03-20"], "tz": "Europe/Brussels", "demo": True})]
    ids = []
    for n in range(1, attendees + 1):
        name, org, city, country, role = PEOPLE[(n - 1) % len(PEOPLE)]
        first, _, last = name.partition(" ")
        ident = f"A{n:04d}"
        ids.append(ident)
        drafts.append(
            Draft(
                ATTENDEE_REGISTERED,
                {"id": ident, "name": name, "first": first, "last": last, "org": org, "city": city, "country": country, "role": role, "ref": f"R{n}", "tags": []},
            )
        )
    append_many(db, "org", drafts)
    if key:
        create_signing_key(db, db_path, private_key=Ed25519PrivateKey.from_private_bytes(SIGNING_KEY))
    return ids
