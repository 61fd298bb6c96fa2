"""Printable badge sheets: A4 pages of four A6 badges with crop marks (fpdf2, fonts embedded).

Four A6 cards (105 x 148 mm) fill an A4 page (210 x 297 mm) edge to edge, so one cut down
the middle and one across gives four badges; the crop marks sit on those cut lines at the
page edges and in the centre. The QR code is drawn as vector squares: sharp at any printer
resolution. The DejaVu fonts are embedded, so names in every European script print right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from sqlite_utils import Database

from checkin.badges.keys import BadgeProblem, load_signing_key, token_for
from checkin.badges.render import (
    BAND_MM,
    FONT_BOLD,
    FONT_REGULAR,
    HEIGHT_MM,
    MARGIN_MM,
    WIDTH_MM,
    BadgeFace,
    face_of,
    fit_lines,
    qr_box_mm,
    qr_matrix,
)

PAGE_W, PAGE_H = 210.0, 297.0
ORIGINS = ((0.0, 0.5), (WIDTH_MM, 0.5), (0.0, 0.5 + HEIGHT_MM), (WIDTH_MM, 0.5 + HEIGHT_MM))
CROP_MM = 4.0
PT_MM = 25.4 / 72
ASCENT = 0.928  # DejaVu Sans ascender, in em
CAP = 0.73  # DejaVu Sans capital height, in em


@dataclass
class BadgeSheets:
    """A PDF being filled with badges, four to a page."""

    pdf: FPDF = field(init=False)
    count: int = 0

    def __post_init__(self) -> None:
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.add_font("DejaVu", "", str(FONT_REGULAR))
        pdf.add_font("DejaVu", "B", str(FONT_BOLD))
        pdf.set_creator("eventops")
        pdf.set_title("Badges")
        self.pdf = pdf

    def add(self, face: BadgeFace) -> None:
        slot = self.count % 4
        if slot == 0:
            self.pdf.add_page()
            self._crop_marks()
        x, y = ORIGINS[slot]
        self._badge(face, x, y)
        self.count += 1

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        if self.count == 0:
            self.pdf.add_page()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pdf.output(str(path))
        return path

    def _width_of(self, text: str, size_pt: float, bold: bool) -> float:
        self.pdf.set_font("DejaVu", "B" if bold else "", size_pt)
        return float(self.pdf.get_string_width(text))

    def _badge(self, face: BadgeFace, x: float, y: float) -> None:
        pdf = self.pdf
        r, g, b = face.colour
        pdf.set_fill_color(r, g, b)
        pdf.rect(x, y, WIDTH_MM, BAND_MM, style="F")
        pdf.set_text_color(255, 255, 255)
        if face.role:
            pdf.set_font("DejaVu", "B", 14)
            role = face.role.upper()
            pdf.text(x + (WIDTH_MM - pdf.get_string_width(role)) / 2, y + BAND_MM / 2 + CAP * 14 * PT_MM / 2, role)
        pdf.set_font("DejaVu", "", 7)
        pdf.text(x + WIDTH_MM - MARGIN_MM - pdf.get_string_width(face.attendee_id), y + BAND_MM / 2 + CAP * 7 * PT_MM / 2, face.attendee_id)
        for line in fit_lines(face, self._width_of):
            pdf.set_font("DejaVu", "B" if line.bold else "", line.size_pt)
            pdf.set_text_color(*line.colour)
            width = pdf.get_string_width(line.text)
            pdf.text(x + (WIDTH_MM - width) / 2, y + line.top_mm + ASCENT * line.size_pt * PT_MM, line.text)
        matrix = qr_matrix(face.token)
        left, top, side = qr_box_mm(len(matrix))
        module = side / len(matrix)
        pdf.set_fill_color(0, 0, 0)
        for row_index, row in enumerate(matrix):
            col = 0
            while col < len(row):  # one rectangle per run of dark modules
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < len(row) and row[col]:
                    col += 1
                pdf.rect(x + left + start * module, y + top + row_index * module, (col - start) * module, module, style="F")

    def _crop_marks(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.15)
        cx, cy = WIDTH_MM, 0.5 + HEIGHT_MM
        for ty in (0.5, cy, 0.5 + 2 * HEIGHT_MM):
            pdf.line(0, ty, CROP_MM, ty)
            pdf.line(PAGE_W - CROP_MM, ty, PAGE_W, ty)
        pdf.line(cx, 0, cx, CROP_MM)
        pdf.line(cx, PAGE_H - CROP_MM, cx, PAGE_H)
        pdf.line(cx - CROP_MM / 2, cy, cx + CROP_MM / 2, cy)
        pdf.line(cx, cy - CROP_MM / 2, cx, cy + CROP_MM / 2)


def badge_faces(db: Database, db_path: str | Path, only: Sequence[str] = ()) -> list[BadgeFace]:
    """The faces of every attendee's current badge (or of `only` those), in id order."""
    from db.fold import load_state

    state = load_state(db)
    key = load_signing_key(db_path)
    missing = [ident for ident in only if ident not in state.attendees]
    if missing:
        raise BadgeProblem(f"no attendee {', '.join(repr(m) for m in missing)} in this event")
    ids = list(dict.fromkeys(only)) if only else sorted(state.attendees)
    return [face_of(state.attendees[ident], token_for(state, key, ident)) for ident in ids]


def png_name(attendee_id: str) -> str:
    """A file name for an attendee's badge that is safe on every file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", attendee_id).strip("._") or "badge"
    return f"{safe}.png"


def write_sheets(faces: Iterable[BadgeFace], path: str | Path) -> Path:
    sheets = BadgeSheets()
    for face in faces:
        sheets.add(face)
    return sheets.save(path)
