"""The stations panel: kind, place, last scan, scans today; silent stations marked."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from checkin.i18n import _
from dashboard.panels.stations import StationLine, StationsData
from dashboard.widgets.rows import retitle

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


class StationLines(Static):
    """Every station, a line each, in one widget: a large event has hundreds of stations, and a
    widget per line cost the first paint a millisecond or two each (styles, layout). A silent or
    revoked station's line takes its colours from the stylesheet (component classes)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"station-lines--silent", "station-lines--revoked"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.lines: tuple[StationLine, ...] = ()

    def show(self, lines: tuple[StationLine, ...]) -> None:
        if lines != self.lines:
            grown = len(lines) != len(self.lines)  # the list's height changed: lay the screen out again
            self.lines = lines
            self.refresh(layout=grown)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop", end="")
        for index, line in enumerate(self.lines):
            if index:
                text.append("\n")
            kind = "revoked" if line.revoked else ("silent" if line.silent_min is not None else "")
            text.append(station_text(line), self.get_component_rich_style(f"station-lines--{kind}") if kind else "")
        return text


class StationsPanel(VerticalScroll):
    """Draws `StationsData`."""

    def compose(self) -> ComposeResult:
        yield StationLines()

    def on_mount(self) -> None:
        retitle(self, _("Stations"))

    def show(self, data: StationsData) -> None:
        self.query_one(StationLines).show(data.stations)
        silent = _(" · {n} silent").format(n=data.silent) if data.silent else ""
        retitle(self, _("Stations · {n}").format(n=len(data.stations)) + silent, _("place · last scan · scans today"))
