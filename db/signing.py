"""Every event proves its author: per-station Ed25519 keys and a signed hash chain.

Each station signs every event it writes. What it signs is a SHA-256 digest of the event
(station, seq, clock, kind, data as stored) *and of its own previous event's digest and
signature*, so a station's events form a chain: each digest commits to every event before it,
content and signature alike. Checking the signature of the last event of a run, and the digests
leading to it, proves every event of the run unaltered, every signature in it genuine, and
nothing left out. (Chaining only the previous signature would not do: an earlier event could be
rewritten under its old signature, which the last one covers as mere bytes.)
That is how a hub verifies a batch of thousands of events with one Ed25519 verification per
station instead of one per event (bench/sync.py measures both).

Private keys never enter the database (which is copied to stations, carried on sticks): they
live in a directory beside it, `<database>.keys/`, one file per station id this node writes
as, mode 0600. An in-memory database keeps its keys in memory. Public keys travel in the log
as `node.key` events (db/trust.py says who may vouch for one).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlite_utils import Database

from db.errors import EventOpsError
from db.events import Event


class Link(NamedTuple):
    """What a station's next event chains to: the previous event's digest and signature."""

    chain: bytes
    sig: bytes


#: The predecessor of a station's first event.
GENESIS = Link(bytes(32), bytes(64))
_DOMAIN = b"eventops-event/1\n"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class KeyProblem(EventOpsError):
    """A station key is missing or unreadable."""


def digest(prev: Link, event: Event) -> bytes:
    """What the author signs: the event as stored, chained to its previous event."""
    return _digest(prev, event, event.data_text())


def _digest(prev: Link, event: Event, data_text: str) -> bytes:
    head = f"{event.station_id}\n{event.seq}\n{event.hlc}\n{event.kind}\n".encode()
    return hashlib.sha256(_DOMAIN + prev.chain + prev.sig + head + data_text.encode()).digest()


#: Public halves of the private keys this process signs with (every append compares one with
#: the key the log binds); bounded, since tests make thousands of throwaway keys.
_public_raw_cache: dict[Ed25519PrivateKey, bytes] = {}


def public_raw(key: Ed25519PrivateKey) -> bytes:
    raw = _public_raw_cache.get(key)
    if raw is None:
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if len(_public_raw_cache) >= 1024:
            _public_raw_cache.clear()
        _public_raw_cache[key] = raw
    return raw


_public_cache: dict[bytes, Ed25519PublicKey] = {}


def verifies(public_key: bytes, sig: bytes, message: bytes) -> bool:
    """Whether `sig` is `public_key`'s signature of `message` (never raises)."""
    key = _public_cache.get(public_key)
    if key is None:
        try:
            key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError:
            return False
        _public_cache[public_key] = key
    try:
        key.verify(sig, message)
    except InvalidSignature:
        return False
    return True


# --- the keyring: private keys beside the database -------------------------------------
_lock = threading.Lock()
_rings: dict[str, dict[str, Ed25519PrivateKey]] = {}


def database_path(db: Database) -> str:
    """The file behind `db` ("" for an in-memory database); asked once per connection, since
    every append looks its keys up by it and a connection's main file never changes."""
    cached = getattr(db, "_eventops_main_path", None)
    if cached is not None and cached[0] is db.conn:
        return str(cached[1])
    path = ""
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main":
            path = str(row[2] or "")
            break
    db._eventops_main_path = (db.conn, path)  # type: ignore[attr-defined]
    return path


def keys_dir(db_path: str | Path) -> Path:
    """Where the private keys of the database at `db_path` live."""
    return Path(f"{db_path}.keys")


def _file_name(station_id: str) -> str:
    if _SAFE_NAME.fullmatch(station_id):
        return f"{station_id}.key"
    return f"x-{station_id.encode().hex()}.key"


def use_keys_of(db: Database, db_path: str | Path) -> None:
    """Let `db` (an in-memory scratch copy, say) sign with the keys of the database at `db_path`."""
    db._eventops_key_path = str(db_path)  # type: ignore[attr-defined]


def _ring(db: Database) -> tuple[str, dict[str, Ed25519PrivateKey]]:
    path = database_path(db) or getattr(db, "_eventops_key_path", "")
    if not path:
        ring = getattr(db, "_eventops_keys", None)
        if ring is None:
            ring = {}
            db._eventops_keys = ring  # type: ignore[attr-defined]
        return path, ring
    return path, _rings.setdefault(path, {})


def private_key(db: Database, station_id: str, *, create: bool = False) -> Ed25519PrivateKey | None:
    """This node's private key for `station_id` (made, and kept 0600, when `create`)."""
    with _lock:
        path, ring = _ring(db)
        key = ring.get(station_id)
        if key is not None:
            return key
        if path:
            key = read_private_key(keys_dir(path) / _file_name(station_id))
        if key is None and create:
            key = Ed25519PrivateKey.generate()
            if path:
                key = _store(keys_dir(path) / _file_name(station_id), key)
        if key is not None:
            ring[station_id] = key
        return key


def read_private_key(file: Path) -> Ed25519PrivateKey | None:
    """An Ed25519 private key from a PEM file (None if there is none; KeyProblem if unusable)."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise KeyProblem(f"cannot read the key {file}: {error.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyProblem(f"{file} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{file} holds a key that is not Ed25519")
    return key


def _store(file: Path, key: Ed25519PrivateKey) -> Ed25519PrivateKey:
    """Write a new key with O_EXCL (another process making the same key first wins)."""
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        existing = read_private_key(file)
        assert existing is not None
        return existing
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return key


def move_keys(old_path: str | Path, new_path: str | Path) -> None:
    """Move a database's keys along with it (a file built under another name, then renamed)."""
    old, new = keys_dir(old_path), keys_dir(new_path)
    if old.exists():
        if new.exists():
            raise KeyProblem(f"{new} exists already: it holds the keys of another database")
        os.replace(old, new)
    forget(old_path)


def forget(db_path: str | Path) -> None:
    """Drop cached keys of a database file (it was deleted or replaced)."""
    with _lock:
        _rings.pop(str(db_path), None)


def sign(key: Ed25519PrivateKey, prev: Link, event: Event) -> tuple[Event, Link]:
    """`event` signed by `key`, chained to `prev`; and what the next event chains to. The signed
    event keeps the data text it was signed over, so writing it does not encode the data twice."""
    text = event.data_text()
    message = _digest(prev, event, text)
    signed = event.signed(key.sign(message))
    if signed.encoded is None:
        object.__setattr__(signed, "encoded", text)
    return signed, Link(message, signed.sig)


def copy_database(source: str | Path, target: str | Path) -> Path:
    """A consistent copy of the database at `source` (SQLite's backup) and of the private keys
    beside it: without them the copy could read its log but never write to it."""
    import shutil
    import sqlite3

    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    if keys_dir(source).exists():
        shutil.copytree(keys_dir(source), keys_dir(target))
    return Path(target)
