"""The drill-down: who is in one room or on one bus (names, organisation, since when)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from dashboard.panels.people import PlaceList


class PeopleScreen(Screen[None]):
    """Lists a `PlaceList`; the app calls `show` again when new events change it."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, place: PlaceList, as_of: str) -> None:
        super().__init__()
        self.place = place
        self.as_of = as_of
        self._drawn: PlaceList | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="people"):
            yield Label("", id="people-title")
            yield DataTable[str](id="people-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#people-table", DataTable)
        table.add_column("name", key="name")
        table.add_column("organisation", key="org")
        table.add_column("since", key="since", width=5)
        table.add_column("station", key="station")
        self.show(self.place, self.as_of)

    def show(self, place: PlaceList, as_of: str) -> None:
        changed = place != self.place or self._drawn is None
        self.place, self.as_of = place, as_of
        try:
            table = self.query_one("#people-table", DataTable)
        except NoMatches:
            return  # not composed yet: on_mount draws the latest place
        if not table.columns:
            return  # not mounted yet: on_mount draws the latest place
        capacity = f" / {place.capacity}" if place.capacity else ""
        missing = f" · {len(place.missing)} missing" if place.missing else ""
        self.query_one("#people-title", Label).update(
            f"[b]{place.title}[/b]: {len(place.people)}{capacity} inside{missing} · as of {as_of}"
        )
        if not changed:
            return  # the clock moved, the people did not: keep the cursor where the reader is
        self._drawn = place
        row = table.cursor_row
        table.clear()
        for person in place.people:
            table.add_row(person.name, person.org, person.since, person.station, key=person.id)
        for person in place.missing:
            table.add_row(f"MISSING {person.name}", person.org, "—", "", key=f"missing:{person.id}")
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
