"""The bus station's screens: the main screen with the manifest beside the verdict card, and
the confirmation asked before a bus leaves people behind."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from checkin.i18n import N_, _, ngettext
from checkin.tui.bus_manifest import BusManifestPanel
from checkin.tui.screens.help import HelpScreen
from checkin.tui.screens.station import StationScreen
from checkin.tui.widgets.footer import Footer
from checkin.tui.widgets.preview import CameraPreview
from checkin.tui.widgets.status_line import StatusLine
from checkin.tui.widgets.verdict_card import VerdictCard
from checkin.verdict import Verdict


class BusStationScreen(StationScreen):
    """The station screen of bus mode: the card, the manifest panel, the status line.

    A `StationScreen`, so the app's wedge capture and verdict display work unchanged.
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield VerdictCard(ready_hint=self.ready_hint, id="card")
            yield BusManifestPanel(id="manifest")
            if self.with_preview:
                yield CameraPreview(id="preview")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def manifest_panel(self) -> BusManifestPanel:
        return self.query_one(BusManifestPanel)


class ConfirmDepartureScreen(ModalScreen[bool]):
    """"3 missing: leave anyway?" with each missing person and where they were last seen.

    Dismisses True to record the departure with them missing, False to wait.
    """

    DEFAULT_CSS = """
    ConfirmDepartureScreen { align: center middle; }
    ConfirmDepartureScreen #depart-box {
        width: 90%; max-width: 90; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmDepartureScreen #depart-title { text-style: bold; }
    ConfirmDepartureScreen #depart-counts { margin-bottom: 1; }
    ConfirmDepartureScreen #depart-missing { height: auto; max-height: 14; }
    ConfirmDepartureScreen #depart-buttons { height: auto; margin-top: 1; }
    ConfirmDepartureScreen Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("y", "depart", N_("Depart anyway")),
        Binding("n,escape", "wait", N_("Wait")),
    ]

    def __init__(self, asked: Verdict) -> None:
        super().__init__()
        self.asked = asked

    def compose(self) -> ComposeResult:
        missing = self.asked.extra.get("missing", [])
        with Vertical(id="depart-box"):
            yield Static(ngettext("{n} missing: leave without them?", "{n} missing: leave without them?",
                                  len(missing)).format(n=len(missing)), id="depart-title")
            if self.asked.detail:
                yield Static(self.asked.detail[0], id="depart-counts")  # "1 aboard / 3 assigned"
            with VerticalScroll(id="depart-missing"):
                yield Static("\n".join(f"{m['name']}: {m.get('last_seen', '')}" for m in missing), id="depart-list")
            with Horizontal(id="depart-buttons"):
                yield Button(_("Depart anyway (y)"), id="depart-yes", variant="warning")
                yield Button(_("Wait (n)"), id="depart-no", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#depart-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "depart-yes")

    def action_depart(self) -> None:
        self.dismiss(True)

    def action_wait(self) -> None:
        self.dismiss(False)


BUS_HELP = N_("""\
[b]Loading the bus[/b]
  Scan each badge as people get on. The list on the right ticks them off;
  the missing are named at the bottom with where they were last seen.

  [b]green[/b]  on this bus's list: welcome aboard
  [b]amber[/b]  let them on, but read why (already aboard, on another bus's list…)
  [b]red[/b]    not on this visit, bus full, or the bus has left: read the reason

[b]Keys[/b]
  F2  search by name (no badge): type part of a name, Enter boards them
  F3  undo the last scan (within 30 seconds)
  F5  let the last person refused as "not on this visit" board (a seat must be free)
  F6  depart: records the headcount; with people missing it asks first
  F7  back at the venue: records the return
  F1  this help      Ctrl+Q  quit
""")


class BusHelpScreen(HelpScreen):
    """The keys and the colours of bus mode, in plain words."""

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(_(BUS_HELP), id="help-text")
        yield Footer()
