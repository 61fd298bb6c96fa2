"""Commands: export attendance / no-shows / incidents (reports after the event, CSV or JSON).

Thin wiring over `db.reports`, which reads the folded state and the read model `db.views`;
this module only loads the state (as of `--at` when given) and writes CSV or JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from eventops.options import folded_at, json_option
from eventops.store_option import event_option

if TYPE_CHECKING:
    from db.fold import EventState

_at_option = click.option(
    "--at", "at", default=None, metavar="TIME",
    help="As the log stood at this moment (2024-03-20T11:00, or HH:MM on the event's first day).",
)
_out_option = click.option(
    "--out", "out", default=None, type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)


def _state(db_path: Path, at: str | None) -> EventState:
    """The folded log, or as it stood at `--at` (the same reading as `eventops rollcall --at`)."""
    state, _ = folded_at(db_path, at, "nothing to export")
    return state


def _write(out: Path | None, rows: list[dict[str, Any]], as_json: bool, header: list[str],
           flat: Callable[[dict[str, Any]], Iterable[list[Any]]]) -> None:
    """Print or write `rows` as JSON, or as CSV with `header` and one or more lines per row."""
    if as_json:
        text = json.dumps(rows, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerows(flat(row))
        text = buffer.getvalue()
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@click.group("export")
def export() -> None:
    """Reports after the event, as CSV (default) or JSON, to standard output or --out FILE.

    \b
    Example:
        eventops export attendance --db hub.db --by session --out sessions.csv
        eventops export no-shows --db hub.db --json
    """


def _attendee_lines(row: dict[str, Any]) -> Iterable[list[Any]]:
    walk_in = row["registered_by"]  # the desk that registered a walk-in ("" for the organiser's list)
    for day in row["days"]:
        yield [row["attendee"], row["name"], "checkin", day["day"], day["station"], day["first"], "", "", walk_in]
    for seen in row["sessions"]:
        yield [row["attendee"], row["name"], "session", f"{seen['session']} {seen['title']}", seen["room"],
               seen["entry"], seen["exit"], seen["minutes"], walk_in]


def _session_lines(row: dict[str, Any]) -> Iterable[list[Any]]:
    people = "; ".join(f"{p['attendee']} {p['name']}" for p in row["people"])
    yield [row["session"], row["title"], row["room"], row["start"], row["end"], row["count"], row["peak"],
           row["peak_at"] or "", people]


@export.command("attendance")
@event_option()
@click.option("--by", "by", type=click.Choice(["attendee", "session"]), default="attendee", show_default=True,
              help="One entry per attendee (check-ins and sessions) or per session (people, count, peak).")
@_at_option
@_out_option
@json_option
def attendance(db_path: Path, by: str, at: str | None, out: Path | None, as_json: bool) -> None:
    """Who attended what: per attendee, each day checked in and each session attended (room,
    entry, exit, minutes present); per session, the people, their count and the peak occupancy.

    In CSV, --by attendee gives one line per check-in day and per session attended.

    \b
    Example:
        eventops export attendance --db hub.db --by attendee --out attendance.csv
        eventops export attendance --db hub.db --by session --json
        eventops export attendance --store postgresql://hub@db.example/event --by attendee --out attendance.csv
    """
    from db import reports

    state = _state(db_path, at)
    if by == "attendee":
        _write(out, reports.by_attendee(state), as_json,
               ["attendee", "name", "what", "day_or_session", "station_or_room", "first_or_entry", "exit", "minutes", "walk_in"],
               _attendee_lines)
    else:
        _write(out, reports.by_session(state), as_json,
               ["session", "title", "room", "start", "end", "count", "peak", "peak_at", "people"], _session_lines)


@export.command("no-shows")
@event_option()
@_at_option
@_out_option
@json_option
def no_shows(db_path: Path, at: str | None, out: Path | None, as_json: bool) -> None:
    """Registered attendees never checked in on any day of the event.

    \b
    Example:
        eventops export no-shows --db hub.db --out no-shows.csv
        eventops export no-shows --store postgresql://hub@db.example/event --out no-shows.csv
    """
    from db import reports

    _write(out, reports.no_shows(_state(db_path, at)), as_json, ["attendee", "name", "organisation", "email"],
           lambda r: [[r["attendee"], r["name"], r["organisation"], r["email"]]])


@export.command("incidents")
@event_option()
@_at_option
@_out_option
@json_option
def incidents(db_path: Path, at: str | None, out: Path | None, as_json: bool) -> None:
    """Every incident, oldest first: id, kind, time, station, detail, acknowledged or not.

    \b
    Example:
        eventops export incidents --db hub.db --json
        eventops export incidents --store postgresql://hub@db.example/event --json
    """
    from db import reports

    _write(out, reports.incidents(_state(db_path, at)), as_json,
           ["id", "kind", "at", "station", "detail", "acknowledged"],
           lambda r: [[r["id"], r["kind"], r["at"], r["station"], r["detail"], "yes" if r["acknowledged"] else "no"]])


commands: list[click.Command] = [export]
