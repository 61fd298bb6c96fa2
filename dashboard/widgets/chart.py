"""A bar chart drawn with block characters, several rows high so it reads from across a room."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

BLOCKS = " ▁▂▃▄▅▆▇█"


def columns(values: Sequence[int], width: int) -> list[int]:
    """Fit `values` into `width` columns: wide bars when few, summed neighbours when many."""
    if width <= 0 or not values:
        return []
    if len(values) <= width:
        repeat = width // len(values)  # widen the bars to fill the panel
        return [v for v in values for _ in range(repeat)]
    per = -(-len(values) // width)  # ceil: whole buckets per column
    return [sum(values[i : i + per]) for i in range(0, len(values), per)]


def bars(values: Sequence[int], height: int, top: int | None = None) -> list[str]:
    """Rows of block characters, the top row first; `top` is the value of a full column."""
    top = max(values, default=0) if top is None else top
    rows = []
    for row in range(height - 1, -1, -1):
        line = []
        for value in values:
            eighths = 0 if top <= 0 else round(value / top * height * 8)
            fill = min(8, max(0, eighths - row * 8))
            line.append(BLOCKS[fill])
        rows.append("".join(line))
    return rows


class BarChart(Widget):
    """Vertical bars of `values` (latest at the right), scaled to the widget's size."""

    DEFAULT_CSS = """
    BarChart { height: 5; width: 1fr; }
    """

    values: reactive[tuple[int, ...]] = reactive(tuple)

    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        fitted = columns(self.values, width)
        rows = bars(fitted, height)
        return Text("\n".join(rows))
