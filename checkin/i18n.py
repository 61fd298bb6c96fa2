"""The words a volunteer, a steward or the operations lead reads, in their own language.

Every user-visible string of the station, the bus screen and the dashboard goes through `_`
(and `ngettext` for counts), so that one catalog per language (gettext `.po` files managed
with Babel) translates all of it. Until `set_language` is called the English text is shown
as written. The dashboard imports this module too: one place decides the language of a node.
"""

from __future__ import annotations

_language = "en"


def _(message: str) -> str:
    """The message in the chosen language (English, as written, until a catalog says otherwise)."""
    return message


def N_(message: str) -> str:
    """Mark a message for the catalogs without translating it yet (translated where shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for the count `n`, in the chosen language."""
    return singular if n == 1 else plural


def set_language(code: str) -> None:
    """Choose the language of every later message (a stub until the catalogs land)."""
    global _language
    _language = code


def language() -> str:
    """The language chosen for this process (`en` until set)."""
    return _language
