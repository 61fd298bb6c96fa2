"""Commands: `eventops scan` (the headless station) and `eventops checkin` (the station app)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from eventops.lang import lang_option
from eventops.options import db_option, log_level_option, open_db, start_logging

F = TypeVar("F", bound=Callable[..., Any])
logger = logging.getLogger("eventops.cli")


def station_options(func: F) -> F:
    """--station, --mode, --room, --exit, --visit, --bus: where and how this station scans.

    On a laptop enrolled as a station (`eventops station enrol`), --station must be that id.
    """
    for option in reversed(
        [
            click.option("--station", "station_id", required=True,
                         help="This station's id, e.g. desk-1 or door-R1 (on an enrolled laptop: the enrolled id)."),
            click.option("--mode", type=click.Choice(["desk", "door", "bus"]), default="desk", show_default=True,
                         help="Desk check-in, room door, or bus boarding."),
            click.option("--room", help="Door mode: the room id (default: the station's registered place)."),
            click.option("--exit", "exit_", is_flag=True, help="Door mode: scan people out of the room."),
            click.option("--visit", help="Bus mode: the visit id (default: the bus's own visit)."),
            click.option("--bus", help="Bus mode: the bus id (default: the station's registered place)."),
            click.option("--requires-checkin", is_flag=True,
                         help="Door mode: refuse people not checked in at a desk today (default: admit, amber)."),
            click.option("--strict-days", is_flag=True,
                         help="Desk and door: refuse scans on a day that is not one of the event's days "
                              "(default: amber, recorded, not counted)."),
        ]
    ):
        func = option(func)
    return func


def _open_station(db_path: Path, station_id: str, mode: str, room: str | None, exit_: bool,
                  visit: str | None, bus: str | None, requires_checkin: bool, strict_days: bool = False) -> Any:
    from checkin.station import Station, StationConfig

    db = open_db(db_path)
    config = StationConfig(station_id, mode, room=room, exit=exit_, visit=visit, bus=bus,
                           door_requires_checkin=requires_checkin, strict_days=strict_days)
    return Station(db, config)


@click.command("scan")
@db_option
@station_options
@click.option("--override", is_flag=True, help="Door mode: admit even when the room is full (recorded as such).")
@click.argument("payload")
def scan_command(db_path: Path, station_id: str, mode: str, room: str | None, exit_: bool, visit: str | None,
                 bus: str | None, requires_checkin: bool, strict_days: bool, override: bool, payload: str) -> None:
    """Decide one scanned badge exactly as the station app would, record it, print the verdict.

    Prints one JSON object: status (ok, warning, refused), reason (a stable word such as
    checked_in, already_checked_in, entered, room_full, revoked, forged, malformed),
    attendee (id and name, or null) and event (station_id and seq of what was recorded).
    Exits 0 whatever the verdict.

    \b
    Example:
        eventops scan --db event.db --station desk-1 --mode desk 1K3F...
        eventops scan --db event.db --station door-R1 --mode door --room R1 1K3F...
    """
    from checkin.rules import StationModeMissing, has_mode

    if not has_mode(mode):
        raise StationModeMissing(f"{mode} mode is not available in this version")
    station = _open_station(db_path, station_id, mode, room, exit_, visit, bus, requires_checkin, strict_days)
    verdict = station.scan(payload, override=override)
    click.echo(verdict.dumps())


@click.command("checkin")
@db_option
@station_options
@click.option("--camera", metavar="SOURCE",
              help="Camera to scan with: a device index (0), a video file or a stream URL.")
@click.option("--hub", metavar="URL", help="Sync with this hub while scanning (default: the enrolled hub, if any).")
@click.option("--preview/--no-preview", default=True, show_default=True, help="Draw a small camera preview.")
@click.option("--sound/--no-sound", default=True, show_default=True, help="Play a sound on every verdict.")
@click.option("--printer", metavar="NAME",
              help="Desk mode: print each person's badge on this CUPS printer at their first check-in (F6 reprints).")
@click.option("--label", type=click.Choice(["a6", "62mm"]), default=None,
              help="With --printer: an A6 card (default) or a 62 mm continuous label.")
@lang_option
@log_level_option
def checkin_command(db_path: Path, station_id: str, mode: str, room: str | None, exit_: bool, visit: str | None,
                    bus: str | None, requires_checkin: bool, strict_days: bool, camera: str | None, hub: str | None,
                    preview: bool, sound: bool, printer: str | None, label: str | None, log_level: str) -> None:
    """Run the check-in station app: scan badges with a USB scanner or a camera.

    A normal check-in needs no key press: scan, read the big green, amber or red card.
    F2 searches by name, F3 undoes the last scan, F4 switches a door between entry and
    exit, F1 shows help. Sync trouble (offline, refused, back online) is recorded in DB.log.

    With --printer, a desk prints the badge a person scans at their first check-in of the
    event, through CUPS (lp); a failed print is an amber line on the card, F6 retries.

    \b
    Example:
        eventops checkin --db event.db --station desk-1 --mode desk
        eventops checkin --db event.db --station desk-1 --printer Brother_QL-820NWB --label 62mm
        eventops checkin --db event.db --station door-R1 --mode door --room R1 --camera 0
        eventops checkin --db bus.db --station bus-V1-B1 --mode bus --bus V1-B1
        eventops checkin --db event.db --station desk-1 --lang fr
    """
    from checkin.rules import StationModeMissing, has_mode

    if not has_mode(mode):
        raise StationModeMissing(f"{mode} mode is not available in this version")
    _check_printing(mode, printer, label)
    station = _open_station(db_path, station_id, mode, room, exit_, visit, bus, requires_checkin, strict_days)
    printing = _print_queue(station, printer, label)
    start_logging(db_path, log_level)
    logger.info("station %s (%s) starting%s", station_id, mode, f", camera {camera}" if camera else "")
    sync_loop = _sync_loop(db_path, hub)

    from checkin.tui.app import CheckinApp

    app_class: Any = CheckinApp
    if mode == "bus":
        from checkin.tui.bus_app import BusCheckinApp  # the bus screen: manifest, depart, return

        app_class = BusCheckinApp
    extra = {"printing": printing} if printing is not None else {}
    app = app_class(station, camera=camera, sync=sync_loop, preview=preview, sound=sound, **extra)
    try:
        app.run()
    finally:
        if sync_loop is not None:
            sync_loop.stop()
        if printing is not None:
            printing.close()
        logger.info("station %s closed", station_id)


def _check_printing(mode: str, printer: str | None, label: str | None) -> None:
    """Refuse, in one line, a printer where badges are not printed or one CUPS does not know."""
    from checkin.printing import PrintProblem, check_printer

    if printer is None:
        if label is not None:
            raise PrintProblem("--label is the size of the badges --printer prints: give --printer NAME too")
        return
    if mode != "desk":
        raise PrintProblem(f"--printer prints badges at a desk: a {mode} station prints nothing (use --mode desk)")
    check_printer(printer)


def _print_queue(station: Any, printer: str | None, label: str | None) -> Any:
    """The desk's print queue (None without --printer)."""
    if printer is None:
        return None
    from checkin.printing import A6, PrintQueue

    info = station.state.info
    return PrintQueue(printer, label=label or A6, event=str(getattr(info, "name", "") or ""))


def _sync_loop(db_path: Path, hub: str | None) -> Any:
    """The background sync loop when a hub is given or enrolled; None means "offline"."""
    try:
        from sync.client import HUB_URL, SyncLoop
    except ImportError:
        return None
    from db.connect import get_setting

    if hub is None:
        db = open_db(db_path)
        try:
            hub = get_setting(db, HUB_URL)
        finally:
            db.conn.close()
    if not hub:
        return None
    return SyncLoop(db_path, hub).start()


commands: list[click.Command] = [scan_command, checkin_command]
