"""The station's main screen: the verdict card, the camera preview, the status line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen

from checkin.tui.widgets.footer import Footer
from checkin.tui.widgets.preview import CameraPreview
from checkin.tui.widgets.status_line import StatusLine
from checkin.tui.widgets.verdict_card import VerdictCard


class StationScreen(Screen[None]):
    """Everything a steward glances at; every printable key here goes to the scanner input."""

    def __init__(self, ready_hint: str, preview: bool) -> None:
        super().__init__()
        self.ready_hint = ready_hint
        self.with_preview = preview

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield VerdictCard(ready_hint=self.ready_hint, id="card")
            if self.with_preview:
                yield CameraPreview(id="preview")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def card(self) -> VerdictCard:
        return self.query_one(VerdictCard)

    @property
    def status_line(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def preview(self) -> CameraPreview | None:
        found = self.query(CameraPreview)
        return found.first() if found else None
