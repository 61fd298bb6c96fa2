"""All commands of the CLI, one module per area; each module exposes `commands`."""

from __future__ import annotations

import click

from eventops.commands import (
    badges,
    bus,
    certificates,
    dashboard,
    demo,
    devices,
    event,
    export,
    imports,
    rollcall,
    sessions,
    station,
    stations,
    syncing,
    walkin,
)

COMMANDS: list[click.Command] = [
    *event.commands,
    *imports.commands,
    *sessions.commands,
    *demo.commands,
    *badges.commands,
    *devices.commands,
    *station.commands,
    *bus.commands,
    *stations.commands,
    *syncing.commands,
    *dashboard.commands,
    *rollcall.commands,
    *export.commands,
    *certificates.commands,
    *walkin.commands,
]
