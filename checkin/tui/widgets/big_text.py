"""Headlines in a 3×5 block font, readable from a metre away; plain bold when too narrow."""

from __future__ import annotations

import unicodedata

from rich.text import Text
from textual.widgets import Static

# Each glyph: five rows of three cells ("#" = filled).
_FONT_ROWS = {
    "A": ".#.|#.#|###|#.#|#.#", "B": "##.|#.#|##.|#.#|##.", "C": ".##|#..|#..|#..|.##",
    "D": "##.|#.#|#.#|#.#|##.", "E": "###|#..|##.|#..|###", "F": "###|#..|##.|#..|#..",
    "G": ".##|#..|#.#|#.#|.##", "H": "#.#|#.#|###|#.#|#.#", "I": "###|.#.|.#.|.#.|###",
    "J": "..#|..#|..#|#.#|.#.", "K": "#.#|#.#|##.|#.#|#.#", "L": "#..|#..|#..|#..|###",
    "M": "#.#|###|###|#.#|#.#", "N": "##.|#.#|#.#|#.#|#.#", "O": ".#.|#.#|#.#|#.#|.#.",
    "P": "##.|#.#|##.|#..|#..", "Q": ".#.|#.#|#.#|##.|.##", "R": "##.|#.#|##.|#.#|#.#",
    "S": ".##|#..|.#.|..#|##.", "T": "###|.#.|.#.|.#.|.#.", "U": "#.#|#.#|#.#|#.#|###",
    "V": "#.#|#.#|#.#|#.#|.#.", "W": "#.#|#.#|#.#|###|#.#", "X": "#.#|#.#|.#.|#.#|#.#",
    "Y": "#.#|#.#|.#.|.#.|.#.", "Z": "###|..#|.#.|#..|###", "0": "###|#.#|#.#|#.#|###",
    "1": ".#.|##.|.#.|.#.|###", "2": "##.|..#|.#.|#..|###", "3": "##.|..#|.#.|..#|##.",
    "4": "#.#|#.#|###|..#|..#", "5": "###|#..|##.|..#|##.", "6": ".##|#..|###|#.#|###",
    "7": "###|..#|.#.|.#.|.#.", "8": "###|#.#|###|#.#|###", "9": "###|#.#|###|..#|##.",
    " ": "...|...|...|...|...", ":": "...|.#.|...|.#.|...", "!": ".#.|.#.|.#.|...|.#.",
    "-": "...|...|###|...|...", "/": "..#|..#|.#.|#..|#..", ".": "...|...|...|...|.#.",
    "?": "##.|..#|.#.|...|.#.",
}
FONT = {char: rows.split("|") for char, rows in _FONT_ROWS.items()}
GLYPH_HEIGHT = 5


#: Letters the block font draws as plain capitals: German ones as written without umlauts
#: (ÜBER → UEBER), a non-breaking space (French "PARTI : ...") as a space.
_PLAIN_CAPITALS = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ẞ": "SS", "\u00a0": " "})


def block_letters(text: str) -> str:
    """`text` as the block font spells it: capitals, accents left off (DÉJÀ → DEJA), so that a
    French, Dutch or German headline is as big as an English one."""
    text = text.upper().replace("ß", "SS").translate(_PLAIN_CAPITALS)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def render_block(text: str, scale: int = 1) -> list[str] | None:
    """The rows of `text` in the block font (None if a character has no glyph)."""
    text = block_letters(text)
    if any(char not in FONT for char in text):
        return None
    rows = []
    for row in range(GLYPH_HEIGHT):
        line = " ".join("".join("█" * scale if c == "#" else " " * scale for c in FONT[ch][row]) for ch in text)
        rows.extend([line] * scale)
    return rows


def block_width(text: str, scale: int = 1) -> int:
    text = block_letters(text)
    return len(text) * (3 * scale + 1) - 1 if text else 0


class BigText(Static):
    """A headline drawn in the block font at the largest scale that fits its width."""

    DEFAULT_CSS = """
    BigText { width: 1fr; height: auto; content-align: center middle; text-align: center; }
    """

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self._text = text

    def set_text(self, text: str) -> None:
        self._text = text
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def on_mount(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.size.width or 80
        text = self._text
        for scale in (2, 1):
            rows = render_block(text, scale)
            tall_enough = scale == 1 or self.app.size.height >= 36
            if rows is not None and tall_enough and block_width(text, scale) <= width:
                self.update(Text("\n".join(rows)))
                return
        self.update(Text(text, style="bold"))
