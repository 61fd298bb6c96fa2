"""The badge token: what the QR code on a badge says, and how a station checks it.

A token is at most 120 characters of a 33-character alphabet (digits and upper-case
letters without Q, W and Y) so that it (1) fits QR alphanumeric mode, which gives the
lowest QR version and the biggest modules at a given print size, and (2) survives
keyboard-wedge scanners typing US key positions into AZERTY or QWERTZ machines: every
mangled character falls outside the alphabet and one map repairs all layouts
(`checkin.badges.wedge`). It holds no personal data, only ids and an Ed25519 signature:

    F EE KK S... AAAA... SIG(103)

    F    format: "1" = version 1 with the attendee id verbatim,
                 "2" = version 1 with the attendee id as base32 of its UTF-8 bytes
    EE   event tag: 10 bits of SHA-256 of the event id (state.info.id)
    KK   key id (kid): 10 bits of SHA-256 of the raw public key
    S... badge serial, base32 digits of 4 bits each, least significant first; a digit
         of 16 or more says another digit follows
    A... attendee id (plain: 1+ characters of the alphabet; encoded: base32)
    SIG  Ed25519 signature (64 bytes, base32 with three zero pad bits) over
         b"eventops-badge/1\\n{event id}\\n{kid}\\n{attendee id}\\n{serial}"

The signature covers the full event id, so the 2-character tag only lets a station say
"wrong event" instead of "forged".
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from checkin.badges import wedge
from db.badge_ids import ALPHABET  # one alphabet for tokens and the ids imports make

#: The 32 digits of base32 fields (the alphabet without O, which reads like 0).
BASE32 = "0123456789ABCDEFGHIJKLMNPRSTUVXZ"
_B32_VALUE = {char: value for value, char in enumerate(BASE32)}
_ALPHABET_SET = frozenset(ALPHABET)
REPAIR = wedge.repair_map(ALPHABET)

FORMAT_PLAIN = "1"
FORMAT_ENCODED = "2"
TAG_LEN = 2
KID_LEN = 2
SIG_LEN = 103  # ceil(512 / 5)
MAX_LEN = 120
MAX_SERIAL_DIGITS = 4  # serials up to 2**16 - 1
MIN_LEN = 1 + TAG_LEN + KID_LEN + 1 + 1 + SIG_LEN
SIGNED_PREFIX = b"eventops-badge/1\n"

# Reasons a token is refused (stable machine words, also used in scan.rejected events).
OK = "ok"
MALFORMED = "malformed"
WRONG_EVENT = "wrong_event"
UNKNOWN_KEY = "unknown_key"
FORGED = "forged"
REVOKED = "revoked"
UNKNOWN_ATTENDEE = "unknown_attendee"
REVOKED_DESK = "revoked_desk"  # genuine, but signed by a walk-in desk that was revoked since
REASONS = (MALFORMED, WRONG_EVENT, UNKNOWN_KEY, FORGED, REVOKED, UNKNOWN_ATTENDEE, REVOKED_DESK)


class BadgeState(Protocol):
    """What verification needs from the folded state (`db.fold.EventState` has it). A state
    with `desk_keys` (station -> `db.state.DeskKey`) also accepts walk-in desks' badges."""

    @property
    def info(self) -> Any: ...  # has `.id`, or None before `event.created`

    @property
    def keys(self) -> Mapping[str, str]: ...

    @property
    def attendees(self) -> Mapping[str, Any]: ...

    @property
    def badge_serial(self) -> Mapping[str, int]: ...

    @property
    def revoked_serials(self) -> Mapping[str, Set[int]]: ...


@dataclass(frozen=True, slots=True)
class BadgeCheck:
    """The verdict on a token: `ok`, or the precise reason it is refused."""

    ok: bool
    reason: str  # "ok" or one of REASONS
    attendee_id: str | None = None
    serial: int | None = None
    kid: str | None = None
    token: str = ""  # the token after layout repair


@dataclass(frozen=True, slots=True)
class BadgeClaim:
    """What a well-formed token claims, before anyone checked the signature."""

    event_tag: str
    kid: str
    serial: int
    attendee_id: str
    signature: bytes


# --- base32 bit streams ------------------------------------------------------------------


def b32encode(data: bytes) -> str:
    """Bytes as base32 digits, zero-padded to whole digits."""
    if not data:
        return ""
    bits = len(data) * 8
    digits = -(-bits // 5)
    number = int.from_bytes(data, "big") << (digits * 5 - bits)
    return "".join(BASE32[(number >> (5 * i)) & 31] for i in range(digits - 1, -1, -1))


def b32decode(text: str, nbytes: int | None = None) -> bytes | None:
    """The bytes of canonical base32 `text` (pad bits zero), or None."""
    bits = len(text) * 5
    if nbytes is None:
        nbytes = bits // 8
    pad = bits - nbytes * 8
    if pad < 0 or pad >= 5:
        return None
    number = 0
    for char in text:
        value = _B32_VALUE.get(char)
        if value is None:
            return None
        number = (number << 5) | value
    if number & ((1 << pad) - 1):
        return None
    return (number >> pad).to_bytes(nbytes, "big")


def short_hash(data: bytes, length: int) -> str:
    """`length` base32 digits of SHA-256: event tags and key ids."""
    return b32encode(hashlib.sha256(data).digest()[:4])[:length]


def event_tag(event_id: str) -> str:
    return short_hash(event_id.encode(), TAG_LEN)


def kid_for(public_raw: bytes) -> str:
    """The key id of a raw 32-byte Ed25519 public key."""
    return short_hash(public_raw, KID_LEN)


def signed_message(event_id: str, kid: str, attendee_id: str, serial: int) -> bytes:
    return SIGNED_PREFIX + f"{event_id}\n{kid}\n{attendee_id}\n{serial}".encode()


def _serial_digits(serial: int) -> str:
    out = []
    while True:
        low, serial = serial & 15, serial >> 4
        out.append(BASE32[low | (16 if serial else 0)])
        if not serial:
            return "".join(out)


def _read_serial(text: str, start: int) -> tuple[int, int] | None:
    serial = 0
    for i in range(MAX_SERIAL_DIGITS):
        value = _B32_VALUE.get(text[start + i]) if start + i < len(text) else None
        if value is None:
            return None
        serial |= (value & 15) << (4 * i)
        if value < 16:
            if i and value == 0:
                return None  # not canonical
            return serial, start + i + 1
    return None


# --- making tokens -----------------------------------------------------------------------


class TokenTooLong(ValueError):
    """The attendee id does not fit in a 120-character token."""


def encode_token(
    event_id: str, kid: str, attendee_id: str, serial: int, sign: Callable[[bytes], bytes]
) -> str:
    """The token for one badge; `sign` is the Ed25519 private key's `sign`."""
    if not attendee_id:
        raise ValueError("an attendee id cannot be empty")
    if not 1 <= serial < 1 << (4 * MAX_SERIAL_DIGITS):
        raise ValueError(f"badge serial {serial} is out of range")
    if len(kid) != KID_LEN or any(c not in _B32_VALUE for c in kid):
        raise ValueError(f"{kid!r} is not a key id")
    if all(c in _ALPHABET_SET for c in attendee_id):
        fmt, field = FORMAT_PLAIN, attendee_id
    else:
        fmt, field = FORMAT_ENCODED, b32encode(attendee_id.encode())
    signature = sign(signed_message(event_id, kid, attendee_id, serial))
    token = fmt + event_tag(event_id) + kid + _serial_digits(serial) + field + b32encode(signature)
    if len(token) > MAX_LEN:
        room = MAX_LEN - (len(token) - len(field))
        raise TokenTooLong(
            f"attendee id {attendee_id!r} is too long for a badge token: at most {room} characters "
            f"of 0-9 and A-Z (without Q, W, Y), or fewer of anything else"
        )
    return token


# --- reading tokens ----------------------------------------------------------------------


def parse_token(token: str) -> BadgeClaim | None:
    """What a (repaired) token claims, or None if it is not a well-formed token."""
    if not MIN_LEN <= len(token) <= MAX_LEN or token[0] not in (FORMAT_PLAIN, FORMAT_ENCODED):
        return None
    head = 1 + TAG_LEN + KID_LEN
    tag, kid = token[1 : 1 + TAG_LEN], token[1 + TAG_LEN : head]
    if any(c not in _B32_VALUE for c in tag + kid):
        return None
    read = _read_serial(token, head)
    if read is None:
        return None
    serial, start = read
    if serial < 1:
        return None
    field, sig_text = token[start:-SIG_LEN], token[-SIG_LEN:]
    signature = b32decode(sig_text, 64)
    if signature is None or not field:
        return None
    if token[0] == FORMAT_PLAIN:
        if any(c not in _ALPHABET_SET for c in field):
            return None
        attendee_id = field
    else:
        raw = b32decode(field)
        if raw is None or b32encode(raw) != field:
            return None
        try:
            attendee_id = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not attendee_id:
            return None
    return BadgeClaim(tag, kid, serial, attendee_id, signature)


@functools.lru_cache(maxsize=64)
def _public_key(public_b64: str) -> Ed25519PublicKey | None:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
    except (ValueError, TypeError, binascii.Error):
        return None


def verify_badge(token: str, state: BadgeState) -> BadgeCheck:
    """Check a scanned token against the folded state. Never raises: any input gets a verdict.

    Wedge-mangled text (AZERTY, QWERTZ, Caps Lock) is repaired first. The checks run in an
    order that leaks nothing: format, event, key, signature, then attendee and revocation.
    """
    try:
        return _verify(token, state)
    except Exception:  # noqa: BLE001 - a verdict for any input is the contract
        return BadgeCheck(False, MALFORMED)


def _verify(token: str, state: BadgeState) -> BadgeCheck:
    if not isinstance(token, str):
        return BadgeCheck(False, MALFORMED)
    text = wedge.repair(token.strip(), REPAIR)
    claim = parse_token(text)
    if claim is None:
        return BadgeCheck(False, MALFORMED, token=text)
    info = state.info
    if info is None or claim.event_tag != event_tag(str(info.id)):
        return BadgeCheck(False, WRONG_EVENT, claim.attendee_id, claim.serial, claim.kid, text)
    signer = _signer(state, claim, signed_message(str(info.id), claim.kid, claim.attendee_id, claim.serial))
    if signer is None:
        return BadgeCheck(False, UNKNOWN_KEY, claim.attendee_id, claim.serial, claim.kid, text)
    if signer is FORGED:
        return BadgeCheck(False, FORGED, claim.attendee_id, claim.serial, claim.kid, text)
    if signer is REVOKED_DESK:
        return BadgeCheck(False, REVOKED_DESK, claim.attendee_id, claim.serial, claim.kid, text)
    if claim.attendee_id not in state.attendees:
        return BadgeCheck(False, UNKNOWN_ATTENDEE, claim.attendee_id, claim.serial, claim.kid, text)
    current = state.badge_serial.get(claim.attendee_id, 1)
    revoked = state.revoked_serials.get(claim.attendee_id, frozenset())
    if claim.serial < current or claim.serial in revoked:
        return BadgeCheck(False, REVOKED, claim.attendee_id, claim.serial, claim.kid, text)
    return BadgeCheck(True, OK, claim.attendee_id, claim.serial, claim.kid, text)


@functools.lru_cache(maxsize=256)
def _kid_of_b64(public_b64: str) -> str:
    try:
        return kid_for(base64.b64decode(public_b64, validate=True))
    except (ValueError, TypeError, binascii.Error):
        return ""


def _signer(state: BadgeState, claim: BadgeClaim, message: bytes) -> str | None:
    """Who signed: OK (the event's key or a walk-in desk's in good standing), REVOKED_DESK,
    FORGED (a key with this id is known, none signed it), or None (no key has this id).

    Key ids are 10 bits, so two desks' keys may share one: every key with the token's id is
    tried, the event's first."""
    candidates: list[tuple[str, bool]] = []
    public_b64 = state.keys.get(claim.kid)
    if isinstance(public_b64, str):
        candidates.append((public_b64, False))
    for desk in getattr(state, "desk_keys", {}).values():
        if _kid_of_b64(desk.public_key) == claim.kid:
            candidates.append((desk.public_key, bool(desk.revoked)))
    keys = [(key, revoked) for b64, revoked in candidates if (key := _public_key(b64)) is not None]
    if not keys:
        return None
    for key, revoked in keys:
        try:
            key.verify(claim.signature, message)
        except InvalidSignature:
            continue
        return REVOKED_DESK if revoked else OK
    return FORGED


def signing_desk(state: BadgeState, token: str) -> str | None:
    """The walk-in desk whose key signed a (repaired) token, if one did: the refusal names it."""
    claim = parse_token(wedge.repair(token.strip(), REPAIR))
    if claim is None or state.info is None:
        return None
    message = signed_message(str(state.info.id), claim.kid, claim.attendee_id, claim.serial)
    for desk in getattr(state, "desk_keys", {}).values():
        key = _public_key(desk.public_key) if _kid_of_b64(desk.public_key) == claim.kid else None
        if key is None:
            continue
        try:
            key.verify(claim.signature, message)
        except InvalidSignature:
            continue
        return str(desk.station)
    return None
