"""Command: `eventops sessions`, the imported programme (room, time, title, capacity).

Read from the folded state (`db.fold.load_state`), so it shows what every station will
show: what the log says after every import, not what one file said.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

from eventops.options import json_option, open_event_db
from eventops.store_option import event_option


@dataclass(frozen=True, slots=True)
class SessionLine:
    """One session as the listing shows it."""

    id: str
    day: str
    start: str
    end: str
    room: str
    room_name: str
    capacity: int | None
    title: str


def session_lines(state: Any, day: str | None = None) -> list[SessionLine]:
    """The sessions of the folded state in time order (then room), on `day` if given."""
    out: list[SessionLine] = []
    for session in state.sessions.values():
        if day is not None and session.start[:10] != day:
            continue
        room = state.rooms.get(session.room)
        out.append(
            SessionLine(
                session.id,
                session.start[:10],
                session.start,
                session.end,
                session.room,
                room.name if room is not None else session.room,
                room.capacity if room is not None else None,
                session.title,
            )
        )
    return sorted(out, key=lambda s: (s.start, s.room_name.casefold(), s.id))


def _day(value: str, days: tuple[str, ...]) -> str:
    from db.imports.times import parse_day

    try:
        return parse_day(value, days).isoformat()
    except ValueError as error:
        raise click.BadParameter(f"{error} (the event's days: {', '.join(days)})", param_hint="--day") from None


@click.command("sessions")
@event_option()
@click.option("--day", "day", metavar="D", help="Only this day: 2024-03-20, 20/03/2024 or the day number (1, 2...).")
@json_option
def sessions_command(db_path: Path, day: str | None, as_json: bool) -> None:
    """List the imported sessions: day, time, room (capacity), title and id.

    What `eventops import schedule` put in the log, as every station folds it: a talk
    scheduled twice shows once per slot.

    \b
    Example:
        eventops sessions --db event.db
        eventops sessions --db event.db --day 2 --json
        eventops sessions --store postgresql://hub@db.example/event
    """
    from db.fold import load_state

    db = open_event_db(db_path)
    try:
        state = load_state(db)
    finally:
        db.conn.close()
    days = tuple(state.info.days) if state.info is not None else ()
    wanted = _day(day, days) if day is not None else None
    lines = session_lines(state, wanted)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in lines], ensure_ascii=False, indent=2))
        return
    if not lines:
        where = f" on {wanted}" if wanted else ""
        click.echo(f"no sessions{where}; import a programme with `eventops import schedule FILE --db {db_path}`")
        return
    shown = ""
    for s in lines:
        if s.day != shown:
            click.echo(s.day)
            shown = s.day
        capacity = f" ({s.capacity})" if s.capacity is not None else ""
        click.echo(f"  {s.start[11:16]}-{s.end[11:16]}  {s.room_name}{capacity}  {s.title}  [{s.id}]")


commands: list[click.Command] = [sessions_command]
