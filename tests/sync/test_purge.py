"""Purge leaves no personal data in the bytes of the database, its WAL or its free pages,
even on an SQLite whose `secure_delete` is off (the library default)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from db.connect import connect, get_setting
from db.imports import import_attendees
from db.log import all_events
from db.node import set_local_station
from sync.client import PURGED
from sync.purge import PurgeIncomplete, purge
from tests.imports.conftest import make_event

PEOPLE = 60


def sheet(city: str) -> bytes:
    """Distinctive names, organisations, cities, e-mails and phones, easy to find in raw bytes."""
    rows = [
        f"Xanthippe;Quorndon{i:03d};Grimsbyharbour{i:03d};{city}{i:03d};BE;x.quorndon{i:03d}@grimsby.example;+32 555 {i:06d}\n"
        for i in range(PEOPLE)
    ]
    return ("Prénom;Nom;Organisation;Ville;Pays;E-mail;Téléphone\n" + "".join(rows)).encode()


def personal_strings() -> list[bytes]:
    out = []
    for i in range(PEOPLE):
        for text in (f"Quorndon{i:03d}", f"Grimsbyharbour{i:03d}", f"Vlissingen{i:03d}", f"Zierikzee{i:03d}",
                     f"x.quorndon{i:03d}@grimsby.example", f"555 {i:06d}"):
            out.append(text.encode())
    return [*out, b"Xanthippe", b"Quorndon", b"Grimsbyharbour", b"Vlissingen", b"Zierikzee", b"grimsby.example"]


def found(db_path: Path) -> set[bytes]:
    """Every personal string still in the database file, its -wal or its -shm, byte for byte."""
    files = [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")]
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    return {s for s in personal_strings() if s in raw}


def station_with_people(db_path: Path) -> Database:
    """A desk's database written with `secure_delete` off from its first byte: imports, an
    update (old cities in older events), contacts and import keys (deleted: free pages), some
    of it checkpointed into the file and some still in the WAL."""
    db = connect(db_path)
    db.execute("PRAGMA secure_delete = OFF")
    make_event(db)
    import_attendees(db, sheet("Vlissingen"))  # by the organiser, as the desk received them by sync
    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    import_attendees(db, sheet("Zierikzee"))  # every city changes: attendee.updated events
    set_local_station(db, "desk-1")
    return db


def test_purge_leaves_no_name_organisation_or_city_in_the_files(tmp_path: Path) -> None:
    db_path = tmp_path / "desk.db"
    db = station_with_people(db_path)
    assert found(db_path) == set(personal_strings())  # the test sees them before the purge
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 0
    report = purge(db)
    assert report.attendees == PEOPLE and report.contacts == PEOPLE
    assert found(db_path) == set()  # connection still open: file, WAL and shared memory
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 0  # the connection's setting is back
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM import_keys").fetchone()[0] == 0
    assert len([e for e in all_events(db) if e.data.get("id")]) > PEOPLE  # the log, ids and scans stay
    db.conn.close()
    assert found(db_path) == set()


def test_a_purge_with_the_file_held_open_says_so_and_a_second_run_finishes(tmp_path: Path) -> None:
    db_path = tmp_path / "desk.db"
    db = station_with_people(db_path)
    db.execute("PRAGMA busy_timeout = 50")
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()  # a station app mid-read
    with pytest.raises(PurgeIncomplete, match="run `eventops purge` again"):
        purge(db)
    assert get_setting(db, PURGED) == "1"  # the log is blanked all the same
    reader.execute("COMMIT")
    reader.close()
    again = purge(db)
    assert again.lines() == ["nothing personal left to remove"]
    assert found(db_path) == set()
    db.conn.close()
