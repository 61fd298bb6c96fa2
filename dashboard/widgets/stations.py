"""The stations panel: kind, place, last scan, scans today; silent stations marked."""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label

from dashboard.panels.stations import StationLine, StationsData
from dashboard.widgets.rows import fit_rows, retitle

KIND_LABELS = {"dashboard": "dash", "organiser": "org"}


def station_text(line: StationLine) -> str:
    state = ""
    if line.revoked:
        state = "revoked"
    elif line.silent_min is not None:
        hours, minutes = divmod(line.silent_min, 60)
        state = f"SILENT {hours}h{minutes:02d}" if hours else f"SILENT {minutes}m"
    sync = ""
    if line.last_sync_label:
        sync = f" sync {line.last_sync_label}" + (f", {line.waiting} waiting" if line.waiting else "")
    return f"{line.id[:11]:<11} {KIND_LABELS.get(line.kind, line.kind)[:5]:<5} {line.place[:13]:<13} {line.last_label:>5} {line.scans_today:>4} {state}{sync}"


class StationRow(Label):
    line: reactive[StationLine | None] = reactive(None, init=False)

    def watch_line(self, old: StationLine | None, line: StationLine | None) -> None:
        if line is None or line == old:
            return
        self.update(station_text(line))
        self.set_class(line.silent_min is not None, "-silent")
        self.set_class(line.revoked, "-revoked")


class StationsPanel(VerticalScroll):
    """Draws `StationsData`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: list[StationRow] = []

    def on_mount(self) -> None:
        retitle(self, "Stations")

    def show(self, data: StationsData) -> None:
        rows = self._rows
        fit_rows(self, rows, len(data.stations), lambda: StationRow(classes="station"))
        for row, line in zip(rows, data.stations, strict=False):
            row.line = line
        silent = f" · {data.silent} silent" if data.silent else ""
        retitle(self, f"Stations · {len(data.stations)}{silent}", "place · last scan · scans today")
