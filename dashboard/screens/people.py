"""The drill-down: who is in one room or on one bus (names, organisation, since when)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Label

from checkin.i18n import N_, _
from checkin.tui.widgets.footer import Footer
from dashboard.panels.people import PlaceList


def counts_text(place: PlaceList) -> str:
    """`13 / 12 inside` for a room; for a bus the panel's own numbers, `8 aboard / 10 assigned`."""
    if place.kind != "bus":
        capacity = f" / {place.capacity}" if place.capacity else ""
        return f"{len(place.people)}{capacity} " + _("inside")
    if place.state == "returned":
        text = _("{n} came back / {assigned} assigned").format(n=len(place.people), assigned=place.assigned)
    else:
        text = _("{n} aboard / {assigned} assigned").format(n=len(place.people), assigned=place.assigned)
    text += _(" · {n} seats").format(n=place.capacity) if place.capacity else ""
    text += _(" · {n} missing").format(n=len(place.missing)) if place.missing else ""
    return text + (_(" · {n} off the bus").format(n=len(place.left)) if place.left else "")


class PeopleScreen(Screen[None]):
    """Lists a `PlaceList`; the app calls `show` again when new events change it."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", N_("Back"))]

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
        table.add_column(_("name"), key="name")
        table.add_column(_("organisation"), key="org")
        table.add_column(_("since"), key="since", width=5)
        table.add_column(_("station"), key="station")
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
        self.query_one("#people-title", Label).update(
            f"[b]{place.title}[/b]: {counts_text(place)} · " + _("as of {time}").format(time=as_of))
        if not changed:
            return  # the clock moved, the people did not: keep the cursor where the reader is
        self._drawn = place
        row = table.cursor_row
        table.clear()
        for person in place.people:
            name = _("{name} (walk-in)").format(name=person.name) if person.walk_in else person.name
            table.add_row(name, person.org, person.since, person.station, key=person.id)
        for person in place.missing:
            table.add_row(_("MISSING {name}").format(name=person.name), person.org, "—", "", key=f"missing:{person.id}")
        for person in place.left:  # seen elsewhere since the departure: where, and since when
            table.add_row(_("OFF THE BUS {name}").format(name=person.name), person.org, person.since, person.station,
                          key=f"left:{person.id}")
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
