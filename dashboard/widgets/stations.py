"""The stations panel: kind, place, last scan, scans today; silent stations marked."""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label

from checkin.i18n import _
from dashboard.panels.stations import StationLine, StationsData
from dashboard.widgets.rows import fit_rows, retitle

KIND_LABELS = {"dashboard": "dash", "organiser": "org"}


def station_text(line: StationLine) -> str:
    state = ""
    if line.revoked:
        state = _("revoked")
    elif line.silent_min is not None:
        hours, minutes = divmod(line.silent_min, 60)
        state = _("SILENT {time}").format(time=f"{hours}h{minutes:02d}" if hours else f"{minutes}m")
    sync = ""
    if line.last_sync_label:
        sync = _(" sync {time}").format(time=line.last_sync_label) + (
            _(", {n} waiting").format(n=line.waiting) if line.waiting else "")
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
        retitle(self, _("Stations"))

    def show(self, data: StationsData) -> None:
        rows = self._rows
        fit_rows(self, rows, len(data.stations), lambda: StationRow(classes="station"))
        for row, line in zip(rows, data.stations, strict=False):
            row.line = line
        silent = _(" · {n} silent").format(n=data.silent) if data.silent else ""
        retitle(self, _("Stations · {n}").format(n=len(data.stations)) + silent, _("place · last scan · scans today"))
