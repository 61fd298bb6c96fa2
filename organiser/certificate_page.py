"""A certificate of attendance drawn as an A4 PDF page (or more, for a long list), with fpdf2.

Public officers and magistrates hand these in to claim training credits, so a certificate
states what the log shows and nothing more: the event (name, dates, place), the person, each
day present, each session attended with the minutes present, the total hours, and a line for
the organiser's signature. The figures are `db.reports.certificates`, the same as
`eventops export attendance`. Text is drawn run by run with the badges' font chain
(`checkin.badges.fonts`), shaped by HarfBuzz, and fitted by the badges' rule
(`checkin.badges.render.fit_text`), so every name prints in its own script.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.errors import FPDFException

from checkin.badges.fonts import FontChain, font_chain
from checkin.badges.print import chain_font
from checkin.badges.render import PT_MM, Fit, fit_text, text_width_mm
from db.reports import Certificate

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 22.0
USABLE = PAGE_W - 2 * MARGIN
ACCENT = (31, 94, 168)
INK, GREY, LIGHT = (0, 0, 0), (80, 80, 80), (130, 130, 130)
#: The table's columns: (heading, width in mm, alignment). The session's title takes the rest.
COLUMNS = (("Day", 24.0, "L"), ("Time", 24.0, "L"), ("Room", 32.0, "L"), ("Session", 0.0, "L"), ("Minutes", 16.0, "R"))
TITLE_W = USABLE - sum(width for _, width, _ in COLUMNS)
ROW_PT = 9.0
LINE_MM = ROW_PT * PT_MM * 1.35
TABLE_BOTTOM = PAGE_H - 30.0  # rows stop here on a page; the signature needs `CLOSING_MM` more
CLOSING_MM = 62.0

EVENT_FIT = Fit(20.0, 12.0, lines=2, two_line_largest=16.0)
NAME_FIT = Fit(24.0, 14.0, lines=2, two_line_largest=18.0)
LINE_FIT = Fit(11.0, 8.0, lines=2, two_line_largest=10.0)
CELL_FIT = Fit(ROW_PT, 7.0, lines=2, two_line_largest=ROW_PT)


@dataclass(frozen=True, slots=True)
class Event:
    """What a certificate says of the event."""

    id: str
    name: str
    days: tuple[str, ...]
    place: str
    tz: str


def place_of(tz: str) -> str:
    """A place for an event without one: the city of its time zone (`Europe/Brussels` -> Brussels)."""
    return tz.rsplit("/", 1)[-1].replace("_", " ")


def date_span(days: Sequence[str]) -> str:
    """`20–22 March 2024` for consecutive days in one month, else the days listed."""
    parsed = sorted(date.fromisoformat(d) for d in days)
    if not parsed:
        return ""
    first, last = parsed[0], parsed[-1]
    consecutive = (last - first).days == len(parsed) - 1
    if len(parsed) == 1:
        return _long(first)
    if consecutive and (first.year, first.month) == (last.year, last.month):
        return f"{first.day}\u2013{last.day} {last:%B %Y}"
    if consecutive and first.year == last.year:
        return f"{first.day} {first:%B} \u2013 {_long(last)}"
    if consecutive:
        return f"{_long(first)} \u2013 {_long(last)}"
    return ", ".join(_long(d) for d in parsed)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _weekday(day: str) -> str:
    parsed = date.fromisoformat(day)
    return f"{parsed:%A} {_long(parsed)}"


def _short_day(day: str) -> str:
    parsed = date.fromisoformat(day)
    return f"{parsed:%a} {parsed.day} {parsed:%b}"


def hours(minutes: int) -> str:
    """`4 h 20 min (4.33 hours)`: how training credits are counted, and how people read it."""
    return f"{minutes // 60} h {minutes % 60:02d} min ({minutes / 60:.2f} hours)"


class CertificatePdf:
    """One certificate being drawn: an fpdf2 document and the chain's fonts added as needed."""

    def __init__(self, chain: FontChain) -> None:
        self.chain = chain
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(0, 0, 0)
        self.pdf.c_margin = 0
        self.pdf.set_creator("eventops")
        with contextlib.suppress(FPDFException):  # uharfbuzz missing: text prints, Arabic unjoined
            self.pdf.set_text_shaping(True)
        self._fonts: set[tuple[int, bool]] = set()

    def _font(self, index: int, bold: bool) -> str:
        return chain_font(self.pdf, self.chain, self._fonts, index, bold)

    def text(self, text: str, x: float, baseline: float, size: float, *, bold: bool = False,
             colour: tuple[int, int, int] = INK, align: str = "L") -> None:
        """`text` at `x` (its left end, centre or right end by `align`) on the baseline `baseline`."""
        pdf = self.pdf
        style = "B" if bold else ""
        runs = self.chain.runs(text)
        widths = []
        for run in runs:
            pdf.set_font(self._font(run.face, bold), style, size)
            widths.append(pdf.get_string_width(run.shaped_text))
        left = x - {"L": 0.0, "C": sum(widths) / 2, "R": sum(widths)}[align]
        pdf.set_text_color(*colour)
        size_mm = size * PT_MM
        for run, width in zip(runs, widths, strict=True):
            pdf.set_font(self._font(run.face, bold), style, size)
            pdf.set_xy(left, baseline - 0.8 * size_mm)  # fpdf2 puts the baseline at y + h/2 + 0.3 size
            pdf.cell(width, size_mm, run.shaped_text)
            left += width

    def fitted(self, text: str, x: float, top: float, width: float, fit: Fit, *, bold: bool = False,
               colour: tuple[int, int, int] = INK, align: str = "C") -> float:
        """`text` fitted into `width` (shrunk, then on two lines, then cut short) from `top`;
        returns the bottom of what was drawn."""
        for line, size in fit_text(text, width, fit, bold, text_width_mm):
            size_mm = size * PT_MM
            self.text(line, x, top + 0.95 * size_mm, size, bold=bold, colour=colour, align=align)
            top += fit.leading * size_mm
        return top

    def rule(self, x1: float, y: float, x2: float, width: float = 0.2, colour: tuple[int, int, int] = LIGHT) -> None:
        self.pdf.set_draw_color(*colour)
        self.pdf.set_line_width(width)
        self.pdf.line(x1, y, x2, y)


def draw(certificate: Certificate, event: Event, chain: FontChain | None = None) -> FPDF:
    """The certificate of one attendee as an fpdf2 document (one page, more for a long list)."""
    page = CertificatePdf(chain or font_chain())
    page.pdf.set_title(f"Certificate of attendance: {certificate.name}")
    centre = PAGE_W / 2
    _new_page(page)
    y = page.fitted(event.name, centre, 30.0, USABLE, EVENT_FIT, bold=True)
    y = page.fitted(f"{date_span(event.days)} \u00b7 {event.place}", centre, y + 1.0, USABLE, LINE_FIT, colour=GREY)
    page.rule(centre - 30, y + 5, centre + 30, 0.5, ACCENT)
    y = page.fitted("CERTIFICATE OF ATTENDANCE", centre, y + 11, USABLE, Fit(17.0, 12.0), bold=True, colour=ACCENT)
    y = page.fitted("This is to certify that", centre, y + 6, USABLE, LINE_FIT, colour=GREY)
    y = page.fitted(certificate.name, centre, y + 3, USABLE, NAME_FIT, bold=True)
    if certificate.org:
        y = page.fitted(certificate.org, centre, y + 1, USABLE, Fit(13.0, 9.0, lines=2, two_line_largest=11.0), colour=GREY)
    days = ", ".join(_weekday(d) for d in certificate.days)
    y = page.fitted(f"was present on {days}", centre, y + 6, USABLE, LINE_FIT)
    if certificate.sessions:
        y = page.fitted("and attended these sessions (minutes present, recorded at the room's door):",
                        centre, y + 1, USABLE, LINE_FIT)
        y = _table(page, certificate, y + 5)
    else:
        y = page.fitted("No session attendance was recorded at the rooms' doors.", centre, y + 1, USABLE, LINE_FIT, colour=GREY)
    at_bottom = True
    if y + CLOSING_MM > PAGE_H - 16:  # no room left for the signature: it goes on a page of its own
        _new_page(page)
        y = _continued(page, certificate, "Certificate of attendance (continued)")
        page.text(f"Total time in sessions: {hours(certificate.minutes)}", MARGIN, y + 8, 10.0, bold=True)
        y, at_bottom = y + 10, False
    _closing(page, certificate, event, y, at_bottom)
    return page.pdf


def _new_page(page: CertificatePdf) -> None:
    page.pdf.add_page()
    page.pdf.set_draw_color(*ACCENT)
    page.pdf.set_line_width(0.8)
    page.pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    page.pdf.set_line_width(0.2)
    page.pdf.rect(12, 12, PAGE_W - 24, PAGE_H - 24)


def _continued(page: CertificatePdf, certificate: Certificate, label: str) -> float:
    """The head of a following page: what it continues, then whose it is (a line of its own, so
    a right-to-left name never turns the label around); returns the bottom."""
    y = page.fitted(label, PAGE_W / 2, 22.0, USABLE, LINE_FIT, colour=GREY)
    return page.fitted(certificate.name, PAGE_W / 2, y + 1, USABLE, Fit(12.0, 9.0), bold=True)


def _header(page: CertificatePdf, y: float) -> float:
    x = MARGIN
    for heading, width, align in COLUMNS:
        width = width or TITLE_W
        page.text(heading, x + (width if align == "R" else 0), y + ROW_PT * PT_MM, ROW_PT, bold=True, colour=GREY, align=align)
        x += width
    y += LINE_MM + 0.8
    page.rule(MARGIN, y, PAGE_W - MARGIN, 0.3, GREY)
    return y + 1.2


def _table(page: CertificatePdf, certificate: Certificate, y: float) -> float:
    """The sessions, one row each (a long title on two lines), continued on a new page when full."""
    y = _header(page, y)
    for session in certificate.sessions:
        cells = [_short_day(session.day), f"{session.start}\u2013{session.end}", session.room, session.title, str(session.minutes)]
        fitted = [fit_text(text, (width or TITLE_W) - 3.0, CELL_FIT, False, text_width_mm)
                  for text, (_, width, _) in zip(cells, COLUMNS, strict=True)]
        height = max(len(lines) for lines in fitted) * LINE_MM
        if y + height > TABLE_BOTTOM:
            _new_page(page)
            y = _header(page, _continued(page, certificate, "Sessions attended (continued)") + 4)
        x = MARGIN
        for lines, (_, width, align) in zip(fitted, COLUMNS, strict=True):
            width = width or TITLE_W
            for index, (line, size) in enumerate(lines):
                page.text(line, x + (width if align == "R" else 0), y + index * LINE_MM + ROW_PT * PT_MM, size, align=align)
            x += width
        y += height + 0.6
        page.rule(MARGIN, y, PAGE_W - MARGIN, 0.1)
        y += 1.0
    page.text("Total time in sessions", MARGIN, y + 5, 10.0, bold=True)
    page.text(hours(certificate.minutes), PAGE_W - MARGIN, y + 5, 10.0, bold=True, align="R")
    return y + 7


def _closing(page: CertificatePdf, certificate: Certificate, event: Event, y: float, at_bottom: bool = True) -> None:
    """The place and date, the organiser's signature line (at the page's foot, or just below
    `y`), and where the figures come from."""
    bottom = PAGE_H - 16
    top = max(y + 10, bottom - CLOSING_MM + 8) if at_bottom else y + 10
    last = date.fromisoformat(max(event.days)) if event.days else None
    page.text(f"{event.place}, {_long(last) if last else ''}".strip(", "), MARGIN, top + 30 - 1.5, 10.0)
    signature_x = PAGE_W - MARGIN - 75
    page.rule(signature_x, top + 30, PAGE_W - MARGIN, 0.3, INK)
    page.text("For the organisers", signature_x, top + 35, 10.0)
    page.text("Name, signature and stamp", signature_x, top + 40, 8.0, colour=LIGHT)
    note = (f"Attendee {certificate.attendee} \u00b7 {event.name} ({event.id}) \u00b7 times in {event.tz} \u00b7 "
            "minutes present as recorded by the check-in scanners")
    page.fitted(note, PAGE_W / 2, bottom - 5, USABLE, Fit(7.0, 5.5), colour=LIGHT)
