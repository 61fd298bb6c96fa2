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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont

ASSETS = Path(__file__).resolve().parent.parent / "assets"
FONT_REGULAR = ASSETS / "DejaVuSans.ttf"
FONT_BOLD = ASSETS / "DejaVuSans-Bold.ttf"

WIDTH_MM = 105.0
HEIGHT_MM = 148.0
MARGIN_MM = 6.0  # nothing important closer to the cut than this (printers' margins)
BAND_MM = 15.0  # the role colour band at the top
MODULE_MM = 2.0
QUIET_MODULES = 4
DEFAULT_DPI = 300

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


@dataclass(frozen=True, slots=True)
class BadgeFace:
    """Everything printed on one badge."""

    attendee_id: str
    name: str
    org: str
    place: str  # "City, Country"
    role: str
    token: str

    @property
    def colour(self) -> tuple[int, int, int]:
        return role_colour(self.role)


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text on the card, in millimetres from the card's top-left corner."""

    text: str
    top_mm: float
    size_pt: float
    bold: bool
    colour: tuple[int, int, int]


def role_colour(role: str) -> tuple[int, int, int]:
    key = role.strip().lower()
    if key in ROLE_COLOURS:
        return ROLE_COLOURS[key]
    digest = hashlib.sha256(key.encode()).digest()
    return _FALLBACK_COLOURS[digest[0] % len(_FALLBACK_COLOURS)]


def face_of(attendee: Any, token: str) -> BadgeFace:
    """The badge face of a `db.state.Attendee`-like record."""
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
    )


def _nfc(text: str) -> str:
    # Precomposed characters render right even without a shaping engine.
    return unicodedata.normalize("NFC", text)


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


# --- text fitting, shared by both painters -------------------------------------------------


def fit_lines(face: BadgeFace, width_of: Any) -> list[TextLine]:
    """The text lines of a face; `width_of(text, size_pt, bold) -> mm` measures with the painter's font."""
    usable = WIDTH_MM - 2 * MARGIN_MM
    lines: list[TextLine] = []
    top = BAND_MM + 5.0
    name_lines = _fit(face.name, usable, 26.0, 14.0, True, width_of)
    for text, size in name_lines:
        lines.append(TextLine(text, top, size, True, (0, 0, 0)))
        top += size * 0.3528 * 1.25
    top += 1.5
    for text, max_size, colour in ((face.org, 13.0, (40, 40, 40)), (face.place, 11.0, (90, 90, 90))):
        if not text:
            continue
        fitted = _fit(text, usable, max_size, 7.0, False, width_of, max_lines=1)
        text, size = fitted[0]
        lines.append(TextLine(text, top, size, False, colour))
        top += size * 0.3528 * 1.35
    return lines


def _fit(text: str, usable: float, largest: float, smallest: float, bold: bool, width_of: Any, max_lines: int = 2) -> list[tuple[str, float]]:
    size = largest
    while size >= smallest:
        if width_of(text, size, bold) <= usable:
            return [(text, size)]
        size -= 1.0
    if max_lines >= 2 and " " in text:
        words = text.split()
        for size_try in (largest * 0.8, largest * 0.7, smallest):
            for cut in range(len(words) - 1, 0, -1):
                first, second = " ".join(words[:cut]), " ".join(words[cut:])
                if width_of(first, size_try, bold) <= usable and width_of(second, size_try, bold) <= usable:
                    return [(first, size_try), (second, size_try)]
    # Still too wide: shorten with an ellipsis at the smallest size.
    while len(text) > 1 and width_of(text + "…", smallest, bold) > usable:
        text = text[:-1]
    return [(text.rstrip() + "…", smallest)]


# --- Pillow painter ------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _pil_font(bold: bool, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size_px)


def render_png(face: BadgeFace, path: str | Path, dpi: int = DEFAULT_DPI) -> Path:
    """Write the badge of `face` as an A6 PNG at `dpi`; returns the path."""
    image = render_image(face, dpi)
    path = Path(path)
    image.save(path, dpi=(dpi, dpi), compress_level=1)  # 5x faster than the default, files ~1.5x
    return path


def render_image(face: BadgeFace, dpi: int = DEFAULT_DPI) -> Image.Image:
    """The badge of `face` as an RGB image (A6 at `dpi`)."""
    px = dpi / 25.4

    def mm(value: float) -> int:
        return round(value * px)

    def pt_px(size_pt: float) -> int:
        return max(1, round(size_pt * dpi / 72))

    def width_of(text: str, size_pt: float, bold: bool) -> float:
        return _pil_font(bold, pt_px(size_pt)).getlength(text) / px

    image = Image.new("RGB", (mm(WIDTH_MM), mm(HEIGHT_MM)), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, mm(WIDTH_MM), mm(BAND_MM)), fill=face.colour)
    if face.role:
        role_font = _pil_font(True, pt_px(14))
        draw.text((mm(WIDTH_MM / 2), mm(BAND_MM / 2 + 1)), face.role.upper(), font=role_font, fill="white", anchor="mm")
    for line in fit_lines(face, width_of):
        font = _pil_font(line.bold, pt_px(line.size_pt))
        draw.text((mm(WIDTH_MM / 2), mm(line.top_mm)), line.text, font=font, fill=line.colour, anchor="mt")
    matrix = qr_matrix(face.token)
    left, top, side = qr_box_mm(len(matrix))
    module = side / len(matrix)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x0, y0 = left + c * module, top + r * module
                draw.rectangle((mm(x0), mm(y0), mm(x0 + module) - 1, mm(y0 + module) - 1), fill="black")
    small = _pil_font(False, pt_px(7))
    draw.text((mm(WIDTH_MM - MARGIN_MM), mm(BAND_MM / 2 + 1)), face.attendee_id, font=small, fill="white", anchor="rm")
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
