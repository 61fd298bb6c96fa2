"""The field-visits panel: one row per bus, its state, boarded against assigned, who is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from checkin.i18n import N_, _
from dashboard.panels.visits import BusLine, VisitsData
from dashboard.widgets.rooms import fit
from dashboard.widgets.rows import RowList, retitle

SHOW_NAMES = 3
STATE_WIDTH, COUNT_WIDTH = 17, 7


def missing_text(line: BusLine) -> str:
    """Who is missing; then how many got off a bus that left (seen elsewhere since)."""
    text = _missing(line)
    if line.left:
        gone = _("{n} off the bus").format(n=len(line.left))
        return f"{text} · {gone}" if text else gone
    return text


def _missing(line: BusLine) -> str:
    if not line.missing_names:
        return _("all aboard") if line.assigned and line.boarded else ""
    if line.state == "boarding" and not line.boarded:
        return _("{n} to board").format(n=line.assigned)
    names = ", ".join(line.missing_names[:SHOW_NAMES])
    more = _(" +{n} more").format(n=len(line.missing_names) - SHOW_NAMES) if len(line.missing_names) > SHOW_NAMES else ""
    word = _("not aboard") if line.state == "boarding" else _("MISSING")
    return f"{word} ({len(line.missing_names)}): {names}{more}"


def state_classes(line: BusLine) -> dict[str, bool]:
    """The row's CSS classes for `line`: its state, and whether anyone is missing."""
    classes = {f"-{state}": line.state == state for state in ("boarding", "departed", "returned")}
    classes["-missing"] = bool(line.missing)
    return classes


class BusRow(Widget, can_focus=True):
    """One bus on two lines; Enter asks for who is aboard and who is missing."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"bus-row--label", "bus-row--state", "bus-row--count", "bus-row--missing"}
    BINDINGS = [Binding("enter", "choose", N_("Who is aboard"), show=True)]
    DEFAULT_CSS = "BusRow { height: 2; }"

    @dataclass
    class Chosen(Message):
        bus_id: str

    line: reactive[BusLine | None] = reactive(None)

    def __init__(self, line: BusLine | None = None, **kwargs: Any) -> None:
        # Made with its line, a row is styled once, as it is mounted (not again by the watcher).
        super().__init__(**kwargs)
        self.cells: dict[str, str] = {}
        if line is not None:
            self.set_reactive(BusRow.line, line)
            self.update_classes(state_classes(line), update=False)

    def watch_line(self, line: BusLine | None) -> None:
        if line is not None:
            self.update_classes(state_classes(line))

    def render(self) -> Text:
        line = self.line
        if line is None:
            return Text("")
        width = self.content_size.width
        self.cells = {
            "label": f"{line.label} · {line.visit_title}",
            "state": line.state_label,
            "count": f"{line.boarded}/{line.assigned}",
            "missing": missing_text(line),
        }
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(fit(self.cells["label"], max(0, width - STATE_WIDTH - COUNT_WIDTH - 1)), style("bus-row--label"))
        text.append(" " + fit(self.cells["state"], STATE_WIDTH - 1), style("bus-row--state"))
        text.append(self.cells["count"].rjust(COUNT_WIDTH), style("bus-row--count"))
        text.append("\n  ")
        text.append(fit(self.cells["missing"], max(0, width - 2)), style("bus-row--missing"))
        return text

    def action_choose(self) -> None:
        if self.line is not None:
            self.post_message(self.Chosen(self.line.id))

    def on_click(self) -> None:
        self.focus()
        self.action_choose()


class VisitsPanel(VerticalScroll):
    """Draws `VisitsData`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows = RowList[BusRow](self, BusRow)

    def on_mount(self) -> None:
        retitle(self, _("Field visits"))

    def show(self, data: VisitsData) -> None:
        self._rows.show(data.buses)
        missing = _(" · {n} left behind").format(n=data.missing) if data.missing else ""
        retitle(self, _("Field visits {day} · {n} buses").format(day=data.day, n=len(data.buses)) + missing)
        self.set_class(not data.buses, "-empty")
