"""`install_demo(db)`: the demo's reference data appended as the organiser, all in one transaction.

The wall clock is the day before the event (2024-03-19 12:00 in Brussels, or the day before a
moved first day), one millisecond per event, so the reference data predates every simulated
scan of the event days.
"""

from __future__ import annotations

import itertools
import json

from sqlite_utils import Database

from db.connect import write
from db.demo.build import build_demo
from db.demo.model import DemoEvent
from db.errors import EventOpsError
from db.events import EVENT_CREATED
from db.hlc import WallClock
from db.log import append_in_transaction
from db.node import ORGANISER


class EventExists(EventOpsError):
    """The database already holds an event (or other events): the demo needs an empty one."""


def setup_clock(start_ms: int) -> WallClock:
    """A wall clock that starts at `start_ms` and advances one millisecond per reading."""
    ticks = itertools.count(start_ms)
    return lambda: next(ticks)


def install_demo(db: Database, seed: int = 7, wall: WallClock | None = None, first_day: str | None = None) -> DemoEvent:
    """Append the demo event for `seed` to an empty database as station "org"; all or nothing.

    `first_day` moves the demo's days to start then (`build_demo`), its set-up the day before.

    Raises EventExists, changing nothing, when the database already has an event or any
    other events in its log.
    """
    demo = build_demo(seed, first_day)
    with write(db):
        _refuse_if_not_empty(db)
        append_in_transaction(db, ORGANISER, demo.drafts, wall=wall or setup_clock(demo.setup_ms))
    return demo


def _refuse_if_not_empty(db: Database) -> None:
    row = db.execute("SELECT data FROM events WHERE kind = ? ORDER BY hlc LIMIT 1", [EVENT_CREATED]).fetchone()
    if row is not None:
        data = json.loads(row[0])
        name = data.get("name") or data.get("id") or "unnamed"
        raise EventExists(f"this database already has an event ({name}); create the demo in a new database file")
    held = int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    if held:
        raise EventExists(f"this database already holds {held} events; create the demo in a new database file")
