"""Certificates of attendance for many attendees at once: one PDF each (`<id>.pdf`), drawn by
`organiser.certificate_page` in parallel processes, with the fonts cut down once per batch,
and every certificate that could not be written listed with the reason, never stopping the rest.
"""

from __future__ import annotations

import concurrent.futures as cf
import string
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from fontTools.ttLib import TTFont

from checkin.badges.fonts import FontChain, FontFace, font_chain
from checkin.badges.print import png_name
from db.reports import Certificate
from organiser.certificate_page import Event, draw


def pdf_name(attendee_id: str) -> str:
    """The certificate's file name: the attendee's id, made safe like a badge's."""
    return png_name(attendee_id)[: -len(".png")] + ".pdf"


def write(certificate: Certificate, event: Event, out_dir: Path, chain: FontChain | None = None) -> Path:
    """Write `out_dir/<id>.pdf` (through a temporary name, so a file there is always whole)."""
    path = out_dir / pdf_name(certificate.attendee)
    partial = path.with_name(path.name + ".part")
    try:
        draw(certificate, event, chain or _WORKER_CHAIN).output(str(partial))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


#: Every character a certificate prints besides the event's and the attendees' own words.
PRINTED = string.printable + "\u2013\u00b7\u2026"


def subset_chain(chain: FontChain, texts: Iterable[str], directory: Path) -> FontChain:
    """`chain` with each font cut down to the characters of `texts` (and `PRINTED`), written
    into `directory`: fpdf2 reads and subsets every font afresh for every PDF, ~50 ms a font
    for Noto Sans and seconds for the CJK collection, so a batch does it once here instead.
    Metrics, cmaps and layout tables (Arabic joining) are kept for those characters, so what
    is drawn and how it is fitted stay the same; a font none of them needs is left as it is
    (and never read)."""
    from fontTools import subset

    used: dict[int, set[int]] = {}  # font of the chain -> the characters it draws
    for text in (*texts, PRINTED):
        for run in chain.runs(text):
            used.setdefault(run.face, set()).update(ord(c) for c in run.text)
    printed = {ord(c) for c in PRINTED}
    faces = []
    for index, face in enumerate(chain.faces):
        wanted = (used[index] | printed) & chain.covers(index) if index in used else set()
        if not wanted:
            faces.append(face)
            continue
        paths = []
        for bold in (False, True):
            options = subset.Options()
            options.layout_features = ["*"]
            options.name_IDs = ["*"]
            options.notdef_outline = True
            font = TTFont(str(face.path(bold)), fontNumber=face.face_index(bold), lazy=False)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=wanted)
            subsetter.subset(font)
            target = directory / f"{index}-{face.key}-{'bold' if bold else 'regular'}.{'otf' if 'CFF ' in font else 'ttf'}"
            font.save(str(target))
            paths.append(target)
        faces.append(FontFace(face.key, paths[0], paths[1]))
    return FontChain(tuple(faces), chain.missing_scripts, chain.warning, tuple(chain.covers(i) for i in range(len(faces))))


def _texts(certificates: Sequence[Certificate], event: Event) -> Iterator[str]:
    yield from (event.name, event.place, event.id, event.tz)
    for certificate in certificates:
        yield from (certificate.name, certificate.org, certificate.attendee)
        for session in certificate.sessions:
            yield from (session.room, session.title)


_WORKER_CHAIN: FontChain | None = None


def _use_chain(chain: FontChain) -> None:
    """(in a worker process) Draw with `chain`, sent once per process rather than per PDF."""
    global _WORKER_CHAIN
    _WORKER_CHAIN = chain


def _reason(error: BaseException) -> str:
    if isinstance(error, cf.process.BrokenProcessPool):
        return "the process drawing it stopped (out of memory?)"
    return f"{type(error).__name__}: {error}"


def write_all(certificates: Sequence[Certificate], event: Event, out_dir: Path, *, jobs: int = 2,
              advance: Callable[[int], None] = lambda steps: None) -> dict[str, str]:
    """Write every certificate into `out_dir`, in `jobs` processes, with the fonts cut down to
    what the batch prints (`subset_chain`), `advance(1)` after each. Returns the attendees
    whose certificate could not be made, with the reason: one failure never costs the others
    theirs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    failed: dict[str, str] = {}
    jobs = max(1, min(jobs, len(certificates)))
    with tempfile.TemporaryDirectory(prefix="eventops-fonts-") as fonts:
        chain = subset_chain(font_chain(), _texts(certificates, event), Path(fonts))
        if jobs == 1:
            for certificate in certificates:
                try:
                    write(certificate, event, out_dir, chain)
                except Exception as error:  # noqa: BLE001 - one attendee's problem is listed, not fatal
                    failed[certificate.attendee] = _reason(error)
                advance(1)
            return failed
        with cf.ProcessPoolExecutor(max_workers=jobs, initializer=_use_chain, initargs=(chain,)) as pool:
            futures = {pool.submit(write, certificate, event, out_dir): certificate.attendee for certificate in certificates}
            for future in cf.as_completed(futures):
                if (problem := future.exception()) is not None:
                    failed[futures[future]] = _reason(problem)
                advance(1)
    return failed
