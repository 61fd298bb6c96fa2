"""Events: the one thing every node stores, and the one place that turns them into rows and back.

Everything that happens at the event is an `Event` appended to the log: reference data
(attendees, rooms, sessions, visits, buses, stations, keys) as well as scans. An event is
identified by `(station_id, seq)` and ordered by `(hlc, station_id, seq)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

# --- reference data -------------------------------------------------------------------
EVENT_CREATED = "event.created"  # {name, days: [YYYY-MM-DD...], tz}
ATTENDEE_REGISTERED = "attendee.registered"  # {id, name, first, last, org, city, country, role, email?, ref?, tags?}
ATTENDEE_UPDATED = "attendee.updated"  # same fields as registered, any subset besides id
ROOM_ADDED = "room.added"  # {id, name, capacity}  (also used to update a room)
SESSION_ADDED = "session.added"  # {id, title, room, start, end}  (ISO 8601 with offset)
VISIT_ADDED = "visit.added"  # {id, title, day, depart?, return?}
BUS_ADDED = "bus.added"  # {id, visit, capacity, label?}
BUS_ASSIGNED = "bus.assigned"  # {visit, bus, attendee}
BUS_UNASSIGNED = "bus.unassigned"  # {visit, bus, attendee}
STATION_ADDED = "station.added"  # {id, kind: desk|door|bus|hub|dashboard|organiser, place?}
STATION_REVOKED = "station.revoked"  # {id}
KEY_ADDED = "key.added"  # {kid, public_key}  (Ed25519 public key, base64)
BADGE_REVOKED = "badge.revoked"  # {attendee, badge?, reason?}  badge = serial of the revoked badge
BADGE_ISSUED = "badge.issued"  # {attendee, serial}

# --- scans and operations -------------------------------------------------------------
DESK_CHECKIN = "checkin.desk"  # {attendee, first: bool, via: scan|search, badge?}
DOOR_ENTRY = "door.entry"  # {attendee, room, override?: bool, arrival?: bool, via?}
DOOR_EXIT = "door.exit"  # {attendee, room}
BUS_BOARDED = "bus.boarded"  # {attendee, visit, bus, via?}
BUS_DEPARTED = "bus.departed"  # {visit, bus, headcount, missing: [attendee ids]}
BUS_RETURNED = "bus.returned"  # {visit, bus, headcount?}
VOID = "void"  # {station_id, seq}: undo of an earlier scan
SCAN_REJECTED = "scan.rejected"  # {reason, mode, place?, attendee?, badge?}
INCIDENT_ACKED = "incident.acked"  # {incident}
CLOCK_SUSPECT = "clock.suspect"  # {station_id, seq, hlc, seen_at}: a remote clock far ahead
STATION_HEALTH = "station.health"  # {waiting, last_sync_ms}: a station's sync state, now and then
KEY_MISUSED = "key.misused"  # {station_id, seq, held, other}: two events signed for one id (db/trust.py)

# --- trust ----------------------------------------------------------------------------
NODE_KEY = "node.key"  # {station, kind, public_key}: binds a station's Ed25519 key (db/permissions.py)

REFERENCE_KINDS = frozenset(
    {
        EVENT_CREATED,
        ATTENDEE_REGISTERED,
        ATTENDEE_UPDATED,
        ROOM_ADDED,
        SESSION_ADDED,
        VISIT_ADDED,
        BUS_ADDED,
        BUS_ASSIGNED,
        BUS_UNASSIGNED,
        STATION_ADDED,
        STATION_REVOKED,
        KEY_ADDED,
        BADGE_REVOKED,
        BADGE_ISSUED,
        NODE_KEY,
    }
)
SCAN_KINDS = frozenset({DESK_CHECKIN, DOOR_ENTRY, DOOR_EXIT, BUS_BOARDED, SCAN_REJECTED})
OPERATION_KINDS = frozenset(
    {BUS_DEPARTED, BUS_RETURNED, VOID, INCIDENT_ACKED, CLOCK_SUSPECT, STATION_HEALTH, KEY_MISUSED}
)
ALL_KINDS = REFERENCE_KINDS | SCAN_KINDS | OPERATION_KINDS

# Rejection reasons recorded in SCAN_REJECTED events (stable machine words).
REJECT_FORGED = "forged"
REJECT_REVOKED = "revoked"
REJECT_UNKNOWN = "unknown_attendee"
REJECT_MALFORMED = "malformed"
REJECT_REVOKED_DESK = "revoked_desk"  # signed by a walk-in desk that was revoked since

#: An Ed25519 signature is 64 bytes; the wire carries it as hexadecimal.
SIGNATURE_HEX_LENGTH = 128

# The hybrid logical clock packs wall-clock milliseconds and a 16-bit counter in one int.
HLC_COUNTER_BITS = 16


def hlc_ms(hlc: int) -> int:
    """Wall-clock milliseconds of a hybrid logical clock value."""
    return hlc >> HLC_COUNTER_BITS


@dataclass(frozen=True, slots=True)
class Event:
    """One immutable entry of the log."""

    station_id: str
    seq: int
    hlc: int
    kind: str
    data: Mapping[str, Any]
    #: The author's Ed25519 signature over the event and its predecessor's signature
    #: (db/signing.py); empty only for an event not yet written.
    sig: bytes = field(default=b"", compare=False, repr=False)
    #: Wall-clock milliseconds of `hlc` (derived; kept because every fold step reads it).
    at_ms: int = field(init=False, compare=False, repr=False)
    #: The data as stored (`encode_data`), when already known: saves encoding it twice.
    #: Set only from the stored or received text (`from_row`, `from_wire`, `signed`), so a copy
    #: made with other data never carries a stale one.
    encoded: str | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "at_ms", self.hlc >> HLC_COUNTER_BITS)
        object.__setattr__(self, "encoded", None)

    def signed(self, sig: bytes) -> Event:
        """This event with its author's signature."""
        event = Event(self.station_id, self.seq, self.hlc, self.kind, self.data, sig)
        object.__setattr__(event, "encoded", self.encoded)
        return event

    @property
    def key(self) -> tuple[int, str, int]:
        """The total order every node folds in."""
        return (self.hlc, self.station_id, self.seq)

    @property
    def ident(self) -> tuple[str, int]:
        return (self.station_id, self.seq)

    def to_row(self) -> dict[str, Any]:
        return {
            "station_id": self.station_id,
            "seq": self.seq,
            "hlc": self.hlc,
            "kind": self.kind,
            "data": self.data_text(),
        }

    def data_text(self) -> str:
        """The data as the log stores it."""
        return self.encoded if self.encoded is not None else encode_data(self.data)

    def to_wire(self) -> dict[str, Any]:
        """The JSON form used by sync and bundles."""
        return {
            "station_id": self.station_id,
            "seq": self.seq,
            "hlc": self.hlc,
            "kind": self.kind,
            "data": dict(self.data),
            "sig": self.sig.hex(),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | tuple[Any, ...]) -> Event:
        if isinstance(row, tuple):
            if cls is Event and len(row) == 6:  # a row as the log stores it: the fold reads millions
                return _from_stored(*row)
            station_id, seq, hlc, kind, data = row[:5]
            sig = row[5] if len(row) > 5 else None
        else:
            station_id, seq, hlc, kind, data = (
                row["station_id"],
                row["seq"],
                row["hlc"],
                row["kind"],
                row["data"],
            )
            sig = row.get("sig")
        event = cls(station_id, int(seq), int(hlc), kind, orjson.loads(data), bytes(sig or b""))
        object.__setattr__(event, "encoded", data)
        return event

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Event:
        """Parse and validate an event received from another node; raises ValueError."""
        if not isinstance(obj, Mapping):
            raise ValueError("an event must be a JSON object")
        try:
            station_id = obj["station_id"]
            seq = obj["seq"]
            hlc = obj["hlc"]
            kind = obj["kind"]
            data = obj["data"]
            sig_hex = obj["sig"]
        except KeyError as missing:
            raise ValueError(f"event lacks the field {missing}") from None
        if not isinstance(station_id, str) or not station_id or len(station_id) > 64:
            raise ValueError("station_id must be a non-empty string of at most 64 characters")
        if type(seq) is not int or seq < 1:
            raise ValueError("seq must be a positive integer")
        if type(hlc) is not int or hlc < 0 or hlc >= 2**62:
            raise ValueError("hlc must be a non-negative 62-bit integer")
        if kind not in ALL_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        if not isinstance(data, Mapping):
            raise ValueError("data must be a JSON object")
        if not isinstance(sig_hex, str) or len(sig_hex) != SIGNATURE_HEX_LENGTH:
            raise ValueError("sig must be the author's signature (128 hexadecimal digits)")
        try:
            sig = bytes.fromhex(sig_hex)
        except ValueError:
            raise ValueError("sig must be the author's signature (128 hexadecimal digits)") from None
        _check_plain(data, depth=0)
        try:
            encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise ValueError(f"event data is not plain JSON: {error}") from None
        if len(encoded) > 16_384:
            raise ValueError("event data is larger than 16 KiB")
        event = cls(station_id, seq, hlc, kind, dict(data), sig)
        object.__setattr__(event, "encoded", encoded)
        return event


_new = object.__new__
_SET = tuple(Event.__dict__[name].__set__ for name in ("station_id", "seq", "hlc", "kind", "data", "sig", "at_ms", "encoded"))


def _from_stored(station_id: str, seq: int, hlc: int, kind: str, data: str, sig: bytes | None) -> Event:
    """`Event.from_row` of a stored row, built field by field: the frozen dataclass's own
    `__init__` costs twice as much, and a full fold builds one event per row of the log."""
    event = _new(Event)
    s0, s1, s2, s3, s4, s5, s6, s7 = _SET
    seq, hlc = int(seq), int(hlc)
    s0(event, station_id)
    s1(event, seq)
    s2(event, hlc)
    s3(event, kind)
    s4(event, orjson.loads(data))
    s5(event, bytes(sig or b""))
    s6(event, hlc >> HLC_COUNTER_BITS)
    s7(event, data)
    return event


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("event data holds text that is not valid Unicode") from None


def _check_plain(value: Any, depth: int) -> None:
    """Refuse what would not survive a round trip through every node's JSON reader:
    non-finite numbers, integers beyond 64 bits, non-string keys, deep nesting."""
    if depth > 8:
        raise ValueError("event data is nested too deeply")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        _check_text(value)
        return
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValueError("event data holds an integer beyond 64 bits")
        return
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("event data holds a number that is not finite")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError("event data keys must be strings")
            _check_text(key)
            _check_plain(item, depth + 1)
        return
    if isinstance(value, list):
        for item in value:
            _check_plain(item, depth + 1)
        return
    raise ValueError(f"event data holds a {type(value).__name__}, not JSON")


def encode_data(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
