"""The arrivals panel: checked in today against registered, per role, a chart, the rate."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from checkin.i18n import _
from dashboard.panels.arrivals import ArrivalsData, RoleCount
from dashboard.widgets.chart import BarChart
from dashboard.widgets.rows import Field, retitle

#: Roles are listed side by side, this many per line, so the chart keeps its room.
ROLE_COLUMNS = 2


class ArrivalsPanel(Vertical, can_focus=True):
    """Draws `ArrivalsData` (focusable: every panel is one key away)."""

    def compose(self) -> ComposeResult:
        yield Field("", id="arrivals-total")
        yield Static("", id="arrivals-roles")
        yield BarChart(id="arrivals-chart")
        yield Field("", id="arrivals-axis")
        yield Field("", id="arrivals-rate")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._roles: tuple[RoleCount, ...] | None = None

    @staticmethod
    def _role_table(data: ArrivalsData) -> Table:
        table = Table.grid(padding=(0, 1), expand=True)
        for _column in range(ROLE_COLUMNS):
            table.add_column(no_wrap=True, overflow="ellipsis", ratio=3)
            table.add_column(justify="right", no_wrap=True, ratio=2)
        cells = [(role.role, f"{role.checked_in}/{role.registered}") for role in data.roles]
        for start in range(0, len(cells), ROLE_COLUMNS):
            row = cells[start : start + ROLE_COLUMNS]
            row += [("", "")] * (ROLE_COLUMNS - len(row))
            table.add_row(*(part for cell in row for part in cell))
        return table

    def on_mount(self) -> None:
        retitle(self, _("Arrivals"))

    def show(self, data: ArrivalsData) -> None:
        percent = f"{data.share:.0%}" if data.registered else "—"
        retitle(self, _("Arrivals {day}").format(day=data.day))
        self.query_one("#arrivals-total", Field).show(
            _("[b]{n}[/b] of {registered} checked in today ({percent})").format(
                n=data.checked_in, registered=data.registered, percent=percent)
        )
        if data.roles != self._roles:
            self._roles = data.roles
            self.query_one("#arrivals-roles", Static).update(self._role_table(data))
        self.query_one(BarChart).values = data.buckets
        self.query_one("#arrivals-axis", Field).show(
            f"{data.chart_from} … {data.chart_to}  " + _("arrivals per 5 min (peak {peak})").format(peak=data.peak)
        )
        self.query_one("#arrivals-rate", Field).show(
            _("now [b]{rate}[/b]/h ({n} in the last 15 min)").format(rate=data.rate_per_hour, n=data.last_15_min)
        )
