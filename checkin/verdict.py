"""The verdict on one scan: what the person at the desk or door sees, and what the log got.

A verdict is plain data (no Textual), so the TUI, `eventops scan`, the demo simulator and the
tests all read the same thing. `status` says the colour (ok = green, warning = amber,
refused = red); `reason` is a stable machine word that scripts and the dashboard rely on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from checkin.i18n import _

OK = "ok"
WARNING = "warning"
REFUSED = "refused"
STATUSES = (OK, WARNING, REFUSED)

# Stable reasons (machine words). Badge refusals reuse checkin.badges.token's words.
CHECKED_IN = "checked_in"
ALREADY_CHECKED_IN = "already_checked_in"
ENTERED = "entered"
ALREADY_INSIDE = "already_inside"
ROOM_FULL = "room_full"
ROOM_FULL_OVERRIDE = "room_full_override"
NOT_CHECKED_IN = "not_checked_in"
EXITED = "exited"
NOT_INSIDE = "not_inside"
UNDONE = "undone"
NOTHING_TO_UNDO = "nothing_to_undo"
UNDO_PAST_TRIP = "undo_past_trip"  # a boarding before its bus's departure or return stays
REVOKED = "revoked"
FORGED = "forged"
MALFORMED = "malformed"
UNKNOWN_ATTENDEE = "unknown_attendee"
WRONG_EVENT = "wrong_event"
UNKNOWN_KEY = "unknown_key"
NOT_RECORDED = "not_recorded"
NOT_EVENT_DAY = "not_event_day"  # a desk or door scan on a day the event does not have


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """Which event of the log a verdict wrote: enough to find it again (or void it)."""

    station_id: str
    seq: int
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {"station_id": self.station_id, "seq": self.seq, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the station decided about one scan, after its event is committed."""

    status: str  # ok | warning | refused
    reason: str  # a stable machine word, see the constants above
    headline: str  # the big words on the card: "WELCOME", "ROOM FULL", "REFUSED"...
    detail: tuple[str, ...] = ()  # short lines under the name, plain words
    attendee: dict[str, Any] | None = None  # Attendee.public() when known
    event: RecordedEvent | None = None  # what was recorded (None: nothing was)
    mode: str = ""
    place: str = ""  # room id (door), bus id (bus), "" at a desk
    occupancy: int | None = None  # door mode: people in the room after this scan
    capacity: int | None = None  # door mode: the room's capacity (0 = unlimited)
    via: str = "scan"
    at_ms: int = 0
    badge_reason: str = ""  # the badge check's own word (e.g. unknown_key) when refused
    extra: dict[str, Any] = field(default_factory=dict)  # room for other modes (bus manifest...)

    @property
    def name(self) -> str:
        return str(self.attendee.get("name", "")) if self.attendee else ""

    def to_json(self) -> dict[str, Any]:
        """The one JSON object `eventops scan` prints."""
        out: dict[str, Any] = {
            "status": self.status,
            "reason": self.reason,
            "headline": self.headline,
            "detail": list(self.detail),
            "attendee": dict(self.attendee) if self.attendee else None,
            "event": self.event.to_json() if self.event else None,
            "mode": self.mode,
            "place": self.place or None,
            "via": self.via,
            "at_ms": self.at_ms,
        }
        if self.occupancy is not None:
            out["occupancy"] = self.occupancy
            out["capacity"] = self.capacity
        if self.badge_reason:
            out["badge_reason"] = self.badge_reason
        if self.extra:
            out.update(self.extra)
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=False)


def not_recorded(error: BaseException) -> Verdict:
    """The red card when the database refused the write: nothing was recorded, say so."""
    return Verdict(
        REFUSED,
        NOT_RECORDED,
        _("NOT RECORDED"),
        (_("the scan could not be saved: {error}").format(error=error),
         _("scan again; if this repeats, call the supervisor")),
    )
