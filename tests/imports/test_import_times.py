"""Dates, times and durations as spreadsheets and schedule exports write them."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from db.imports.times import iso, parse_day, parse_duration, parse_moment

DAYS = ["2024-03-20", "2024-03-21", "2024-03-22"]
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.mark.parametrize(
    "text,expected",
    [("2024-03-21", "2024-03-21"), ("21/03/2024", "2024-03-21"), ("21.03.2024", "2024-03-21"), ("2", "2024-03-21"),
     ("Day 3", "2024-03-22"), ("2024-03-21 00:00:00", "2024-03-21")],
)
def test_days(text: str, expected: str) -> None:
    assert parse_day(text, DAYS) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    "text,minutes",
    [("90", 90), ("1:30", 90), ("01:30:00", 90), ("1h30", 90), ("45m", 45), ("2h", 120), ("00:05", 5)],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


def test_frab_durations_past_a_day() -> None:
    assert parse_duration("1:02:30", frab=True) == timedelta(days=1, hours=2, minutes=30)


@pytest.mark.parametrize("text", ["", "soon", "1:3", "-5"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_moments_get_the_event_offset() -> None:
    day = date(2024, 3, 20)
    assert iso(parse_moment("9h30", day, BRUSSELS)) == "2024-03-20T09:30:00+01:00"
    assert iso(parse_moment("2024-07-01T09:30", None, BRUSSELS)) == "2024-07-01T09:30:00+02:00"
    assert iso(parse_moment("2024-03-20T08:30:00Z", None, BRUSSELS)) == "2024-03-20T09:30:00+01:00"
    with pytest.raises(ValueError, match="not a time of day"):
        parse_moment("25:00", day, BRUSSELS)
    with pytest.raises(ValueError, match="has no date"):
        parse_moment("09:30", None, BRUSSELS)
    with pytest.raises(ValueError, match="is not a date"):
        parse_day("mercredi", DAYS)
    with pytest.raises(ValueError, match="not one of the event's 3 days"):
        parse_day("4", DAYS)
