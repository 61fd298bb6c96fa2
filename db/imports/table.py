"""Reading a spreadsheet export as organisers really have it.

UTF-8 with or without BOM, UTF-16 ("Unicode text" from Excel) or Windows-1252 (Excel on
Windows in Belgium, France, Germany); comma, semicolon (Excel BE/FR), tab or pipe
separated, sniffed from the header line; an Excel `sep=;` hint line is honoured. Every
row keeps the line number it starts on, so problems can say where they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from db.imports.problems import ImportProblems, Problem, refuse
from db.imports.sheets import Sheet, first_sheet, is_workbook, read_sheets

DELIMITERS = (",", ";", "\t", "|")
MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its first physical line and its cells (padded to the header width)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A parsed CSV file: header, rows, and how it was read (for the report)."""

    source: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str
    delimiter: str
    problems: tuple[Problem, ...] = ()  # rows refused for their shape; callers add theirs and refuse
    preamble: int = 0  # title lines above the header that were skipped
    sheet: str = ""  # the worksheet read, when the file is a spreadsheet (.xlsx, .ods)


def read_bytes(source: Path | bytes, name: str | None = None) -> tuple[str, bytes]:
    """The file's display name and bytes; a missing or unreadable file is one clear error."""
    if isinstance(source, bytes):
        return name or "<data>", source
    label = name or str(source)
    try:
        if source.is_dir():
            raise refuse(label, "is a directory, not a file")
        if source.stat().st_size > MAX_BYTES:
            raise refuse(label, f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return label, source.read_bytes()
    except FileNotFoundError:
        raise refuse(label, "no such file") from None
    except PermissionError:
        raise refuse(label, "cannot be read (permission denied)") from None
    except OSError as error:
        raise refuse(label, f"cannot be read ({error.strerror or error})") from None


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-16 by BOM, else UTF-8 (BOM or not), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header_line: str) -> str:
    """The separator of a CSV file, judged from its header line (quotes respected)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


#: Chooses the worksheet of a workbook to read, from the headers of its sheets.
PickSheet = Callable[[Sequence[tuple[str, ...]]], int]


def read_table(source: Path | bytes, name: str | None = None, pick: PickSheet = first_sheet) -> Table:
    """Parse a CSV file or a spreadsheet (.xlsx, .ods, .xls: the sheet `pick` chooses) into a
    `Table`; refuses (ImportProblems) a file that is not a table."""
    label, data = read_bytes(source, name)
    if is_workbook(data):
        kind, sheets = read_sheets(label, data)
        return _sheet_table(label, kind, sheets[pick([s.header for s in sheets])])
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(label, "is a binary file, neither CSV nor a spreadsheet (.xlsx, .ods)")
    text, encoding = decode(data)
    lines = text.splitlines(keepends=True)
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines):
        raise refuse(label, "is empty: no header line")
    delimiter = ""
    hint = lines[first].strip().lower()
    if hint.startswith("sep=") and len(hint) == 5:
        delimiter = lines[first].strip()[4]
        first += 1
        if first >= len(lines):
            raise refuse(label, "is empty: no header line")
    preamble = 0
    if not delimiter:
        header_at = _header_line(lines, first)
        preamble, first = header_at - first, header_at
    delimiter = delimiter or sniff_delimiter(lines[first])
    body = "".join(lines[first:])
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    header: tuple[str, ...] = ()
    rows: list[Row] = []
    offset = first  # physical lines before the header
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(offset + start, f"malformed CSV ({_why(error)})"))
            break
        previous_end = reader.line_num
        if not header:
            header = tuple(c.strip().lstrip("\ufeff") for c in cells)
            if sum(1 for c in header if c) < 1:
                raise refuse(label, "has an empty header line")
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            extra = cells[len(header):]
            if any(c.strip() for c in extra):
                problems.append(
                    Problem(offset + start, f"{len(cells)} fields but the header has {len(header)} (a stray separator or quote?)")
                )
                continue
            cells = cells[: len(header)]
        elif len(cells) < len(header):
            problems.append(Problem(offset + start, f"{len(cells)} fields but the header has {len(header)}"))
            continue
        rows.append(Row(offset + start, tuple(c.strip() for c in cells)))
    if not header:
        raise refuse(label, "is empty: no header line")
    if problems and problems[-1].message.startswith("malformed CSV"):
        raise ImportProblems(label, problems)  # the rest of the file cannot be trusted
    return Table(label, header, tuple(rows), encoding, delimiter, tuple(problems), preamble)


def _sheet_table(label: str, kind: str, sheet: Sheet) -> Table:
    """A worksheet as a `Table`: rows keep the sheet's row numbers, as CSV rows keep lines."""
    start = next((i for i, row in enumerate(sheet.rows) if row == sheet.header), 0)
    header = tuple(c.strip() for c in sheet.header)
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    if not header:
        raise refuse(label, f"sheet {sheet.name!r} has an empty header row")
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, cells in enumerate(sheet.rows[start + 1:], start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        if any(c.strip() for c in cells[width:]):
            problems.append(Problem(number, f"cells right of the last column of the header (sheet {sheet.name!r})"))
            continue
        padded = tuple(c.strip() for c in cells[:width]) + ("",) * (width - len(cells))
        rows.append(Row(number, padded))
    return Table(label, header, tuple(rows), kind, "", tuple(problems), start, sheet.name)


def _filled_cells(line: str) -> int:
    try:
        cells = next(csv.reader([line], delimiter=sniff_delimiter(line)))
    except (csv.Error, StopIteration):
        return 0
    return sum(1 for c in cells if c.strip())


def _header_line(lines: list[str], first: int, look: int = 10) -> int:
    """The header is the first line with two or more filled cells: a sheet saved by Excel
    often starts with a title row ("Liste des participants;;;;") above it. Only such
    padded rows are skipped; a line without any separator is the header of a one-column
    file."""
    for index in range(first, min(first + look, len(lines))):
        line = lines[index]
        if _filled_cells(line) >= 2 or not any(d in line for d in DELIMITERS):
            return index
    return first


def _why(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text or "EOF" in text:
        return "a quoted field is never closed"
    if "expected after" in text:
        return "a quote inside a field is not doubled"
    return text
