"""The field-visits panel: one row per bus, its state, boarded against assigned, who is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive

from dashboard.panels.visits import BusLine, VisitsData
from dashboard.widgets.rows import Field, fit_rows, retitle

SHOW_NAMES = 3


def missing_text(line: BusLine) -> str:
    if not line.missing_names:
        return "all aboard" if line.assigned and line.boarded else ""
    if line.state == "boarding" and not line.boarded:
        return f"{line.assigned} to board"
    names = ", ".join(line.missing_names[:SHOW_NAMES])
    more = f" +{len(line.missing_names) - SHOW_NAMES} more" if len(line.missing_names) > SHOW_NAMES else ""
    word = "not aboard" if line.state == "boarding" else "MISSING"
    return f"{word} ({len(line.missing_names)}): {names}{more}"


class BusRow(Vertical, can_focus=True):
    """One bus; Enter asks for who is aboard and who is missing."""

    BINDINGS = [Binding("enter", "choose", "Who is aboard", show=True)]

    @dataclass
    class Chosen(Message):
        bus_id: str

    line: reactive[BusLine | None] = reactive(None, init=False)

    def compose(self) -> ComposeResult:
        self._cell_label = Field("", classes="bus-label")
        self._cell_state = Field("", classes="bus-state")
        self._cell_count = Field("", classes="bus-count")
        self._cell_missing = Field("", classes="bus-missing")
        with Horizontal(classes="bus-line"):
            yield from (self._cell_label, self._cell_state, self._cell_count)
        yield self._cell_missing

    def on_mount(self) -> None:
        self._draw(self.line)

    def watch_line(self, old: BusLine | None, line: BusLine | None) -> None:
        if line != old and self.is_mounted:
            self._draw(line)

    def _draw(self, line: BusLine | None) -> None:
        if line is None:
            return
        self._cell_label.show(f"{line.label} · {line.visit_title}")
        self._cell_state.show(line.state_label)
        self._cell_count.show(f"{line.boarded}/{line.assigned}")
        self._cell_missing.show(missing_text(line))
        for state in ("boarding", "departed", "returned"):
            self.set_class(line.state == state, f"-{state}")
        self.set_class(bool(line.missing), "-missing")

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
        self._rows: list[BusRow] = []

    def on_mount(self) -> None:
        retitle(self, "Field visits")

    def show(self, data: VisitsData) -> None:
        rows = self._rows
        focused = next((r.line.id for r in rows if r.has_focus and r.line), None)
        fit_rows(self, rows, len(data.buses), BusRow)
        for row, line in zip(rows, data.buses, strict=False):
            row.line = line
            if focused is not None and line.id == focused and not row.has_focus:
                row.focus(scroll_visible=False)
        missing = f" · {data.missing} left behind" if data.missing else ""
        retitle(self, f"Field visits {data.day} · {len(data.buses)} buses{missing}")
        self.set_class(not data.buses, "-empty")
