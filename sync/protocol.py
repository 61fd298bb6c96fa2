"""The sync protocol: the JSON messages nodes exchange, their limits, and why one is refused.

Sync is "here is my vector, send what I lack", both ways, in batches. Every message is a JSON
object; this module parses and validates them (events through `Event.from_wire`) so the hub
and the client share one definition, and every refusal carries a stable machine word
(`reason`) next to a sentence for a person.

    POST /v1/push   {"events": [event...]}                     -> {"added", "duplicates", "quarantined", "waiting", "vector"}
    POST /v1/pull   {"vector": {...}, "limit": n, "wait": s}   -> {"events": [...], "vector", "more"}
    POST /v1/enrol  {"secret": "...", "public_key": "..."}     -> {"station", "kind", "role", "token", "hub"}
    GET  /v1/health (no token: says nothing about stations)    -> {"ok", "events"}
    GET  /v1/whoami (bearer)                                   -> {"station", "kind", "role", "hub"}

A refusal is a 4xx `{"error": reason, "message": sentence, ...}`; 429 `quota` also carries
`retry_after` (seconds, and a `Retry-After` header): a station backs off and sends again.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from db.errors import EventOpsError
from db.events import Event

PROTOCOL_VERSION = 1

#: Largest request body the hub reads; larger ones are refused before parsing (413).
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Largest `/v1/pull` body: a vector of MAX_VECTOR_STATIONS ids fits in well under this.
MAX_PULL_BYTES = 1024 * 1024
#: Largest `/v1/enrol` body: `{"secret": ...}` is a few dozen bytes, and anyone may post it.
MAX_ENROL_BYTES = 4 * 1024
#: Deepest nesting of arrays and objects in a body (a push nests its events' data about 12 deep).
MAX_DEPTH = 16
#: Most arrays and objects in one body (a full push holds two or three per event); more is a
#: flood of small objects whose parsing would hold the interpreter for seconds.
MAX_CONTAINERS = 100_000
#: Largest seq or vector count (SQLite's INTEGER).
MAX_SEQ = 2**63 - 1
#: Most events in one push; the client cuts its batches well below this.
MAX_PUSH_EVENTS = 5000
#: Most events in one pull answer, whatever the caller asks for.
MAX_PULL_LIMIT = 5000
DEFAULT_PULL_LIMIT = 2000
#: Longest a pull may be held open waiting for new events (seconds).
MAX_WAIT_S = 60.0
#: Most stations a vector may name (a vector larger than this is not a real event's).
MAX_VECTOR_STATIONS = 10_000

# Reasons (stable machine words in every error answer).
MALFORMED = "malformed"
TOO_LARGE = "too_large"
INVALID_EVENT = "invalid_event"
GAP = "gap"
CONFLICT = "conflict"
FOREIGN_STATION = "foreign_station"
UNAUTHORISED = "unauthorised"
REVOKED = "revoked"
UNKNOWN_CODE = "unknown_code"
PURGED = "purged"
PERSONAL_DATA = "personal_data"
KEY_REFUSED = "key_refused"
QUOTA = "quota"

#: Fields that never travel in an event (they live in the organiser's `contacts` table), at any
#: depth of its data; keys are compared without case or separators ("E-Mail" is "email").
CONTACT_FIELDS = ("email", "phone")
#: Something that looks like an e-mail address, anywhere in a string of event data.
EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Roles a token can carry: a station pushes only its own events; a relay (another hub,
# a laptop serving as hub for others) may carry every station's events.
ROLE_STATION = "station"
ROLE_RELAY = "relay"
ROLES = (ROLE_STATION, ROLE_RELAY)


class ProtocolError(EventOpsError):
    """A message that breaks the protocol: HTTP `status`, a machine `reason`, a sentence."""

    def __init__(self, status: int, reason: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.reason, "message": str(self), **self.extra}


def malformed(message: str) -> ProtocolError:
    return ProtocolError(400, MALFORMED, message)


@dataclass(frozen=True, slots=True)
class PullRequest:
    """"My vector, send what I lack": at most `limit` events, waiting up to `wait` s for any."""

    vector: dict[str, int]
    limit: int = DEFAULT_PULL_LIMIT
    wait: float = 0.0


def too_large(limit: int) -> ProtocolError:
    return ProtocolError(413, TOO_LARGE, f"the body is larger than {limit} bytes")


def decode_body(raw: bytes, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """Parse a request body into a JSON object, refusing anything else with a reason.

    Strict JSON only (orjson): invalid UTF-8, lone surrogates, NaN and Infinity are refused
    while parsing; nesting and the number of containers are checked on the raw bytes first
    (`check_shape`), so a hostile body costs a few passes of C over its bytes, never a deep
    recursion or millions of objects. CPU-bound: the hub runs it off its event loop.
    """
    if len(raw) > limit:
        raise too_large(limit)
    check_shape(raw)
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise malformed(f"the body is not strict JSON in UTF-8: {error}") from None
    if not isinstance(obj, dict):
        raise malformed("the body must be a JSON object")
    return obj


_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')
_STRING = re.compile(rb'"[^"]*"')
_TOO_DEEP = b"[" * (MAX_DEPTH + 1)


def check_shape(raw: bytes) -> None:
    """Refuse a body nested deeper than MAX_DEPTH or holding more than MAX_CONTAINERS arrays and
    objects, from its bytes alone (exact for valid JSON; invalid JSON is refused by the parser).

    Escapes and string contents are dropped, `{}` become `[]`, everything else goes; then each
    pass removes the innermost pairs (`[]`), so the number of passes is the depth.
    """
    s = raw
    if b"\\" in s:
        s = s.replace(b"\\\\", b"").replace(b'\\"', b"")
    s = s.translate(_BRACKETS, _NOT_STRUCTURE)
    if b'"' in s:
        s = s.replace(b'""', b"")  # strings without brackets in them (almost all)
        if b'"' in s:
            s = _STRING.sub(b"", s)
    if _TOO_DEEP in s:
        raise malformed(f"the body is nested deeper than {MAX_DEPTH} levels")
    if len(s) > 2 * MAX_CONTAINERS:
        raise ProtocolError(413, TOO_LARGE, f"the body holds more than {MAX_CONTAINERS} arrays and objects")
    for _ in range(MAX_DEPTH):
        inner = s.replace(b"[]", b"")
        if len(inner) == len(s):
            return  # empty, or unbalanced: the parser says why
        s = inner
    if s:
        raise malformed(f"the body is nested deeper than {MAX_DEPTH} levels")


def encode_body(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def parse_vector(obj: Any) -> dict[str, int]:
    """A version vector: `{station_id: highest seq held}` with sane keys and counts."""
    if obj is None:
        return {}
    if not isinstance(obj, Mapping):
        raise malformed("vector must be a JSON object of station id -> seq")
    if len(obj) > MAX_VECTOR_STATIONS:
        raise ProtocolError(413, TOO_LARGE, f"vector names more than {MAX_VECTOR_STATIONS} stations")
    out: dict[str, int] = {}
    for station_id, seq in obj.items():
        if not isinstance(station_id, str) or not station_id or len(station_id) > 64 or not is_text(station_id):
            raise malformed("vector keys must be station ids (1 to 64 characters of valid Unicode)")
        if type(seq) is not int or not 0 <= seq <= MAX_SEQ:
            raise malformed(f"vector[{station_id!r}] must be an integer from 0 to {MAX_SEQ}")
        out[station_id] = seq
    return out


def parse_events(obj: Any, *, limit: int = MAX_PUSH_EVENTS) -> list[Event]:
    """A list of wire events, each validated; the whole list is refused for one bad event."""
    if not isinstance(obj, list):
        raise malformed("events must be a JSON list")
    if len(obj) > limit:
        raise ProtocolError(413, TOO_LARGE, f"a batch holds at most {limit} events, got {len(obj)}")
    events: list[Event] = []
    for index, item in enumerate(obj):
        try:
            if isinstance(item, Mapping) and type(item.get("seq")) is int and item["seq"] > MAX_SEQ:
                raise ValueError(f"seq must be at most {MAX_SEQ}")
            if isinstance(item, Mapping) and isinstance(item.get("station_id"), str) and not is_text(item["station_id"]):
                raise ValueError("station_id must be valid Unicode")
            events.append(Event.from_wire(item))
        except ValueError as error:
            raise ProtocolError(422, INVALID_EVENT, f"event {index}: {error}", index=index) from None
    return check_batch(events)


def check_batch(events: Sequence[Event]) -> list[Event]:
    """Refuse a batch that contradicts itself: two different events under one id, or a hole.

    Within a batch each station's seqs must run without a gap (they may repeat identically:
    a replayed batch is harmless). Gaps against what the receiver holds are `log.merge`'s job.
    Returns the distinct events in (station, seq) order.
    """
    by_id: dict[tuple[str, int], Event] = {}
    for event in events:
        seen = by_id.setdefault(event.ident, event)
        if seen is not event and seen.to_row() != event.to_row():
            raise ProtocolError(409, CONFLICT, f"two different events claim {event.station_id}#{event.seq}")
    per_station: dict[str, list[int]] = {}
    for station_id, seq in sorted(by_id):
        per_station.setdefault(station_id, []).append(seq)
    for station_id, seqs in per_station.items():
        if seqs[-1] - seqs[0] + 1 != len(seqs):
            raise ProtocolError(409, GAP, f"station {station_id}: the batch has a gap in seq ({seqs[0]}..{seqs[-1]})")
    return [by_id[ident] for ident in sorted(by_id)]


def is_text(text: str) -> bool:
    """Valid Unicode (no lone surrogate): what every node's SQLite and JSON can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def contact_data(data: Any) -> list[str]:
    """Where personal contact data sits in event data, at any depth: a contact field's key
    (`email`, `phone`, in any case, with or without separators) or a string that holds an
    e-mail address. Returns the paths found (`data.notes[2]`), empty when there are none."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("data", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and re.sub(r"[\W_]", "", key).lower() in CONTACT_FIELDS and item not in (None, ""):
                    found.append(f"{path}.{key}")
                else:
                    stack.append((f"{path}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str) and "@" in value and EMAIL_ADDRESS.search(value):
            found.append(path)
    return sorted(found)


def parse_push(body: Mapping[str, Any]) -> list[Event]:
    events = parse_events(body.get("events"))
    for index, event in enumerate(events):
        carried = contact_data(event.data)
        if carried:
            raise ProtocolError(
                422,
                PERSONAL_DATA,
                f"event {event.station_id}#{event.seq} carries contact data ({', '.join(carried[:3])}): it never travels",
                index=index,
            )
    return events


def parse_pull(body: Mapping[str, Any]) -> PullRequest:
    """A pull request. `wait` must be a finite number of seconds >= 0: NaN, infinities and
    negatives are refused (400, they are a client's bug, not a wish); a finite wait longer
    than MAX_WAIT_S is clamped to it, so no pull is ever held open longer than that."""
    vector = parse_vector(body.get("vector"))
    limit = body.get("limit", DEFAULT_PULL_LIMIT)
    if type(limit) is not int or limit < 0:
        raise malformed("limit must be a non-negative integer")
    wait = body.get("wait", 0)
    if isinstance(wait, bool) or not isinstance(wait, int | float) or not math.isfinite(wait) or wait < 0:
        raise malformed("wait must be a finite, non-negative number of seconds")
    return PullRequest(vector, min(limit, MAX_PULL_LIMIT), min(float(wait), MAX_WAIT_S))


def parse_public_key(obj: Any) -> bytes:
    """An enrolling station's Ed25519 public key (base64 of 32 bytes)."""
    import base64
    import binascii

    if not isinstance(obj, str) or len(obj) > 64:
        raise malformed("public_key must be the station's Ed25519 public key (base64)")
    try:
        raw = base64.b64decode(obj, validate=True)
    except (binascii.Error, ValueError):
        raise malformed("public_key must be the station's Ed25519 public key (base64)") from None
    if len(raw) != 32:
        raise malformed("public_key must be 32 bytes (an Ed25519 public key)")
    return raw


def events_to_wire(events: Sequence[Event]) -> list[dict[str, Any]]:
    return [event.to_wire() for event in events]


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
