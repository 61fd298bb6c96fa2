"""A panel's rows: a long list shows its first screenful at once and every row soon after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label

from dashboard.widgets.rows import MORE_ROWS, RowList
from tests.dashboard.pilot import wait_until

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class Line:
    id: str
    text: str


class Row(Label, can_focus=True):
    line: reactive[Line | None] = reactive(None)

    def __init__(self, line: Line) -> None:
        super().__init__(line.text)
        self.set_reactive(Row.line, line)

    def watch_line(self, line: Line | None) -> None:
        if line is not None:
            self.update(line.text)


class Rows(App[None]):
    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="panel")

    def on_mount(self) -> None:
        self.rows = RowList[Row](self.query_one("#panel"), Row)


def lines(count: int, tag: str = "") -> list[Line]:
    return [Line(f"R{i}", f"room {i}{tag}") for i in range(count)]


def shown(rows: RowList[Any]) -> list[Line]:
    return [row.line for row in rows.rows]


async def test_a_long_list_mounts_a_screenful_first_then_every_row() -> None:
    app = Rows()
    async with app.run_test(size=(40, 20)) as pilot:
        many = lines(300)
        app.rows.show(many)
        assert shown(app.rows) == many[: 20 + MORE_ROWS]  # what the screen can show, at once
        assert await wait_until(pilot, lambda: app.rows.complete)
        assert shown(app.rows) == many
        assert len(app.query(Row)) == 300

        # A refresh gives every row its new line; a shorter list drops the rows it no longer needs.
        fewer = lines(12, " (later)")
        app.rows.show(fewer)
        await pilot.pause()
        assert shown(app.rows) == fewer and len(app.query(Row)) == 12
        assert str(app.rows.rows[3].render()) == "room 3 (later)"


async def test_the_focused_row_keeps_its_line_when_the_order_changes() -> None:
    app = Rows()
    async with app.run_test(size=(40, 20)) as pilot:
        app.rows.show(lines(5))
        await pilot.pause()
        app.rows.rows[1].focus()
        await pilot.pause()
        app.rows.show(list(reversed(lines(5))))
        await pilot.pause()
        focused = app.focused
        assert isinstance(focused, Row) and focused.line is not None and focused.line.id == "R1"
