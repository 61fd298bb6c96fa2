"""Text matching as people type it: accents and case do not matter ("liege" finds "Liège").

`fold_text` is the one folding of names: the station's name search, `eventops attendees
--search`, imports matching headers and names (`db.imports.columns.normal`) and every sort by
name use it, so "Guðrún", "Łódź" and "Straße" are found, matched and sorted alike everywhere.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Letters that Unicode does not decompose into a base letter plus an accent (lower case: the
# text is case-folded first), and typographic apostrophes typed as plain ones.
_SPECIAL = str.maketrans(
    {
        "ß": "ss", "ð": "d", "þ": "th", "ł": "l", "ŀ": "l", "ø": "o", "æ": "ae", "œ": "oe",
        "đ": "d", "ħ": "h", "ı": "i", "ĸ": "k", "ŋ": "n", "ŧ": "t", "ƒ": "f", "ſ": "s",
        "’": "'", "‘": "'", "ʼ": "'",
    }
)


@lru_cache(maxsize=1 << 16)  # names are folded many times (every keystroke, every import row)
def fold_text(text: str) -> str:
    """`text` case-folded, transliterated and without accents: "Guðrún Łódź" -> "gudrun lodz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sort_key(text: str) -> tuple[str, str]:
    """A key that sorts names as people expect ("Ødegaard" with the O's), ties by the exact text."""
    return (fold_text(text), text)
