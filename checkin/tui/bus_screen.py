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
from checkin.tui.widgets.times import TimeSafe
from checkin.tui.widgets.verdict_card import VerdictCard
from checkin.verdict import Verdict

#: The missing named in the departure dialog; the rest are counted (`+26 more`) so it fits 80×24.
MISSING_SHOWN = 8


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
                yield TimeSafe(missing_lines(missing), id="depart-list")
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


def missing_lines(missing: list[dict[str, object]], shown: int = MISSING_SHOWN) -> str:
    """One line per missing person with where they were last seen, the first `shown` of them,
    then `+26 more`: the dialog must fit 80×24 and never hide that the list goes on."""
    lines = [f"{m['name']}: {m.get('last_seen', '')}" for m in missing[:shown]]
    if len(missing) > shown:
        lines.append(_("+{count} more").format(count=len(missing) - shown))
    return "\n".join(lines)


class ConfirmReturnScreen(ModalScreen[bool]):
    """"Record the return of Coach 1?": F7 asks first, as a departure with people missing does
    (a return closes the trip: a stray F7 would put everyone back at the venue)."""

    DEFAULT_CSS = """
    ConfirmReturnScreen { align: center middle; }
    ConfirmReturnScreen #return-box {
        width: 90%; max-width: 90; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    ConfirmReturnScreen #return-title { text-style: bold; }
    ConfirmReturnScreen #return-buttons { height: auto; margin-top: 1; }
    ConfirmReturnScreen Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("y", "back", N_("Record the return")),
        Binding("n,escape", "cancel", N_("Not yet")),
    ]

    def __init__(self, bus_label: str, aboard: int | None) -> None:
        super().__init__()
        self.bus_label = bus_label
        self.aboard = aboard

    def compose(self) -> ComposeResult:
        with Vertical(id="return-box"):
            yield Static(_("Back at the venue: record the return of {bus}?").format(bus=self.bus_label), id="return-title")
            if self.aboard is not None:
                yield Static(_("{count} aboard come back to the venue").format(count=self.aboard), id="return-counts")
            with Horizontal(id="return-buttons"):
                yield Button(_("Record the return (y)"), id="return-yes", variant="warning")
                yield Button(_("Not yet (n)"), id="return-no", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#return-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "return-yes")

    def action_back(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
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
  F7  back at the venue: records the return (asks first)
  F1  this help      Ctrl+Q  quit
""")


class BusHelpScreen(HelpScreen):
    """The keys and the colours of bus mode, in plain words."""

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(_(BUS_HELP), id="help-text")
        yield Footer()
