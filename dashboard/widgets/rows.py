"""Panels made of one row widget per item: rows are reused, only the difference is mounted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from textual.widget import Widget
from textual.widgets import Label

RowT = TypeVar("RowT", bound=Widget)

#: Rows mounted beyond the screen's height when a panel first shows its lines.
MORE_ROWS = 8
#: Rows mounted per step after that, one step after each refresh of the screen. Each step lays
#: the whole screen out again, so a few large steps finish sooner than many small ones: at 450
#: stations, steps of 400 settled the screen in 1.9-2.1 s, steps of 64 in 2.6 s.
ROWS_PER_STEP = 400


class RowList(Generic[RowT]):
    """The rows of a panel, one per line: reused between refreshes, a long list mounted in steps.

    Mounting a row costs its styles and its layout on the screen's loop, a few milliseconds
    each: a large event's 250 rooms and 450 stations held the dashboard's first paint for a
    second, for rows below the fold. The first showing mounts as many rows as the screen has
    lines (no panel shows more), each refresh of the screen after it `ROWS_PER_STEP` more,
    until every line has its row. `show` gives the mounted rows their lines, keeping the focus
    on the same room or bus (`line.id`) when the order changes under it. A new row is made with
    its line (`make(line)`): it is styled once, as it is mounted.
    """

    def __init__(self, container: Widget, make: Callable[[Any], RowT]) -> None:
        self.container = container
        self.make = make
        self.rows: list[RowT] = []
        self._lines: Sequence[Any] = ()
        self._step_due = False

    def show(self, lines: Sequence[Any]) -> None:
        """Show `lines`: each mounted row gets its line, and more rows follow if some lack one."""
        self._lines = lines
        if self.rows or self._step_due:
            self._fill(len(self.rows))
        else:
            self._fill(self.container.app.size.height + MORE_ROWS)

    @property
    def complete(self) -> bool:
        """Whether every line shown has its row."""
        return len(self.rows) >= len(self._lines)

    def _fill(self, at_most: int) -> None:
        rows, lines = self.rows, self._lines
        focused = next((r.line.id for r in rows if r.has_focus and r.line), None)  # type: ignore[attr-defined]
        for row, line in zip(rows, lines, strict=False):
            row.line = line  # type: ignore[attr-defined]
            if focused is not None and line.id == focused and not row.has_focus:
                row.focus(scroll_visible=False)
        while len(rows) > len(lines):
            rows.pop().remove()
        wanted = min(len(lines), max(at_most, len(rows)))
        if len(rows) < wanted:
            new = [self.make(line) for line in lines[len(rows) : wanted]]
            self.container.mount_all(new)
            rows.extend(new)
        if len(rows) < len(lines) and not self._step_due:
            self._step_due = True
            self.container.call_after_refresh(self._step)

    def _step(self) -> None:
        self._step_due = False
        if self.container.is_attached:  # not while the app shuts down
            self._fill(len(self.rows) + ROWS_PER_STEP)


class Field(Label):
    """A label that redraws only when its text changes (most refreshes change a few rows)."""

    _shown: str | None = None

    def show(self, text: str) -> None:
        if text != self._shown:
            self._shown = text
            self.update(text)


def retitle(widget: Widget, title: str, subtitle: str | None = None) -> None:
    """Set a panel's border title (and subtitle) only when they change."""
    if widget.border_title != title:
        widget.border_title = title
    if subtitle is not None and widget.border_subtitle != subtitle:
        widget.border_subtitle = subtitle
