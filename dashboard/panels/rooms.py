"""Rooms: occupancy against capacity, the session now, the trend; the rooms needing attention first."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from dashboard.panels.clock import hhmm
from db import views
from db.fold import EventState

#: DESIGN.md's capacity warnings.
WARN_SHARE = 0.8
FULL_SHARE = 1.0
#: The trend compares occupancy now with occupancy this long ago.
TREND_WINDOW_MS = 10 * 60_000

OK, WARN, FULL, OVER = "ok", "warn", "full", "over"
_RANK = {OVER: 3, FULL: 2, WARN: 1, OK: 0}


@dataclass(frozen=True, slots=True)
class RoomLine:
    id: str
    name: str
    capacity: int
    occupancy: int
    session: str  # title of the session running now (or about to start), "" if none
    session_time: str  # "09:30–11:00"
    trend: int | None  # change over the last 10 minutes; None: not known yet
    level: str  # ok, warn (≥ 80 %), full (≥ 100 %), over (> capacity)

    @property
    def share(self) -> float:
        return self.occupancy / self.capacity if self.capacity > 0 else 0.0


@dataclass(frozen=True, slots=True)
class RoomsData:
    rooms: tuple[RoomLine, ...]  # attention first

    @property
    def inside(self) -> int:
        return sum(r.occupancy for r in self.rooms)


def level_of(occupancy: int, capacity: int) -> str:
    if capacity <= 0:
        return OK
    if occupancy > capacity:
        return OVER
    share = occupancy / capacity
    if share >= FULL_SHARE:
        return FULL
    return WARN if share >= WARN_SHARE else OK


class OccupancyHistory:
    """Occupancy samples per room, so the panel can say where a room is heading.

    The fold keeps only who is in a room now, so the dashboard remembers what it has shown;
    `record` is fed each refresh (live or replay) and `trend` compares with ten minutes ago.
    """

    def __init__(self, window_ms: int = TREND_WINDOW_MS) -> None:
        self.window_ms = window_ms
        self._samples: dict[str, deque[tuple[int, int]]] = {}

    def record(self, room_id: str, now_ms: int, occupancy: int) -> None:
        samples = self._samples.setdefault(room_id, deque())
        if samples and now_ms < samples[-1][0]:
            samples.clear()  # the clock went back (replay restarted): forget the future
        if not samples or now_ms - samples[-1][0] >= 15_000 or samples[-1][1] != occupancy:
            samples.append((now_ms, occupancy))
        while len(samples) > 2 and samples[1][0] <= now_ms - self.window_ms:
            samples.popleft()

    def trend(self, room_id: str, now_ms: int, occupancy: int) -> int | None:
        samples = self._samples.get(room_id)
        if not samples or samples[0][0] > now_ms - self.window_ms:
            return None
        return occupancy - samples[0][1]


def fetch(state: EventState, now_ms: int, history: OccupancyHistory | None = None) -> RoomsData:
    """Every room now; `history` (if given) is updated and supplies the trend."""
    lines = []
    for room in views.rooms(state, now_ms):
        occupancy, session = room.occupancy, room.session
        trend = None
        if history is not None:
            trend = history.trend(room.id, now_ms, occupancy)
            history.record(room.id, now_ms, occupancy)
        lines.append(
            RoomLine(
                id=room.id,
                name=room.name,
                capacity=room.capacity,
                occupancy=occupancy,
                session=session.title if session else "",
                session_time=f"{hhmm(state, session.start_ms)}–{hhmm(state, session.end_ms)}" if session else "",
                trend=trend,
                level=level_of(occupancy, room.capacity),
            )
        )
    lines.sort(key=lambda r: (-_RANK[r.level], -r.share, -r.occupancy, r.name))
    return RoomsData(tuple(lines))
