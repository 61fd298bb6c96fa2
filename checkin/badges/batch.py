"""Making many badges at once: the PNGs in parallel processes, the PDF sheets alongside in this
one, and every attendee whose badge could not be made listed with the reason, never one
failure stopping the rest.

A PNG costs ~20 ms of one core (QR code, drawing, compressing an A6 page at 300 dpi), so the
work is cut into one task per badge for a process pool. The PDF is one
file that fpdf2 builds in one process, and costs ~4 ms a badge, so this process builds it
while the pool draws the PNGs.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checkin.badges.fonts import FontChain, describe, font_chain, has_rtl
from checkin.badges.print import BadgeFailure, BadgeSheets, png_name
from checkin.badges.render import BadgeFace, qr_matrix, raqm_available, render_png
from db.errors import EventOpsError

Matrix = tuple[tuple[bool, ...], ...]

#: Processes drawing PNGs: the event laptops this runs on have two cores or more.
DEFAULT_JOBS = 2


@dataclass
class BadgeRun:
    """What a run of `make_badges` made, what it could not, and what a person should know."""

    made: list[str] = field(default_factory=list)
    failures: list[BadgeFailure] = field(default_factory=list)
    pages: int = 0


def glyph_warnings(faces: Iterable[BadgeFace], chain: FontChain | None = None) -> list[str]:
    """One line per attendee whose name, organisation, place or role has a character no
    installed font prints (it would come out as an empty box), naming the characters."""
    chain = chain or font_chain()
    lines: list[str] = []
    events: set[str] = set()
    for face in faces:
        if face.event not in events:
            events.add(face.event)
            if missing := chain.missing(face.event):
                lines.append(f"the event's name: no font here has {', '.join(describe(c) for c in missing)}: printed as an empty box")
        missing = chain.missing(" ".join((face.name, face.org, face.place, face.role.upper(), face.attendee_id)))
        if missing:
            lines.append(f"{face.attendee_id} ({face.name}): no font here has {', '.join(describe(c) for c in missing)}: printed as an empty box")
    return lines


def shaping_warnings(faces: Sequence[BadgeFace], sheets: BadgeSheets | None) -> list[str]:
    """Where right-to-left letters will not be joined: Pillow without libraqm (the PNGs), fpdf2
    without uharfbuzz (the PDF). Empty when nobody's badge has such letters."""
    rtl = [face.attendee_id for face in faces if any(has_rtl(text) for text in (face.name, face.org, face.place, face.role))]
    if not rtl:
        return []
    who = f"{', '.join(rtl[:3])}{' and others' if len(rtl) > 3 else ''}"
    out = []
    if not raqm_available():
        out.append(f"Pillow here has no libraqm: right-to-left letters ({who}) are not joined in the PNGs (see docs/badges.md)")
    if sheets is not None and not sheets.shaping:
        out.append(f"uharfbuzz is not installed: right-to-left letters ({who}) are not joined in the PDF (pip install uharfbuzz)")
    return out


def _png(face: BadgeFace, path: Path, dpi: int) -> Matrix:
    """Draw one PNG (in a worker process); its QR modules go back for the PDF."""
    render_png(face, path, dpi=dpi)
    return qr_matrix(face.token)


def _reason(error: BaseException) -> str:
    if isinstance(error, EventOpsError):
        return str(error)
    if isinstance(error, cf.process.BrokenProcessPool):
        return "the process drawing it stopped (out of memory?)"
    return f"{type(error).__name__}: {error}"


def make_badges(
    faces: Sequence[BadgeFace],
    out_dir: Path,
    *,
    dpi: int = 300,
    sheets: BadgeSheets | None = None,
    jobs: int = DEFAULT_JOBS,
    advance: Callable[[int], None] = lambda steps: None,
) -> BadgeRun:
    """Write `out_dir/<id>.png` for every face (in `jobs` processes) and add each to `sheets`
    (saving them is the caller's); `advance(1)` after each PNG and each badge added to the PDF.
    A badge that fails is listed in the result; all the others are made."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png_failed: dict[str, str] = {}
    pdf_failed: dict[str, str] = {}
    jobs = max(1, min(jobs, len(faces)))
    if jobs == 1:
        for face in faces:
            matrix = None
            try:
                matrix = _png(face, out_dir / png_name(face.attendee_id), dpi)
            except Exception as error:  # noqa: BLE001 - one attendee's problem is listed, not fatal
                png_failed[face.attendee_id] = _reason(error)
            advance(1)
            if sheets is not None:
                _add(sheets, face, pdf_failed, matrix)
                advance(1)
    else:
        font_chain()  # found once here, inherited by the workers where processes fork
        made: dict[str, Matrix | None] = {}
        next_pdf = 0
        with cf.ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_png, face, out_dir / png_name(face.attendee_id), dpi): face for face in faces}
            for future in cf.as_completed(futures):
                ident = futures[future].attendee_id
                if (problem := future.exception()) is not None:
                    png_failed[ident] = _reason(problem)
                    made[ident] = None
                else:
                    made[ident] = future.result()
                advance(1)
                # The PDF takes the badges in order, each as soon as its PNG (and QR) is done.
                while sheets is not None and next_pdf < len(faces) and faces[next_pdf].attendee_id in made:
                    face = faces[next_pdf]
                    _add(sheets, face, pdf_failed, made.pop(face.attendee_id))
                    advance(1)
                    next_pdf += 1
    run = BadgeRun(pages=-(-sheets.count // 4) if sheets is not None else 0)
    for face in faces:
        ident = face.attendee_id
        reasons = [f"{what}: {why}" for what, why in (("PNG", png_failed.get(ident)), ("PDF", pdf_failed.get(ident))) if why]
        if not reasons:
            run.made.append(ident)
        elif png_failed.get(ident) == pdf_failed.get(ident):
            run.failures.append(BadgeFailure(ident, png_failed[ident]))
        else:
            run.failures.append(BadgeFailure(ident, "; ".join(reasons)))
    return run


def _add(sheets: BadgeSheets, face: BadgeFace, failed: dict[str, str], matrix: Matrix | None = None) -> None:
    try:
        sheets.add(face, matrix)
    except Exception as error:  # noqa: BLE001 - one attendee's problem is listed, not fatal
        failed[face.attendee_id] = _reason(error)
