"""The stations panel: kind, place, last scan, scans today; silent stations marked."""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label

from checkin.i18n import _
from dashboard.panels.stations import StationLine, StationsData
from dashboard.widgets.rows import RowList, retitle

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


def station_classes(line: StationLine) -> dict[str, bool]:
    return {"-silent": line.silent_min is not None, "-revoked": line.revoked}


class StationRow(Label):
    line: reactive[StationLine | None] = reactive(None, init=False)

    def __init__(self, line: StationLine | None = None, **kwargs: Any) -> None:
        # Made with its line, a row is styled once, as it is mounted (not again by the watcher).
        super().__init__(station_text(line) if line is not None else "", **kwargs)
        if line is not None:
            self.set_reactive(StationRow.line, line)
            self.update_classes(station_classes(line), update=False)

    def watch_line(self, old: StationLine | None, line: StationLine | None) -> None:
        if line is None or line == old:
            return
        self.update(station_text(line))
        self.update_classes(station_classes(line))


class StationsPanel(VerticalScroll):
    """Draws `StationsData`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows = RowList[StationRow](self, lambda line: StationRow(line, classes="station"))

    def on_mount(self) -> None:
        retitle(self, _("Stations"))

    def show(self, data: StationsData) -> None:
        self._rows.show(data.stations)
        silent = _(" · {n} silent").format(n=data.silent) if data.silent else ""
        retitle(self, _("Stations · {n}").format(n=len(data.stations)) + silent, _("place · last scan · scans today"))
