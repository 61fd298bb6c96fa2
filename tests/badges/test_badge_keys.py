"""The signing key: private beside the database, public in the log, refused twice, rotatable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.badges.keys import (
    BadgeProblem,
    SigningKeyProblem,
    create_signing_key,
    issue_token,
    key_path,
    load_signing_key,
)
from checkin.badges.token import verify_badge
from db.errors import EventOpsError
from db.fold import load_state
from db.log import count
from tests.badges.helpers import make_event


def test_key_file_is_private_and_public_half_is_in_the_log(fresh_db: Database, db_path: Path) -> None:
    make_event(fresh_db, db_path, key=False)
    kid = create_signing_key(fresh_db, db_path)
    path = key_path(db_path)
    assert path.name == "event.db.signing-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    state = load_state(fresh_db)
    assert list(state.keys) == [kid]
    assert load_signing_key(db_path).public_b64 == state.keys[kid]
    assert b"PRIVATE" not in db_path.read_bytes()


def test_second_init_says_so_and_changes_nothing(fresh_db: Database, db_path: Path) -> None:
    make_event(fresh_db, db_path)
    before = (count(fresh_db), key_path(db_path).read_bytes())
    with pytest.raises(SigningKeyProblem, match="already has signing key"):
        create_signing_key(fresh_db, db_path)
    assert (count(fresh_db), key_path(db_path).read_bytes()) == before
    assert issubclass(SigningKeyProblem, EventOpsError)


def test_rotation_keeps_old_badges_valid(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    old_kid = load_signing_key(db_path).kid
    old_token = issue_token(fresh_db, db_path, ids[0])
    new_kid = create_signing_key(fresh_db, db_path, rotate=True)
    assert new_kid != old_kid and load_signing_key(db_path).kid == new_kid
    assert Path(f"{key_path(db_path)}.{old_kid}").exists()
    new_token = issue_token(fresh_db, db_path, ids[0])
    state = load_state(fresh_db)
    assert verify_badge(old_token, state).ok
    assert verify_badge(new_token, state).kid == new_kid


def test_badges_need_a_key_and_a_known_attendee(fresh_db: Database, db_path: Path) -> None:
    make_event(fresh_db, db_path, key=False)
    with pytest.raises(SigningKeyProblem, match="keys init"):
        issue_token(fresh_db, db_path, "A0001")
    create_signing_key(fresh_db, db_path)
    with pytest.raises(BadgeProblem, match="no attendee"):
        issue_token(fresh_db, db_path, "A9999")


def test_a_station_copy_without_the_private_key_refuses_init(fresh_db: Database, db_path: Path) -> None:
    make_event(fresh_db, db_path)
    key_path(db_path).unlink()
    with pytest.raises(SigningKeyProblem, match="not here"):
        create_signing_key(fresh_db, db_path)
