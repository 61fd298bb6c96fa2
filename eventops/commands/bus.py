"""Commands: bus (a field visit's departure, return and manifest, headless).

Thin wiring over `checkin.bus`: the same functions the bus screen of the station app calls.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from eventops.options import db_option, json_option, open_db
from eventops.store_option import event_option


@click.group("bus")
def bus() -> None:
    """Field visits by bus: record departure and return, print a bus's manifest.

    \b
    Example:
        eventops bus manifest --db bus-V1-B1.db --bus V1-B1
        eventops bus depart --db bus-V1-B1.db --station bus-V1-B1 --visit V1 --bus V1-B1
    """


def _station(db_path: Path, station_id: str | None, visit: str | None, bus_id: str) -> Any:
    """The headless bus station over `db_path`, checked against the event (clear errors).

    Without --visit the visit is the bus's own; without --station, the id this database was
    enrolled as (else `bus-BUS`).
    """
    from checkin import bus as bus_mode
    from checkin.station import (
        Station,
        StationConfig,
        StationNotReady,
        enrolled_station,
        readiness_problems,
    )

    db = open_db(db_path)
    enrolled = enrolled_station(db)
    if station_id is None:
        station_id = enrolled or f"bus-{bus_id}"
    # The station fills the visit from the bus's own when --visit is not given.
    station = Station(db, StationConfig(station_id, "bus", visit=visit, bus=bus_id), check=False)
    bus_mode.bus_of(station.state, station.config)  # an unknown bus or the wrong visit, in plain words
    problems = readiness_problems(station.state, station.config, str(db_path), enrolled=enrolled)
    if problems:
        raise StationNotReady("; ".join(problems))
    return station


def _options(func: Any) -> Any:
    func = click.option("--bus", "bus_id", required=True, help="The bus, e.g. V1-B1.")(func)
    func = click.option("--visit", default=None, help="The field visit the bus belongs to, e.g. V1 (checked).")(func)
    func = click.option(
        "--station", "station_id", default=None,
        help="This bus station's id (default: the id this database was enrolled as, else bus-BUS).",
    )(func)
    return db_option(func)


@bus.command("depart")
@_options
@click.option("--confirm-missing", is_flag=True, help="Record the departure even though people are missing.")
def depart(db_path: Path, station_id: str | None, visit: str | None, bus_id: str, confirm_missing: bool) -> None:
    """Record the bus's departure with its headcount; prints the verdict as one JSON object.

    With people missing, nothing is recorded unless --confirm-missing is given: the verdict
    (reason confirm_missing) lists them, each with where the log last saw them.
    Exit status 0 whatever the verdict.

    \b
    Example:
        eventops bus depart --db bus-V1-B1.db --station bus-V1-B1 --visit V1 --bus V1-B1
        eventops bus depart --db bus-V1-B1.db --station bus-V1-B1 --visit V1 --bus V1-B1 --confirm-missing
    """
    from checkin import bus as bus_mode

    station = _station(db_path, station_id, visit, bus_id)
    click.echo(bus_mode.depart(station, confirm_missing=confirm_missing).dumps())


@bus.command("return")
@_options
def return_(db_path: Path, station_id: str | None, visit: str | None, bus_id: str) -> None:
    """Record the bus's return: everyone aboard is back at the venue; prints JSON.

    \b
    Example:
        eventops bus return --db bus-V1-B1.db --station bus-V1-B1 --visit V1 --bus V1-B1
    """
    from checkin import bus as bus_mode

    station = _station(db_path, station_id, visit, bus_id)
    click.echo(bus_mode.return_(station).dumps())


@bus.command("manifest")
@event_option()
@click.option("--bus", "bus_id", required=True, help="The bus, e.g. V1-B1.")
@json_option
def manifest(db_path: Path, bus_id: str, as_json: bool) -> None:
    """Print a bus's manifest: who is aboard, who is missing and where they were last seen.

    \b
    Example:
        eventops bus manifest --db hub.db --bus V1-B1 --json
        eventops bus manifest --store postgresql://hub@db.example/event --bus V1-B1 --json
    """
    from checkin import bus as bus_mode
    from db.fold import load_state
    from db.hlc import system_wall_ms
    from db.status import reference_now

    state = load_state(open_db(db_path))
    sheet = bus_mode.manifest(state, bus_id, reference_now(state, system_wall_ms()))
    if as_json:
        click.echo(json.dumps(sheet.to_json(), ensure_ascii=False))
        return
    for line in bus_mode.manifest_text(sheet, state):
        click.echo(line)


commands: list[click.Command] = [bus]
