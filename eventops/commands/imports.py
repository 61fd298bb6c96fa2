"""Commands: `eventops import attendees|schedule|visits FILE --db PATH`.

Thin wiring over `db.imports`: parse options, open the database, call the import, print
its report (text or `--json`). A refused file prints one line on stderr and exits 1 with
the database unchanged; a malformed option exits 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from db.imports import (
    ATTENDEE_FIELDS,
    DEFAULT_CAPACITY,
    FORMATS,
    PRESETS,
    SCHEDULE_FIELDS,
    VISIT_FIELDS,
    ImportProblems,
    ImportReport,
    import_attendees,
    import_schedule,
    import_visits,
    parse_capacities,
)
from db.imports.columns import parse_mapping
from db.imports.schedule import UnknownRoom
from eventops.options import input_file_argument, json_option, open_db
from eventops.store_option import event_option

F = TypeVar("F", bound=Callable[..., Any])


class BadOption(click.ClickException):
    """A malformed option value: one line on stderr, exit status 2 (like click's usage errors)."""

    exit_code = 2


def skip_invalid_option(func: F) -> F:
    """`--skip-invalid`: import the good rows, list the bad ones (default: all or nothing)."""
    return click.option(
        "--skip-invalid",
        is_flag=True,
        help="Import the valid rows and list every skipped row with its line and reason (default: refuse the whole file).",
    )(func)


def _common(func: F) -> F:
    """FILE, --db, --map, --dry-run, --json: what every import takes."""
    func = json_option(func)
    func = click.option("--dry-run", is_flag=True, help="Read and check the file, report what would change, write nothing.")(func)
    func = click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="COLUMN=FIELD",
        help="Read a column as a field (repeatable); FIELD 'ignore' skips a column.",
    )(func)
    func = event_option(writes=True)(func)
    return input_file_argument("file")(func)


def _mapping(maps: tuple[str, ...], fields: tuple[str, ...]) -> dict[str, str]:
    try:
        return parse_mapping(maps, fields)
    except ValueError as error:
        raise BadOption(f"--map: {error}") from None


def _show(report: ImportReport, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(report.lines()))


def _run(db_path: Path, call: Callable[[Any], ImportReport], as_json: bool) -> ImportReport:
    """Open the database, import, close; with `--json`, a refused file's problems are also
    printed on stdout as JSON (every one of them, with its line)."""
    db = open_db(db_path)
    try:
        return call(db)
    except ImportProblems as refused:
        if as_json:
            click.echo(json.dumps(refused.to_json(), ensure_ascii=False, indent=2))
        raise
    finally:
        db.conn.close()


@click.group(name="import")
def import_group() -> None:
    """Import attendees, the schedule or field visits into an event database.

    Each import reads the whole file first and refuses it, changing nothing, if any row
    is bad (every bad row is listed with its line number). Re-importing an updated file
    appends only what changed.

    \b
    Example:
        eventops import attendees pretix-export.csv --db event.db --dry-run
        eventops import attendees pretix-export.csv --store postgresql://hub@db.example/event --dry-run
    """


@import_group.command(name="attendees")
@_common
@click.option(
    "--preset",
    type=click.Choice(PRESETS),
    default="auto",
    show_default=True,
    help="Which export the header names come from (auto detects pretix and Eventbrite).",
)
@skip_invalid_option
@click.option(
    "--revoke-missing",
    is_flag=True,
    help="Revoke the badge of everyone registered who is cancelled in the file or no longer in it.",
)
def attendees_command(
    file: Path,
    db_path: Path,
    maps: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    preset: str,
    skip_invalid: bool,
    revoke_missing: bool,
) -> None:
    """Import attendees from a CSV export or a spreadsheet (pretix, Eventbrite, hand-made).

    CSV (comma, semicolon or tab; UTF-8 with or without BOM, or Windows-1252), .xlsx or
    .ods (pretix's "Order data" workbook: the Order positions sheet is read). Fields: id,
    name, first, last, org, city, country, role, email, phone, ref, tag. E-mail and phone
    stay in this database's local contacts, never in an event. Names that lost their
    letters in a re-save ('????', 'Ã©') are refused, never written over good ones.

    \b
    Example:
        eventops import attendees inscriptions.csv --db event.db --map "Institution=org"
        eventops import attendees sdc24_orders.xlsx --db event.db --skip-invalid --revoke-missing
        eventops import attendees inscriptions.csv --store postgresql://hub@db.example/event --map "Institution=org"
    """
    mapping = _mapping(maps, ATTENDEE_FIELDS)
    report = _run(
        db_path,
        lambda db: import_attendees(
            db,
            file,
            mapping=mapping,
            preset=preset,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            revoke_missing=revoke_missing,
            db_label=db_path,
        ),
        as_json,
    )
    _show(report, as_json)


@import_group.command(name="schedule")
@_common
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True, help="File format (auto: by content).")
@click.option("--capacity", "capacities", multiple=True, metavar="ROOM=N", help="Capacity of a room, by name or id (repeatable; wins over the file).")
@click.option(
    "--default-capacity",
    type=click.IntRange(1, 1_000_000),
    default=DEFAULT_CAPACITY,
    show_default=True,
    help="Capacity of a new room that has none in the file (a warning says so).",
)
@click.option("--room", "room", metavar="NAME", help="The room of every session, for a sheet without a room column.")
@skip_invalid_option
def schedule_command(
    file: Path,
    db_path: Path,
    maps: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    fmt: str,
    capacities: tuple[str, ...],
    default_capacity: int,
    room: str | None,
    skip_invalid: bool,
) -> None:
    """Import rooms and sessions: CSV/.xlsx/.ods, frab schedule.xml, or pretalx/frab schedule.json.

    Session times become ISO 8601 with the event's UTC offset. CSV fields: id, title,
    room, room_id, capacity, date, start, end, duration (Start time, Time Start, Begin,
    End time, Time End...; dates 2024-03-20 or 20/03/2024). A talk scheduled in several
    slots becomes one session per slot. A --capacity naming no known room is refused.

    \b
    Example:
        eventops import schedule schedule.json --db event.db --capacity "Auditorium=450"
        eventops import schedule workshops.csv --db event.db --room "Salle Horta"
        eventops import schedule schedule.json --store postgresql://hub@db.example/event --capacity "Auditorium=450"
    """
    mapping = _mapping(maps, SCHEDULE_FIELDS)
    try:
        rooms = parse_capacities(capacities)
    except ValueError as error:
        raise BadOption(f"--capacity: {error}") from None
    if room is not None and not room.strip():
        raise BadOption("--room: the room name is empty")
    try:
        report = _run(
            db_path,
            lambda db: import_schedule(
                db,
                file,
                fmt=fmt,
                mapping=mapping,
                capacities=rooms,
                default_capacity=default_capacity,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                room=room,
                db_label=db_path,
            ),
            as_json,
        )
    except UnknownRoom as error:
        raise BadOption(str(error)) from None
    _show(report, as_json)


@import_group.command(name="visits")
@_common
def visits_command(file: Path, db_path: Path, maps: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    """Import field visits, their buses and who rides which bus, from CSV.

    One row per attendee: visit_id, visit_title, day, depart, return, bus,
    bus_capacity, attendee (an id, registration reference, e-mail or unique name).
    The file is the full manifest of each visit it names.

    \b
    Example:
        eventops import visits visits.csv --db event.db
        eventops import visits visits.csv --store postgresql://hub@db.example/event
    """
    mapping = _mapping(maps, VISIT_FIELDS)
    report = _run(db_path, lambda db: import_visits(db, file, mapping=mapping, dry_run=dry_run, db_label=db_path), as_json)
    _show(report, as_json)


commands: list[click.Command] = [import_group]
