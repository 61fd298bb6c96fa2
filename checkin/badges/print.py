"""Printable badge sheets: A4 pages of four A6 badges with crop marks (fpdf2, fonts embedded).

Four A6 cards (105 x 148 mm) fill an A4 page (210 x 297 mm) edge to edge, so one cut down
the middle and one across gives four badges; the crop marks sit on those cut lines at the
page edges and in the centre. Everything on a card keeps `MARGIN_MM` from its edges, so an
office printer's unprintable border cuts nothing. The QR code is drawn as vector squares:
sharp at any printer resolution. Text is drawn run by run with the font chain of
`checkin.badges.fonts` (the same runs as the PNG), shaped by HarfBuzz (fpdf2's text shaping,
package `uharfbuzz`) so Arabic letters join; the fonts used are embedded as subsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.errors import FPDFException
from sqlite_utils import Database

from checkin.badges.fonts import FontChain, Run, font_chain
from checkin.badges.keys import BadgeProblem, SigningKey, load_signing_key, token_for
from checkin.badges.render import (
    BAND_RADIUS_MM,
    HEIGHT_MM,
    PT_MM,
    WIDTH_MM,
    BadgeFace,
    TextLine,
    band_box_mm,
    face_of,
    layout,
    qr_box_mm,
    qr_matrix,
)
from checkin.badges.token import BadgeState

PAGE_W, PAGE_H = 210.0, 297.0
ORIGINS = ((0.0, 0.5), (WIDTH_MM, 0.5), (0.0, 0.5 + HEIGHT_MM), (WIDTH_MM, 0.5 + HEIGHT_MM))
CROP_MM = 4.0


def chain_font(pdf: FPDF, chain: FontChain, added: set[tuple[int, bool]], index: int, bold: bool) -> str:
    """The fpdf2 family of the chain's font `index`, added to `pdf` the first time it is needed
    (`added` remembers which were)."""
    family = f"F{index}"
    if (index, bold) not in added:
        face = chain.faces[index]
        pdf.add_font(family, "B" if bold else "", str(face.path(bold)), collection_font_number=face.face_index(bold))
        added.add((index, bold))
    return family


def draw_qr(pdf: FPDF, matrix: Sequence[Sequence[bool]], left: float, top: float, module: float) -> None:
    """Draw a QR matrix in black at (`left`, `top`) mm, `module` mm per module: one rectangle per
    run of dark modules in a row (far fewer PDF operations than one per module)."""
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        col = 0
        while col < len(row):
            if not row[col]:
                col += 1
                continue
            start = col
            while col < len(row) and row[col]:
                col += 1
            pdf.rect(left + start * module, top + row_index * module, (col - start) * module, module, style="F")


@dataclass
class BadgeSheets:
    """A PDF being filled with badges, four to a page."""

    count: int = 0
    chain: FontChain = field(init=False, default_factory=font_chain)
    shaping: bool = field(init=False, default=False)
    pdf: FPDF = field(init=False)
    _fonts: set[tuple[int, bool]] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.c_margin = 0
        pdf.set_creator("eventops")
        pdf.set_title("Badges")
        try:
            pdf.set_text_shaping(True)
            self.shaping = True
        except FPDFException:  # uharfbuzz missing: text still prints, Arabic letters unjoined
            self.shaping = False
        self.pdf = pdf

    def add(self, face: BadgeFace, matrix: tuple[tuple[bool, ...], ...] | None = None) -> None:
        """Add one badge (`matrix`: its QR modules when already made). Everything that can fail
        is worked out before anything is drawn, so a badge that fails leaves no half-drawn card."""
        lines = layout(face)
        matrix = matrix or qr_matrix(face.token)
        runs = [(line, self.chain.runs(line.text)) for line in lines]
        for _, line_runs in runs:
            for run in line_runs:
                self._font(run.face, True)
                self._font(run.face, False)
        slot = self.count % 4
        if slot == 0:
            self.pdf.add_page()
            self._crop_marks()
        x, y = ORIGINS[slot]
        self._badge(face, runs, matrix, x, y)
        self.count += 1

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        if self.count == 0:
            self.pdf.add_page()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pdf.output(str(path))
        return path

    def _font(self, index: int, bold: bool) -> str:
        return chain_font(self.pdf, self.chain, self._fonts, index, bold)

    def _line(self, line: TextLine, runs: Sequence[Run], x: float, y: float) -> None:
        pdf = self.pdf
        pdf.set_text_color(*line.colour)
        style = "B" if line.bold else ""
        widths = []
        for run in runs:
            pdf.set_font(self._font(run.face, line.bold), style, line.size_pt)
            widths.append(pdf.get_string_width(run.shaped_text))
        left = x + line.x_mm - (sum(widths) / 2 if line.align == "C" else sum(widths))
        size_mm = line.size_pt * PT_MM
        for run, width in zip(runs, widths, strict=True):
            pdf.set_font(self._font(run.face, line.bold), style, line.size_pt)
            # fpdf2 puts a cell's baseline at y + h/2 + 0.3 * font size.
            pdf.set_xy(left, y + line.baseline_mm - 0.8 * size_mm)
            pdf.cell(width, size_mm, run.shaped_text)
            left += width

    def _badge(self, face: BadgeFace, runs: Sequence[tuple[TextLine, Sequence[Run]]], matrix: tuple[tuple[bool, ...], ...], x: float, y: float) -> None:
        pdf = self.pdf
        left, top, right, bottom = band_box_mm()
        pdf.set_fill_color(*face.colour)
        pdf.rect(x + left, y + top, right - left, bottom - top, style="F", round_corners=True, corner_radius=BAND_RADIUS_MM)
        for line, line_runs in runs:
            self._line(line, line_runs, x, y)
        q_left, q_top, side = qr_box_mm(len(matrix))
        draw_qr(pdf, matrix, x + q_left, y + q_top, side / len(matrix))

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


@dataclass(frozen=True)
class BadgeFailure:
    """An attendee whose badge could not be made, and why (one line)."""

    attendee_id: str
    reason: str


def collect_faces(state: BadgeState, key: SigningKey, ids: Sequence[str]) -> tuple[list[BadgeFace], list[BadgeFailure]]:
    """The faces of `ids` that can be made, and a failure for each that cannot (never raises
    for one attendee: one bad id must not cost everyone else their badge)."""
    event = str(getattr(state.info, "name", "") or "")
    faces: list[BadgeFace] = []
    failures: list[BadgeFailure] = []
    for ident in dict.fromkeys(ids):
        if ident not in state.attendees:
            failures.append(BadgeFailure(ident, f"no attendee {ident!r} in this event"))
            continue
        try:
            faces.append(face_of(state.attendees[ident], token_for(state, key, ident), event))
        except BadgeProblem as error:
            failures.append(BadgeFailure(ident, str(error)))
    return faces, failures


def badge_faces(db: Database, db_path: str | Path, only: Sequence[str] = ()) -> list[BadgeFace]:
    """The faces of every attendee's current badge (or of `only` those), in id order; raises
    BadgeProblem at the first that cannot be made (`collect_faces` lists them all instead)."""
    from db.fold import load_state

    state = load_state(db)
    key = load_signing_key(db_path)
    missing = [ident for ident in only if ident not in state.attendees]
    if missing:
        raise BadgeProblem(f"no attendee {', '.join(repr(m) for m in missing)} in this event")
    faces, failures = collect_faces(state, key, list(only) if only else sorted(state.attendees))
    if failures:
        raise BadgeProblem(f"{failures[0].attendee_id}: {failures[0].reason}")
    return faces


def png_name(attendee_id: str) -> str:
    """A file name for an attendee's badge that is safe on every file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", attendee_id).strip("._") or "badge"
    return f"{safe}.png"


def write_sheets(faces: Iterable[BadgeFace], path: str | Path) -> Path:
    sheets = BadgeSheets()
    for face in faces:
        sheets.add(face)
    return sheets.save(path)
