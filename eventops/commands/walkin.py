"""Command: `eventops register` (a walk-in registered and checked in at a desk, in one go)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from eventops.options import db_option, json_option, open_db

if TYPE_CHECKING:
    from checkin.walkin import NewBadge


@click.command("register")
@db_option
@click.option("--station", "station_id", required=True, help="This desk's id (allowed walk-ins: `station add ID --kind desk --walk-ins`).")
@click.option("--name", required=True, help="The walk-in's full name, as it goes on the badge.")
@click.option("--org", default="", help="Organisation.")
@click.option("--city", default="", help="City.")
@click.option("--country", default="", help="Country.")
@click.option("--role", default="", help="Role printed on the badge, e.g. participant.")
@click.option("--print", "print_", is_flag=True,
              help="Print the new badge (on --printer, else CUPS's default printer) and wait until it is printed.")
@click.option("--printer", metavar="NAME", help="With --print: the CUPS printer (lpstat -p lists them).")
@click.option("--label", type=click.Choice(["a6", "62mm"]), default="a6", show_default=True,
              help="With --print: an A6 card or a 62 mm continuous label.")
@json_option
def register_command(db_path: Path, station_id: str, name: str, org: str, city: str, country: str, role: str,
                     print_: bool, printer: str | None, label: str, as_json: bool) -> None:
    """Register a walk-in at this desk and check them in, in one transaction.

    The new badge is signed with the desk's own badge key, so every station accepts it. With
    --json, prints the verdict as `eventops scan` does, with the new badge under "badge"
    (payload, serial, signed_by). Refused with one line at a desk not allowed walk-ins.

    \b
    Example:
        eventops register --db desk-1.db --station desk-1 --name "Ana Lima" --org "Ville de Liège" --json
        eventops register --db desk-1.db --station desk-1 --name "Ana Lima" --print --printer Brother_QL --label 62mm

    With --print the printer is checked before anything is recorded; a print that then fails
    (paper, paused printer) leaves the walk-in registered and checked in, says why on stderr
    (and under "print" with --json) and exits 0: print it again from the desk app (F6).
    """
    from checkin.station import Station, StationConfig
    from checkin.walkin import Person, new_badge, register

    if printer is not None and not print_:
        raise click.UsageError("--printer is where --print prints: add --print")
    destination = _printer(printer) if print_ else None
    station = Station(open_db(db_path), StationConfig(station_id, "desk"))
    verdict = register(station, Person(name, org, city, country, role))
    badge = new_badge(verdict)
    assert badge is not None
    printed = _print(destination, label, badge, str(getattr(station.state.info, "name", "") or "")) if destination else None
    if as_json:
        if printed is not None:
            verdict = replace(verdict, extra={**verdict.extra, "print": printed})
        click.echo(verdict.dumps())
    else:
        click.echo(f"{verdict.headline}: {verdict.name} ({badge.attendee['id']}), walk-in checked in at {station_id}")
        click.echo(f"badge: {badge.payload}")
        if printed is not None and printed["state"] == "printed":
            click.echo(f"badge printed on {destination} ({printed['cups_id']})")
    if printed is not None and printed["state"] != "printed":
        click.echo(f"warning: badge not printed on {destination}: {printed['reason']}", err=True)


def _printer(printer: str | None) -> str:
    """The printer --print prints on, checked before anything is recorded."""
    from checkin.printing import check_printer, default_printer

    name = printer or default_printer()
    check_printer(name)
    return name


def _print(printer: str, label: str, badge: NewBadge, event: str) -> dict[str, str]:
    """Print the new badge and wait for CUPS to say it is printed (or why not)."""
    from checkin.printing import PrintQueue

    queue = PrintQueue(printer, label=label, event=event)
    try:
        job = queue.wait(queue.submit(badge.attendee, badge.payload), timeout=queue.wait_s + 10)
    finally:
        queue.close()
    return {"state": job.state, "reason": job.reason, "cups_id": job.cups_id, "printer": printer}


commands: list[click.Command] = [register_command]
