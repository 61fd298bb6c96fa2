"""The rooms panel: one row per room, its occupancy bar coloured at 80 % and 100 % by CSS class.

A row is one widget that draws its cells itself (colours from component classes in the
stylesheet): a big event has dozens of rooms, and fewer widgets start and refresh faster.
"""

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
from dashboard.panels.rooms import FULL, OK, OVER, WARN, RoomLine, RoomsData
from dashboard.widgets.rows import RowList, retitle

LEVEL_CLASSES = {OK: "-ok", WARN: "-warn", FULL: "-full", OVER: "-over"}
NAME_WIDTH, COUNT_WIDTH, TREND_WIDTH = 18, 9, 6


def trend_text(trend: int | None) -> str:
    if trend is None:
        return "·"
    if trend == 0:
        return "="
    return f"▲{trend:+d}" if trend > 0 else f"▼{trend:+d}"


def fit(text: str, width: int) -> str:
    """`text` cut with an ellipsis (or padded) to exactly `width` cells."""
    if width <= 0:
        return ""
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.ljust(width)


class RoomRow(Widget, can_focus=True):
    """One room: name, occupancy bar, count, trend, session; Enter asks for the people inside."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "room-row--name", "room-row--bar", "room-row--empty", "room-row--count", "room-row--trend", "room-row--session",
    }
    BINDINGS = [Binding("enter", "choose", N_("Who is inside"), show=True)]
    DEFAULT_CSS = "RoomRow { height: 1; }"

    @dataclass
    class Chosen(Message):
        room_id: str

    line: reactive[RoomLine | None] = reactive(None)

    def __init__(self, line: RoomLine | None = None, **kwargs: Any) -> None:
        # Made with its line, a row is styled once, as it is mounted (not again by the watcher).
        super().__init__(**kwargs)
        self.cells: dict[str, str] = {}  # what the row last drew, by cell (tests read it)
        if line is not None:
            self.set_reactive(RoomRow.line, line)
            self.add_class(LEVEL_CLASSES[line.level], update=False)

    def watch_line(self, line: RoomLine | None) -> None:
        if line is not None:
            self.update_classes({css: level == line.level for level, css in LEVEL_CLASSES.items()})

    def render(self) -> Text:
        line = self.line
        if line is None:
            return Text("")
        width = self.content_size.width
        rest = max(0, width - NAME_WIDTH - COUNT_WIDTH - TREND_WIDTH - 1)
        bar_width = max(8, rest * 2 // 5)
        filled = min(bar_width, round(min(line.share, 1.0) * bar_width))
        session = f"{line.session} ({line.session_time})" if line.session else _("no session")
        self.cells = {
            "name": line.name,
            "count": f"{line.occupancy}/{line.capacity}",
            "trend": trend_text(line.trend),
            "session": session,
        }
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(fit(line.name, NAME_WIDTH - 1), style("room-row--name"))
        text.append(" ")
        text.append("█" * filled, style("room-row--bar"))
        text.append("░" * (bar_width - filled), style("room-row--empty"))
        text.append(self.cells["count"].rjust(COUNT_WIDTH - 1) + " ", style("room-row--count"))
        text.append(fit(self.cells["trend"], TREND_WIDTH), style("room-row--trend"))
        text.append(" ")
        text.append(fit(session, rest - bar_width), style("room-row--session"))
        return text

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
        self._rows = RowList[RoomRow](self, RoomRow)

    def on_mount(self) -> None:
        retitle(self, _("Rooms"))

    @property
    def rows(self) -> list[RoomRow]:
        return self._rows.rows

    def show(self, data: RoomsData) -> None:
        self._rows.show(data.rooms)
        over = sum(1 for r in data.rooms if r.level in (FULL, OVER))
        retitle(self, _("Rooms · {n} inside").format(n=data.inside) + (_(" · {n} full").format(n=over) if over else ""))
