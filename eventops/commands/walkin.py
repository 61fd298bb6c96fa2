"""Command: `eventops register` (a walk-in registered and checked in at a desk, in one go)."""

from __future__ import annotations

from pathlib import Path

import click

from eventops.options import db_option, json_option, open_db


@click.command("register")
@db_option
@click.option("--station", "station_id", required=True, help="This desk's id (allowed walk-ins: `station add ID --kind desk --walk-ins`).")
@click.option("--name", required=True, help="The walk-in's full name, as it goes on the badge.")
@click.option("--org", default="", help="Organisation.")
@click.option("--city", default="", help="City.")
@click.option("--country", default="", help="Country.")
@click.option("--role", default="", help="Role printed on the badge, e.g. participant.")
@json_option
def register_command(db_path: Path, station_id: str, name: str, org: str, city: str, country: str, role: str,
                     as_json: bool) -> None:
    """Register a walk-in at this desk and check them in, in one transaction.

    The new badge is signed with the desk's own badge key, so every station accepts it. With
    --json, prints the verdict as `eventops scan` does, with the new badge under "badge"
    (payload, serial, signed_by). Refused with one line at a desk not allowed walk-ins.

    \b
    Example:
        eventops register --db desk-1.db --station desk-1 --name "Ana Lima" --org "Ville de Liège" --json
    """
    from checkin.station import Station, StationConfig
    from checkin.walkin import Person, new_badge, register

    station = Station(open_db(db_path), StationConfig(station_id, "desk"))
    verdict = register(station, Person(name, org, city, country, role))
    badge = new_badge(verdict)
    assert badge is not None
    # PRINTING HAND-OFF: `--print` (checkin/printing.py, the printing work) takes `badge` here.
    if as_json:
        click.echo(verdict.dumps())
        return
    click.echo(f"{verdict.headline}: {verdict.name} ({badge.attendee['id']}), walk-in checked in at {station_id}")
    click.echo(f"badge: {badge.payload}")


commands: list[click.Command] = [register_command]
