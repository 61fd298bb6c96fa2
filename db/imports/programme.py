"""The schedule as every format reads it: rooms (with capacities when the file has them)
and sessions (with aware start and end), before they are compared with the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from db.imports.problems import Problem


@dataclass(frozen=True, slots=True)
class RoomSpec:
    name: str
    capacity: int | None = None
    id: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class SessionSpec:
    title: str
    room: str  # room name as the file writes it
    start: datetime
    end: datetime
    id: str = ""  # our session id when the file numbers its sessions
    line: int = 0
    where: str = ""  # how to point at it in a message when there is no line ("event 123")

    @property
    def place(self) -> str:
        return f"line {self.line}" if self.line else self.where


@dataclass
class Programme:
    """What a schedule file holds, plus the problems and warnings found while reading it."""

    source: str
    format: str
    rooms: list[RoomSpec] = field(default_factory=list)
    sessions: list[SessionSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Session times read in the event's zone because the file names none (no offset, no
    #: `time_zone_name`): FOSDEM 2019's XML, most hand-made sheets.
    zone_assumed: int = 0


#: Longest title a session or visit may have (events stay small: they travel to every station).
MAX_TITLE = 300


def check_title(title: str) -> str:
    """A session or visit title, if it is not absurdly long (raises ValueError otherwise)."""
    if len(title) > MAX_TITLE:
        raise ValueError(f"title {title[:40]!r}... is longer than {MAX_TITLE} characters")
    return title


def capacity_of(value: object) -> int:
    """A room or bus capacity: a positive whole number (raises ValueError otherwise)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a capacity")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().replace(" ", "").replace("\u202f", "").replace("\xa0", "")
        if not text.isdigit():
            raise ValueError(f"capacity {str(value)!r} is not a whole number of places")
        number = int(text)
    if number < 1 or number > 1_000_000:
        raise ValueError(f"capacity {number} is not between 1 and 1,000,000")
    return number
