"""The event's signing key: private half in a file beside the organiser's database, public
half in the log (`key.added`), so every station can verify badges but none can mint them.

The private key lives in `<database>.signing-key` (PEM, mode 0600) and never enters the
database, which is what gets copied to stations. A rotated-out key is kept as
`<database>.signing-key.<kid>` so its badges stay verifiable (its public key stays in the log).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from checkin.badges import token as tokens
from db.errors import EventOpsError, NoEventYet
from db.events import BADGE_ISSUED, KEY_ADDED
from db.hlc import WallClock, system_wall_ms
from db.log import Draft, append_many
from db.node import local_station
from db.revocations import revocation_draft
from db.signing import KeyProblem, read_private_key


class SigningKeyProblem(EventOpsError):
    """The signing key is missing, already there, or unreadable."""


class BadgeProblem(EventOpsError):
    """A badge cannot be made for this attendee."""


@dataclass(frozen=True)
class SigningKey:
    """The event's Ed25519 private key and its key id."""

    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_b64(self) -> str:
        return base64.b64encode(_public_raw(self.private_key)).decode()


def key_path(db_path: str | Path) -> Path:
    """Where the private key of the database at `db_path` lives."""
    return Path(f"{db_path}.signing-key")


def _public_raw(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _current_keys(db: Database) -> dict[str, str]:
    from db.fold import load_state

    return dict(load_state(db).keys)


def create_signing_key(
    db: Database,
    db_path: str | Path,
    rotate: bool = False,
    *,
    wall: WallClock = system_wall_ms,
    private_key: Ed25519PrivateKey | None = None,
) -> str:
    """Make the event's signing key, publish its public half as `key.added`; returns the kid.

    Refuses (SigningKeyProblem) if the database or the file system already holds a key,
    unless `rotate`: then a new key becomes current and old badges stay valid.
    `private_key` adopts a given key instead of a fresh one (tests that must repeat exactly).
    """
    path = key_path(db_path)
    known = _current_keys(db)
    if not rotate:
        if path.exists():
            kid = load_signing_key(db_path).kid
            raise SigningKeyProblem(f"this event already has signing key {kid} ({path}); nothing changed (use --rotate for a new one)")
        if known:
            raise SigningKeyProblem(
                f"this event already has signing key(s) {', '.join(sorted(known))} but the private key file {path} "
                "is not here; nothing changed (use --rotate to make a new key)"
            )
    while True:
        private_key = private_key or Ed25519PrivateKey.generate()
        kid = tokens.kid_for(_public_raw(private_key))
        if kid not in known:  # 10-bit ids: avoid the rare collision with an older key
            break
        if known.get(kid) == base64.b64encode(_public_raw(private_key)).decode():
            raise SigningKeyProblem(f"key {kid} is already this event's key")
        private_key = None
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fresh = path.with_name(path.name + ".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(fresh, 0o600)
    key = SigningKey(kid, private_key)
    append_many(db, local_station(db), [Draft(KEY_ADDED, {"kid": kid, "public_key": key.public_b64})], wall=wall)
    if path.exists():
        try:
            old_kid = load_signing_key(db_path).kid
        except SigningKeyProblem:
            old_kid = "unreadable"
        os.replace(path, path.with_name(f"{path.name}.{old_kid}"))
    os.replace(fresh, path)
    return kid


def load_signing_key(db_path: str | Path) -> SigningKey:
    """The current private key of the database at `db_path` (SigningKeyProblem if absent)."""
    path = key_path(db_path)
    try:
        private_key = read_private_key(path)
    except KeyProblem as problem:
        raise SigningKeyProblem(str(problem)) from None
    if private_key is None:
        raise SigningKeyProblem(f"no signing key at {path}: run `eventops keys init --db {db_path}` first")
    return SigningKey(tokens.kid_for(_public_raw(private_key)), private_key)


def issue_token(db: Database, db_path: str | Path, attendee_id: str) -> str:
    """The badge token of `attendee_id` at their current serial, signed with the current key."""
    from db.fold import load_state

    return token_for(load_state(db), load_signing_key(db_path), attendee_id)


def token_for(state: tokens.BadgeState, key: SigningKey, attendee_id: str) -> str:
    """The token of one attendee from an already folded state (fast when making many badges)."""
    if state.info is None:
        raise NoEventYet("the database has no event yet: `eventops init` or `eventops demo init` first")
    if attendee_id not in state.attendees:
        raise BadgeProblem(f"no attendee {attendee_id!r} in this event")
    if key.kid not in state.keys:
        raise SigningKeyProblem(f"signing key {key.kid} is not in this event's log: is {key.kid} the key of another database?")
    serial = state.badge_serial.get(attendee_id, 1)
    try:
        return tokens.encode_token(str(state.info.id), key.kid, attendee_id, serial, key.private_key.sign)
    except ValueError as error:
        raise BadgeProblem(str(error)) from None


def reissue_badge(
    db: Database, db_path: str | Path, attendee_id: str, reason: str = "reissued", *, wall: WallClock = system_wall_ms
) -> str:
    """Revoke the attendee's current badge and issue the next serial, in one transaction."""
    from db.fold import load_state

    state = load_state(db)
    key = load_signing_key(db_path)
    token_for(state, key, attendee_id)  # refuses unknown attendees etc. before writing anything
    old = state.badge_serial.get(attendee_id, 1)
    new = max(old, max(state.revoked_serials.get(attendee_id, frozenset()), default=0)) + 1
    append_many(
        db,
        local_station(db),
        [
            revocation_draft(attendee_id, old, reason),
            Draft(BADGE_ISSUED, {"attendee": attendee_id, "serial": new}),
        ],
        wall=wall,
    )
    state = load_state(db)
    return token_for(state, key, attendee_id)
