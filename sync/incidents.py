"""Incidents the sync itself raises, as events, so every node sees them (never silent).

Events relayed from a revoked station are kept out of the log (quarantined on the hub that
received them); the hub records one `scan.rejected` event per relayed batch with reason
`revoked_station`, naming the station and the seqs it kept out.
"""

from __future__ import annotations

from collections.abc import Sequence

from db.events import SCAN_REJECTED, Event
from db.log import Draft

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
