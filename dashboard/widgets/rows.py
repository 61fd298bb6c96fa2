"""Panels made of one row widget per item: rows are reused, only the difference is mounted."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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
