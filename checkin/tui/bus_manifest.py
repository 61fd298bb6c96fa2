"""The bus manifest panel: boarded ticked, counts against the list and the seats, the missing
named with where the log last saw them.

Data, then drawing: the app computes a `checkin.bus.Manifest` off the event loop and sets
`sheet`; the watcher draws it. Nothing here reads the database.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Static

from checkin.i18n import N_, _
from checkin.tui.widgets.times import TimeSafe
from db.views import Manifest

STATE_WORDS = {"boarding": N_("boarding"), "departed": N_("on the road"), "returned": N_("back at the venue")}


def counts_text(sheet: Manifest) -> Text:
    """`Coach 1 · boarding` then `23 aboard / 48 assigned · 50 seats`."""
    text = Text()
    text.append(sheet.label, style="bold")
    text.append(f" · {_(STATE_WORDS.get(sheet.state, sheet.state))}\n")
    text.append(f"{sheet.boarded}", style="bold")
    text.append(_(" aboard / {assigned} assigned").format(assigned=sheet.assigned))
    if sheet.seats > 0:
        text.append(_(" · {n} seats").format(n=sheet.seats))
    return text


def people_text(sheet: Manifest) -> Text:
    """One line per person on the list or aboard: ✔ boarded, · not yet; walk-ons say so."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for index, person in enumerate(sheet.people):
        if index:
            text.append("\n")
        if person.boarded:
            text.append("✔ ", style="bold green")
            text.append(person.name)
            if not person.assigned:
                text.append(_("  (list of {bus})").format(bus=person.other_label) if person.other_bus else _("  (not on the list)"),
                            style="italic")
        else:
            text.append("· ", style="dim")
            text.append(person.name, style="dim")
            if person.other_bus:
                text.append(_("  (aboard {bus})").format(bus=person.other_label), style="italic")
    return text


def missing_text(sheet: Manifest) -> Text:
    """`Missing (2)` and, per person, where they were last seen; then who got off the bus after
    the departure (seen somewhere else since); empty when nobody is either."""
    if not sheet.missing and not sheet.left:
        if sheet.state == "boarding" and sheet.assigned:
            return Text(_("everyone on the list is aboard"), style="bold")
        return Text("")
    text = Text()
    if sheet.missing:
        missing = (_("Missing ({n}) at departure") if sheet.state != "boarding" else _("Missing ({n})")).format(n=len(sheet.missing))
        text.append(missing, style="bold")
        for person in sheet.missing:
            text.append(f"\n{person.name}", style="bold")
            text.append(f": {person.last_seen}")
    if sheet.left:
        text.append("\n" if sheet.missing else "")
        text.append(_("Off the bus since the departure ({n})").format(n=len(sheet.left)), style="bold")
        for person in sheet.left:
            text.append(f"\n{person.name}", style="bold")
            text.append(f": {person.last_seen}")
    return text


class BusManifestPanel(Vertical):
    """The manifest beside the verdict card; the app sets `sheet` after every verdict."""

    DEFAULT_CSS = """
    BusManifestPanel { width: 40%; min-width: 30; max-width: 64; height: 1fr; border: round $panel; padding: 0 1; }
    BusManifestPanel #bus-counts { height: auto; margin-bottom: 1; }
    BusManifestPanel #bus-people { height: 1fr; }
    BusManifestPanel #bus-missing { height: auto; max-height: 50%; margin-top: 1; }
    BusManifestPanel.-missing #bus-missing { color: $warning; }
    """

    sheet: reactive[Manifest | None] = reactive(None, always_update=True, init=False)

    def compose(self) -> ComposeResult:
        yield Static(_("loading the manifest…"), id="bus-counts")
        with VerticalScroll(id="bus-people"):
            yield Static("", id="bus-list")
        yield TimeSafe("", id="bus-missing")

    def on_mount(self) -> None:
        self.call_after_refresh(self._draw, self.sheet)

    def watch_sheet(self, sheet: Manifest | None) -> None:
        self._draw(sheet)

    def _draw(self, sheet: Manifest | None) -> None:
        if sheet is None or sheet is not self.sheet:
            return
        try:
            counts = self.query_one("#bus-counts", Static)
            people = self.query_one("#bus-list", Static)
            missing = self.query_one("#bus-missing", TimeSafe)
        except NoMatches:  # set before the children were all mounted: try after the next refresh
            self.call_after_refresh(self._draw, sheet)
            return
        counts.update(counts_text(sheet))
        people.update(people_text(sheet))
        missing.show(missing_text(sheet))
        self.set_class(bool(sheet.missing or sheet.left), "-missing")
        for state in ("boarding", "departed", "returned"):
            self.set_class(sheet.state == state, f"-{state}")
