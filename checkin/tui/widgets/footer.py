"""The footer of every screen, its key labels in the chosen language.

Key bindings are declared at import time, in English (marked with `N_`); the footer translates
each label when it draws, so a language chosen later (`--lang`, a test) still applies.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from checkin.i18n import _


class Footer(TextualFooter):
    """Textual's footer, with every key's description through `_`."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = _(widget.description)
            yield widget
