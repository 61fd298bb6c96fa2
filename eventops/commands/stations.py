"""Commands: stations (add with a one-time enrolment code, enrol, revoke, list)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click

from eventops.options import db_option, json_option, new_database
from eventops.store_option import Where, store_option


@click.group("station")
def station() -> None:
    """Set up the stations that sync with a hub: add, enrol, revoke.

    \b
    Example:
        eventops station add desk-1 --kind desk --db hub.db
        eventops station enrol --db desk-1.db --hub http://10.0.0.2:8765 EO1-...
    """


def _qr_text(code: str) -> str:
    import qrcode

    qr = qrcode.QRCode(border=1)
    qr.add_data(code)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


@station.command("add")
@click.argument("station_id")
@click.option("--kind", type=click.Choice(["desk", "door", "bus", "hub", "dashboard"]), required=True, help="What the station does (hub: may relay every station's events).")
@store_option
@click.option("--place", default="", help="Room id for a door, bus id for a bus, desk name for a desk.")
@click.option("--hub-url", default=None, help="Hub address to put in the code (default: the address the hub last served on).")
@click.option("--no-qr", is_flag=True, help="Do not draw the QR code.")
@click.option("--walk-ins", is_flag=True, help="Desks only: may register walk-ins, reprint lost badges and fix names (a badge key of its own).")
@json_option
def add(station_id: str, kind: str, where: Where, place: str, hub_url: str | None, no_qr: bool, walk_ins: bool, as_json: bool) -> None:
    """Add a station on the hub's database and print its one-time enrolment code.

    The code carries a one-time secret and the hub's TLS fingerprint; it is shown as text
    and as a QR code. Adding a station again issues a new code.

    \b
    Example:
        eventops station add door-R1 --kind door --place R1 --db hub.db
        eventops station add desk-1 --kind desk --walk-ins --db hub.db
        eventops station add desk-9 --kind desk --store postgresql://hub@db.example/event
    """
    from sync.client import check_hub_url
    from sync.enrol import add_station

    if hub_url is not None:
        hub_url = check_hub_url(hub_url)  # the code carries it: a typo would reach every station
    db = where.open()
    enrolment = add_station(db, where.side_path, station_id, kind, place, hub_url, walk_ins=walk_ins)
    code = enrolment.encode()
    if as_json:
        click.echo(json.dumps({"station": station_id, "code": code}))
        return
    allowed = ", may register walk-ins" if walk_ins else ""
    click.echo(f"station {station_id} ({kind}{allowed}) added; on its laptop, enrol it once with:")
    click.echo(f"  eventops station enrol --db {station_id}.db --hub {enrolment.hub_url or 'URL'} {code}")
    if enrolment.fingerprint:
        click.echo(f"  (the code pins the hub's TLS certificate sha256 {enrolment.fingerprint[:16]}...)")
    if not no_qr:
        click.echo(_qr_text(code))


@station.command("enrol")
@db_option
@click.option("--hub", "hub_url", default=None, help="The hub's address, e.g. http://10.0.0.2:8765 (default: the code's hint).")
@click.argument("code")
@json_option
def enrol(db_path: Path, hub_url: str | None, code: str, as_json: bool) -> None:
    """Enrol this laptop as a station: get its token and the event's reference data.

    \b
    Example:
        eventops station enrol --db desk-1.db --hub http://10.0.0.2:8765 EO1-eyJzIjoi...
    """
    from sync.client import check_hub_url
    from sync.enrol import enrol as do_enrol

    if hub_url is not None:
        hub_url = check_hub_url(hub_url)  # before a database is created for nothing
    with new_database(db_path) as db:  # a failed enrolment leaves no half-made station behind
        answer, report = do_enrol(db, code, hub_url)
    if as_json:
        click.echo(json.dumps({"station": answer["station"], "role": answer.get("role"), "hub": answer.get("hub"), "pulled": report.pulled}))
        return
    click.echo(f"enrolled as {answer['station']} with hub {answer.get('hub')}; fetched {report.pulled} events")


@station.command("revoke")
@click.argument("station_id")
@store_option
def revoke(station_id: str, where: Where) -> None:
    """Revoke a station: the hub refuses its token from now on.

    Events it sent before stay; events relayed or carried in a bundle from it later are
    quarantined as an incident.

    \b
    Example:
        eventops station revoke desk-3 --db hub.db
        eventops station revoke desk-3 --store postgresql://hub@db.example/event
    """
    from sync.enrol import revoke_station

    db = where.open()
    revoke_station(db, station_id)
    click.echo(f"station {station_id} revoked: the hub refuses its token from now on")


@station.command("list")
@store_option
@json_option
def list_(where: Where, as_json: bool) -> None:
    """List the stations this hub knows, enrolled or not, revoked or not.

    \b
    Example:
        eventops station list --db hub.db
        eventops station list --store postgresql://hub@db.example/event
    """
    from sync.store import list_stations

    rows = list_stations(where.open())
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("no stations yet (add one with `eventops station add`)")
    for row in rows:
        state = "revoked" if row["revoked"] else "enrolled" if row["enrolled"] else "waiting for enrolment"
        click.echo(f"{row['station']:<20} {row['kind']:<10} {state}")


commands: list[click.Command] = [station]
