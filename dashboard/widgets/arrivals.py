"""The arrivals panel: checked in today against registered, per role, a chart, the rate."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from dashboard.panels.arrivals import ArrivalsData
from dashboard.widgets.chart import BarChart


class ArrivalsPanel(Vertical):
    """Draws `ArrivalsData`."""

    def compose(self) -> ComposeResult:
        yield Label("", id="arrivals-total")
        yield Static("", id="arrivals-roles")
        yield BarChart(id="arrivals-chart")
        yield Label("", id="arrivals-axis")
        yield Label("", id="arrivals-rate")

    def on_mount(self) -> None:
        self.border_title = "Arrivals"

    def show(self, data: ArrivalsData) -> None:
        percent = f"{data.share:.0%}" if data.registered else "—"
        self.border_title = f"Arrivals {data.day}"
        self.query_one("#arrivals-total", Label).update(
            f"[b]{data.checked_in}[/b] of {data.registered} checked in today ({percent})"
        )
        table = Table.grid(padding=(0, 2))
        table.add_column()
        table.add_column(justify="right")
        table.add_column(justify="right")
        for role in data.roles:
            table.add_row(role.role, str(role.checked_in), f"/ {role.registered}")
        self.query_one("#arrivals-roles", Static).update(table)
        self.query_one(BarChart).values = data.buckets
        self.query_one("#arrivals-axis", Label).update(
            f"{data.chart_from} … {data.chart_to}  arrivals per 5 min (peak {data.peak})"
        )
        self.query_one("#arrivals-rate", Label).update(
            f"now [b]{data.rate_per_hour}[/b]/h ({data.last_15_min} in the last 15 min)"
        )
