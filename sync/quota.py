"""Per-station quotas on what a token may send the hub: events and bytes per minute.

One stolen or buggy token must not fill every station's log with junk, nor keep the hub busy
parsing. Each station has two token buckets (events, bytes) that hold one minute's worth and
refill continuously; a request that would overdraw one is refused whole with 429 `quota` and
how long to wait (`retry_after`, also sent as a `Retry-After` header), and draws nothing.
The defaults are far above what a real desk sends (a few scans a minute; a day's backlog of a
few thousand after an outage passes at once); a relay carries everyone's events and by default
has no quota at all.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sync import protocol as p

#: Events a station may push per minute (a desk scans a few; a day's backlog fits at once).
STATION_EVENTS_PER_MINUTE = 6000
#: Request bytes a station may send per minute (a scan is ~250 bytes on the wire).
STATION_BYTES_PER_MINUTE = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Quota:
    """Limits per minute for one role; None means no limit."""

    events_per_minute: int | None = STATION_EVENTS_PER_MINUTE
    bytes_per_minute: int | None = STATION_BYTES_PER_MINUTE


#: No limit: what a relay (another hub) gets unless told otherwise.
UNLIMITED = Quota(None, None)


@dataclass(slots=True)
class _Bucket:
    level: float
    at: float


class Quotas:
    """The buckets of every enrolled station, for one hub process (only a known token is
    charged, so there are never more buckets than stations). Thread-safe; the clock is passed in."""

    def __init__(self, station: Quota | None = None, relay: Quota = UNLIMITED, clock: Callable[[], float] = time.monotonic) -> None:
        self.station = station or Quota()
        self.relay = relay
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def charge_bytes(self, station_id: str, role: str, size: int) -> None:
        """Draw `size` request bytes, or raise 429 (drawing nothing)."""
        self._charge(station_id, "bytes", self._limits(role).bytes_per_minute, size)

    def charge_events(self, station_id: str, role: str, count: int) -> None:
        """Draw `count` pushed events, or raise 429 (drawing nothing)."""
        self._charge(station_id, "events", self._limits(role).events_per_minute, count)

    def _limits(self, role: str) -> Quota:
        return self.relay if role == p.ROLE_RELAY else self.station

    def _charge(self, station_id: str, what: str, per_minute: int | None, amount: int) -> None:
        if per_minute is None or amount <= 0:
            return
        if amount > per_minute:
            raise p.ProtocolError(
                413, p.TOO_LARGE, f"this request holds {amount} {what}, more than station {station_id}'s quota of {per_minute} a minute"
            )
        rate = per_minute / 60.0
        with self._lock:
            now = self.clock()
            bucket = self._buckets.setdefault((station_id, what), _Bucket(float(per_minute), now))
            bucket.level = min(float(per_minute), bucket.level + (now - bucket.at) * rate)
            bucket.at = now
            if bucket.level >= amount:
                bucket.level -= amount
                return
            wait = max(1, math.ceil((amount - bucket.level) / rate))
        raise p.ProtocolError(
            429,
            p.QUOTA,
            f"station {station_id} has sent more than its {per_minute} {what} a minute: retry in {wait} s",
            retry_after=wait,
        )
