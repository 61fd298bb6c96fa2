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


#: One attendee per script a badge must print (name, organisation, city, country, role). The
#: Greek and Cyrillic names have the same length: they must be fitted the same way.
SCRIPTS: dict[str, tuple[str, str, str, str, str]] = {
    "latin": ("Siobhán Ó Súilleabháin-Wiśniewska", "Dublin City Council", "Dublin", "IE", "organiser"),
    "greek": ("Γεώργιος Παπαδόπουλος-Καραγιάννης", "Δήμος Αθηναίων", "Αθήνα", "GR", "press"),
    "cyrillic": ("Вячеслав Константинов-Долгоруцкий", "Столична община", "София", "BG", "staff"),
    "chinese": ("王小明", "北京市公安局治安管理总队社区警务支队", "北京", "CN", "speaker"),
    "japanese": ("山田花子", "東京都庁", "東京", "JP", "participant"),
    "korean": ("김민준", "서울특별시청", "서울", "KR", "participant"),
    "arabic": ("محمد عبد الله الحسيني", "بلدية الدار البيضاء", "الدار البيضاء", "MA", "participant"),
    "hebrew": ("שרה כהן", "עיריית תל אביב-יפו", "תל אביב", "IL", "volunteer"),
}


def register(db: Database, people: list[tuple[str, str, str, str, str, str]]) -> list[str]:
    """Register (id, name, org, city, country, role) people through the log; returns the ids."""
    drafts = []
    for ident, name, org, city, country, role in people:
        first, _, last = name.partition(" ")
        drafts.append(
            Draft(
                ATTENDEE_REGISTERED,
                {"id": ident, "name": name, "first": first, "last": last, "org": org, "city": city, "country": country, "role": role, "ref": ident, "tags": []},
            )
        )
    append_many(db, "org", drafts)
    return [person[0] for person in people]


def script_people() -> list[tuple[str, str, str, str, str, str]]:
    """`SCRIPTS` as people to `register`, ids S01, S02, ... in the order of `SCRIPTS`."""
    return [(f"S{n:02d}", *person) for n, person in enumerate(SCRIPTS.values(), start=1)]
