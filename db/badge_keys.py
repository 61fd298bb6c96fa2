"""A walk-in desk's own badge-signing key: made at enrolment, kept beside the station's key.

A desk the organiser allows to register walk-ins (`station add --kind desk --walk-ins`) signs
the badges it makes with a key of its own, not the event's: a stolen desk laptop then mints
badges only until the desk is revoked, and revoking it flags every badge it signed. The private
half lives in `<database>.keys/<station>.badge-key` (mode 0600, never in the database, which is
copied around); the public half travels in the desk's `node.key` binding (`badge_key`), written
by the authority that enrolled it (db/trust.py `vouch`), so every station learns it with the log.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from db import signing

_SUFFIX = ".badge-key"


def _file(db: Database, station_id: str) -> Path | None:
    path = signing.database_path(db) or getattr(db, "_eventops_key_path", "")
    if not path:
        return None
    # Station key files end in ".key", so no station id can name this file.
    return signing.keys_dir(path) / (signing._file_name(station_id)[: -len(".key")] + _SUFFIX)


def badge_private_key(db: Database, station_id: str, *, create: bool = False) -> Ed25519PrivateKey | None:
    """The desk's badge-signing key beside `db` (made, 0600, when `create`); None if absent."""
    file = _file(db, station_id)
    if file is None:
        ring: dict[str, Ed25519PrivateKey] = db.__dict__.setdefault("_eventops_badge_keys", {})
        if station_id not in ring and create:
            ring[station_id] = Ed25519PrivateKey.generate()
        return ring.get(station_id)
    key = signing.read_private_key(file)
    if key is None and create:
        key = signing._store(file, Ed25519PrivateKey.generate())
    return key


def badge_public_key(db: Database, station_id: str) -> bytes:
    """The raw public half of the desk's badge key (the key is made when there is none)."""
    key = badge_private_key(db, station_id, create=True)
    assert key is not None
    return signing.public_raw(key)


def parse_badge_key(value: Any) -> bytes | None:
    """The raw 32 bytes of a base64 badge public key from the wire or the log, or None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None
