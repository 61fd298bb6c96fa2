"""Text that wraps in a narrow column without ever leaving a time on a line of its own.

Textual and Rich break lines at any whitespace, no-break spaces included, so `at 13:31` in a
bus manifest at 80×24 ended a line with `at` and put the time below it. `TimeSafe` wraps its
text itself for the width it has, treating a time and the word before it as one word.
"""

from __future__ import annotations

import re

from rich.console import RenderableType
from rich.text import Text
from textual.geometry import Size
from textual.widgets import Static

#: A clock time ("13:31") and the space before it.
_SPACE_BEFORE_TIME = re.compile(r"(?<=\S) (?=\d{1,2}:\d{2}\b)")
#: Holds the place of that space while wrapping (one cell wide, never a break).
_GLUE = "\ue000"


def glue_times(text: Text) -> Text:
    """A copy of `text` in which the space before each time is not a place to break."""
    glued = text.copy()
    glued.plain = _SPACE_BEFORE_TIME.sub(_GLUE, text.plain)  # same length: the styles stay put
    return glued


def wrap_keeping_times(text: Text | str, width: int) -> Text:
    """`text` wrapped to `width` cells, a time never separated from the word before it."""
    from rich.console import Console

    source = Text(text) if isinstance(text, str) else text
    if width <= 0:
        return source
    lines = glue_times(source).wrap(Console(width=width), width, overflow="fold")
    for line in lines:
        line.rstrip()  # the space a line was broken at
    out = Text("\n").join(lines)
    out.plain = out.plain.replace(_GLUE, " ")
    out.no_wrap = True
    return out


class TimeSafe(Static):
    """A `Static` whose text wraps without splitting `at 13:31` (set it with `show`)."""

    def __init__(self, text: Text | str = "", **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.text = Text(text) if isinstance(text, str) else text

    def show(self, text: Text | str) -> None:
        self.text = Text(text) if isinstance(text, str) else text
        self.clear_cached_dimensions()  # a new text has a new height (Static.update does the same)
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the text takes wrapped at `width` (the width layout asks about,
        not the one the widget had before)."""
        if not width:
            return 0
        return wrap_keeping_times(self.text, width).plain.count("\n") + 1

    def render(self) -> RenderableType:
        return wrap_keeping_times(self.text, self.content_region.width or self.size.width)
