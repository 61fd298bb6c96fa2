"""The stations panel: kind, place, last scan, scans today; silent stations marked."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label

from dashboard.panels.stations import StationLine, StationsData


def station_text(line: StationLine) -> str:
    state = ""
    if line.revoked:
        state = "revoked"
    elif line.silent_min is not None:
        hours, minutes = divmod(line.silent_min, 60)
        state = f"SILENT {hours}h{minutes:02d}" if hours else f"SILENT {minutes}m"
    return f"{line.id[:11]:<11} {line.kind[:5]:<5} {line.place[:13]:<13} {line.last_label:>5} {line.scans_today:>4} {state}"


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

    def on_mount(self) -> None:
        self.border_title = "Stations"

    def show(self, data: StationsData) -> None:
        rows = list(self.query(StationRow))
        if len(rows) < len(data.stations):
            new = [StationRow(classes="station") for _ in range(len(data.stations) - len(rows))]
            self.mount_all(new)
            rows += new
        for extra in rows[len(data.stations) :]:
            extra.remove()
        for row, line in zip(rows, data.stations, strict=False):
            row.line = line
        silent = f" · {data.silent} silent" if data.silent else ""
        self.border_title = f"Stations · {len(data.stations)}{silent}"
        self.border_subtitle = "place · last scan · scans today"
