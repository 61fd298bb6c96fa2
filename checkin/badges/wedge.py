"""Keyboard-wedge layout repair: what a US-layout scanner "types" on AZERTY and QWERTZ machines.

A USB barcode scanner in keyboard mode sends *key positions* as if the keyboard were US
English. On a laptop set to Belgian or French AZERTY, or German QWERTZ, the same key
positions produce other characters: `A` arrives as `Q`, `1` as `&`, `Z` as `Y`. Badge tokens
use an alphabet (`checkin.badges.token.ALPHABET`) chosen so that every such mangling lands
*outside* the alphabet, and all three layouts agree on the way back: one character map
(`REPAIR`) undoes any of them without knowing which layout the desk laptop has.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The US layout, key position by key position: (unshifted row, shifted row).
_US_ROWS = (
    ("`1234567890-=", "~!@#$%^&*()_+"),
    ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
    ("asdfghjkl;'", 'ASDFGHJKL:"'),
    ("zxcvbnm,./", "ZXCVBNM<>?"),
)

# The same key positions on other layouts. "\0" marks a dead key (it types nothing by itself).
LAYOUT_ROWS: dict[str, tuple[tuple[str, str], ...]] = {
    "azerty-be": (
        ("²&é\"'(§è!çà)-", "³1234567890°_"),
        ("azertyuiop\0$µ", "AZERTYUIOP\0*£"),
        ("qsdfghjklmù", "QSDFGHJKLM%"),
        ("wxcvbn,;:=", "WXCVBN?./+"),
    ),
    "azerty-fr": (
        ("²&é\"'(-è_çà)=", "\0" + "1234567890°+"),
        ("azertyuiop\0$*", "AZERTYUIOP\0£µ"),
        ("qsdfghjklmù", "QSDFGHJKLM%"),
        ("wxcvbn,;:!", "WXCVBN?./§"),
    ),
    "qwertz-de": (
        ("\x001234567890ß\0", "°!\"§$%&/()=?\0"),
        ("qwertzuiopü+#", "QWERTZUIOPÜ*'"),
        ("asdfghjklöä", "ASDFGHJKLÖÄ"),
        ("yxcvbnm,.-", "YXCVBNM;:_"),
    ),
}

LAYOUTS: tuple[str, ...] = ("us", *LAYOUT_ROWS)


def _build(rows: tuple[tuple[str, str], ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for (us_plain, us_shift), (plain, shift) in zip(_US_ROWS, rows, strict=True):
        for us_char, out in zip(us_plain + us_shift, plain + shift, strict=True):
            table[us_char] = "" if out == "\0" else out
    return table


#: layout -> {character the scanner means: character the desk laptop receives}
MANGLE: dict[str, dict[str, str]] = {name: _build(rows) for name, rows in LAYOUT_ROWS.items()}


def mangle(text: str, layout: str) -> str:
    """What arrives on a machine set to `layout` when a US-layout scanner types `text`."""
    if layout == "us":
        return text
    table = MANGLE[layout]
    return "".join(table.get(char, char) for char in text)


def repair_map(alphabet: Iterable[str]) -> dict[str, str]:
    """The one map that undoes every layout's mangling of `alphabet` (received -> meant).

    Raises ValueError if two layouts disagree (the alphabet would then be ambiguous).
    """
    chars = set(alphabet)
    back: dict[str, str] = {}
    for table in MANGLE.values():
        for meant in chars:
            received = table.get(meant, meant)
            if received == meant:
                continue
            if received in chars or not received:
                raise ValueError(f"{meant!r} becomes {received!r}: not recoverable")
            if back.setdefault(received, meant) != meant:
                raise ValueError(f"{received!r} means both {back[received]!r} and {meant!r}")
    return back


def repair(text: str, table: dict[str, str]) -> str:
    """Undo the layout mangling of `text` with `table` (see `repair_map`), then upper-case it.

    Upper-casing last also repairs a desk laptop with Caps Lock on (shifted letters arrive
    in lower case).
    """
    out = []
    for char in text:
        meant = table.get(char)
        if meant is None:
            upper = char.upper()
            meant = table.get(upper, upper)
        out.append(meant)
    return "".join(out)
