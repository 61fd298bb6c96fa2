"""What each key does, for a volunteer who has never seen the app."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from checkin.i18n import N_, _
from checkin.tui.widgets.footer import Footer

HELP = N_("""\
[b]Checking people in[/b]
  Scan the badge with the scanner or hold it up to the camera.
  Nothing to press: the card turns green, amber or red and speaks for itself.

  [b]green[/b]  welcome / enter: let them in (read the lines under the name)
  [b]amber[/b]  let them in, but read why (already checked in, not checked in…)
  [b]red[/b]    do not let them in: the reason is under the headline

[b]Keys[/b]
  F2  search by name (no badge): type part of a name, Enter checks them in
  F3  undo the last scan (within 30 seconds)
  F4  door: switch between entry and exit
  F5  door: admit the last refused person anyway (room full override, recorded)
  F1  this help      Ctrl+Q  quit
""")


class HelpScreen(ModalScreen[None]):
    """The keys and the colours, in plain words."""

    BINDINGS = [Binding("escape,f1,q", "close", N_("Close"))]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(_(HELP), id="help-text")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
