"""Text that lost its letters on the way: a re-save in an encoding without them, or UTF-8
read as Windows-1252.

Excel's plain "CSV" is Windows-1252: Greek, Cyrillic, Polish or Vietnamese letters become
`?` (`Γεώργιος` -> `????????`, `Kraków` stays, `Łódź` -> `?ód?`). A UTF-8 file opened as
Windows-1252 and saved again turns `é` into `Ã©` (mojibake). Either way the file no longer
holds the names; an import must not write them over good ones. The fix is always the same:
export again as UTF-8 ("CSV UTF-8" in Excel), or give the .xlsx itself.
"""

from __future__ import annotations

import re
import unicodedata

#: What every refusal tells the person to do.
FIX = "export the file again as UTF-8 (Excel: 'CSV UTF-8') or import the .xlsx itself"

#: A `?` inside a word, starting one, or doubled: where a letter was (the "?" of "Why?" is not).
_LOST = re.compile(r"[^\W\d_]\?[^\W\d_]|\?\?|(?:^|\s)\?[^\W\d_]")


def has_lost_letters(text: str) -> bool:
    """True when `text` has `?` where letters must have been (`Nguy?n`, `????`)."""
    return "?" in text and _LOST.search(text) is not None


def unmangled(text: str) -> str | None:
    """What `text` said before its UTF-8 bytes were read as Windows-1252 (`Ã‰lodie` ->
    `Élodie`), or None when it is not such mojibake."""
    if text.isascii():
        return None
    for encoding in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
        if fixed != text:
            return fixed
    return None


def _base(char: str) -> str:
    return unicodedata.normalize("NFKD", char)[:1]


def overwrites_letters(new: str, old: str) -> bool:
    """True when `new` is `old` after a lossy re-save: each character the same, or a letter
    `old` has turned into `?` (or into its unaccented form, as Windows' best fit does), and
    at least one `?` among them."""
    if new == old or len(new) != len(old) or "?" not in new:
        return False
    lost = False
    for a, b in zip(new, old, strict=True):
        if a == b:
            continue
        if a == "?" and not b.isascii():
            lost = True
        elif not (a.isascii() and not b.isascii() and _base(b) == a):
            return False
    return lost


def garbled(field: str, new: str, old: str | None) -> str | None:
    """Why `new` must not be written (over `old`, the value the log holds), or None."""
    fixed = unmangled(new)
    if fixed is not None:
        return f"{field} {new!r} is garbled, UTF-8 read as Windows-1252 (it was {fixed!r}): {FIX}"
    if not has_lost_letters(new) or new == old:
        return None
    if old and overwrites_letters(new, old):
        return f"{field} {new!r} would overwrite {old!r}: the file lost its letters when it was re-saved; {FIX}"
    return f"{field} {new!r} has '?' where letters were (a re-save lost them); {FIX}"
