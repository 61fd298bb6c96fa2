"""The huge verdict card: green, amber or red, readable from a metre away.

The app sets `verdict`; a watcher fills the texts and sets one CSS class (`-ok`, `-warning`,
`-refused`, `-ready`), and `station.tcss` gives each its colours.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Static

from checkin.i18n import N_, _
from checkin.tui.widgets.big_text import BigText
from checkin.tui.widgets.times import TimeSafe
from checkin.verdict import Verdict

STATUS_CLASSES = ("-ok", "-warning", "-refused", "-ready")
#: The card between people at a desk, a door scanning people in, a bus.
READY_TEXT = N_("SCAN A BADGE")  # translated where shown


class VerdictCard(Vertical):
    """Shows the last verdict, or "ready" between people."""

    verdict: reactive[Verdict | None] = reactive(None, always_update=True, init=False)

    def __init__(self, ready_text: str = READY_TEXT, ready_hint: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ready_text = ready_text
        self.ready_hint = ready_hint

    def compose(self) -> ComposeResult:
        yield BigText(_(self.ready_text), id="headline")
        yield Static("", id="name")
        yield TimeSafe(self.ready_hint, id="detail")

    def on_mount(self) -> None:
        self.set_class(True, "-ready")
        if self.verdict is not None:  # a scan that beat the first paint
            self.watch_verdict(self.verdict)

    def show_ready(self, text: str, hint: str) -> None:
        """The words between people (`EXIT` on a door scanning people out); shown at once when
        no verdict is on the card, else after it."""
        if (text, hint) == (self.ready_text, self.ready_hint):
            return
        self.ready_text, self.ready_hint = text, hint
        self.set_class(text != READY_TEXT, "-exit")
        if self.verdict is None and self.is_mounted:
            self.watch_verdict(None)

    @property
    def headline(self) -> BigText:
        return self.query_one("#headline", BigText)

    def watch_verdict(self, verdict: Verdict | None) -> None:
        try:
            name = self.query_one("#name", Static)
            detail = self.query_one("#detail", TimeSafe)
        except NoMatches:
            return  # not composed yet: on_mount shows it
        for css in STATUS_CLASSES:
            self.remove_class(css)
        if verdict is None:
            self.add_class("-ready")
            self.headline.set_text(_(self.ready_text))
            name.update("")
            detail.show(self.ready_hint)
            return
        self.add_class(f"-{verdict.status}")
        self.headline.set_text(verdict.headline)
        who = verdict.name
        if verdict.attendee and verdict.attendee.get("id"):
            who = f"{who}  ({verdict.attendee['id']})" if who else str(verdict.attendee["id"])
        name.update(who)
        lines = list(verdict.detail)
        if verdict.occupancy is not None and verdict.capacity:
            lines.append(_("room: {n} / {capacity}").format(n=verdict.occupancy, capacity=verdict.capacity))
        detail.show("\n".join(lines))
