"""Find a person without a badge by name or organisation, pick them, check them in.

The search itself runs in a thread worker (the first one after a rebuild of the log builds
the name index, about a second for 100,000 people): typing never waits for it, and only the
results of what is in the box now are shown. Enter pressed before they arrive picks from them.
Enter checks in at once only when one person matches; with several (six Bauers) it moves to
the list and asks which. Each line says whether and when the person checked in today.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from checkin.i18n import N_, _
from checkin.search import Hit
from checkin.tui.widgets.footer import Footer


class SearchScreen(ModalScreen[str | None]):
    """Type part of a name ("muller" finds Müller), pick with ↓/Enter; returns an attendee id."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Back")),
        Binding("down", "to_list", N_("Results"), show=False),
    ]

    class Found(Message):
        """The results of one query, from the search worker."""

        def __init__(self, query: str, hits: list[Hit]) -> None:
            super().__init__()
            self.query = query
            self.hits = hits

    def __init__(
        self,
        search: Callable[[str], list[Hit]],
        verb: str = "check in",
        query: str = "",
        badge: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__()
        self._search = search
        self.verb = verb
        self.query_text = query
        self._badge = badge  # text -> bool: "this is a whole badge" (a scan while searching)
        self.scanned: str | None = None
        self.hits: list[Hit] = []
        self.hits_for: str = ""  # the query `hits` answer
        self._submit_pending = False  # Enter came before the results of the current query
        self.asking = False  # several matched Enter: the list has the focus, waiting for a pick

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Label(_("Name or organisation, then Enter to {verb} (Esc: back)").format(verb=self.verb), id="search-title")
            yield Input(placeholder=_("e.g. muller, liege, city of…"), id="search-input")
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

    @property
    def settled(self) -> bool:
        """The results shown are those of what is in the box now."""
        return self.hits_for == self.input.value

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._badge is not None and len(event.value) > 100 and self._badge(event.value):
            # The person showed a badge after all: leave the search and scan it.
            self.scanned = event.value
            self.dismiss(None)
            return
        self._run_search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run_search(self, query: str) -> None:
        """Search off the event loop; a newer keystroke's search supersedes this one."""
        from textual.worker import get_current_worker

        hits = self._search(query)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Found(query, hits))

    def on_search_screen_found(self, message: Found) -> None:
        if message.query != self.input.value:
            return  # typing went on: a newer search is on its way
        self.hits, self.hits_for = message.hits, message.query
        results = self.results
        results.clear_options()
        results.add_options(
            Option(self._line(hit), id=hit.attendee.id) for hit in self.hits
        )
        if self.hits:
            results.highlighted = 0
        if self._submit_pending:
            self._submit_pending = False
            self._submit()

    @staticmethod
    def _line(hit: Hit) -> Text:
        a = hit.attendee
        # Today's check-in first, so it shows however long the name: "✔ 09:12" or "· not in".
        line = Text(no_wrap=True, overflow="ellipsis")
        if hit.checked_in is not None:
            line.append(f"✔ {hit.checked_in_at:<6} ", style="bold green")
        else:
            not_in = _("not in")
            line.append(f"· {not_in:<6} ", style="dim")
        line.append(a.name, style="bold")
        for part in (a.org, a.city):
            if part:
                line.append(f" · {part}")
        line.append(f"  {a.id}", style="dim")
        return line

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not self.settled:
            self._submit_pending = True  # pick once the results of what was typed arrive
            return
        self._submit()

    def _submit(self) -> None:
        """Enter in the box: the one person found, or, when several match, the list to pick from."""
        if len(self.hits) == 1:
            self.dismiss(self.hits[0].attendee.id)
        elif self.hits:
            self.asking = True
            self.query_one("#search-title", Label).update(
                _("{count} people match: pick one with ↑ ↓ and Enter (Esc: back)").format(count=len(self.hits))
            )
            self.results.highlighted = 0
            self.results.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_to_list(self) -> None:
        if self.hits:
            self.results.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
