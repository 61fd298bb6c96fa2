"""The generated demo event, *Security, Democracy & Cities* (Brussels, 20-22 March 2024).

`build_demo(seed)` gives its reference data as plain data and drafts; `install_demo(db)`
appends them to an empty database. No real person's data: every attendee is invented.
"""

from __future__ import annotations

from db.demo.build import build_demo
from db.demo.install import EventExists, install_demo
from db.demo.model import (
    DemoAttendee,
    DemoBus,
    DemoEvent,
    DemoRoom,
    DemoSession,
    DemoStation,
    DemoVisit,
)

__all__ = [
    "DemoAttendee",
    "DemoBus",
    "DemoEvent",
    "DemoRoom",
    "DemoSession",
    "DemoStation",
    "DemoVisit",
    "EventExists",
    "build_demo",
    "install_demo",
]
