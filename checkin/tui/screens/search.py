"""Find a person without a badge by name or organisation, pick them, check them in."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from checkin.search import Hit


class SearchScreen(ModalScreen[str | None]):
    """Type part of a name ("muller" finds Müller), pick with ↓/Enter; returns an attendee id."""

    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("down", "to_list", "Results", show=False),
    ]

    def __init__(self, search: object, verb: str = "check in", query: str = "", badge: object = None) -> None:
        super().__init__()
        self._search = search
        self.verb = verb
        self.query_text = query
        self._badge = badge  # text -> bool: "this is a whole badge" (a scan while searching)
        self.scanned: str | None = None
        self.hits: list[Hit] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Label(f"Name or organisation, then Enter to {self.verb} (Esc: back)", id="search-title")
            yield Input(placeholder="e.g. muller, liege, city of…", id="search-input")
            yield OptionList(id="search-results")
        yield Footer()

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def results(self) -> OptionList:
        return self.query_one("#search-results", OptionList)

    def on_mount(self) -> None:
        self.input.focus()
        if self.query_text:
            self.input.value = self.query_text
            self.input.cursor_position = len(self.query_text)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._badge is not None and len(event.value) > 100 and self._badge(event.value):  # type: ignore[operator]
            # The person showed a badge after all: leave the search and scan it.
            self.scanned = event.value
            self.dismiss(None)
            return
        self.hits = self._search(event.value)  # type: ignore[operator]
        results = self.results
        results.clear_options()
        results.add_options(
            Option(self._line(hit), id=hit.attendee.id) for hit in self.hits
        )
        if self.hits:
            results.highlighted = 0

    @staticmethod
    def _line(hit: Hit) -> Text:
        a = hit.attendee
        line = Text(a.name, style="bold")
        for part in (a.org, a.city):
            if part:
                line.append(f" · {part}")
        line.append(f"  {a.id}", style="dim")
        return line

    def on_input_submitted(self, event: Input.Submitted) -> None:
        index = self.results.highlighted
        if self.hits:
            self.dismiss(self.hits[index if index is not None else 0].attendee.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_to_list(self) -> None:
        if self.hits:
            self.results.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
