"""A small camera preview in colour half blocks, so a person can aim the badge at the webcam."""

from __future__ import annotations

from typing import Any

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from checkin.i18n import _


class CameraPreview(Widget):
    """Draws the latest frame in colour: 2 pixel rows per cell, `▀` with the top pixel's colour
    as foreground and the bottom one's as background.

    Cheap by construction: the camera thread shrinks the frame to the widget's cells first
    (`reduce_frame`, one `cv2.resize`), and the UI thread turns the few hundred pixels into
    styled segments once per frame (`show_frame`), not once per repaint.
    """

    DEFAULT_CSS = """
    CameraPreview { width: 32; height: 12; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cells: list[list[Segment]] = []
        self.caption = _("camera starting…")

    def reduce_frame(self, frame: Any) -> Any:
        """The frame reduced to this widget's cells (2 RGB pixels per cell): call it from the
        camera thread, so the UI thread only draws."""
        import cv2

        width, height = max(1, self.size.width), max(1, self.size.height)
        small = cv2.resize(frame, (width, height * 2), interpolation=cv2.INTER_AREA)
        if small.ndim == 2:
            return cv2.cvtColor(small, cv2.COLOR_GRAY2RGB)
        return cv2.cvtColor(small, cv2.COLOR_BGRA2RGB if small.shape[2] == 4 else cv2.COLOR_BGR2RGB)

    def show_frame(self, small: Any) -> None:
        """Draw a frame already reduced by `reduce_frame` (an RGB array, 2 rows per cell)."""
        rows = small.shape[0] // 2
        pixels = small.tolist()  # plain ints: far cheaper to read per pixel than numpy scalars
        self._cells = [
            [
                Segment("▀", Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom)))
                for top, bottom in zip(pixels[2 * r], pixels[2 * r + 1], strict=True)
            ]
            for r in range(rows)
        ]
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if not self._cells or y >= len(self._cells):
            text = self.caption if y == 0 else ""
            return Strip([Segment(text[:width].ljust(width))])
        return Strip(self._cells[y][:width])
