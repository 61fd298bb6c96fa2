"""Creating an event: the `event.created` record every other event refers to."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from db import events as ev
from db import log
from db.errors import EventOpsError
from db.node import local_station
from db.state import EventInfo

MAX_DAYS = 31


def parse_days(spec: str) -> list[str]:
    """`2024-03-20:2024-03-22` (a range) or `2024-03-20,2024-03-22` (a list) -> ISO days."""
    try:
        if ":" in spec:
            first, last = (date.fromisoformat(p.strip()) for p in spec.split(":", 1))
            if last < first:
                raise EventOpsError(f"--days {spec}: the last day is before the first")
            count = (last - first).days + 1
            if count > MAX_DAYS:
                raise EventOpsError(f"--days {spec}: {count} days, at most {MAX_DAYS}")
            return [(first + timedelta(days=i)).isoformat() for i in range(count)]
        return sorted({date.fromisoformat(p.strip()).isoformat() for p in spec.split(",") if p.strip()})
    except ValueError:
        raise EventOpsError(f"--days {spec!r}: expected YYYY-MM-DD:YYYY-MM-DD") from None


def check_tz(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise EventOpsError(f"unknown time zone {tz!r} (for example Europe/Brussels)") from None
    return tz


def has_event(db: Database) -> bool:
    return db.execute("SELECT 1 FROM events WHERE kind = ? LIMIT 1", [ev.EVENT_CREATED]).fetchone() is not None


def event_info(db: Database) -> EventInfo | None:
    """The event as the fold reads it, for callers that need only the event and not its day.

    The fold's own rule, by the fold itself (only the `event.created` events are folded): the
    first in fold order wins, a missing or unknown time zone is Europe/Brussels. Imports and
    the dashboard's checks read it here, so they cannot disagree with status and the screens.
    """
    from db.fold import fold_events

    return fold_events(log.iter_events(db, [ev.EVENT_CREATED])).info


def create_event(db: Database, name: str, days: list[str], tz: str, *, event_id: str | None = None, demo: bool = False) -> ev.Event:
    """Append `event.created` to an empty database; refuses if the database already has an event."""
    name = name.strip()
    if not name:
        raise EventOpsError("the event needs a name (--name)")
    if not days:
        raise EventOpsError("the event needs at least one day (--days)")
    check_tz(tz)
    if has_event(db):
        raise EventOpsError("this database already holds an event; use another --db path")
    event_id = event_id or _short_id(name)
    return log.append(db, local_station(db), ev.EVENT_CREATED, {"id": event_id, "name": name, "days": days, "tz": tz, "demo": demo})


def _short_id(name: str) -> str:
    letters = re.sub(r"[^A-Z]", "", name.upper())[:4] or "EV"
    return f"{letters}{secrets.token_hex(2).upper()}"
