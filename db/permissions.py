"""Who may write which kind of event: one table, read by the merge gate and by the fold alike.

A station's kind is bound to its key when an authority vouches for it (`node.key`): the
organiser (the node that created the event) for itself and for the hubs it adds, the
organiser or one of its hubs for every other station. A desk laptop that is stolen can
therefore write desk scans as itself and nothing else: no reference data, no acknowledgements,
no incidents about other stations.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from db import events as ev

ORGANISER = "organiser"
HUB = "hub"
DESK = "desk"
#: A desk the organiser allows to register walk-ins (`station add --kind desk --walk-ins`): its
#: binding also publishes the desk's own badge key (db/badge_keys.py).
WALK_IN_DESK = "walk-in-desk"
DOOR = "door"
BUS = "bus"
DASHBOARD = "dashboard"
#: A station an authority vouched for without saying what it is (an organiser's own scripts,
#: the simulator): it may scan in any mode, and nothing else.
UNDESCRIBED = ""

STATION_KINDS = (ORGANISER, HUB, DESK, WALK_IN_DESK, DOOR, BUS, DASHBOARD, UNDESCRIBED)
#: Kinds that may vouch for other stations' keys (hubs only for non-hubs).
AUTHORITIES = frozenset({ORGANISER, HUB})

_OWN = frozenset({ev.SCAN_REJECTED, ev.VOID, ev.STATION_HEALTH})
#: What a node that merges other nodes' events may report about them.
_OBSERVER = frozenset({ev.CLOCK_SUSPECT, ev.SCAN_REJECTED, ev.KEY_MISUSED, ev.STATION_HEALTH})

WRITES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        ORGANISER: ev.REFERENCE_KINDS | _OBSERVER | {ev.INCIDENT_ACKED, ev.NODE_KEY},
        HUB: ev.REFERENCE_KINDS - {ev.EVENT_CREATED} | _OBSERVER | {ev.NODE_KEY},
        DESK: _OWN | {ev.DESK_CHECKIN},
        # Registers walk-ins, reprints lost badges, fixes names; the fold narrows what such a desk's
        # attendee events may change (only new attendees, only names: db/presence.py).
        WALK_IN_DESK: _OWN | {ev.DESK_CHECKIN, ev.ATTENDEE_REGISTERED, ev.ATTENDEE_UPDATED, ev.BADGE_REVOKED, ev.BADGE_ISSUED},
        DOOR: _OWN | {ev.DOOR_ENTRY, ev.DOOR_EXIT},
        BUS: _OWN | {ev.BUS_BOARDED, ev.BUS_DEPARTED, ev.BUS_RETURNED},
        DASHBOARD: frozenset({ev.INCIDENT_ACKED, ev.STATION_HEALTH}),
        UNDESCRIBED: _OWN | {ev.DESK_CHECKIN, ev.DOOR_ENTRY, ev.DOOR_EXIT, ev.BUS_BOARDED, ev.BUS_DEPARTED, ev.BUS_RETURNED},
    }
)


def may_write(station_kind: str | None, event_kind: str) -> bool:
    """Whether a station of `station_kind` may author an event of `event_kind`."""
    if station_kind is None:
        return False
    return event_kind in WRITES.get(station_kind, frozenset())


def may_vouch(voucher_kind: str | None, station_kind: str) -> bool:
    """Whether a station of `voucher_kind` may bind a key to a station of `station_kind`:
    the organiser vouches for anyone but another organiser; its hubs for stations, not hubs."""
    if voucher_kind == ORGANISER:
        return station_kind != ORGANISER
    if voucher_kind == HUB:
        return station_kind not in (ORGANISER, HUB)
    return False


def refusal(station_id: str, station_kind: str | None, event_kind: str) -> str:
    """One sentence saying why `station_id` may not write `event_kind`."""
    if station_kind is None:
        return f"{station_id} is no station of this event (no key vouched for it)"
    what = f"a {station_kind} station" if station_kind else "a station of no stated kind"
    return f"{station_id} is {what} and may not write {event_kind}"
