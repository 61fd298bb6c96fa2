"""Badges printed at the desk: the PDF (A6 card, 62 mm label) and real CUPS jobs through a private
cupsd's CUPS-PDF printer, whose output must carry the scanned badge's QR code."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.badges.keys import issue_token
from checkin.badges.render import face_of, text_width_mm
from checkin.badges.token import verify_badge
from checkin.printing import (
    FAILED,
    LABEL_MARGIN_MM,
    LABEL_WIDTH_MM,
    PRINTED,
    QUEUED,
    PrintJob,
    PrintProblem,
    PrintQueue,
    badge_pdf,
    check_printer,
    cups_words,
    face_for,
    label_layout,
    parse_jobs,
)
from db.fold import load_state
from tests.badges.helpers import make_event
from tests.printing.cups import PAUSED, QUEUE, Cups
from tests.printing.helpers import page_sizes_mm, qr_texts, wait_done

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
ISO_3166_2 = Path("/usr/share/iso-codes/json/iso_3166-2.json")
LOCALES = Path("/usr/share/i18n/locales")


def _badge(db: Database, db_path: Path, index: int = 2) -> tuple[object, str]:
    ids = make_event(db, db_path)
    token = issue_token(db, db_path, ids[index])
    return load_state(db).attendees[ids[index]], token


@needs_poppler
@pytest.mark.parametrize(("label", "width"), [("a6", 105.0), ("62mm", LABEL_WIDTH_MM)])
def test_one_badge_pdf_is_one_page_whose_qr_reads(fresh_db: Database, db_path: Path, tmp_path: Path, label: str, width: float) -> None:
    attendee, token = _badge(fresh_db, db_path)
    pdf = badge_pdf(face_of(attendee, token, "Security, Democracy & Cities"), tmp_path / "badge.pdf", label)
    ((page_w, page_h),) = page_sizes_mm(pdf)
    assert page_w == pytest.approx(width, abs=0.2)
    assert page_h == pytest.approx(148.0, abs=0.2) if label == "a6" else 70 < page_h < 110
    (text,) = qr_texts(pdf, tmp_path)
    assert text == token and verify_badge(text, load_state(fresh_db)).ok


def test_a_verdicts_attendee_dict_makes_the_same_face(fresh_db: Database, db_path: Path) -> None:
    attendee, token = _badge(fresh_db, db_path)
    assert face_for(attendee.public(), token) == face_of(attendee, token)  # type: ignore[attr-defined]


def _names_nobody_here_wrote() -> list[str]:
    """Names of places in their own scripts, from Debian's iso-codes and glibc's locales."""
    names: list[str] = []
    if ISO_3166_2.exists():
        names += [entry["name"] for entry in json.loads(ISO_3166_2.read_text())["3166-2"]]
    for locale in sorted(LOCALES.glob("*_*")) if LOCALES.is_dir() else []:
        for line in locale.read_text(errors="replace").splitlines():
            if line.startswith(("lang_name", "country_name")) and '"' in line:
                coded = line.split('"')[1]
                names.append(re.sub(r"<U([0-9A-Fa-f]{4,6})>", lambda m: chr(int(m.group(1), 16)), coded))
    return names


def test_label_text_fits_62mm_for_names_nobody_here_wrote() -> None:
    names = _names_nobody_here_wrote()
    if len(names) < 1000:
        pytest.skip("Debian's iso-codes and glibc locale sources are not installed here")
    usable = LABEL_WIDTH_MM - 2 * LABEL_MARGIN_MM
    tops = set()
    for index, name in enumerate(names[:: max(1, len(names) // 1500)]):  # ~1,500 names, every script
        org = names[-1 - index]
        face = face_for({"id": f"X{index}", "name": name, "organisation": org}, "TOKEN")
        lines, qr_top = label_layout(face)
        assert 1 <= len(lines) <= 4, (name, org, lines)
        for line in lines:
            assert text_width_mm(line.text, line.size_pt, line.bold) <= usable + 0.01, (name, line)
        assert lines[-1].baseline_mm < qr_top
        tops.add(round(qr_top))
    assert len(tops) > 1  # the label grows with its text: a short name makes a short label


def test_an_unknown_label_size_is_one_line() -> None:
    with pytest.raises(PrintProblem, match=r"^unknown label size '99mm': choose a6 or 62mm$"):
        badge_pdf(face_for({"id": "A1", "name": "A"}, "T"), "/nonexistent/x.pdf", "99mm")


def test_without_lp_it_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrintProblem, match=r"lp, which is not installed here \(apt-get install cups-client\)"):
        PrintQueue("anything")
    with pytest.raises(PrintProblem, match="not installed"):
        check_printer("anything")


def test_cups_words_are_one_plain_line() -> None:
    assert cups_words("/usr/bin/lp: Error - The printer or class does not exist.\n") == "the printer or class does not exist"
    assert cups_words("") == "no reason given"
    listing = "eventops-pdf-7  root  1024  Sun\n\tStatus: Filter failed\n\tAlerts: job-completed-with-errors\n\tqueued for eventops-pdf\n"
    assert parse_jobs(listing) == {"eventops-pdf-7": {"Status": "Filter failed", "Alerts": "job-completed-with-errors"}}


# --- real CUPS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["a6", "62mm"])
def test_a_badge_printed_through_cups_comes_out_with_its_qr(
    cups: Cups, fresh_db: Database, db_path: Path, tmp_path: Path, label: str
) -> None:
    attendee, token = _badge(fresh_db, db_path)
    updates: list[PrintJob] = []
    queue = PrintQueue(QUEUE, label=label, server=cups.server, on_update=updates.append, event="Security, Democracy & Cities")
    try:
        job = wait_done(queue, queue.submit(attendee, token))
    finally:
        queue.close()
    assert job.state == PRINTED, job.reason
    assert [u.state for u in updates] == [QUEUED, PRINTED] and updates[0].cups_id == job.cups_id
    printed = cups.output_of(job.cups_id)
    assert printed is not None, f"cups-pdf wrote nothing for {job.cups_id} in {cups.out}"
    try:
        assert qr_texts(printed, tmp_path) == [token]
        if label == "62mm":
            ((width, _),) = page_sizes_mm(printed)
            assert width == pytest.approx(LABEL_WIDTH_MM, abs=1.0)  # CUPS took the label's media size
    finally:
        printed.unlink()


def test_a_paused_printer_fails_the_job_with_its_reason_and_cancels_it(cups: Cups, fresh_db: Database, db_path: Path) -> None:
    attendee, token = _badge(fresh_db, db_path)
    queue = PrintQueue(PAUSED, server=cups.server)
    try:
        job = wait_done(queue, queue.submit(attendee, token))
    finally:
        queue.close()
    assert job.state == FAILED and job.reason == f"printer {PAUSED} is paused: out of labels"
    still = cups.run("lpstat", "-W", "not-completed", "-o", PAUSED).stdout
    assert job.cups_id and job.cups_id not in still  # cancelled: it will not print when the labels are back


def test_an_unknown_printer_fails_with_cups_words_and_retry_is_a_new_job(cups: Cups, fresh_db: Database, db_path: Path) -> None:
    attendee, token = _badge(fresh_db, db_path)
    updates: list[PrintJob] = []
    queue = PrintQueue("no-such-printer", server=cups.server, on_update=updates.append)
    try:
        first = wait_done(queue, queue.submit(attendee.public(), token))  # type: ignore[attr-defined]
        again = wait_done(queue, queue.retry(first.id))
    finally:
        queue.close()
    assert first.state == FAILED and first.reason == "the printer or class does not exist"
    assert again.id != first.id and again.payload == token and again.state == FAILED
    assert [u.state for u in updates] == [FAILED, FAILED]


def test_check_printer_says_in_one_line_what_is_wrong(cups: Cups, tmp_path: Path) -> None:
    check_printer(QUEUE, cups.server)
    check_printer(PAUSED, cups.server)  # paused is a state, not a mistake: its jobs say why
    with pytest.raises(PrintProblem, match=r"^no printer called 'nope' in CUPS \(lpstat -p lists them\)$"):
        check_printer("nope", cups.server)
    with pytest.raises(PrintProblem, match=r"^the CUPS print server on .* is not running, so nothing can print$"):
        check_printer(QUEUE, str(tmp_path / "no.sock"))


def test_the_printers_are_this_sessions_own(cups: Cups) -> None:
    shown = subprocess.run(["lpstat", "-v"], env=cups.env(), capture_output=True, text=True, check=True).stdout
    assert f"device for {QUEUE}: cups-pdf:/" in shown
    assert str(cups.root) in cups.server  # a socket of our own, not the machine's CUPS
