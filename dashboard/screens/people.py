"""The drill-down: who is in one room or on one bus (names, organisation, since when)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from dashboard.panels.people import PlaceList


def counts_text(place: PlaceList) -> str:
    """`13 / 12 inside` for a room; for a bus the panel's own numbers, `8 aboard / 10 assigned`."""
    if place.kind != "bus":
        capacity = f" / {place.capacity}" if place.capacity else ""
        return f"{len(place.people)}{capacity} inside"
    word = "came back" if place.state == "returned" else "aboard"
    text = f"{len(place.people)} {word} / {place.assigned} assigned"
    text += f" · {place.capacity} seats" if place.capacity else ""
    text += f" · {len(place.missing)} missing" if place.missing else ""
    return text + (f" · {len(place.left)} off the bus" if place.left else "")


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
        self.query_one("#people-title", Label).update(f"[b]{place.title}[/b]: {counts_text(place)} · as of {as_of}")
        if not changed:
            return  # the clock moved, the people did not: keep the cursor where the reader is
        self._drawn = place
        row = table.cursor_row
        table.clear()
        for person in place.people:
            table.add_row(person.name, person.org, person.since, person.station, key=person.id)
        for person in place.missing:
            table.add_row(f"MISSING {person.name}", person.org, "—", "", key=f"missing:{person.id}")
        for person in place.left:  # seen elsewhere since the departure: where, and since when
            table.add_row(f"OFF THE BUS {person.name}", person.org, person.since, person.station, key=f"left:{person.id}")
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
