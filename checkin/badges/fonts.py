"""The fonts badges are printed with, found on this machine at run time, and which one draws
each piece of a name.

No single font covers every attendee: Noto Sans has Latin, Greek and Cyrillic, Noto Sans
Arabic the Arabic letters, Noto Sans CJK the Chinese, Japanese and Korean ones. Debian ships
them as `fonts-noto-core` and `fonts-noto-cjk`; they are looked up by path (too big to bundle:
the CJK collection alone is 20 MB). A text is cut into runs, each drawn with the first font of
the chain that has its letters, and both painters (Pillow, fpdf2) draw the same runs, so the
PNG and the PDF agree. Without Noto the bundled DejaVu Sans is used, with one warning naming
the scripts it cannot print.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEJAVU_REGULAR = ASSETS / "DejaVuSans.ttf"
DEJAVU_BOLD = ASSETS / "DejaVuSans-Bold.ttf"

#: Where distributions put the Noto fonts (Debian/Ubuntu first); EVENTOPS_FONT_DIRS replaces it.
FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/noto",  # Debian fonts-noto-core
    "/usr/share/fonts/opentype/noto",  # Debian fonts-noto-cjk
    "/usr/share/fonts/noto",  # Arch
    "/usr/share/fonts/noto-cjk",  # Arch
    "/usr/share/fonts/google-noto",  # Fedora
    "/usr/share/fonts/google-noto-sans-cjk-fonts",  # Fedora
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
)
FONT_DIRS_ENV = "EVENTOPS_FONT_DIRS"
INSTALL_HINT = "apt-get install fonts-noto-core fonts-noto-cjk"


@dataclass(frozen=True)
class Candidate:
    """A font the chain uses when it is installed: file names, and the face of a collection."""

    key: str
    regular: str
    bold: str
    family: str = ""  # the face to pick inside a .ttc collection (its family name)


#: In the order a character looks for its font: the first that has it draws it.
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    Candidate("arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    Candidate("hebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    Candidate("armenian", "NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Bold.ttf"),
    Candidate("georgian", "NotoSansGeorgian-Regular.ttf", "NotoSansGeorgian-Bold.ttf"),
    Candidate("devanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    Candidate("thai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
    Candidate("cjk", "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", family="Noto Sans CJK SC"),
)

#: A few letters of each script a badge must print, to say which ones a machine cannot.
SCRIPT_SAMPLES: dict[str, str] = {
    "Latin": "AzĄŁőș",
    "Greek": "ΓεώΩ",
    "Cyrillic": "ЖяЄђ",
    "Arabic": "محمد",
    "Hebrew": "שלום",
    "Chinese/Japanese (CJK)": "王张伟の",
    "Korean": "김민",
}


@dataclass(frozen=True)
class FontFace:
    """One font of the chain: its regular and bold files (and face index in a collection)."""

    key: str
    regular: Path
    bold: Path
    index: int = 0
    bold_index: int = 0

    def path(self, bold: bool) -> Path:
        return self.bold if bold else self.regular

    def face_index(self, bold: bool) -> int:
        return self.bold_index if bold else self.index


@dataclass(frozen=True)
class Run:
    """A piece of a line drawn with one font of the chain (`face` is its index in the chain)."""

    text: str
    face: int
    rtl: bool = False

    @property
    def shaped_text(self) -> str:
        """What a shaping engine is given: a right-to-left run of spaces and punctuation only
        (no letter to tell the engine its direction) comes reversed."""
        if self.rtl and not any(_strong_rtl(char) is not None for char in self.text):
            return self.text[::-1]
        return self.text


@dataclass(frozen=True, eq=False)  # one per font directory list (`font_chain`): same means identical
class FontChain:
    """The fonts found here, in fallback order, and what they cannot print."""

    faces: tuple[FontFace, ...]
    missing_scripts: tuple[str, ...] = ()
    warning: str | None = None
    _covers: tuple[frozenset[int], ...] = field(default=(), repr=False, compare=False)

    def covers(self, index: int) -> frozenset[int]:
        return self._covers[index]

    def face_for(self, char: str, prefer: int | None = None) -> int | None:
        """The first font that has `char`; a space, mark or punctuation stays in `prefer`'s font."""
        code = ord(char)
        if prefer is not None and _is_neutral(char) and code in self._covers[prefer]:
            return prefer
        for index, covered in enumerate(self._covers):
            if code in covered:
                return index
        return None

    def missing(self, text: str) -> list[str]:
        """The characters of `text` that no font here has, each once, in order."""
        seen: dict[str, None] = {}
        for char in text:
            if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            if self.face_for(char) is None:
                seen.setdefault(char)
        return list(seen)

    def runs(self, text: str) -> list[Run]:
        """`text` cut into runs of one font and one direction each, in the order they are
        drawn left to right.

        A simplified Unicode bidi: a run ends where the font or the direction of its letters
        changes (spaces and punctuation stay in the run they follow). Right-to-left runs next
        to each other are laid out from the right, and a line whose first strong letter is
        right-to-left (Arabic, Hebrew) lays out all its groups from the right; inside a run
        the shaping engine orders and joins the letters.
        """
        base_rtl = _first_strong_rtl(text) is True
        pieces: list[tuple[str, int, bool | None]] = []  # text, font, direction (None: not yet known)
        for char in text:
            current = pieces[-1] if pieces else None
            index = self.face_for(char, prefer=current[1] if current else None)
            if index is None:  # no font has it: drawn as an empty box, reported by `missing`
                index = current[1] if current else 0
            strong = _strong_rtl(char)
            if current and current[1] == index and (strong is None or current[2] in (None, strong)):
                pieces[-1] = (current[0] + char, index, strong if current[2] is None else current[2])
            else:
                pieces.append((char, index, strong))
        runs = [Run(piece, index, base_rtl if rtl is None else rtl) for piece, index, rtl in _settle_neutrals(pieces, base_rtl)]
        groups: list[list[Run]] = []
        for run in runs:
            if groups and groups[-1][0].rtl == run.rtl:
                groups[-1].append(run)
            else:
                groups.append([run])
        for group in groups:
            if group[0].rtl:
                group.reverse()
        if base_rtl:
            groups.reverse()
        return [run for group in groups for run in group]


def _settle_neutrals(pieces: list[tuple[str, int, bool | None]], base_rtl: bool) -> list[tuple[str, int, bool | None]]:
    """Spaces and punctuation at the edges of a run against the line's direction belong to the
    line's direction (`محمد, John` keeps its comma by محمد): split them off."""
    out: list[tuple[str, int, bool | None]] = []
    for text, index, rtl in pieces:
        if rtl is None or rtl == base_rtl:
            out.append((text, index, rtl))
            continue
        start, end = 0, len(text)
        while start < end and _strong_rtl(text[start]) is None:
            start += 1
        while end > start and _strong_rtl(text[end - 1]) is None:
            end -= 1
        out.extend(piece for piece in ((text[:start], index, base_rtl), (text[start:end], index, rtl), (text[end:], index, base_rtl)) if piece[0])
    return out


def _is_neutral(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "ZPSM" or category == "Nd"


def _strong_rtl(char: str) -> bool | None:
    """True for a right-to-left letter, False for a left-to-right one, None for the rest."""
    direction = unicodedata.bidirectional(char)
    return True if direction in ("R", "AL") else False if direction == "L" else None


def _first_strong_rtl(text: str) -> bool | None:
    """True if the first letter with a direction is right-to-left, False if left-to-right."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return None


def has_rtl(text: str) -> bool:
    """True if `text` has a right-to-left letter (Arabic, Hebrew...), which needs shaping."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


@lru_cache(maxsize=32)
def _cmap(path: Path, index: int) -> frozenset[int]:
    font = TTFont(str(path), fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@lru_cache(maxsize=16)
def _collection_index(path: Path, family: str) -> int | None:
    """The index of the face called `family` in the collection at `path` (None if absent)."""
    collection = TTCollection(str(path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            names = font["name"]
            if (names.getDebugName(16) or names.getDebugName(1)) == family:
                return index
        return None
    finally:
        collection.close()


def font_dirs() -> tuple[Path, ...]:
    """Where fonts are looked for: EVENTOPS_FONT_DIRS (os.pathsep between) or `FONT_DIRS`."""
    configured = os.environ.get(FONT_DIRS_ENV)
    dirs = configured.split(os.pathsep) if configured is not None else FONT_DIRS
    return tuple(Path(d).expanduser() for d in dirs if d)


def _find(name: str, dirs: Sequence[Path]) -> Path | None:
    for directory in dirs:
        path = directory / name
        if path.is_file():
            return path
    return None


def _installed(candidate: Candidate, dirs: Sequence[Path]) -> FontFace | None:
    regular, bold = _find(candidate.regular, dirs), _find(candidate.bold, dirs)
    if regular is None or bold is None:
        return None
    if not candidate.family:
        return FontFace(candidate.key, regular, bold)
    index, bold_index = _collection_index(regular, candidate.family), _collection_index(bold, candidate.family)
    if index is None or bold_index is None:
        return None
    return FontFace(candidate.key, regular, bold, index, bold_index)


def build_chain(dirs: Iterable[Path]) -> FontChain:
    """The chain of the Noto fonts found in `dirs`, then the bundled DejaVu Sans, and a warning
    naming the scripts none of them prints (None when all of `SCRIPT_SAMPLES` print)."""
    dirs = tuple(dirs)
    faces = [face for face in (_installed(c, dirs) for c in CANDIDATES) if face is not None]
    faces.append(FontFace("dejavu", DEJAVU_REGULAR, DEJAVU_BOLD))
    covers = tuple(_cmap(face.regular, face.index) & _cmap(face.bold, face.bold_index) for face in faces)
    chain = FontChain(tuple(faces), _covers=covers)
    missing = tuple(script for script, sample in SCRIPT_SAMPLES.items() if chain.missing(sample))
    warning = None
    if missing:
        using = "" if len(faces) > 1 else "no Noto font found, badges use the bundled DejaVu Sans; "
        warning = (
            f"{using}no font here prints {', '.join(missing)} letters: such names show as empty boxes "
            f"on badges (install them: {INSTALL_HINT}; fonts are looked for in {dirs[0] if dirs else '(none)'} "
            f"and {max(0, len(dirs) - 1)} other directories, or {FONT_DIRS_ENV})"
        )
    return FontChain(tuple(faces), missing, warning, covers)


@lru_cache(maxsize=4)
def _chain_for(dirs: tuple[Path, ...]) -> FontChain:
    return build_chain(dirs)


def font_chain() -> FontChain:
    """The chain of this machine's fonts (found once per process and directory list)."""
    return _chain_for(font_dirs())


def describe(char: str) -> str:
    """A character as a person can look it up: `'王' (U+738B CJK UNIFIED IDEOGRAPH-738B)`."""
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')})"
