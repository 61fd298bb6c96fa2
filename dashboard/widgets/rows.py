"""Panels made of one row widget per item: rows are reused, only the difference is mounted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from textual.widget import Widget
from textual.widgets import Label

RowT = TypeVar("RowT", bound=Widget)


def fit_rows(container: Widget, rows: list[RowT], count: int, make: Callable[[], RowT]) -> list[RowT]:
    """Grow or shrink `rows` (mounted in `container`) to `count`; returns the same list.

    Keeping the list (rather than querying the DOM) keeps a refresh cheap with many rows.
    """
    if len(rows) < count:
        new = [make() for _ in range(count - len(rows))]
        container.mount_all(new)
        rows.extend(new)
    while len(rows) > count:
        rows.pop().remove()
    return rows


def show_lines(container: Widget, rows: list[RowT], lines: Sequence[Any], make: Callable[[], RowT]) -> None:
    """Give each row its line (`row.line`), keeping the focus on the same room or bus
    (`line.id`) when the order changes under it."""
    focused = next((r.line.id for r in rows if r.has_focus and r.line), None)  # type: ignore[attr-defined]
    fit_rows(container, rows, len(lines), make)
    for row, line in zip(rows, lines, strict=False):
        row.line = line  # type: ignore[attr-defined]
        if focused is not None and line.id == focused and not row.has_focus:
            row.focus(scroll_visible=False)


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
