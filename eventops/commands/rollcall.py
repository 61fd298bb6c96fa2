"""Commands: rollcall (every room and bus with the people presumed there, for when no screen is at hand).

Thin wiring over `db.views.roll_call` (the roll call the dashboard's `r` shows) and
`dashboard.rollcall` (its CSV and PDF).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from eventops.options import folded_at, json_option
from eventops.store_option import event_option


@click.command("rollcall")
@event_option()
@click.option("--at", "at", default=None, metavar="TIME",
              help="As the log stood at this moment (2024-03-20T11:00, or HH:MM on the event's first day).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Also write the roll call's CSV and printable PDF into this directory.")
@json_option
def rollcall(db_path: Path, at: str | None, out_dir: Path | None, as_json: bool) -> None:
    """Every room and bus with the people presumed there: names, organisation, since when.

    As of now during the event; for a past event as of its last scan; with --at, as the log
    stood at that moment. Buses are named by visit and bus ("V2 · Coach 1"). The same roll call
    as the dashboard's (key r), from the same read model as `eventops status`.

    \b
    Example:
        eventops rollcall --db hub.db
        eventops rollcall --db hub.db --at 2024-03-20T14:00 --out rollcall/ --json
        eventops rollcall --store postgresql://hub@db.example/event
    """
    from db import views
    from db.hlc import system_wall_ms
    from db.status import reference_now

    state, moment = folded_at(db_path, at, "nothing to call the roll of")  # as the log stood then
    now = moment if moment is not None else reference_now(state, system_wall_ms())
    roll = views.roll_call(state, now)
    report = roll.to_json(views.iso_local(state, now))
    if out_dir is not None:
        from dashboard.rollcall import write_roll_call

        files = write_roll_call(roll, out_dir)
        report["files"] = {"csv": str(files.csv), "pdf": str(files.pdf)}
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    click.echo(f"Roll call: {roll.event} · {roll.at_label} ({roll.tz}) · {roll.total} people presumed on site")
    for place in roll.places:
        capacity = f" / {place.capacity}" if place.capacity else ""
        click.echo(f"\n{place.title} ({len(place.people)}{capacity})")
        for index, person in enumerate(place.people, 1):
            click.echo(f"  {index:>4}  {person.name[:30]:<30} {person.org[:30]:<30} since {person.since}")
    if out_dir is not None:
        click.echo(f"\nwritten: {report['files']['csv']}  ·  {report['files']['pdf']}")


commands: list[click.Command] = [rollcall]
