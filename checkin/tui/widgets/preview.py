"""A small camera preview in half blocks, so a person can aim the badge at the webcam."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from checkin.i18n import _


class CameraPreview(Widget):
    """Draws the latest grey frame (2 pixel rows per cell, ▀ with fg/bg colours)."""

    DEFAULT_CSS = """
    CameraPreview { width: 32; height: 12; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cells: list[list[tuple[int, int]]] = []
        self.caption = _("camera starting…")

    def reduce_frame(self, frame: Any) -> Any:
        """The frame reduced to this widget's cells (2 grey pixels per cell): call it from the
        camera thread, so the UI thread only draws."""
        import cv2

        width, height = max(1, self.size.width), max(1, self.size.height)
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        return cv2.resize(grey, (width, height * 2), interpolation=cv2.INTER_AREA)

    def show_frame(self, small: Any) -> None:
        """Draw a frame already reduced by `reduce_frame`."""
        rows, width = small.shape[0] // 2, small.shape[1]
        self._cells = [[(int(small[2 * r, c]), int(small[2 * r + 1, c])) for c in range(width)] for r in range(rows)]
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if not self._cells or y >= len(self._cells):
            text = self.caption if y == 0 else ""
            return Strip([Segment(text[:width].ljust(width))])
        segments = []
        for top, bottom in self._cells[y][:width]:
            style = Style(color=f"rgb({top},{top},{top})", bgcolor=f"rgb({bottom},{bottom},{bottom})")
            segments.append(Segment("▀", style))
        return Strip(segments)
