"""Text matching as people type it: accents, case and script do not matter ("liege" finds "Liège").

`fold_text` is the one folding of names: the station's name search, `eventops attendees
--search`, imports matching headers and names (`db.imports.columns.normal`) and every sort by
name use it, so "Guðrún", "Łódź", "Straße", "Παπαδόπουλος" and "Иванова" are found, matched and
sorted alike everywhere. The transliteration is `anyascii`'s (every script to ASCII, kept up to
date with Unicode), not a table of our own.

`person_key` is the one order of people: every list of people (attendees, roll call, manifest,
exports) sorts by family name, then given name, folded ("Álvaro" with the A's, not after Z).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Greek "ου" is one sound, written "ou" by every romanisation people type (ELOT 743, ISO 843,
# passports: Papadopoulos); letter by letter it would be "oy". Matched after NFD, so an accent on
# either letter (ού) does not stop it.
_GREEK_OU = re.compile("ο[\u0300-\u036f]*υ")
# German umlauts are typed both ways: "Müller" as "mueller" and as "muller" (see `fold_variants`).
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_APOSTROPHES = re.compile("['’‘ʼ`´]")
_WORD = re.compile("[a-z0-9]+")


@lru_cache(maxsize=1 << 17)  # names are folded many times (every keystroke, every import row, every sort)
def fold_text(text: str) -> str:
    """`text` case-folded and transliterated to plain ASCII: "Guðrún Łódź" -> "gudrun lodz",
    "Παπαδόπουλος" -> "papadopoulos", "Иванова" -> "ivanova", "Straße" -> "strasse"."""
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFD", folded)
        if "υ" in folded:
            folded = _GREEK_OU.sub("ou", folded)
        folded = anyascii(unicodedata.normalize("NFC", folded)).lower()
    return folded


def fold_variants(text: str) -> tuple[str, ...]:
    """Every folding of `text` a person may type: `fold_text`'s, and for German umlauts also
    the spelled-out one ("Müller" -> ("muller", "mueller")), so both find Müller."""
    plain = fold_text(text)
    spelled = text.translate(_UMLAUTS)
    if spelled == text:
        return (plain,)
    return (plain, fold_text(spelled))


def words(folded: str) -> list[str]:
    """The words of a folded text, apostrophes dropped ("o'brien" -> ["obrien"], "jean-pierre"
    -> ["jean", "pierre"]): how names are indexed and how queries are split, alike."""
    return _WORD.findall(_APOSTROPHES.sub("", folded))


def split_name(name: str, first: str = "", last: str = "") -> tuple[str, str]:
    """(family name, given names) of a person: `last`/`first` when registered, else from the
    full name: the given name(s) it starts with, or its last word ("Jean-Pierre Dubois" ->
    ("Dubois", "Jean-Pierre"))."""
    name = name.strip()
    if last:
        return last, first or name.removesuffix(last).strip()
    if first and name.startswith(first):
        return name[len(first):].strip() or first, first
    given, _, family = name.rpartition(" ")
    return (family, given) if family else (name, "")


def person_key(name: str, first: str = "", last: str = "", ident: str = "") -> tuple[str, str, str, str]:
    """The one sort key of people: family name, then given name, both folded ("Álvaro" sorts
    with A, "Ødegaard" with O, "Παπαδόπουλος" with P), then the exact name and the id for ties."""
    family, given = split_name(name, first, last)
    return (fold_text(family), fold_text(given), name, ident)


def sort_key(text: str) -> tuple[str, str]:
    """A key that sorts names as people expect ("Ødegaard" with the O's), ties by the exact text."""
    return (fold_text(text), text)
