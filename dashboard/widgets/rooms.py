"""The rooms panel: one row per room, its occupancy bar coloured at 80 % and 100 % by CSS class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from dashboard.panels.rooms import FULL, OK, OVER, WARN, RoomLine, RoomsData
from dashboard.widgets.rows import Field, fit_rows, retitle

LEVEL_CLASSES = {OK: "-ok", WARN: "-warn", FULL: "-full", OVER: "-over"}


class OccupancyBar(Widget):
    """`██████░░░░`: the share of the capacity in use (colour from the row's level class)."""

    DEFAULT_CSS = """
    OccupancyBar { width: 1fr; height: 1; }
    """

    share: reactive[float] = reactive(0.0)

    def render(self) -> Text:
        width = self.content_size.width
        filled = min(width, round(min(self.share, 1.0) * width))
        return Text("█" * filled + "░" * (width - filled))


def trend_text(trend: int | None) -> str:
    if trend is None:
        return "  ·"
    if trend == 0:
        return "  ="
    return f"▲{trend:+d}" if trend > 0 else f"▼{trend:+d}"


class RoomRow(Horizontal, can_focus=True):
    """One room; Enter asks for the people inside."""

    BINDINGS = [Binding("enter", "choose", "Who is inside", show=True)]

    @dataclass
    class Chosen(Message):
        room_id: str

    line: reactive[RoomLine | None] = reactive(None, init=False)

    def compose(self) -> ComposeResult:
        self._cell_name = Field("", classes="room-name")
        self._cell_bar = OccupancyBar()
        self._cell_count = Field("", classes="room-count")
        self._cell_trend = Field("", classes="room-trend")
        self._cell_session = Field("", classes="room-session")
        yield from (self._cell_name, self._cell_bar, self._cell_count, self._cell_trend, self._cell_session)

    def on_mount(self) -> None:
        self._draw(self.line)

    def watch_line(self, old: RoomLine | None, line: RoomLine | None) -> None:
        if line != old and self.is_mounted:
            self._draw(line)

    def _draw(self, line: RoomLine | None) -> None:
        if line is None:
            return
        self._cell_name.show(line.name)
        self._cell_bar.share = line.share
        self._cell_count.show(f"{line.occupancy}/{line.capacity}")
        self._cell_trend.show(trend_text(line.trend))
        session = f"{line.session} ({line.session_time})" if line.session else "no session"
        self._cell_session.show(session)
        for level, css in LEVEL_CLASSES.items():
            self.set_class(level == line.level, css)

    def action_choose(self) -> None:
        if self.line is not None:
            self.post_message(self.Chosen(self.line.id))

    def on_click(self) -> None:
        self.focus()
        self.action_choose()


class RoomsPanel(VerticalScroll):
    """Draws `RoomsData`: the rooms needing attention at the top."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: list[RoomRow] = []

    def on_mount(self) -> None:
        retitle(self, "Rooms")

    @property
    def rows(self) -> list[RoomRow]:
        return self._rows

    def show(self, data: RoomsData) -> None:
        rows = self.rows
        focused_room = next((r.line.id for r in rows if r.has_focus and r.line), None)
        fit_rows(self, rows, len(data.rooms), RoomRow)
        for row, line in zip(rows, data.rooms, strict=False):
            row.line = line
            if focused_room is not None and line.id == focused_room and not row.has_focus:
                row.focus(scroll_visible=False)
        over = sum(1 for r in data.rooms if r.level in (FULL, OVER))
        retitle(self, f"Rooms · {data.inside} inside" + (f" · {over} full" if over else ""))
