"""The words a volunteer, a steward or the operations lead reads, in their own language.

Every user-visible string of the station, the bus screen and the dashboard goes through `_`
(and `ngettext` for counts), so that one gettext catalog per language translates all of it:
`checkin/locale/{fr,nl,de}/LC_MESSAGES/eventops.po`, managed with Babel (`make i18n` extracts
the messages and updates the catalogs). The `.po` files are read as they are when a language is
chosen (Babel's `read_po`, compiled in memory): no compiled `.mo` to keep in sync, and the
same files work from a checkout, an editable install and a wheel.

Until `set_language` is called the English text is shown as written. Strings defined at import
time (key labels, help texts, tables of labels) are marked with `N_` and translated where they
are shown, so a language chosen after the import still applies. The dashboard imports this
module too: one place decides the language of a node. Machines never read translated text:
log event kinds, JSON keys and `eventops scan --json` stay as they are.
"""

from __future__ import annotations

import gettext
import io
import os
from datetime import date
from functools import cache
from pathlib import Path

#: The languages the station and the dashboard speak (English is the source text).
LANGUAGES = ("en", "fr", "nl", "de")
#: Where the catalogs live (package data: they ship in the wheel).
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "eventops"

_language = "en"
_translations: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    """The message in the chosen language (English, as written, until a catalog says otherwise)."""
    return _translations.gettext(message) if message else message


def N_(message: str) -> str:
    """Mark a message for the catalogs without translating it yet (translated where shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for the count `n`, in the chosen language."""
    return _translations.ngettext(singular, plural, n)


def catalog_path(code: str) -> Path:
    """The `.po` file of one language."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalog of `code` (read once per process; English needs none)."""
    if code == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(code).open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out: they fall back to English
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def set_language(code: str) -> None:
    """Choose the language of every later message: one of `LANGUAGES`.

    An unknown code is refused with one line (ValueError): the command line offers only
    the four through `--lang`, the environment is read by `language_from_environment`.
    """
    global _language, _translations
    code = code.strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}: choose one of {', '.join(LANGUAGES)}")
    _translations = translations(code)
    _language = code


def language() -> str:
    """The language chosen for this process (`en` until set)."""
    return _language


def short_date(day: date) -> str:
    """`Wed 20 Mar` in the chosen language (`mer. 20 mars`, `wo 20 mrt`, `Mi. 20 März`)."""
    if _language == "en":
        return day.strftime("%a %d %b")
    from babel.dates import format_date

    return format_date(day, "EEE d MMM", locale=_language)


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """The system locale's language if we speak it, else English.

    Read as gettext does: the first of LC_ALL, LC_MESSAGES and LANG that is set decides
    (`fr_BE.UTF-8` is French; `C`, `POSIX` or a language we do not have is English).
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"
