"""Files that hold secrets or people are readable by their owner only: a station's database
(its sync token, every attendee's name) with its -wal and -shm, the hub's TLS key and the
event's badge signing key. Whatever the umask says."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkin.badges.keys import create_signing_key, key_path
from db.connect import connect
from sync.tls import self_signed
from tests.imports.conftest import make_event


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets everyone read new files (what a careless account might have)."""
    before = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(before)


def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "stations" / "desk-1.db"
    db = connect(path)
    make_event(db)  # a write: the -wal and -shm files exist now
    try:
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert file.exists() and mode(file) == 0o600, file
    finally:
        db.conn.close()


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "event.db"
    connect(path).conn.close()
    os.chmod(path, 0o640)  # the organiser shares it with a group on purpose
    db = connect(path)
    make_event(db)
    db.conn.close()
    assert mode(path) == 0o640
    empty = tmp_path / "empty.db"
    empty.touch(mode=0o644)
    os.chmod(empty, 0o644)
    connect(empty).conn.close()
    assert mode(empty) == 0o644


def test_the_hubs_tls_key_is_owner_only_and_a_loose_one_is_tightened(tmp_path: Path, open_umask: None) -> None:
    cert, key = tmp_path / "hub-cert.pem", tmp_path / "hub-key.pem"
    fingerprint = self_signed(cert, key)
    assert mode(key) == 0o600
    os.chmod(key, 0o644)  # copied in from elsewhere
    assert self_signed(cert, key) == fingerprint
    assert mode(key) == 0o600


def test_the_badge_signing_key_is_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "event.db"
    db = connect(path)
    make_event(db)
    try:
        create_signing_key(db, path)
        assert mode(key_path(path)) == 0o600
    finally:
        db.conn.close()
