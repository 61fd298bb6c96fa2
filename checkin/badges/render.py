"""Badge faces: what is printed on a badge, its QR code, and one PNG per attendee.

The layout is defined once, in millimetres on an A6 card (105 x 148 mm), and painted twice:
here with Pillow (PNG) and in `checkin.badges.print` with fpdf2 (PDF sheets).

The QR code: a token of at most 120 characters in QR alphanumeric mode is always version 5
(37 x 37 modules) at error correction M. Printed at 2.0 mm per module the symbol is
74 mm wide (90 mm with its 4-module quiet zone); a 720p webcam with a ~70 degree field
of view sees about 0.55 mm per pixel at 50 cm, 0.33 mm at 30 cm, so 3.6 to 6 pixels per
module (5.5 to 9 with 1080p); 4 or more is what decoders like.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont, features

from checkin.badges.fonts import DEJAVU_BOLD, DEJAVU_REGULAR, FontChain, FontFace, Run, font_chain

FONT_REGULAR = DEJAVU_REGULAR  # the bundled fallback (the chain in `checkin.badges.fonts` picks)
FONT_BOLD = DEJAVU_BOLD

WIDTH_MM = 105.0
HEIGHT_MM = 148.0
#: Nothing is printed closer than this to the card's edge: office printers cannot print the
#: outer 4-5 mm of a sheet, and a cut is never exact.
MARGIN_MM = 6.0
EVENT_TOP_MM = MARGIN_MM  # the event's name, first line of the card
BAND_TOP_MM = 11.5  # the role colour band, inset by the margin on every side
BAND_MM = 13.0
BAND_RADIUS_MM = 2.0
MODULE_MM = 2.0
QR_MODULES = 37  # version 5: every token (at most 120 characters) fits, so the layout is fixed
QUIET_MODULES = 4
DEFAULT_DPI = 300
PT_MM = 25.4 / 72
ASCENT = 0.95  # top of a line to its baseline, in em (room for accents over capitals)
ELLIPSIS = "\u2026"
WHITE = (255, 255, 255)

#: Role colours: the door steward recognises a speaker or the press from across the room.
ROLE_COLOURS: dict[str, tuple[int, int, int]] = {
    "participant": (31, 94, 168),
    "speaker": (214, 96, 0),
    "press": (0, 128, 96),
    "staff": (190, 30, 45),
    "organiser": (110, 45, 140),
    "organizer": (110, 45, 140),
    "volunteer": (0, 130, 150),
    "vip": (150, 110, 0),
    "sponsor": (70, 70, 70),
}
_FALLBACK_COLOURS = [(90, 60, 150), (0, 110, 60), (160, 60, 100), (40, 90, 120)]

#: How a line's text is measured: (text, size in pt, bold) -> width in mm.
Measure = Callable[[str, float, bool], float]


@dataclass(frozen=True, slots=True)
class BadgeFace:
    """Everything printed on one badge."""

    attendee_id: str
    name: str
    org: str
    place: str  # "City, Country"
    role: str
    token: str
    event: str = ""  # the event's name, printed at the top

    @property
    def colour(self) -> tuple[int, int, int]:
        return role_colour(self.role)


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text on the card, in millimetres from the card's top-left corner.

    `x_mm` is the line's centre (`align` "C") or its right end ("R"). Text is grey (`colour`
    has R = G = B), or white on the role band (`on_band`)."""

    text: str
    baseline_mm: float
    size_pt: float
    bold: bool
    colour: tuple[int, int, int]
    x_mm: float = WIDTH_MM / 2
    align: str = "C"
    on_band: bool = False


def role_colour(role: str) -> tuple[int, int, int]:
    key = role.strip().lower()
    if key in ROLE_COLOURS:
        return ROLE_COLOURS[key]
    digest = hashlib.sha256(key.encode()).digest()
    return _FALLBACK_COLOURS[digest[0] % len(_FALLBACK_COLOURS)]


def face_of(attendee: Any, token: str, event: str = "") -> BadgeFace:
    """The badge face of a `db.state.Attendee`-like record, for the event called `event`."""
    name = str(getattr(attendee, "name", "") or "").strip()
    if not name:
        name = f"{getattr(attendee, 'first', '')} {getattr(attendee, 'last', '')}".strip()
    city = str(getattr(attendee, "city", "") or "")
    country = str(getattr(attendee, "country", "") or "")
    place = ", ".join(part for part in (city, country) if part)
    return BadgeFace(
        attendee_id=str(attendee.id),
        name=_nfc(name or str(attendee.id)),
        org=_nfc(str(getattr(attendee, "org", "") or "")),
        place=_nfc(place),
        role=_nfc(str(getattr(attendee, "role", "") or "")),
        token=token,
        event=_nfc(event.strip()),
    )


def _nfc(text: str) -> str:
    # Precomposed characters render right even in a font without mark positioning.
    return unicodedata.normalize("NFC", " ".join(text.split()))


@lru_cache(maxsize=256)
def qr_matrix(token: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules of `token` (no quiet zone), lowest version that fits, error correction M."""
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(token)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def qr_box_mm(modules: int) -> tuple[float, float, float]:
    """(left, top, side) of the QR symbol on the card, quiet zone around it inside the card."""
    side = modules * MODULE_MM
    left = (WIDTH_MM - side) / 2
    top = HEIGHT_MM - MARGIN_MM - QUIET_MODULES * MODULE_MM * 0.5 - side
    return left, top, side


def band_box_mm() -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the role colour band: inside the safe margin."""
    return MARGIN_MM, BAND_TOP_MM, WIDTH_MM - MARGIN_MM, BAND_TOP_MM + BAND_MM


# --- text fitting, one rule for every script, shared by both painters -----------------------


@dataclass(frozen=True)
class Fit:
    """How one text is fitted: single line from `largest` down to `smallest` pt, then (if
    `lines` is 2) two lines from `two_line_largest` down to `smallest`, then an ellipsis."""

    largest: float
    smallest: float
    lines: int = 1
    two_line_largest: float = 0.0
    leading: float = 1.2  # line height, in em


EVENT_FIT = Fit(10.0, 6.5)
ROLE_FIT = Fit(14.0, 8.0)
ID_SIZE_PT = 7.0
NAME_FIT = Fit(24.0, 14.0, lines=2, two_line_largest=19.0, leading=1.15)
ORG_FIT = Fit(12.0, 8.0, lines=2, two_line_largest=11.0)
PLACE_FIT = Fit(10.0, 7.0)
STEP_PT = 0.5
NAME_GAP_MM = 2.0  # between the name and the organisation


def _sizes(largest: float, smallest: float) -> list[float]:
    count = max(0, round((largest - smallest) / STEP_PT))
    return [largest - i * STEP_PT for i in range(count + 1)]


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, kana, ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFF60
        or 0x20000 <= code <= 0x3FFFF
    )


def _after_hyphen(before: str, index: int) -> bool:
    return before in "-\u2010/" and index > 1


def _between_cjk(before: str, char: str) -> bool:
    closing = unicodedata.category(char) in ("Pe", "Po", "Pf")  # never starts a line
    return (_is_cjk(before) or _is_cjk(char)) and not before.isspace() and not closing


def _splits(text: str) -> list[tuple[str, str]]:
    """Every way to cut `text` in two lines: at a space, after a hyphen or slash, between two
    CJK characters (which need no spaces); never before closing punctuation."""
    out: dict[tuple[str, str], None] = {}
    for i in range(1, len(text)):
        before, char = text[i - 1], text[i]
        if char.isspace():
            first, second = text[:i].rstrip(), text[i:].lstrip()
        elif _after_hyphen(before, i) or _between_cjk(before, char):
            first, second = text[:i], text[i:]
        else:
            continue
        if first and second:
            out[(first, second)] = None
    return list(out)


def _ellipsis(text: str, usable: float, size: float, bold: bool, measure: Measure) -> str:
    while len(text) > 1 and measure(text + ELLIPSIS, size, bold) > usable:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fit_text(text: str, usable: float, fit: Fit, bold: bool, measure: Measure) -> list[tuple[str, float]]:
    """`text` as (line, size pt) pairs no wider than `usable` mm: shrunk first, down to
    `fit.smallest`; then on two lines (if allowed), the most even cut at the largest size that
    fits, a cut at a space before one after a hyphen or between CJK characters; only then cut
    short with an ellipsis. The same rule for every script."""
    for size in _sizes(fit.largest, fit.smallest):
        if measure(text, size, bold) <= usable:
            return [(text, size)]
    splits = _splits(text) if fit.lines >= 2 else []
    at_spaces = [pair for pair in splits if text[len(pair[0])].isspace()]
    two_line_sizes = _sizes(max(fit.two_line_largest, fit.smallest), fit.smallest)
    # A cut at a space (given name | family name) wins over one inside a word, at any size.
    for candidates in (at_spaces, [pair for pair in splits if pair not in at_spaces]):
        for size in two_line_sizes if candidates else []:
            fitting = [
                (max(w1, w2), first, second)
                for first, second in candidates
                if (w1 := measure(first, size, bold)) <= usable and (w2 := measure(second, size, bold)) <= usable
            ]
            if fitting:
                _, first, second = min(fitting)
                return [(first, size), (second, size)]
    size = fit.smallest
    if fit.lines < 2:
        return [(_ellipsis(text, usable, size, bold, measure), size)]
    # Two lines at the smallest size: as much as fits on the first, the rest cut short.
    heads = [(first, second) for first, second in splits if measure(first, size, bold) <= usable]
    if heads:
        first, second = max(heads, key=lambda pair: len(pair[0]))
    else:  # one word longer than the line: cut it anywhere
        cut = len(text) - 1
        while cut > 1 and measure(text[:cut], size, bold) > usable:
            cut -= 1
        first, second = text[:cut], text[cut:]
    return [(first, size), (_ellipsis(second, usable, size, bold, measure), size)]


def _stack(
    parts: list[tuple[list[tuple[str, float]], Fit, bool, tuple[int, int, int]]], top: float
) -> list[TextLine]:
    lines: list[TextLine] = []
    for index, (fitted, fit, bold, colour) in enumerate(parts):
        if index == 1:
            top += NAME_GAP_MM
        for text, size in fitted:
            size_mm = size * PT_MM
            lines.append(TextLine(text, top + ASCENT * size_mm, size, bold, colour))
            top += fit.leading * size_mm
    return lines


def _height(parts: list[tuple[list[tuple[str, float]], Fit, bool, tuple[int, int, int]]]) -> float:
    gap = NAME_GAP_MM if len(parts) > 1 else 0.0
    return gap + sum(fit.leading * size * PT_MM for fitted, fit, _, _ in parts for _, size in fitted)


def layout(face: BadgeFace, measure: Measure | None = None) -> list[TextLine]:
    """Every text line of a badge, placed; `measure` defaults to the font chain's widths."""
    measure = measure or text_width_mm
    usable = WIDTH_MM - 2 * MARGIN_MM
    lines: list[TextLine] = []
    if face.event:
        (text, size), *_ = fit_text(face.event, usable, EVENT_FIT, True, measure)
        lines.append(TextLine(text, EVENT_TOP_MM + ASCENT * size * PT_MM, size, True, (60, 60, 60)))
    left, band_top, right, band_bottom = band_box_mm()
    inset = 2.5  # text inside the band keeps off its rounded ends
    id_width = measure(face.attendee_id, ID_SIZE_PT, False)
    middle = band_top + BAND_MM / 2
    lines.append(TextLine(face.attendee_id, middle + 0.36 * ID_SIZE_PT * PT_MM, ID_SIZE_PT, False, WHITE, right - inset, "R", True))
    if face.role:
        room = right - left - 2 * (inset + id_width + 2.0)
        (text, size), *_ = fit_text(face.role.upper(), room, ROLE_FIT, True, measure)
        lines.append(TextLine(text, middle + 0.36 * size * PT_MM, size, True, WHITE, on_band=True))
    # Name, organisation, place: centred between the band and the QR code's quiet zone.
    area_top = band_bottom + 2.0
    area_bottom = qr_box_mm(QR_MODULES)[1] - QUIET_MODULES * MODULE_MM
    name = (fit_text(face.name, usable, NAME_FIT, True, measure), NAME_FIT, True, (0, 0, 0))
    for org_fit in (ORG_FIT, Fit(ORG_FIT.largest, ORG_FIT.smallest)):
        parts = [name]
        if face.org:
            parts.append((fit_text(face.org, usable, org_fit, False, measure), org_fit, False, (40, 40, 40)))
        if face.place:
            parts.append((fit_text(face.place, usable, PLACE_FIT, False, measure), PLACE_FIT, False, (90, 90, 90)))
        if _height(parts) <= area_bottom - area_top:
            break
    top = area_top + max(0.0, (area_bottom - area_top - _height(parts)) / 2)
    return lines + _stack(parts, top)


# --- measuring with the font chain ---------------------------------------------------------

UNIT_PX = 200  # widths are measured once at this size, then scaled: text width is linear in size


def raqm_available() -> bool:
    """True if Pillow can shape text (libraqm): Arabic letters joined, right-to-left ordered."""
    return bool(features.check("raqm"))


@lru_cache(maxsize=128)
def pil_font(face: FontFace, bold: bool, size_px: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if raqm_available() else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(face.path(bold)), size_px, index=face.face_index(bold), layout_engine=engine)


def visual(run: Run) -> str:
    """What Pillow is given to draw: without libraqm a right-to-left run is at least put in
    reading order (its letters stay unjoined)."""
    text = run.shaped_text
    return text[::-1] if run.rtl and text == run.text and not raqm_available() else text


@lru_cache(maxsize=65536)
def _unit_width(text: str, bold: bool, chain: FontChain) -> float:
    return sum(pil_font(chain.faces[run.face], bold, UNIT_PX).getlength(visual(run)) for run in chain.runs(text))


def text_width_mm(text: str, size_pt: float, bold: bool) -> float:
    """The printed width of `text` at `size_pt`, drawn with the font chain."""
    return _unit_width(text, bold, font_chain()) * size_pt * PT_MM / UNIT_PX


# --- Pillow painter ------------------------------------------------------------------------


#: The PNG's palette: 224 greys (all the card's text and the QR code), then 32 steps from the
#: role colour to white (the band, its white text and their antialiased edges). An 8-bit PNG
#: is a third of the bytes of an RGB one: ~6 ms to compress at 300 dpi instead of ~24 ms.
GREYS, TINTS = 224, 32
_GREY_INDEX = [round(v * (GREYS - 1) / 255) for v in range(256)]
_TINT_INDEX = [GREYS + round(v * (TINTS - 1) / 255) for v in range(256)]


def palette(colour: tuple[int, int, int]) -> list[int]:
    greys = [round(i * 255 / (GREYS - 1)) for i in range(GREYS) for _ in range(3)]
    tints = [round(c + (255 - c) * i / (TINTS - 1)) for i in range(TINTS) for c in colour]
    return greys + tints


def render_png(face: BadgeFace, path: str | Path, dpi: int = DEFAULT_DPI) -> Path:
    """Write the badge of `face` as an A6 PNG at `dpi` (8-bit palette); returns the path."""
    image = render_palette_image(face, dpi)
    path = Path(path)
    image.save(path, dpi=(dpi, dpi), compress_level=1)  # 5x faster than the default, files ~1.5x
    return path


def render_image(face: BadgeFace, dpi: int = DEFAULT_DPI) -> Image.Image:
    """The badge of `face` as an RGB image (A6 at `dpi`), with this machine's fonts."""
    return render_palette_image(face, dpi).convert("RGB")


def render_palette_image(face: BadgeFace, dpi: int = DEFAULT_DPI) -> Image.Image:
    """The badge of `face` as a palette image (`palette`): the card is drawn in greys, the band
    as how white each of its pixels is, and the two are put together as palette indexes."""
    chain = font_chain()
    px = dpi / 25.4

    def mm(value: float) -> int:
        return round(value * px)

    card = Image.new("L", (mm(WIDTH_MM), mm(HEIGHT_MM)), 255)
    left, top, right, bottom = band_box_mm()
    band_x, band_y = mm(left), mm(top)
    band = Image.new("L", (mm(right) - band_x, mm(bottom) - band_y), 255)  # 0: role colour, 255: white
    ImageDraw.Draw(band).rounded_rectangle((0, 0, band.width - 1, band.height - 1), radius=mm(BAND_RADIUS_MM), fill=0)
    draws = {False: ImageDraw.Draw(card), True: ImageDraw.Draw(band)}
    for line in layout(face):
        size_px = max(1, round(line.size_pt * dpi / 72))
        runs = [(run, pil_font(chain.faces[run.face], line.bold, size_px)) for run in chain.runs(line.text)]
        widths = [font.getlength(visual(run)) for run, font in runs]
        x = line.x_mm * px - (sum(widths) / 2 if line.align == "C" else sum(widths))
        dx, dy = (band_x, band_y) if line.on_band else (0, 0)
        for (run, font), width in zip(runs, widths, strict=True):
            draws[line.on_band].text((x - dx, line.baseline_mm * px - dy), visual(run), font=font, fill=line.colour[0], anchor="ls")
            x += width
    matrix = qr_matrix(face.token)
    q_left, q_top, side = qr_box_mm(len(matrix))
    code = qr_image(face.token, module_px=1, quiet=0).resize((mm(q_left + side) - mm(q_left),) * 2, Image.Resampling.NEAREST)
    card.paste(code, (mm(q_left), mm(q_top)))
    image = card.point(_GREY_INDEX)
    image.paste(band.point(_TINT_INDEX), (band_x, band_y))
    image.putpalette(palette(face.colour))  # an L image given a palette becomes a P image
    return image


def qr_image(token: str, module_px: int = 4, quiet: int = QUIET_MODULES) -> Image.Image:
    """Just the QR code of `token` as a grayscale image (tests, synthetic frames)."""
    matrix = qr_matrix(token)
    n = len(matrix) + 2 * quiet
    image = Image.new("L", (n, n), 255)
    pixels = image.load()
    assert pixels is not None
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pixels[c + quiet, r + quiet] = 0
    return image.resize((n * module_px, n * module_px), Image.Resampling.NEAREST)


def attendee_fields(attendee: Any) -> Mapping[str, str]:
    """The printable fields of an attendee, for `eventops badges` listings."""
    face = face_of(attendee, "")
    return {"id": face.attendee_id, "name": face.name, "org": face.org, "place": face.place, "role": face.role}
