"""The roll call screen: everyone presumed inside, by room and bus, and where the files went."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label

from checkin.i18n import N_, _
from checkin.tui.widgets.footer import Footer
from dashboard.panels.people import RollCall
from dashboard.rollcall import RollCallFiles


class RollCallScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "app.pop_screen", N_("Back"))]

    def __init__(self, roll: RollCall) -> None:
        super().__init__()
        self.roll = roll

    def compose(self) -> ComposeResult:
        with Vertical(id="rollcall"):
            yield Label("", id="rollcall-title")
            yield Label(_("writing CSV and PDF…"), id="rollcall-files")
            yield DataTable[str | Text](id="rollcall-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        roll = self.roll
        self.query_one("#rollcall-title", Label).update(
            _("[b]ROLL CALL[/b] {event} · {time} ({tz}) · [b]{n}[/b] people presumed inside").format(
                event=roll.event, time=roll.at_label, tz=roll.tz, n=roll.total)
        )
        table = self.query_one("#rollcall-table", DataTable)
        table.add_column(_("place"), key="place")
        table.add_column(_("name"), key="name")
        table.add_column(_("organisation"), key="org")
        table.add_column(_("since"), key="since", width=5)
        for place in roll.places:
            table.add_row(Text(f"{place.title} ({len(place.people)})", style="bold"), "", "", "", key=f"place:{place.kind}:{place.ref}")
            for person in place.people:
                table.add_row("", person.name, person.org, person.since, key=f"{place.kind}:{place.ref}:{person.id}")

    def files_written(self, files: RollCallFiles) -> None:
        self.query_one("#rollcall-files", Label).update(_("written: {csv}  ·  {pdf}").format(csv=files.csv, pdf=files.pdf))

    def files_failed(self, reason: str) -> None:
        self.query_one("#rollcall-files", Label).update(_("[b]could not write the files:[/b] {reason}").format(reason=reason))
