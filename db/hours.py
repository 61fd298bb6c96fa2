"""When the venue is open: from an hour before a day's first session to its closing (an hour
after its last session, or a bus back from a field visit later than that).

The dashboard asks this of the moment it shows, so that overnight it says the venue is closed
and when it opens again, instead of showing the evening's last numbers as if they were live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from db.fold import EventState
from db.times import DAY_OPEN_BEFORE_MS, parse_local


@dataclass(frozen=True, slots=True)
class VenueHours:
    """Whether the venue is open at a moment, and when it opens next if it is not."""

    open: bool
    opens_ms: int | None = None  # the next opening (None: open, or the event is over)
    opens_day: str = ""  # the event day of that opening
    over: bool = False  # closed for good: no event day is left


def opens_ms(state: EventState, day: str) -> int:
    """When the venue opens on `day`: an hour before its first session (midnight without one)."""
    start = state.day_start_ms(day)
    following = state.day_start_ms((date.fromisoformat(day) + timedelta(days=1)).isoformat())
    starts = [s.start_ms for s in state.sessions.values() if start <= s.start_ms < following]
    return max(start, min(starts) - DAY_OPEN_BEFORE_MS) if starts else start


def closes_ms(state: EventState, day: str) -> int:
    """When the venue closes on `day`: the fold's day end, or later when a field visit's bus is
    planned back later (its passengers come back to the venue)."""
    end = state.day_end_ms(day)
    for visit in state.visits.values():
        if visit.day == day and visit.back:
            try:
                end = max(end, parse_local(visit.back, state.tz))
            except ValueError:
                continue
    return end


def venue_hours(state: EventState, now_ms: int) -> VenueHours:
    """Whether the venue is open at `now_ms` and, if not, when it next opens.

    An event without days is always open (nothing says otherwise).
    """
    info = state.info
    if info is None or not info.days:
        return VenueHours(True)
    day = state.day_of(now_ms)
    if day in info.days:
        opening = opens_ms(state, day)
        if now_ms < opening:
            return VenueHours(False, opening, day)
        if now_ms < closes_ms(state, day):
            return VenueHours(True)
    later = sorted(d for d in info.days if d > day)
    if not later:
        return VenueHours(False, over=True)
    return VenueHours(False, opens_ms(state, later[0]), later[0])
