"""Commands: create an event, list its attendees, report its state."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import click

from eventops.options import db_option, json_option, open_db
from eventops.store_option import event_option


@click.command("init")
@db_option
@click.option("--name", required=True, help="The event's name, as printed on badges.")
@click.option("--days", required=True, help="Event days: FIRST:LAST (a range) or DAY,DAY,...")
@click.option("--tz", default="Europe/Brussels", show_default=True, help="The event's time zone.")
def init_command(db_path: Path, name: str, days: str, tz: str) -> None:
    """Create a new, empty event in a new database.

    \b
    Example:
        eventops init --db sdc.db --name "Security, Democracy & Cities" --days 2024-03-20:2024-03-22
    """
    from db.errors import EventOpsError
    from db.event import check_tz, create_event, parse_days

    day_list = parse_days(days)
    check_tz(tz)
    if not name.strip():
        raise EventOpsError("the event needs a name (--name)")
    if db_path.exists():
        from db.event import has_event

        if has_event(open_db(db_path)):
            raise EventOpsError(f"{db_path} already holds an event; use another --db path")
    db = open_db(db_path, create=True)
    event = create_event(db, name, day_list, tz)
    click.echo(f"created event {event.data['id']} \"{name}\" ({day_list[0]} to {day_list[-1]}, {tz}) in {db_path}")


@click.command("attendees")
@event_option()
@click.option("--search", "search", default=None, help="Only attendees found by TEXT as the desk's search finds them (name, organisation or city; any script or accent; a typo or two), best matches first.")
@json_option
def attendees_command(db_path: Path, search: str | None, as_json: bool) -> None:
    """List the attendees (id, name, organisation, city, country, role).

    \b
    Example:
        eventops attendees --db sdc.db --search liege
        eventops attendees --db sdc.db --json
        eventops attendees --store postgresql://hub@db.example/event --search liege
    """
    from db.fold import load_state
    from db.views import name_key

    state = load_state(open_db(db_path))
    people = sorted(state.attendees.values(), key=lambda a: name_key(a, a.id))
    if search:
        from checkin.search import NameIndex

        # The station's own search (F2): any script, a typo or two, best matches first.
        people = [hit.attendee for hit in NameIndex(people).search(search, limit=None)]
    rows = [a.public() for a in people]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        walk_in = f"  walk-in ({row['registered_by']})" if row["walk_in"] else ""
        click.echo(f"{row['id']:<8} {row['name'][:30]:<30} {row['organisation'][:34]:<34} {row['city'][:18]:<18} {row['country']:<3} {row['role']}{walk_in}")
    click.echo(f"{len(rows)} attendee{'s' if len(rows) != 1 else ''}", err=True)


@click.command("status")
@event_option()
@json_option
@click.option("--at", "at", default=None, help="Report as of this local time (YYYY-MM-DDTHH:MM) instead of now.")
def status_command(db_path: Path, as_json: bool, at: str | None) -> None:
    """Report the event's state: arrivals, rooms, buses, stations, incidents.

    As of now during the event; for a past event (such as the demo) as of its last scan;
    with --at, as the log stood at that moment.

    \b
    Example:
        eventops status --db sdc.db
        eventops status --db sdc.db --json --at 2024-03-20T11:00
        eventops status --store postgresql://hub@db.example/event
    """
    from db.errors import EventOpsError
    from db.fold import fold_events, load_state, parse_local
    from db.hlc import system_wall_ms
    from db.snapshots import held
    from db.status import reference_now, render_text, status

    db = open_db(db_path)
    state = load_state(db)
    # A command that reads its state once: the cyclic collector need never walk it (a full pass
    # over a million folded records is a tenth of a second).
    gc.freeze()
    if at:
        try:
            now = parse_local(at, state.tz)
        except ValueError:
            raise EventOpsError(f"--at {at!r}: expected a time like 2024-03-20T11:00") from None
        # As the log stood then: only what had happened by that moment.
        state = fold_events(e for e in state.events if e.at_ms <= now)
    else:
        now = reference_now(state, system_wall_ms())
    report = status(state, now, vector=held(db))  # db.log.vector's answer, without reading every row
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(render_text(report))


commands: list[click.Command] = [init_command, attendees_command, status_command]
