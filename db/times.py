"""Time rules of the fold: the event's zone, session grace, when the venue closes, and which
moments belong to the event at all (its window)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
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
#: The venue opens this long before the day's first session (db/hours.py).
DAY_OPEN_BEFORE_MS = 60 * MINUTE_MS
ARRIVAL_BUCKET_MS = 5 * MINUTE_MS
DAY_MS = 24 * 60 * MINUTE_MS
#: Scans may start this long before the event was created (stations are set up and tried
#: out on the eve; a station's clock may also run some hours behind the organiser's).
WINDOW_BEFORE_MS = DAY_MS
#: ...and end this long after the last event day (late uploads: a bus back days later, a
#: bundle carried from an offline station, after-event imports of a door's log).
WINDOW_AFTER_MS = 7 * DAY_MS


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_local(value: str, tz: str) -> int:
    """Milliseconds of an ISO 8601 time; a time without offset is read in the event's zone."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz))
    return int(moment.timestamp() * 1000)


def event_window(created_ms: int, days: Iterable[str], tz: str) -> tuple[int, int]:
    """The moments a scan or an operation of this event can truthfully carry, [first, last].

    From the creation of the event (less `WINDOW_BEFORE_MS`) to the end of its last day (plus
    `WINDOW_AFTER_MS`); an event created after its days (a log filled in afterwards) reaches
    back to its first day. It depends only on the `event.created` event, never on a node's wall
    clock, so every node folding the same log draws the same line (the fold keeps it open
    longer while the organiser is still setting things up: `db.presence.on_time`). Days that are not ISO dates
    are skipped; with none, the window is built around the creation alone.
    """
    parsed = []
    for day in days:
        try:
            parsed.append(date.fromisoformat(str(day)))
        except ValueError:
            continue
    first = last = created_ms
    if parsed:
        try:
            first = min(first, _midnight_ms(min(parsed), tz))
            last = max(last, _midnight_ms(max(parsed) + timedelta(days=1), tz))
        except (OverflowError, ValueError):  # a day at the edge of the calendar
            first = last = created_ms
    return first - WINDOW_BEFORE_MS, last + WINDOW_AFTER_MS


def _midnight_ms(day: date, tz: str) -> int:
    return int(datetime.combine(day, datetime.min.time(), zone(tz)).timestamp() * 1000)
