"""Arrivals: who has checked in today against who registered, per role, and the rate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import groupby, islice, repeat
from operator import itemgetter

from dashboard.panels.clock import hhmm
from db.fold import ARRIVAL_BUCKET_MS, EventState
from db.state import Checkin
from db.views import is_event_day

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


class RoleCounts:
    """Registered and checked-in people per role, kept up to date cheaply between refreshes.

    Check-ins are only ever added to the fold's `checkins` dict (in order), so only its new
    tail needs counting. A rewind of the fold (a late event, a void) takes check-ins out and
    puts them back in another order, and a restart gives a new dict: both recount from the
    first. The board calls `invalidate()` when attendees are registered or updated.
    """

    def __init__(self) -> None:
        self.invalidate()

    def invalidate(self) -> None:
        self._checkins: dict[tuple[str, str], Checkin] | None = None
        self._rebuilds = -1
        self._counted = 0
        self._arrived: dict[str, Counter[str]] = {}
        self._registered: Counter[str] | None = None
        self._roles: dict[str, str] | None = None

    def registered(self, state: EventState) -> Counter[str]:
        if self._registered is None:
            self._registered = Counter(self.roles(state).values())
        return self._registered

    def roles(self, state: EventState) -> dict[str, str]:
        """Each attendee's role ("—" for none), by attendee id."""
        if self._roles is None:
            self._roles = {attendee_id: a.role or "—" for attendee_id, a in state.attendees.items()}
        return self._roles

    def arrived(self, state: EventState, day: str) -> Counter[str]:
        checkins: dict[tuple[str, str], Checkin] = state.checkins
        if checkins is not self._checkins or state.rebuilds != self._rebuilds or len(checkins) < self._counted:
            self._checkins, self._rebuilds, self._counted, self._arrived = checkins, state.rebuilds, 0, {}
        if len(checkins) > self._counted:
            # The roles of the new check-ins, counted in C a day at a time (the fold adds them
            # in time order, so a day's come together): a start reads some 300,000 of them.
            role_of = self.roles(state).get
            for checkin_day, keys in groupby(islice(checkins, self._counted, None), key=itemgetter(0)):
                self._arrived.setdefault(checkin_day, Counter()).update(map(role_of, map(itemgetter(1), keys), repeat("—")))
            self._counted = len(checkins)
        return self._arrived.get(day, Counter())


def fetch(state: EventState, now_ms: int, counts: RoleCounts | None = None) -> ArrivalsData:
    """Arrivals on the day of `now_ms`, from the fold's check-ins and its 5-minute buckets.

    `counts` (kept by the dashboard between refreshes) saves recounting every check-in.
    """
    counts = counts or RoleCounts()
    day = state.day_of(now_ms)
    registered = counts.registered(state)
    event_day = is_event_day(state, day)  # a day the event does not have counts no arrivals
    arrived = counts.arrived(state, day) if event_day else Counter[str]()
    roles = tuple(
        RoleCount(role, arrived[role], registered[role])
        for role in sorted(registered.keys() | arrived.keys(), key=lambda r: (-registered[r], r))
    )
    per_bucket = {bucket: n for (d, bucket), n in state.arrivals.items() if d == day and n and event_day}
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
