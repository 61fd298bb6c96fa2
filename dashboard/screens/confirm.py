"""Asking before the dashboard writes: acknowledging an incident is an event every node keeps."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from checkin.i18n import _
from checkin.tui.widgets.footer import Footer
from dashboard.panels.incidents import IncidentLine


class ConfirmAcknowledgeScreen(ModalScreen[bool]):
    """"Acknowledge this incident?" with what the incident is (never its internal id).

    Dismisses True to acknowledge, False to leave it open.
    """

    DEFAULT_CSS = """
    ConfirmAcknowledgeScreen { align: center middle; }
    ConfirmAcknowledgeScreen #ack-box {
        width: 90%; max-width: 80; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmAcknowledgeScreen #ack-title { text-style: bold; margin-bottom: 1; }
    ConfirmAcknowledgeScreen #ack-buttons { height: auto; margin-top: 1; }
    ConfirmAcknowledgeScreen Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("y", "acknowledge", _("Acknowledge")),
        Binding("n,escape", "keep", _("Keep open")),
    ]

    def __init__(self, incident: IncidentLine) -> None:
        super().__init__()
        self.incident = incident

    @staticmethod
    def describe(incident: IncidentLine) -> str:
        """The incident as the panel lists it: when, what kind, the detail."""
        day = f"{incident.day_label} " if incident.day_label else ""
        return f"{day}{incident.at_label}  [b]{escape(_(incident.kind_label).upper())}[/b]  {escape(incident.detail)}"

    def compose(self) -> ComposeResult:
        with Vertical(id="ack-box"):
            yield Static(_("Acknowledge this incident?"), id="ack-title")
            yield Static(self.describe(self.incident), id="ack-incident")
            with Horizontal(id="ack-buttons"):
                yield Button(_("Acknowledge (y)"), id="ack-yes", variant="warning")
                yield Button(_("Keep open (n)"), id="ack-no", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ack-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ack-yes")

    def action_acknowledge(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)
