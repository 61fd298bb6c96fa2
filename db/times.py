"""Time rules of the fold: the event's zone, session grace, when the venue closes."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/Brussels"
MINUTE_MS = 60_000
#: How long after a session's end people still count as in its room.
SESSION_GRACE_MS = 10 * MINUTE_MS
#: People entering a room this long before a session starts are there for that session.
SESSION_EARLY_MS = 30 * MINUTE_MS
#: The venue closes this long after the day's last session ends.
DAY_CLOSE_AFTER_MS = 60 * MINUTE_MS
ARRIVAL_BUCKET_MS = 5 * MINUTE_MS


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_local(value: str, tz: str) -> int:
    """Milliseconds of an ISO 8601 time; a time without offset is read in the event's zone."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz))
    return int(moment.timestamp() * 1000)
