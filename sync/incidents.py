"""Incidents the sync itself raises, as events, so every node sees them (never silent).

Events relayed from a revoked station are kept out of the log (quarantined on the hub that
received them); the hub records one `scan.rejected` event per relayed batch with reason
`revoked_station`, naming the station and the seqs it kept out. `merge_guarded` is that
rule, shared by everything that brings remote events in (a hub's push, a bundle import).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from db import hlc as hlc_mod
from db import log, trust
from db.connect import write
from db.events import SCAN_REJECTED, Event
from db.log import Draft, MergeResult
from sync import store

REASON_REVOKED_STATION = "revoked_station"


def quarantine_drafts(events: Sequence[Event], via: str) -> list[Draft]:
    """One incident per revoked station whose events a relay tried to bring in."""
    by_station: dict[str, list[int]] = {}
    for event in events:
        by_station.setdefault(event.station_id, []).append(event.seq)
    return [
        Draft(
            SCAN_REJECTED,
            {
                "reason": REASON_REVOKED_STATION,
                "mode": "sync",
                "place": "",
                "station_id": station_id,
                "first_seq": min(seqs),
                "last_seq": max(seqs),
                "count": len(seqs),
                "via": via,
            },
        )
        for station_id, seqs in sorted(by_station.items())
    ]


@dataclass
class GuardedMerge:
    """What `merge_guarded` did: the merge itself, and how many events it quarantined."""

    merged: MergeResult
    quarantined: int = 0


def merge_guarded(
    db: Database,
    events: Iterable[Event],
    *,
    revoked: set[str],
    observer: str,
    via: str,
    wall: hlc_mod.WallClock = hlc_mod.system_wall_ms,
) -> GuardedMerge:
    """Merge remote events in one transaction, keeping a revoked station's new events out.

    Events of a `revoked` station beyond what this node already holds are quarantined, and
    each station's batch raises one incident authored by `observer` (this node); the rest is
    merged with `observer` so suspect clocks raise their incident too. All of it, or nothing
    (LogGap/LogConflict from the merge).
    """
    batch = list(events)
    with write(db):
        kept: list[Event] = batch
        banned: list[Event] = []
        if revoked & {e.station_id for e in batch}:
            # What counts of a revoked station: what this node holds, and up to the seq its
            # revocation names (what the revoking hub held then: the same on every node).
            held = log.vector(db)
            for station_id, up_to in trust.revoked(db).items():
                held[station_id] = max(held.get(station_id, 0), up_to)
            kept, banned = [], []
            for event in batch:
                late = event.station_id in revoked and event.seq > held.get(event.station_id, 0)
                (banned if late else kept).append(event)
        outcome = GuardedMerge(log.merge(db, kept, observer=observer, wall=wall))
        if banned:
            store.ensure_tables(db)
            outcome.quarantined = store.quarantine(db, banned, via=via)
            if outcome.quarantined:
                log.append_in_transaction(db, observer, quarantine_drafts(banned, via), wall=wall)
    return outcome
