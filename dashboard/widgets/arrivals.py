"""The arrivals panel: checked in today against registered, per role, a chart, the rate."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from dashboard.panels.arrivals import ArrivalsData
from dashboard.widgets.chart import BarChart

#: Roles are listed side by side, this many per line, so the chart keeps its room.
ROLE_COLUMNS = 2


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
        table = Table.grid(padding=(0, 1))
        for _ in range(ROLE_COLUMNS):
            table.add_column(no_wrap=True, overflow="ellipsis", ratio=3)
            table.add_column(justify="right", no_wrap=True, ratio=2)
        table.expand = True
        cells = [(role.role, f"{role.checked_in}/{role.registered}") for role in data.roles]
        for start in range(0, len(cells), ROLE_COLUMNS):
            row = cells[start : start + ROLE_COLUMNS]
            row += [("", "")] * (ROLE_COLUMNS - len(row))
            table.add_row(*(part for cell in row for part in cell))
        self.query_one("#arrivals-roles", Static).update(table)
        self.query_one(BarChart).values = data.buckets
        self.query_one("#arrivals-axis", Label).update(
            f"{data.chart_from} … {data.chart_to}  arrivals per 5 min (peak {data.peak})"
        )
        self.query_one("#arrivals-rate", Label).update(
            f"now [b]{data.rate_per_hour}[/b]/h ({data.last_15_min} in the last 15 min)"
        )
