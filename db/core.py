"""The tables the fold changes (`Core`), apart from the fold that changes them.

db/presence.py (the rules) and db/fold.py (the order, checkpoints, rewinds) both need them;
here neither imports the other to reach them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from db import checkpoints
from db.checkpoints import Records, RoomSlots
from db.events import Event
from db.state import (
    Attendee,
    Bus,
    Checkin,
    DeskKey,
    EventInfo,
    Incident,
    Place,
    Room,
    Session,
    Station,
    StationHealth,
    Visit,
)

#: How many refused events `Core.refused_ids` names (the log line shows these).
REFUSED_NAMED = 5


@dataclass
class Core:
    """Everything the fold mutates. Tables of records are `Records` (db/checkpoints.py): a
    checkpoint costs only the records that change after it; the plain ones (counters, the
    stations' last moments) stay small whatever the attendance and are copied at checkpoints.
    A `Bus` in `buses` is never changed in place: the fold stores a changed copy."""

    info: EventInfo | None = None
    organiser: str = ""  # the station that created the event: the authority on reference data
    attendees: dict[str, Attendee] = field(default_factory=Records)
    rooms: dict[str, Room] = field(default_factory=Records)
    sessions: dict[str, Session] = field(default_factory=Records)
    sessions_by_room: dict[str, tuple[Session, ...]] = field(default_factory=Records)
    visits: dict[str, Visit] = field(default_factory=Records)
    buses: dict[str, Bus] = field(default_factory=Records)
    stations: dict[str, Station] = field(default_factory=Records)
    #: Station kinds bound to keys by `node.key` (db/permissions.py decides what each may write).
    authors: dict[str, str] = field(default_factory=Records)
    keys: dict[str, str] = field(default_factory=Records)
    #: Walk-in desks' badge keys by station (published in their `node.key` bindings).
    desk_keys: dict[str, DeskKey] = field(default_factory=Records)
    badge_serial: dict[str, int] = field(default_factory=Records)
    revoked_serials: dict[str, frozenset[int]] = field(default_factory=Records)
    checkins: dict[tuple[str, str], Checkin] = field(default_factory=Records)
    places: dict[str, Place] = field(default_factory=Records)
    room_slots: RoomSlots = field(default_factory=RoomSlots)
    over_capacity: frozenset[str] = frozenset()
    arrivals: Counter[tuple[str, int]] = field(default_factory=Counter)
    station_scans: Counter[tuple[str, str]] = field(default_factory=Counter)
    station_last_ms: dict[str, int] = field(default_factory=dict)
    station_health: dict[str, StationHealth] = field(default_factory=Records)
    rejected: Counter[str] = field(default_factory=Counter)
    incidents: dict[str, Incident] = field(default_factory=Records)
    acked: frozenset[str] = frozenset()
    last_event_ms: int = 0
    last_scan_ms: int = 0
    #: The moments this event's scans can carry (`db.times.event_window`); None before `event.created`.
    window: tuple[int, int] | None = None
    #: Scans and operations that sort before `event.created`: judged once it is folded.
    before_created: list[Event] = field(default_factory=list)
    #: Malformed events refused whole (db/payloads.py), and the first few of them by id.
    refused: int = 0
    refused_ids: tuple[tuple[str, int], ...] = ()
    #: Whether (station, kind) may be written, as `db.presence` last judged it: derived from the
    #: tables above, emptied by every reference event (which may change who may write what).
    permits: dict[tuple[str, str], bool] = field(default_factory=dict)

    def snapshot(self) -> Core:
        """An independent copy (plain tables): what a persisted snapshot holds."""
        return Core(**checkpoints.current(self))

    @classmethod
    def restore(cls, tables: dict[str, Any]) -> Core:
        """A core to fold on from tables as `snapshot` made them (large ones journaled again)."""
        core = cls()
        for name, value in tables.items():
            if not hasattr(core, name):
                continue
            default = getattr(core, name)
            setattr(core, name, type(default)(value) if isinstance(default, Records) else value)
        return core
