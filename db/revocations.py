"""Revoking an attendee's badge: the one place that writes `badge.revoked`.

A badge is revoked by serial: the attendee's current serial (`badge.issued` raises it; the
first badge is serial 1). Every station folds the event and refuses that badge from then
on. `eventops badges reissue` revokes and issues the next serial; `eventops badges revoke`
and `eventops import attendees --revoke-missing` only revoke (the person no longer comes).
Here in `db/` so that imports, which live below the badge code, can write it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlite_utils import Database

from db.errors import EventOpsError
from db.events import BADGE_REVOKED
from db.hlc import WallClock, system_wall_ms
from db.log import Draft, append_many, iter_events
from db.node import local_station


class BadgeSerials(Protocol):
    """What the folded state says about badges (`db.fold.EventState` has it)."""

    @property
    def badge_serial(self) -> Mapping[str, int]: ...

    @property
    def revoked_serials(self) -> Mapping[str, frozenset[int]]: ...


class NotRevocable(EventOpsError):
    """No such attendee, or their badge is already revoked."""


def revocation_draft(attendee_id: str, serial: int, reason: str) -> Draft:
    """The `badge.revoked` event of one badge."""
    return Draft(BADGE_REVOKED, {"attendee": attendee_id, "serial": serial, "reason": reason})


def current_serial(state: BadgeSerials, attendee_id: str) -> int:
    """The serial of the attendee's badge in use (1 until a badge is reissued)."""
    return state.badge_serial.get(attendee_id, 1)


def is_revoked(state: BadgeSerials, attendee_id: str) -> bool:
    """True when the attendee's current badge is revoked (and no new one was issued)."""
    return current_serial(state, attendee_id) in state.revoked_serials.get(attendee_id, frozenset())


def revoke_current(state: BadgeSerials, attendee_id: str, reason: str) -> Draft | None:
    """The event revoking the attendee's current badge, or None if it is revoked already."""
    if is_revoked(state, attendee_id):
        return None
    return revocation_draft(attendee_id, current_serial(state, attendee_id), reason)


def revoke_badge(db: Database, attendee_id: str, reason: str = "revoked", *, wall: WallClock = system_wall_ms) -> int:
    """Revoke the attendee's current badge without issuing another; returns its serial.
    Refuses (NotRevocable) an unknown attendee or a badge already revoked, writing nothing."""
    from db.fold import load_state

    state = load_state(db)
    if attendee_id not in state.attendees:
        raise NotRevocable(f"no attendee {attendee_id!r} in this event; nothing revoked")
    draft = revoke_current(state, attendee_id, reason)
    if draft is None:
        serial = current_serial(state, attendee_id)
        raise NotRevocable(
            f"the badge of {attendee_id} (serial {serial}) is already revoked; nothing changed "
            f"(`eventops badges reissue {attendee_id}` makes a new one)"
        )
    append_many(db, local_station(db), [draft], wall=wall)
    return int(draft.data["serial"])


def revocation_reason(db: Database, attendee_id: str, serial: int | None) -> str:
    """Why this badge was revoked, as recorded ("" if no reason was given beyond "revoked").

    Read only when a revoked badge is scanned, from the few `badge.revoked` events (the log is
    indexed by kind): the folded state keeps which serials are revoked, not why.
    """
    reason = ""
    for event in iter_events(db, [BADGE_REVOKED]):
        data = event.data
        if data.get("attendee") == attendee_id and (serial is None or data.get("serial") in (None, serial)):
            reason = str(data.get("reason") or "")
    return "" if reason.strip().lower() == "revoked" else reason.strip()
