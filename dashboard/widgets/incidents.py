"""The incidents panel: open incidents newest first; the highlighted one can be acknowledged."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from checkin.i18n import N_, _
from dashboard.panels.incidents import IncidentLine, IncidentsData
from dashboard.widgets.rows import retitle


class IncidentsPanel(DataTable[str | Text]):
    """Draws `IncidentsData` as a table whose rows are keyed by incident id.

    `a` is bound here, not on the app: an incident is acknowledged only when the operations
    lead is looking at this panel and at the highlighted incident (the app asks first).
    """

    BINDINGS = [Binding("a", "acknowledge", N_("Acknowledge"))]

    @dataclass
    class AcknowledgeAsked(Message):
        """The lead pressed `a` on this incident (the app confirms, then writes)."""

        incident: IncidentLine

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._shown: tuple[str, ...] = ()
        self._last: IncidentsData | None = None
        self._detail_key = ColumnKey("detail")

    def on_mount(self) -> None:
        self.add_column(_("time"), key="time", width=5)
        self.add_column(_("incident"), key="detail", width=self.detail_width)
        retitle(self, _("Incidents"))

    @property
    def detail_width(self) -> int:
        """The incident column fills the panel (the text wraps rather than scrolls sideways)."""
        return max(20, self.scrollable_content_region.width - 5 - 4 - 1)

    def on_resize(self, event: events.Resize) -> None:
        if not self.columns:
            return
        column = self.columns.get(self._detail_key)
        if column is not None and column.width != self.detail_width:
            column.width = self.detail_width
            self._shown = ()
            if self._last is not None:
                self.show(self._last)

    @property
    def selected(self) -> str | None:
        """The id of the highlighted incident, if any."""
        if not self.row_count:
            return None
        key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return key.value

    @property
    def selected_line(self) -> IncidentLine | None:
        """The highlighted incident as listed (what it is, not only its id), if any."""
        ident = self.selected
        if ident is None or self._last is None:
            return None
        return next((line for line in self._last.open if line.id == ident), None)

    def action_acknowledge(self) -> None:
        line = self.selected_line
        if line is None:
            self.app.notify(_("no open incident to acknowledge"))
            return
        self.post_message(self.AcknowledgeAsked(line))

    def show(self, data: IncidentsData) -> None:
        self._last = data
        listed = data.open
        idents = tuple(line.id for line in listed)
        acked = _(" · {n} acknowledged").format(n=data.acked) if data.acked else ""
        more = _(", newest {n} listed").format(n=len(listed)) if data.open_count > len(listed) else ""
        retitle(self, _("Incidents · {n} open").format(n=data.open_count) + more + acked, _("a: acknowledge"))
        if idents == self._shown:
            return
        keep = self.selected
        self.clear()
        width = self.detail_width
        for line in listed:
            day = (f"{line.day_label} · ", "dim") if line.day_label else ""
            text = Text.assemble(day, (_(line.kind_label).upper(), "bold"), "  ", line.detail)
            lines = len(text.wrap(self.app.console, width))
            self.add_row(line.at_label, text, key=line.id, height=max(1, lines))
        self._shown = idents
        if keep in idents:
            self.move_cursor(row=idents.index(keep), animate=False)
        self.set_class(bool(idents), "-open")
