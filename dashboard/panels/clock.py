"""Which moment the dashboard shows, and how times are written (always in the event's zone)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from checkin.i18n import _, short_date
from db.fold import EventState, parse_local
from db.hours import venue_hours
from db.status import reference_now as status_reference_now


def reference_now(state: EventState, wall_ms: int) -> int:
    """The wall clock while the event is on, else its last scan: the rule `eventops status` uses."""
    return status_reference_now(state, wall_ms)


def closed_label(state: EventState, now_ms: int) -> str:
    """`CLOSED · opens 08:00 tomorrow` when the venue is closed at `now_ms` (db/hours.py), else ""."""
    hours = venue_hours(state, now_ms)
    if hours.open:
        return ""
    if hours.opens_ms is None:
        return _("CLOSED · the event is over")
    at = hhmm(state, hours.opens_ms)
    today = date.fromisoformat(state.day_of(now_ms))
    opens_on = date.fromisoformat(hours.opens_day)
    if opens_on == today:
        return _("CLOSED · opens {time} today").format(time=at)
    if opens_on == today + timedelta(days=1):
        return _("CLOSED · opens {time} tomorrow").format(time=at)
    return _("CLOSED · opens {time} on {day}").format(time=at, day=short_date(opens_on))


def hhmm(state: EventState, ms: int | None) -> str:
    """`14:05` in the event's time zone ("—" when there is no time)."""
    return "—" if ms is None else _minute_label(state.tz, ms // 60_000)


@lru_cache(maxsize=4096)
def _minute_label(tz: str, minute: int) -> str:
    # Panels write hundreds of times per refresh; a minute's label never changes.
    return datetime.fromtimestamp(minute * 60, ZoneInfo(tz)).strftime("%H:%M")


def clock_label(state: EventState, ms: int) -> str:
    """`Wed 20 Mar 14:05:09` in the event's time zone."""
    moment = state.local_time(ms)
    return f"{short_date(moment)} {moment.strftime('%H:%M:%S')}"


def parse_moment(state: EventState, text: str, day: str | None = None) -> int:
    """Milliseconds of `--at` text: an ISO date-time, or `HH:MM` on `day` (or the event's first day).

    A time without an offset is read in the event's time zone.
    """
    text = text.strip()
    if "T" in text or " " in text:
        return parse_local(text.replace(" ", "T"), state.tz)
    on = day or (state.info.days[0] if state.info and state.info.days else None)
    if on is None:
        raise ValueError("a bare time needs an event day; give a full date-time like 2024-03-20T11:00")
    moment = datetime.combine(date.fromisoformat(on), time.fromisoformat(text))
    return parse_local(moment.isoformat(), state.tz)
