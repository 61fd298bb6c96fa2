"""The roll call on paper: a CSV and a printable A4 PDF for the emergency services.

The PDF uses DejaVu Sans so names in every European script (Łódź, Αθήνα, Иванова) print.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dashboard.panels.people import RollCall
from db.errors import EventOpsError

_ASSETS = Path(__file__).resolve().parent.parent / "checkin" / "assets"
FONT_CANDIDATES = (
    _ASSETS / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)
BOLD_CANDIDATES = (
    _ASSETS / "DejaVuSans-Bold.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
CSV_COLUMNS = ("place", "kind", "attendee", "name", "organisation", "since", "station")


@dataclass(frozen=True, slots=True)
class RollCallFiles:
    csv: Path
    pdf: Path


def font_path() -> Path:
    for candidate in FONT_CANDIDATES:
        if candidate.exists():
            return candidate
    raise EventOpsError("no DejaVuSans.ttf found (checkin/assets/ or /usr/share/fonts/truetype/dejavu/)")


def file_stem(roll: RollCall) -> str:
    moment = datetime.fromtimestamp(roll.at_ms / 1000, ZoneInfo(roll.tz))
    return "rollcall-" + moment.strftime("%Y%m%d-%H%M%S")


def write_csv(roll: RollCall, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for place in roll.places:
            for person in place.people:
                writer.writerow((place.title, place.kind, person.id, person.name, person.org, person.since, person.station))
    return path


def write_pdf(roll: RollCall, path: Path) -> Path:
    from fpdf import FPDF

    class RollCallPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", "", 8)
            self.cell(0, 5, f"Roll call {roll.event} · {roll.at_label} ({roll.tz}) · page {self.page_no()}/{{nb}}", align="C")

    pdf = RollCallPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(font_path()))
    bold = next((p for p in BOLD_CANDIDATES if p.exists()), None)
    pdf.add_font("DejaVu", "B", str(bold or font_path()))
    pdf.set_title(f"Roll call {roll.at_label}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, f"Roll call: {roll.event}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(0, 6, f"{roll.at_label} ({roll.tz}): {roll.total} people presumed inside", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 9)
    for place in roll.places:  # the summary first: how many where
        pdf.cell(90, 5, _fit(pdf, place.title, 88))
        pdf.cell(0, 5, f"{len(place.people)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for place in roll.places:
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_fill_color(230, 230, 230)
        count = f"{len(place.people)}" + (f" / {place.capacity}" if place.capacity else "")
        pdf.cell(0, 7, f"{place.title}  ({count})", fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for index, person in enumerate(place.people, 1):
            pdf.cell(10, 5, str(index), align="R")
            pdf.cell(6, 5, "☐")
            pdf.cell(70, 5, _fit(pdf, person.name, 68))
            pdf.cell(80, 5, _fit(pdf, person.org, 78))
            pdf.cell(0, 5, f"since {person.since}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(path))
    return path


def _fit(pdf: object, text: str, width_mm: float) -> str:
    """Shorten `text` with an ellipsis so it fits in `width_mm` at the current font."""
    measure = pdf.get_string_width  # type: ignore[attr-defined]
    if measure(text) <= width_mm:
        return text
    while text and measure(text + "…") > width_mm:
        text = text[:-1]
    return text + "…"


def write_roll_call(roll: RollCall, directory: Path) -> RollCallFiles:
    """Write `<directory>/rollcall-YYYYMMDD-HHMMSS.csv` and `.pdf`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = file_stem(roll)
    return RollCallFiles(write_csv(roll, directory / f"{stem}.csv"), write_pdf(roll, directory / f"{stem}.pdf"))
