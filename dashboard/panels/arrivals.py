"""Arrivals: who has checked in today against who registered, per role, and the rate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dashboard.panels.clock import hhmm
from db.fold import ARRIVAL_BUCKET_MS, EventState

#: The chart starts at this local hour unless people arrived earlier.
CHART_FROM_HOUR = 7
#: The current rate is measured over this window.
RATE_WINDOW_MS = 15 * 60_000


@dataclass(frozen=True, slots=True)
class RoleCount:
    role: str
    checked_in: int
    registered: int


@dataclass(frozen=True, slots=True)
class ArrivalsData:
    """Arrivals on `day` up to now."""

    day: str
    checked_in: int
    registered: int
    roles: tuple[RoleCount, ...]
    buckets: tuple[int, ...]  # arrivals per 5 minutes, from `first_bucket_ms` to now
    first_bucket_ms: int
    chart_from: str  # HH:MM of the first bucket
    chart_to: str  # HH:MM of the last bucket
    last_15_min: int
    rate_per_hour: int
    peak: int  # the busiest 5 minutes

    @property
    def share(self) -> float:
        return self.checked_in / self.registered if self.registered else 0.0


def fetch(state: EventState, now_ms: int) -> ArrivalsData:
    """Arrivals on the day of `now_ms`, from the fold's check-ins and its 5-minute buckets."""
    day = state.day_of(now_ms)
    registered: Counter[str] = Counter(a.role or "—" for a in state.attendees.values())
    arrived: Counter[str] = Counter()
    attendees = state.attendees
    for checkin_day, attendee_id in state.checkins:
        if checkin_day == day:
            attendee = attendees.get(attendee_id)
            arrived[(attendee.role or "—") if attendee else "—"] += 1
    roles = tuple(
        RoleCount(role, arrived[role], registered[role])
        for role in sorted(registered.keys() | arrived.keys(), key=lambda r: (-registered[r], r))
    )
    per_bucket = {bucket: n for (d, bucket), n in state.arrivals.items() if d == day and n}
    now_bucket = now_ms - now_ms % ARRIVAL_BUCKET_MS
    start = state.day_start_ms(day) + CHART_FROM_HOUR * 3_600_000
    if per_bucket:
        start = min(start, min(per_bucket))
    end = max(now_bucket, start)
    buckets = tuple(per_bucket.get(b, 0) for b in range(start, end + 1, ARRIVAL_BUCKET_MS))
    recent = sum(n for b, n in per_bucket.items() if now_ms - RATE_WINDOW_MS < b + ARRIVAL_BUCKET_MS and b <= now_ms)
    return ArrivalsData(
        day=day,
        checked_in=sum(arrived.values()),
        registered=len(state.attendees),
        roles=roles,
        buckets=buckets,
        first_bucket_ms=start,
        chart_from=hhmm(state, start),
        chart_to=hhmm(state, end),
        last_15_min=recent,
        rate_per_hour=recent * 3_600_000 // RATE_WINDOW_MS,
        peak=max(buckets, default=0),
    )
