"""The hybrid logical clock: wall-clock milliseconds plus a counter, never going backwards.

Pure functions over packed integers (`ms << 16 | counter`), so that ordering is plain integer
ordering and the clock can be persisted in one column. A remote value far ahead of local
wall time is *suspect*: it is recorded but does not drag the local clock forward.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from db.events import HLC_COUNTER_BITS

#: A remote clock more than this far ahead of our wall clock is flagged, not followed.
MAX_DRIFT_MS = 30 * 60 * 1000

WallClock = Callable[[], int]


def system_wall_ms() -> int:
    """The machine's wall clock in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def pack(ms: int, counter: int = 0) -> int:
    return (ms << HLC_COUNTER_BITS) | counter


def tick(last: int, wall_ms: int) -> int:
    """The HLC value for a new local event: later than `last`, at wall time when it can be."""
    candidate = pack(wall_ms)
    return candidate if candidate > last else last + 1


def observe(last: int, remote: int, wall_ms: int, max_drift_ms: int = MAX_DRIFT_MS) -> tuple[int, bool]:
    """Merge a remote HLC into ours; returns (new last, suspect).

    A suspect remote value (far ahead of our wall time) leaves our clock untouched.
    """
    if (remote >> HLC_COUNTER_BITS) > wall_ms + max_drift_ms:
        return last, True
    return max(last, remote), False
