"""Reading spreadsheets directly (.xlsx, .ods, legacy .xls), through python-calamine.

pretix offers "Excel (.xlsx)" first, and a CSV that went through Excel is where names get
garbled (`db.imports.lossy`): reading the workbook itself keeps every letter. Cells become
the text a CSV export would hold (whole numbers without ".0", dates in ISO), so the rest of
an import cannot tell where a table came from.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from db.imports.problems import refuse

#: What opens a workbook: ZIP (xlsx, ods) and OLE2 (xls).
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet: its name and its rows as text (row 1 of the sheet first)."""

    name: str
    rows: tuple[tuple[str, ...], ...]

    @property
    def header(self) -> tuple[str, ...]:
        """The first row with two filled cells (a title row above it is skipped)."""
        for row in self.rows[:10]:
            if sum(1 for c in row if c.strip()) >= 2:
                return row
        return self.rows[0] if self.rows else ()


def is_workbook(data: bytes) -> bool:
    return data.startswith((ZIP_MAGIC, OLE_MAGIC))


def workbook_kind(data: bytes) -> str:
    """"xlsx", "ods", "xls", or "zip" for an archive that is no spreadsheet."""
    if data.startswith(OLE_MAGIC):
        return "xls"
    if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in data[:200]:
        return "ods"
    if b"xl/workbook" in data or b"[Content_Types].xml" in data[:2000]:
        return "xlsx"
    return "zip"


def read_sheets(label: str, data: bytes) -> tuple[str, list[Sheet]]:
    """The workbook's kind and its non-empty sheets; refuses a file calamine cannot read."""
    from python_calamine import CalamineError, CalamineWorkbook

    kind = workbook_kind(data)
    if kind == "zip":
        raise refuse(label, "is a ZIP archive but not a spreadsheet (.xlsx or .ods) nor CSV")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            Sheet(name, tuple(tuple(text(v) for v in row) for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)))
            for name in book.sheet_names
        ]
    except (CalamineError, ValueError, OSError) as error:
        raise refuse(label, f"cannot be read as a {kind} spreadsheet ({error}); save it again, or as CSV UTF-8") from None
    sheets = [s for s in sheets if any(c.strip() for row in s.rows for c in row)]
    if not sheets:
        raise refuse(label, f"is an empty {kind} spreadsheet: no sheet holds any cell")
    return kind, sheets


def text(value: object) -> str:
    """A cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value).strip()


def first_sheet(headers: Sequence[tuple[str, ...]]) -> int:
    """Which sheet a table is read from when nothing says otherwise: the first."""
    return 0
