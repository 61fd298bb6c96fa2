"""The desk's forms for people not on the list: a walk-in's details (F4), a name fix (F7).

Each returns what was typed (or None on Esc); the app hands it to `checkin.walkin` in its one
station worker, so the form never waits on the database.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from checkin.i18n import N_, _
from checkin.tui.widgets.footer import Footer
from checkin.walkin import Person

#: The walk-in form's fields, in order (the `Person` fields they fill).
WALK_IN_FIELDS = ("name", "org", "city", "country", "role")


def _labels() -> tuple[str, ...]:
    """The fields' labels, in the language chosen when the form opens."""
    return (_("Name (required)"), _("Organisation"), _("City"), _("Country"), _("Role"))


_CSS = """
WalkInScreen, NameFixScreen {
    align: center middle;
}
.desk-form {
    width: 90%;
    max-width: 90;
    height: auto;
    border: thick $accent;
    background: $surface;
    padding: 0 1;
}
.desk-form .form-row {
    height: 3;
}
.desk-form .form-row Label {
    width: 18;
    padding: 1 1 0 0;
}
.desk-form .form-row Input {
    width: 1fr;
}
.form-problem {
    color: $error;
    text-style: bold;
}
"""


class WalkInScreen(ModalScreen[Person | None]):
    """A walk-in's name (required), organisation, city, country and role; Enter registers them."""

    DEFAULT_CSS = _CSS
    BINDINGS = [Binding("escape", "cancel", N_("Back"))]

    def compose(self) -> ComposeResult:
        with Vertical(id="walk-in-box", classes="desk-form"):
            yield Label(_("Register a walk-in: Enter registers and checks in (Esc: back)"), classes="form-title")
            for field, label in zip(WALK_IN_FIELDS, _labels(), strict=True):
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    yield Input(id=f"walk-in-{field}")
            yield Label("", id="walk-in-problem", classes="form-problem")
        yield Footer()

    def on_mount(self) -> None:
        self.field("name").focus()

    def field(self, name: str) -> Input:
        return self.query_one(f"#walk-in-{name}", Input)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        person = Person(**{field: self.field(field).value for field in WALK_IN_FIELDS})
        if not person.name.strip():
            self.query_one("#walk-in-problem", Label).update(_("a walk-in needs a name"))
            self.field("name").focus()
            return
        self.dismiss(person)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NameFixScreen(ModalScreen[tuple[str, str] | None]):
    """A misspelt name: first and family name as they should read; Enter saves."""

    DEFAULT_CSS = _CSS
    BINDINGS = [Binding("escape", "cancel", N_("Back"))]

    def __init__(self, who: str, first: str, last: str) -> None:
        super().__init__()
        self.who, self.first, self.last = who, first, last

    def compose(self) -> ComposeResult:
        with Vertical(id="name-fix-box", classes="desk-form"):
            yield Label(_("Fix the name of {who}: Enter saves (Esc: back)").format(who=self.who), classes="form-title")
            with Horizontal(classes="form-row"):
                yield Label(_("First name"))
                yield Input(self.first, id="name-fix-first")
            with Horizontal(classes="form-row"):
                yield Label(_("Family name"))
                yield Input(self.last, id="name-fix-last")
            yield Label("", id="name-fix-problem", classes="form-problem")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name-fix-first", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        first = self.query_one("#name-fix-first", Input).value.strip()
        last = self.query_one("#name-fix-last", Input).value.strip()
        if not (first or last):
            self.query_one("#name-fix-problem", Label).update(_("a name cannot be empty"))
            return
        self.dismiss((first, last))

    def action_cancel(self) -> None:
        self.dismiss(None)
