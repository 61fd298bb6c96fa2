"""Event payloads as typed records: each event's data parsed once, before the fold touches it.

The fold (db/presence.py) never reads `event.data`: it receives the record `parse` made, one
small immutable tuple per kind, with every field already of its type. An event whose data
cannot make its record (a capacity that is not a number, a departure whose headcount is
`"many"`, a badge issued without a serial, data that is not a JSON object) is *malformed*:
`parse` raises `Malformed` and the fold refuses the event whole, counting it, instead of
applying half of it.

Text fields follow the log's lenient reading: a missing or null field is its default, any
other value is read as text (an attendee id written as a number is that number's digits). A
field is malformed only where no reading makes sense (a number that is not one, a list that is
not a list, a time that is not ISO 8601).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from db import events as ev
from db.events import Event
from db.times import DEFAULT_TZ, zone


class Malformed(ValueError):
    """An event's data cannot make its record: the fold refuses the event whole."""


# --- reference data ---------------------------------------------------------------------
class EventCreated(NamedTuple):
    id: str
    name: str
    days: tuple[str, ...]
    tz: str  # a zone this machine knows (an unknown one reads as Europe/Brussels)
    demo: bool


class AttendeeFields(NamedTuple):
    """`attendee.registered` or `.updated`: the fields it sets, in `ATTENDEE_FIELDS` order."""

    id: str
    changes: tuple[tuple[str, str], ...]
    tags: tuple[str, ...] | None  # None: tags not given (kept as they were)


class RoomAdded(NamedTuple):
    id: str
    name: str
    capacity: int


class SessionAdded(NamedTuple):
    id: str
    title: str
    room: str
    start: str  # as written (shown to people)
    end: str
    start_at: datetime  # parsed; without an offset it is read in the event's zone
    end_at: datetime


class VisitAdded(NamedTuple):
    id: str
    title: str
    day: str
    depart: str
    back: str


class BusAdded(NamedTuple):
    id: str
    visit: str | None  # None: as it was
    capacity: int | None
    label: str | None


class BusAssignment(NamedTuple):
    """`bus.assigned` or `bus.unassigned`."""

    bus: str
    attendee: str
    visit: str


class StationAdded(NamedTuple):
    id: str
    kind: str
    place: str


class StationRevoked(NamedTuple):
    id: str


class NodeKey(NamedTuple):
    station: str
    kind: str
    badge_key: str  # a walk-in desk's badge public key (base64), "" for other stations


class KeyAdded(NamedTuple):
    kid: str
    public_key: str


class BadgeIssued(NamedTuple):
    attendee: str
    serial: int


class BadgeRevoked(NamedTuple):
    attendee: str
    serial: int | None  # None: the attendee's current badge


# --- scans and operations ---------------------------------------------------------------
class DeskCheckin(NamedTuple):
    attendee: str
    first: bool
    via: str


class DoorEntry(NamedTuple):
    attendee: str
    room: str
    override: bool


class DoorExit(NamedTuple):
    attendee: str
    room: str


class BusBoarded(NamedTuple):
    attendee: str
    bus: str
    visit: str


class BusDeparted(NamedTuple):
    bus: str
    missing: tuple[str, ...] | None  # None: the fold's own rule decides who is missing
    headcount: int | None
    aboard: tuple[tuple[str, int], ...]  # who the coordinator saw aboard, since when, by id


class BusReturned(NamedTuple):
    bus: str
    aboard: tuple[tuple[str, int], ...]


class Void(NamedTuple):
    station_id: str
    seq: int


class ScanRejected(NamedTuple):
    reason: str
    attendee: str
    relayed: str  # a relayed station's refusal: how many, whose, through which hub (as text)
    station_id: str
    via: str
    desk: str  # a badge of a revoked walk-in desk: that desk


class IncidentAcked(NamedTuple):
    incident: str


class ClockSuspect(NamedTuple):
    station_id: str
    seq: int
    claimed_ms: int
    seen_at: int | None  # None: when the report was written


class StationHealthReport(NamedTuple):
    waiting: int
    last_sync_ms: int | None


class KeyMisused(NamedTuple):
    station_id: str
    seq: str  # as the proof gives it (named in the incident's words)


Payload = (
    EventCreated | AttendeeFields | RoomAdded | SessionAdded | VisitAdded | BusAdded | BusAssignment | StationAdded
    | StationRevoked | NodeKey | KeyAdded | BadgeIssued | BadgeRevoked | DeskCheckin | DoorEntry | DoorExit | BusBoarded
    | BusDeparted | BusReturned | Void | ScanRejected | IncidentAcked | ClockSuspect | StationHealthReport | KeyMisused
)

ATTENDEE_FIELDS = ("name", "first", "last", "org", "city", "country", "role", "email", "ref")
_ABSENT: Any = object()


def parse(kind: str, data: Any) -> Payload | None:
    """The record of an event of `kind` with `data` (None for a kind the fold does not read);
    raises `Malformed` with a short reason."""
    if type(data) is not dict and not isinstance(data, Mapping):
        raise Malformed("data is not a JSON object")
    parser = _PARSERS.get(kind)
    return None if parser is None else parser(data)


def read(event: Event) -> Payload | Malformed | None:
    """The record of `event` (None: a kind without one), or why it is malformed: what the fold
    keeps of each event, read once."""
    data = event.data
    parser = _PARSERS.get(event.kind)
    try:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise Malformed("data is not a JSON object")
        return None if parser is None else parser(data)
    except Malformed as error:
        return error


# --- field readers ------------------------------------------------------------------------
def _text(d: Mapping[str, Any], key: str, default: str = "") -> str:
    value = d.get(key)
    if type(value) is str:
        return value
    return default if value is None else str(value)


def _maybe_text(d: Mapping[str, Any], key: str) -> str | None:
    value = d.get(key)
    return None if value is None else str(value)


def _int(d: Mapping[str, Any], key: str, default: Any = _ABSENT) -> int:
    """An integer field (a number, or text of one); `default` when absent."""
    value = d.get(key, _ABSENT)
    if value is _ABSENT:
        if default is _ABSENT:
            raise Malformed(f"{key} is missing")
        return int(default)
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise Malformed(f"{key} is not a number: {str(value)[:40]!r}") from None


def _opt_int(d: Mapping[str, Any], key: str) -> int | None:
    return _int(d, key) if key in d else None


def _moment(d: Mapping[str, Any], key: str) -> datetime:
    text = _text(d, key)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Malformed(f"{key} is not an ISO 8601 time: {text[:40]!r}") from None
    if not 2 <= moment.year <= 9998:  # any zone can place it
        raise Malformed(f"{key} is out of range: {text[:40]!r}")
    return moment


def _seen_aboard(d: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    """A departure's or return's `aboard` (attendee -> boarding time), by attendee id; entries
    without an integer time are not boardings and are left out, as a non-object is."""
    listed = d.get("aboard")
    if not isinstance(listed, Mapping):
        return ()
    return tuple(sorted((str(a), ms) for a, ms in listed.items() if type(ms) is int))


# --- one parser per kind --------------------------------------------------------------------
def _event_created(d: Mapping[str, Any]) -> EventCreated:
    days = d.get("days", ())
    if not isinstance(days, list | tuple):
        raise Malformed("days is not a list")
    tz = _text(d, "tz", DEFAULT_TZ)
    try:
        zone(tz)
    except Exception:  # noqa: BLE001 - an unknown zone must not make every day unreadable
        tz = DEFAULT_TZ
    return EventCreated(_text(d, "id"), _text(d, "name"), tuple(str(day) for day in days), tz, bool(d.get("demo", False)))


def _attendee(d: Mapping[str, Any]) -> AttendeeFields:
    tags = d.get("tags")
    changes = tuple((f, str(d[f])) for f in ATTENDEE_FIELDS if d.get(f) is not None)
    return AttendeeFields(_text(d, "id"), changes, tuple(str(t) for t in tags) if isinstance(tags, list) else None)


def _room(d: Mapping[str, Any]) -> RoomAdded:
    room_id = _text(d, "id")
    return RoomAdded(room_id, _text(d, "name", room_id), _int(d, "capacity", 0))


def _session(d: Mapping[str, Any]) -> SessionAdded:
    return SessionAdded(
        _text(d, "id"), _text(d, "title"), _text(d, "room"), _text(d, "start"), _text(d, "end"), _moment(d, "start"), _moment(d, "end")
    )


def _visit(d: Mapping[str, Any]) -> VisitAdded:
    return VisitAdded(_text(d, "id"), _text(d, "title"), _text(d, "day"), _text(d, "depart"), _text(d, "return"))


def _bus(d: Mapping[str, Any]) -> BusAdded:
    return BusAdded(_text(d, "id"), _maybe_text(d, "visit"), _opt_int(d, "capacity"), _maybe_text(d, "label"))


def _bus_assignment(d: Mapping[str, Any]) -> BusAssignment:
    return BusAssignment(_text(d, "bus"), _text(d, "attendee"), _text(d, "visit"))


def _station(d: Mapping[str, Any]) -> StationAdded:
    return StationAdded(_text(d, "id"), _text(d, "kind"), _text(d, "place"))


def _station_revoked(d: Mapping[str, Any]) -> StationRevoked:
    return StationRevoked(_text(d, "id"))


def _node_key(d: Mapping[str, Any]) -> NodeKey:
    return NodeKey(_text(d, "station"), _text(d, "kind"), _text(d, "badge_key"))


def _key(d: Mapping[str, Any]) -> KeyAdded:
    return KeyAdded(_text(d, "kid"), _text(d, "public_key"))


def _badge_issued(d: Mapping[str, Any]) -> BadgeIssued:
    return BadgeIssued(_text(d, "attendee"), _int(d, "serial"))


def _badge_revoked(d: Mapping[str, Any]) -> BadgeRevoked:
    return BadgeRevoked(_text(d, "attendee"), _opt_int(d, "serial"))


# The scans are most of a log: their text fields are read inline when they are text already
# (`_text` for anything else), which saves two calls per event on a full rebuild.
def _desk_checkin(d: Mapping[str, Any]) -> DeskCheckin:
    attendee, via = d.get("attendee"), d.get("via")
    return DeskCheckin(
        attendee if type(attendee) is str else _text(d, "attendee"),
        bool(d.get("first")),
        via if type(via) is str else _text(d, "via", "scan"),
    )


def _door_entry(d: Mapping[str, Any]) -> DoorEntry:
    attendee, room = d.get("attendee"), d.get("room")
    return DoorEntry(
        attendee if type(attendee) is str else _text(d, "attendee"),
        room if type(room) is str else _text(d, "room"),
        bool(d.get("override")),
    )


def _door_exit(d: Mapping[str, Any]) -> DoorExit:
    attendee, room = d.get("attendee"), d.get("room")
    return DoorExit(attendee if type(attendee) is str else _text(d, "attendee"), room if type(room) is str else _text(d, "room"))


def _bus_boarded(d: Mapping[str, Any]) -> BusBoarded:
    attendee, bus, visit = d.get("attendee"), d.get("bus"), d.get("visit")
    return BusBoarded(
        attendee if type(attendee) is str else _text(d, "attendee"),
        bus if type(bus) is str else _text(d, "bus"),
        visit if type(visit) is str else _text(d, "visit"),
    )


def _bus_departed(d: Mapping[str, Any]) -> BusDeparted:
    missing = d.get("missing")
    given = tuple(str(m) for m in missing) if isinstance(missing, list) else None
    return BusDeparted(_text(d, "bus"), given, _opt_int(d, "headcount"), _seen_aboard(d))


def _bus_returned(d: Mapping[str, Any]) -> BusReturned:
    return BusReturned(_text(d, "bus"), _seen_aboard(d))


def _void(d: Mapping[str, Any]) -> Void:
    station_id, seq = d.get("station_id"), d.get("seq")
    if not isinstance(station_id, str) or type(seq) is not int:
        raise Malformed("a void names no event (station_id and seq)")
    return Void(station_id, seq)


def _scan_rejected(d: Mapping[str, Any]) -> ScanRejected:
    return ScanRejected(
        _text(d, "reason", "unknown"), _text(d, "attendee"), str(d.get("count", "?")), str(d.get("station_id", "?")), str(d.get("via", "?")),
        _text(d, "desk", "?"),
    )


def _incident_acked(d: Mapping[str, Any]) -> IncidentAcked:
    return IncidentAcked(_text(d, "incident"))


def _clock_suspect(d: Mapping[str, Any]) -> ClockSuspect:
    return ClockSuspect(_text(d, "station_id"), _int(d, "seq", 0), _int(d, "hlc", 0) >> 16, _opt_int(d, "seen_at"))


def _station_health(d: Mapping[str, Any]) -> StationHealthReport:
    last_sync = d.get("last_sync_ms")
    return StationHealthReport(max(0, _int(d, "waiting", 0)), None if last_sync is None else _int(d, "last_sync_ms"))


def _key_misused(d: Mapping[str, Any]) -> KeyMisused:
    return KeyMisused(_text(d, "station_id"), f"{d.get('seq')}")


_PARSERS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {
    ev.EVENT_CREATED: _event_created,
    ev.ATTENDEE_REGISTERED: _attendee,
    ev.ATTENDEE_UPDATED: _attendee,
    ev.ROOM_ADDED: _room,
    ev.SESSION_ADDED: _session,
    ev.VISIT_ADDED: _visit,
    ev.BUS_ADDED: _bus,
    ev.BUS_ASSIGNED: _bus_assignment,
    ev.BUS_UNASSIGNED: _bus_assignment,
    ev.STATION_ADDED: _station,
    ev.STATION_REVOKED: _station_revoked,
    ev.NODE_KEY: _node_key,
    ev.KEY_ADDED: _key,
    ev.BADGE_ISSUED: _badge_issued,
    ev.BADGE_REVOKED: _badge_revoked,
    ev.DESK_CHECKIN: _desk_checkin,
    ev.DOOR_ENTRY: _door_entry,
    ev.DOOR_EXIT: _door_exit,
    ev.BUS_BOARDED: _bus_boarded,
    ev.BUS_DEPARTED: _bus_departed,
    ev.BUS_RETURNED: _bus_returned,
    ev.VOID: _void,
    ev.SCAN_REJECTED: _scan_rejected,
    ev.INCIDENT_ACKED: _incident_acked,
    ev.CLOCK_SUSPECT: _clock_suspect,
    ev.STATION_HEALTH: _station_health,
    ev.KEY_MISUSED: _key_misused,
}
