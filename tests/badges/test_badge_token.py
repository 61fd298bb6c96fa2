"""Badge tokens: short, signed, and refused with the precise reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from checkin.badges import token as tokens
from checkin.badges import wedge
from checkin.badges.keys import issue_token, load_signing_key, reissue_badge
from checkin.badges.token import verify_badge
from db.fold import load_state
from tests.badges.helpers import EVENT_ID, make_event


def test_a_fresh_badge_verifies(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    token = issue_token(fresh_db, db_path, ids[0])
    assert len(token) <= 120
    assert set(token) <= set(tokens.ALPHABET)
    check = verify_badge(token, load_state(fresh_db))
    assert check.ok and check.reason == "ok"
    assert check.attendee_id == ids[0] and check.serial == 1


def test_no_personal_data_in_the_token(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    token = issue_token(fresh_db, db_path, ids[1])
    for word in ("ZOE", "LUKASZ", "KRAKOW", "PL"):
        assert word not in token.replace(tokens.b32encode(b""), "")[:12]


@pytest.mark.parametrize("layout", ["us", "azerty-be", "azerty-fr", "qwertz-de"])
def test_wedge_typed_tokens_verify_on_every_layout(fresh_db: Database, db_path: Path, layout: str) -> None:
    ids = make_event(fresh_db, db_path)
    state = load_state(fresh_db)
    for ident in ids:
        token = issue_token(fresh_db, db_path, ident)
        typed = wedge.mangle(token, layout)
        check = verify_badge(typed, state)
        assert check.ok, (layout, typed)
        assert check.attendee_id == ident


def test_forged_badge_signed_with_another_key(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    state = load_state(fresh_db)
    kid = load_signing_key(db_path).kid
    forger = Ed25519PrivateKey.generate()
    forged = tokens.encode_token(EVENT_ID, kid, ids[0], 1, forger.sign)
    assert verify_badge(forged, state).reason == "forged"


def test_tampered_badge_one_character_changed(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    state = load_state(fresh_db)
    token = issue_token(fresh_db, db_path, ids[0])
    for position in range(len(token)):
        for replacement in ("0", "X"):
            if token[position] == replacement:
                continue
            tampered = token[:position] + replacement + token[position + 1 :]
            check = verify_badge(tampered, state)
            assert not check.ok, (position, replacement)
            assert check.reason in {"malformed", "wrong_event", "unknown_key", "forged"}


def test_tampered_signature_is_forged(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    token = issue_token(fresh_db, db_path, ids[0])
    position = len(token) - 50
    tampered = token[:position] + ("1" if token[position] != "1" else "2") + token[position + 1 :]
    assert verify_badge(tampered, load_state(fresh_db)).reason == "forged"


def test_reissue_revokes_the_old_badge(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    old = issue_token(fresh_db, db_path, ids[2])
    new = reissue_badge(fresh_db, db_path, ids[2])
    state = load_state(fresh_db)
    assert verify_badge(old, state).reason == "revoked"
    check = verify_badge(new, state)
    assert check.ok and check.serial == 2
    newer = reissue_badge(fresh_db, db_path, ids[2])
    state = load_state(fresh_db)
    assert verify_badge(new, state).reason == "revoked"
    assert verify_badge(newer, state).serial == 3


def test_wrong_event_unknown_key_unknown_attendee(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    state = load_state(fresh_db)
    key = load_signing_key(db_path)
    other_event = tokens.encode_token("OTHER", key.kid, ids[0], 1, key.private_key.sign)
    assert verify_badge(other_event, state).reason == "wrong_event"
    unknown_key = tokens.encode_token(EVENT_ID, "ZZ", ids[0], 1, key.private_key.sign)
    assert verify_badge(unknown_key, state).reason == "unknown_key"
    stranger = tokens.encode_token(EVENT_ID, key.kid, "A9999", 1, key.private_key.sign)
    check = verify_badge(stranger, state)
    assert check.reason == "unknown_attendee" and check.attendee_id == "A9999"


@pytest.mark.parametrize("junk", ["", "   ", "hello", "https://example.org/", "1" * 120, "1" * 500, "\x00\n\t", "Ñ" * 110])
def test_junk_is_malformed(fresh_db: Database, db_path: Path, junk: str) -> None:
    make_event(fresh_db, db_path)
    assert verify_badge(junk, load_state(fresh_db)).reason == "malformed"


def test_any_attendee_id_fits_or_is_refused_clearly() -> None:
    key = Ed25519PrivateKey.generate()
    for ident in ("A0001", "reg-42", "Ωμ", "ab-1_", "QWY9", "A0001B2C3D4"):
        token = tokens.encode_token("E", "AB", ident, 7, key.sign)
        claim = tokens.parse_token(token)
        assert claim is not None and claim.attendee_id == ident and claim.serial == 7
    with pytest.raises(tokens.TokenTooLong, match="too long"):
        tokens.encode_token("E", "AB", "A" * 12, 1, key.sign)


@pytest.mark.parametrize("serial", [1, 15, 16, 255, 256, 4095, 65535])
def test_serials_round_trip(serial: int) -> None:
    key = Ed25519PrivateKey.generate()
    claim = tokens.parse_token(tokens.encode_token("E", "AB", "A1", serial, key.sign))
    assert claim is not None and claim.serial == serial


@settings(max_examples=300, deadline=None)
@given(ident=st.text(min_size=1, max_size=14), serial=st.integers(min_value=1, max_value=65535))
def test_any_id_round_trips_or_is_refused_as_too_long(ident: str, serial: int) -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    try:
        token = tokens.encode_token("SDC24X", "AB", ident, serial, key.sign)
    except tokens.TokenTooLong:
        return
    except UnicodeEncodeError:  # lone surrogates are not text an import can produce
        return
    assert len(token) <= 120 and set(token) <= set(tokens.ALPHABET)
    claim = tokens.parse_token(token)
    assert claim is not None and (claim.attendee_id, claim.serial) == (ident, serial)
