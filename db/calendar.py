"""The event's calendar: its zone, its days and when each closes, the session in a room.

What the presence rules ask about time, and all they may read of the state besides the
tables they change: the event (`info`, for the zone) and its sessions. The fold asks the day of
almost every event, so day boundaries are cached; the fold drops the cache (`forget`) when the
zone or the sessions change.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from db.state import EventInfo, Session
from db.times import DAY_CLOSE_AFTER_MS, DEFAULT_TZ, SESSION_EARLY_MS, zone

if TYPE_CHECKING:
    from db.core import Core


class Calendar:
    """Time questions over one state's tables as they are now (`info`, `sessions`,
    `sessions_by_room` of `core`: a rewound core is seen as it is)."""

    __slots__ = ("_core", "_day_cache", "_day_span", "_day_end_cache", "_spans")

    def __init__(self, core: Core) -> None:
        self._core = core
        self._day_cache: dict[int, str] = {}
        self._day_span: tuple[int, int, str] = (0, 0, "")
        self._day_end_cache: dict[str, int] = {}
        self._spans: dict[str, tuple[int, int, str]] = {}  # day -> (its first ms, the next day's, day)

    @property
    def info(self) -> EventInfo | None:
        return self._core.info

    @property
    def tz(self) -> str:
        info = self._core.info
        return info.tz if info else DEFAULT_TZ

    def forget(self) -> None:
        """Drop cached day boundaries (the time zone or the sessions changed)."""
        self._day_cache.clear()
        self._day_end_cache.clear()
        self._spans.clear()
        self._day_span = (0, 0, "")

    def day_of(self, ms: int) -> str:
        """The event-local date of `ms` (the fold asks this for almost every event)."""
        start, end, day = self._day_span
        if start <= ms < end:
            return day
        # Zone offsets change on quarter hours at most, so a quarter-hour cache is exact.
        quarter = ms // 900_000
        day = self._day_cache.get(quarter) or ""
        if not day:
            day = datetime.fromtimestamp(quarter * 900, zone(self.tz)).date().isoformat()
            self._day_cache[quarter] = day
        span = self._spans.get(day)
        if span is None:
            following = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
            span = self._spans[day] = (self.day_start_ms(day), self.day_start_ms(following), day)
        self._day_span = span
        return day

    def local_time(self, ms: int) -> datetime:
        return datetime.fromtimestamp(ms / 1000, zone(self.tz))

    def day_start_ms(self, day: str) -> int:
        moment = datetime.combine(date.fromisoformat(day), time(0, 0), zone(self.tz))
        return int(moment.timestamp() * 1000)

    def day_end_ms(self, day: str) -> int:
        """When the venue closes on `day`: an hour after its last session, else at midnight."""
        cached = self._day_end_cache.get(day)
        if cached is not None:
            return cached
        start = self.day_start_ms(day)
        midnight = int(datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0, 0), zone(self.tz)).timestamp() * 1000)
        ends = [s.end_ms for s in self._core.sessions.values() if start <= s.end_ms < midnight]
        end = min(midnight, max(ends) + DAY_CLOSE_AFTER_MS) if ends else midnight
        self._day_end_cache[day] = end
        return end

    def session_in(self, room_id: str, now_ms: int) -> Session | None:
        """The session running in `room_id` at `now_ms` (or starting within half an hour)."""
        for session in self._core.sessions_by_room.get(room_id, ()):  # by start: none later can start before
            if session.start_ms - SESSION_EARLY_MS > now_ms:
                return None
            if now_ms < session.end_ms:
                return session
        return None

    def ms(self, moment: datetime) -> int:
        """Milliseconds of `moment`; a time without offset is read in the event's zone."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone(self.tz))
        return int(moment.timestamp() * 1000)
