"""Stations: kind, place, last scan and scans today, and which ones have gone silent.

A station is *silent* when it should be scanning and is not: a desk that scanned no one for
`SILENT_MS` while the other desks scanned at least `BUSY_SCANS` people, a door that scanned no one for the session running in its
room. When a station last synced and how many scans it still held are what the station
itself last reported (`station.health`, sent every few minutes while it is connected).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dashboard.panels.clock import hhmm
from db import views
from db.events import SCAN_KINDS
from db.fold import SESSION_EARLY_MS, EventState

SILENT_MS = 30 * 60_000
BUSY_SCANS = 10
DOOR_GRACE_MS = 10 * 60_000


@dataclass(frozen=True, slots=True)
class StationLine:
    id: str
    kind: str
    place: str  # room name for a door, bus label for a bus station
    last_ms: int | None
    last_label: str
    scans_today: int
    silent_min: int | None  # minutes without a scan when it should be scanning, else None
    revoked: bool
    last_sync_label: str = ""  # from the station's own `station.health` report, when it sent one
    waiting: int | None = None  # scans it still held for the hub at that report


@dataclass(frozen=True, slots=True)
class StationsData:
    stations: tuple[StationLine, ...]  # silent first, then by kind and id

    @property
    def silent(self) -> int:
        return sum(1 for s in self.stations if s.silent_min is not None)


def _venue_open(state: EventState, day: str, now_ms: int) -> tuple[int, int] | None:
    start = state.day_start_ms(day)
    todays = [s for s in state.sessions.values() if start <= s.start_ms < start + 86_400_000]
    if not todays:
        return None
    opens = min(s.start_ms for s in todays) - 60 * 60_000
    closes = max(s.end_ms for s in todays)
    return (opens, closes) if opens <= now_ms < closes else None


def _recent_scans(state: EventState, now_ms: int, stations: set[str]) -> Counter[str]:
    """Scans by `stations` in the last `SILENT_MS` before `now_ms` (read from the log's tail)."""
    return Counter(
        e.station_id
        for e in state.events_since(now_ms - SILENT_MS)
        if e.station_id in stations and e.kind in SCAN_KINDS and e.at_ms <= now_ms
    )


def _silent_since(state: EventState, kind: str, place: str, last: int | None, day: str, now_ms: int,
                  desks_busy: bool) -> int | None:
    """Since when this station has been quiet when it should not be (None: it may rightly be quiet).

    A desk is silent when the venue is open, other desks scanned lately and it did not for
    `SILENT_MS`; a door when a session in its room began `DOOR_GRACE_MS` ago and it has
    scanned no one for it.
    """
    if kind == "desk":
        if not desks_busy:
            return None
        quiet_from = last or state.day_start_ms(day)
        return quiet_from if now_ms - quiet_from >= SILENT_MS else None
    if kind == "door":
        session = state.session_in(place, now_ms)
        if session is None or now_ms < session.start_ms + DOOR_GRACE_MS:
            return None
        opened = session.start_ms - SESSION_EARLY_MS
        return opened if last is None or last < opened else None
    return None


def fetch(state: EventState, now_ms: int) -> StationsData:
    day = state.day_of(now_ms)
    venue_open = _venue_open(state, day, now_ms) is not None
    desk_scans = _recent_scans(state, now_ms, {s.id for s in state.stations.values() if s.kind == "desk"})
    lines = []
    for station in views.stations(state):
        last, place, place_label = station.last_ms, station.place, station.place_label
        # What the station itself last said about its sync (stations report every few minutes).
        synced = station.last_sync_ms is not None
        sync_label, waiting = (hhmm(state, station.last_sync_ms), station.waiting) if synced else ("", None)
        silent = None
        if not station.revoked:
            others_busy = sum(n for desk, n in desk_scans.items() if desk != station.id) >= BUSY_SCANS
            since = _silent_since(state, station.kind, place, last, day, now_ms, others_busy and venue_open)
            silent = None if since is None else (now_ms - since) // 60_000
        lines.append(
            StationLine(
                id=station.id,
                kind=station.kind,
                place=place_label,
                last_ms=last,
                last_label=hhmm(state, last) if last else "—",
                scans_today=state.station_scans.get((station.id, day), 0),
                silent_min=silent,
                revoked=station.revoked,
                last_sync_label=sync_label,
                waiting=waiting,
            )
        )
    lines.sort(key=lambda s: (s.silent_min is None, s.revoked, s.kind, s.id))
    return StationsData(tuple(lines))
