"""Dates, times and durations as spreadsheets and schedule exports write them, turned into
ISO 8601 local times with the event's offset ("2024-03-20T09:30:00+01:00")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
#: A day-first date with a time, as European spreadsheets write it: 20/03/2024 09:00.
_DMY_TIME = re.compile(r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})(?:\s+|T)(\d{1,2}\s*[:hH.]\s*\d{2}(?::\d{2})?)$")
_DAY_N = re.compile(r"^(?:day|jour|dag|tag)?\s*(\d{1,2})$", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2})\s*[:hH.]\s*(\d{2})(?::(\d{2}))?$")
_DURATION_PARTS = re.compile(r"^\d{1,3}(?::\d{2}){1,3}$")
_DURATION_WORDS = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:m|min|mn)?)?$", re.IGNORECASE)


def parse_day(value: str, days: Sequence[str]) -> date:
    """A day: ISO date, dd/mm/yyyy (also with . or -), or the event's day number (1, "Day 2")."""
    text = value.strip()
    if m := _DMY_TIME.match(text):
        text = m.group(1)  # a date cell Excel wrote with its midnight
    for parse in (date.fromisoformat, lambda t: datetime.fromisoformat(t).date()):
        try:
            return parse(text)
        except ValueError:
            pass
    if m := _DMY.match(text):
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            raise ValueError(f"{value!r} is not a date") from None
    if m := _DAY_N.match(text):
        n = int(m.group(1))
        if 1 <= n <= len(days):
            return date.fromisoformat(days[n - 1])
        raise ValueError(f"day {n} is not one of the event's {len(days)} days")
    raise ValueError(f"{value!r} is not a date (use 2024-03-20, 20/03/2024 or a day number)")


def parse_clock(value: str) -> time:
    """A time of day: 9:30, 09:30, 09:30:00, 9h30."""
    m = _TIME.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a time of day (use 09:30)")
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{value!r} is not a time of day")
    return time(hour, minute, second)


def parse_moment(value: str, day: date | None, zone: ZoneInfo) -> datetime:
    """A moment in the event's zone: a full ISO date-time (offset honoured and converted), a
    day-first date and time (20/03/2024 09:00), or a time of day on `day`."""
    text = value.strip()
    if m := _DMY_TIME.match(text):
        return datetime.combine(parse_day(m.group(1), ()), parse_clock(m.group(2)), tzinfo=zone)
    if len(text) > 8 and text[:4].isdigit():
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time (use 2024-03-20T09:30)") from None
        if moment.tzinfo is None:
            return moment.replace(tzinfo=zone)
        return moment.astimezone(zone)
    if day is None:
        raise ValueError(f"{value!r} has no date (add a date column or write 2024-03-20T09:30)")
    return datetime.combine(day, parse_clock(text), tzinfo=zone)


def parse_duration(value: str, *, frab: bool = False) -> timedelta:
    """A duration: minutes (90), H:MM (1:30), 1h30, and three parts as a spreadsheet writes
    them (HH:MM:SS) or, with `frab`, as pretalx/frab exports do past a day (D:HH:MM)."""
    text = value.strip()
    if text.isdigit():
        return timedelta(minutes=int(text))
    if _DURATION_PARTS.match(text):
        parts = [int(p) for p in text.split(":")]
        if len(parts) == 2:
            return timedelta(hours=parts[0], minutes=parts[1])
        if len(parts) == 3:
            if frab:
                return timedelta(days=parts[0], hours=parts[1], minutes=parts[2])
            return timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])
        return timedelta(days=parts[0], hours=parts[1], minutes=parts[2], seconds=parts[3])
    m = _DURATION_WORDS.match(text)
    if text and m and (m.group(1) or m.group(2)):
        return timedelta(hours=int(m.group(1) or 0), minutes=int(m.group(2) or 0))
    raise ValueError(f"{value!r} is not a duration (use minutes, 1:30 or 01:30:00)")


def has_offset(value: str) -> bool:
    """True when a written moment carries its own UTC offset (`+01:00`, `Z`)."""
    text = value.strip()
    if len(text) <= 10 or not text[:4].isdigit():
        return False
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def iso(moment: datetime) -> str:
    """ISO 8601 with offset, to the second."""
    return moment.isoformat(timespec="seconds")
