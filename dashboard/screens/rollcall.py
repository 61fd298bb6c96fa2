"""The roll call screen: everyone presumed inside, by room and bus, and where the files went."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from dashboard.panels.people import RollCall
from dashboard.rollcall import RollCallFiles


class RollCallScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, roll: RollCall) -> None:
        super().__init__()
        self.roll = roll

    def compose(self) -> ComposeResult:
        with Vertical(id="rollcall"):
            yield Label("", id="rollcall-title")
            yield Label("writing CSV and PDF…", id="rollcall-files")
            yield DataTable[str | Text](id="rollcall-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        roll = self.roll
        self.query_one("#rollcall-title", Label).update(
            f"[b]ROLL CALL[/b] {roll.event} · {roll.at_label} ({roll.tz}) · [b]{roll.total}[/b] people presumed inside"
        )
        table = self.query_one("#rollcall-table", DataTable)
        table.add_column("place", key="place")
        table.add_column("name", key="name")
        table.add_column("organisation", key="org")
        table.add_column("since", key="since", width=5)
        for place in roll.places:
            table.add_row(Text(f"{place.title} ({len(place.people)})", style="bold"), "", "", "", key=f"place:{place.kind}:{place.ref}")
            for person in place.people:
                table.add_row("", person.name, person.org, person.since, key=f"{place.kind}:{place.ref}:{person.id}")

    def files_written(self, files: RollCallFiles) -> None:
        self.query_one("#rollcall-files", Label).update(f"written: {files.csv}  ·  {files.pdf}")

    def files_failed(self, reason: str) -> None:
        self.query_one("#rollcall-files", Label).update(f"[b]could not write the files:[/b] {reason}")
