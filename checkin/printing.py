"""Badges printed at the desk: one person's badge as a PDF, sent to a CUPS printer by a worker.

A badge printed on arrival replaces the sheet nobody printed for a late registration, a lost
badge or a misspelt name. Any printer CUPS knows works: the PDF goes through `lp -d PRINTER`,
so an office printer takes the A6 card (the layout of `checkin.badges.render`, painted by
`checkin.badges.print`) and a label printer a 62 mm continuous label (name big, organisation,
QR code; fitted with the same font chain and text rule). Printing never delays a verdict: the
desk hands a job to `PrintQueue`, whose thread renders, sends and watches it, and says how it
went through a callback (queued by CUPS, printed, or failed with a reason). No Textual here.

    queue = PrintQueue("desk-printer", label="62mm", on_update=show)  # show(job) runs in the worker
    job_id = queue.submit(verdict.attendee, payload)                  # returns at once
    queue.retry(job_id)                                               # the same badge again
    queue.wait(job_id, timeout=60)                                    # a command that must know
    queue.close()
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from checkin.badges.print import BadgeSheets, draw_qr
from checkin.badges.render import (
    ASCENT,
    HEIGHT_MM,
    PT_MM,
    WIDTH_MM,
    BadgeFace,
    Fit,
    TextLine,
    face_of,
    fit_text,
    layout,
    qr_matrix,
    text_width_mm,
)
from checkin.i18n import _
from db.errors import EventOpsError

A6 = "a6"
LABEL_62MM = "62mm"
LABELS = (A6, LABEL_62MM)

LABEL_WIDTH_MM = 62.0
LABEL_MARGIN_MM = 3.0  # label printers lose ~1.5 mm at each edge
LABEL_MODULE_MM = 1.4  # 37 modules: 51.8 mm, the widest QR that keeps a quiet zone on 62 mm
LABEL_QUIET_MODULES = 4
LABEL_NAME_FIT = Fit(24.0, 12.0, lines=2, two_line_largest=18.0, leading=1.15)
LABEL_ORG_FIT = Fit(12.0, 8.0, lines=2, two_line_largest=11.0)
LABEL_GAP_MM = 1.5  # between the name and the organisation

#: Job states, in the order a job goes through them.
WAITING = "waiting"  # in this queue, not yet handed to CUPS
QUEUED = "queued"  # accepted by CUPS
PRINTED = "printed"
FAILED = "failed"

LP_TIMEOUT_S = 30.0  # one `lp` or `lpstat` call (a CUPS server that does not answer)
WAIT_S = 120.0  # a job not printed by then is cancelled and reported failed
POLL_S = 0.25  # how often CUPS is asked about a job in progress
INSTALL_HINT = "apt-get install cups-client"


class PrintProblem(EventOpsError):
    """The badge cannot be printed here (no `lp`, no such printer, bad label size)."""


@dataclass(frozen=True, slots=True)
class PrintJob:
    """One badge to print and where it stands: `state` is waiting, queued, printed or failed
    (`reason` says why, in one line); `cups_id` is CUPS's request id once it has one."""

    id: int
    attendee_id: str
    name: str
    payload: str
    state: str = WAITING
    reason: str = ""
    cups_id: str = ""

    @property
    def done(self) -> bool:
        return self.state in (PRINTED, FAILED)

    @property
    def ok(self) -> bool:
        return self.state != FAILED


#: Told about every change of a job (queued, printed, failed). Called in the print thread:
#: a Textual app hands it to its event loop (`call_from_thread`, `post_message`).
OnUpdate = Callable[[PrintJob], None]


# --- the PDF ---------------------------------------------------------------------------------


class _BadgePage(BadgeSheets):
    """One badge on a page of its own size (the sheets' painter, fonts and shaping reused)."""

    def card(self, face: BadgeFace) -> None:
        """The A6 card of `checkin.badges.render.layout`, as on the sheets but without crop marks."""
        runs = [(line, self.chain.runs(line.text)) for line in layout(face)]
        self.pdf.add_page(format=(WIDTH_MM, HEIGHT_MM))
        self._badge(face, runs, qr_matrix(face.token), 0.0, 0.0)
        self.count += 1

    def label(self, face: BadgeFace) -> float:
        """A 62 mm label as long as it needs to be: name, organisation, QR code. Returns its length."""
        lines, qr_top = label_layout(face)
        matrix = qr_matrix(face.token)
        module = LABEL_MODULE_MM
        side = len(matrix) * module
        length = qr_top + side + LABEL_QUIET_MODULES * module
        self.pdf.add_page(format=(LABEL_WIDTH_MM, length))
        for line in lines:
            self._line(line, self.chain.runs(line.text), 0.0, 0.0)
        draw_qr(self.pdf, matrix, (LABEL_WIDTH_MM - side) / 2, qr_top, module)
        self.count += 1
        return length


def label_layout(face: BadgeFace) -> tuple[list[TextLine], float]:
    """The text lines of a 62 mm label (name, then organisation), and where its QR code starts."""
    usable = LABEL_WIDTH_MM - 2 * LABEL_MARGIN_MM
    centre = LABEL_WIDTH_MM / 2
    top = LABEL_MARGIN_MM
    lines: list[TextLine] = []
    parts = [(face.name, LABEL_NAME_FIT, True, (0, 0, 0))]
    if face.org:
        parts.append((face.org, LABEL_ORG_FIT, False, (40, 40, 40)))
    for index, (text, fit, bold, colour) in enumerate(parts):
        if index:
            top += LABEL_GAP_MM
        for piece, size in fit_text(text, usable, fit, bold, text_width_mm):
            size_mm = size * PT_MM
            lines.append(TextLine(piece, top + ASCENT * size_mm, size, bold, colour, x_mm=centre))
            top += fit.leading * size_mm
    return lines, top + LABEL_QUIET_MODULES * LABEL_MODULE_MM


def badge_pdf(face: BadgeFace, path: str | Path, label: str = A6) -> Path:
    """Write the badge of `face` as a one-page PDF: an A6 card, or a 62 mm label (`label`)."""
    check_label(label)
    page = _BadgePage()
    page.pdf.set_title(f"Badge {face.attendee_id}")
    if label == A6:
        page.card(face)
    else:
        page.label(face)
    return page.save(path)


def check_label(label: str) -> str:
    if label not in LABELS:
        raise PrintProblem(_("unknown label size {label!r}: choose {choices}").format(label=label, choices=" or ".join(LABELS)))
    return label


def face_for(attendee: Any, payload: str, event: str = "") -> BadgeFace:
    """The badge face of an attendee (an `Attendee`, or the dict a verdict carries) with `payload`
    as its QR code: the badge the person just scanned, reprinted as it is."""
    if isinstance(attendee, Mapping):
        fields = dict(attendee)
        fields.setdefault("org", fields.get("organisation", ""))
        attendee = SimpleNamespace(**fields)
    return face_of(attendee, payload, event)


# --- CUPS ------------------------------------------------------------------------------------


def lp_command() -> str:
    """The path of CUPS's `lp`, or a PrintProblem saying how to get it."""
    found = shutil.which("lp")
    if found is None:
        raise PrintProblem(_("printing needs the CUPS command lp, which is not installed here ({hint})").format(hint=INSTALL_HINT))
    return found


def _cups_env(server: str | None) -> dict[str, str]:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # CUPS's words, parsed below, in English
    if server:
        env["CUPS_SERVER"] = server
    return env


def _run(args: list[str], server: str | None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=LP_TIMEOUT_S, env=_cups_env(server), check=False)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 1, "", f"{Path(args[0]).name}: no answer from CUPS in {LP_TIMEOUT_S:.0f} s")
    except OSError as error:
        return subprocess.CompletedProcess(args, 1, "", f"{Path(args[0]).name}: {error.strerror or error}")


def cups_words(text: str) -> str:
    """The last thing a CUPS command said, as one line: `lp: Error - The printer ...` -> `the printer ...`."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return "no reason given"
    line = re.sub(r"^(\S*/)?(lp|lpstat|cancel):\s*", "", lines[-1])
    line = re.sub(r"^Error\s*-\s*", "", line).rstrip(".")
    return line[:1].lower() + line[1:]


def check_printer(printer: str, server: str | None = None) -> None:
    """Raise PrintProblem, in one line, unless `lp` exists and CUPS knows `printer` (paused is fine:
    its jobs fail with the reason, and the desk sees it)."""
    lp_command()
    if not printer.strip():
        raise PrintProblem(_("--printer needs the name of a CUPS printer (lpstat -p lists them)"))
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return  # lp alone can still print; its own errors come back per job
    running = _run([lpstat, "-r"], server)
    if "not running" in running.stdout or running.returncode != 0:
        where = server or os.environ.get("CUPS_SERVER") or "this machine"
        raise PrintProblem(_("the CUPS print server on {where} is not running, so nothing can print").format(where=where))
    found = _run([lpstat, "-p", printer], server)
    if found.returncode != 0:
        raise PrintProblem(_("no printer called {printer!r} in CUPS (lpstat -p lists them)").format(printer=printer))


def default_printer(server: str | None = None) -> str:
    """CUPS's default destination (`lpstat -d`), or a PrintProblem saying to name one."""
    lpstat = shutil.which("lpstat")
    answer = _run([lpstat, "-d"], server) if lpstat else None
    if answer is not None and answer.returncode == 0 and ":" in answer.stdout:
        name = answer.stdout.strip().rsplit(":", 1)[1].strip()
        if name and " " not in name:
            return name
    raise PrintProblem(_("CUPS has no default printer here: name one with --printer (lpstat -p lists them)"))


def parse_jobs(text: str) -> dict[str, dict[str, str]]:
    """`lpstat -l -o` output as {request id: {"Status": ..., "Alerts": ...}}."""
    jobs: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            current = jobs.setdefault(line.split()[0], {})
        elif current is not None and ":" in line:
            key, _sep, value = line.strip().partition(":")
            current.setdefault(key.strip(), value.strip())
    return jobs


# --- the queue -------------------------------------------------------------------------------


class PrintQueue:
    """Badges printed one after another by a thread of their own, so a desk never waits for paper.

    `submit` returns a job id at once; `on_update(job)` is then called (in the print thread) when
    CUPS has queued it, and when it is printed or has failed (with the reason, one line). A job
    still not printed after `wait_s` (printer off, out of labels, paused) is cancelled in CUPS and
    reported failed, so a retry never prints the badge twice. `server` is a CUPS server
    (`host:port`) other than the default (CUPS_SERVER)."""

    def __init__(
        self,
        printer: str,
        *,
        label: str = A6,
        on_update: OnUpdate | None = None,
        event: str = "",
        server: str | None = None,
        wait_s: float = WAIT_S,
    ) -> None:
        self.printer = printer
        self.label = check_label(label)
        self.on_update = on_update
        self.event = event
        self.server = server
        self.wait_s = wait_s
        self._lp = lp_command()
        self._lpstat = shutil.which("lpstat")
        self._cancel = shutil.which("cancel")
        self._jobs: dict[int, PrintJob] = {}
        self._faces: dict[int, BadgeFace] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._next = 1
        self._todo: queue.Queue[int | None] = queue.Queue()
        self._closing = threading.Event()
        self._dir = Path(tempfile.mkdtemp(prefix="eventops-print-"))
        self._thread = threading.Thread(target=self._work, name=f"print-{printer}", daemon=True)
        self._thread.start()

    # --- the API the desk calls ------------------------------------------------------------
    def submit(self, attendee: Any, payload: str) -> int:
        """Queue the badge of `attendee` (an `Attendee` or a verdict's attendee dict) with the QR
        code `payload`; returns the job's id. Never blocks, never raises for a bad print."""
        face = face_for(attendee, payload, self.event)
        with self._lock:
            job = PrintJob(self._next, face.attendee_id, face.name, payload)
            self._next += 1
            self._jobs[job.id] = job
            self._faces[job.id] = face
        self._todo.put(job.id)
        return job.id

    def retry(self, job_id: int) -> int:
        """Print the badge of job `job_id` again, as a new job; returns the new job's id."""
        with self._lock:
            old, face = self._jobs[job_id], self._faces[job_id]
            job = PrintJob(self._next, old.attendee_id, old.name, old.payload)
            self._next += 1
            self._jobs[job.id] = job
            self._faces[job.id] = face
        self._todo.put(job.id)
        return job.id

    def job(self, job_id: int) -> PrintJob:
        """Where job `job_id` stands now."""
        with self._lock:
            return self._jobs[job_id]

    def wait(self, job_id: int, timeout: float | None = None) -> PrintJob:
        """Job `job_id` once it is printed or failed, or as it stands after `timeout` seconds
        (for a command that prints and then exits, such as a walk-in registered with --print)."""
        with self._changed:
            self._changed.wait_for(lambda: self._jobs[job_id].done, timeout)
            return self._jobs[job_id]

    def jobs(self) -> list[PrintJob]:
        """Every job of this queue, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def close(self, timeout: float = 5.0) -> None:
        """Stop after the job in progress (jobs already in CUPS print on); removes the temp files."""
        self._closing.set()
        self._todo.put(None)
        self._thread.join(timeout)
        shutil.rmtree(self._dir, ignore_errors=True)

    # --- the print thread ------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job_id = self._todo.get()
            if job_id is None or self._closing.is_set():
                return
            try:
                self._print(job_id)
            except Exception as error:  # noqa: BLE001 - a desk must hear why, never lose its thread
                self._update(job_id, state=FAILED, reason=str(error) or type(error).__name__)

    def _update(self, job_id: int, state: str, reason: str = "", cups_id: str | None = None) -> None:
        with self._lock:
            job = self._jobs[job_id]
            job = self._jobs[job_id] = replace(job, state=state, reason=reason, cups_id=job.cups_id if cups_id is None else cups_id)
            self._changed.notify_all()
        if self.on_update is not None:
            self.on_update(job)

    def _print(self, job_id: int) -> None:
        with self._lock:
            face = self._faces[job_id]
        path = self._dir / f"badge-{job_id}.pdf"
        try:
            options: list[str] = []
            if self.label == A6:
                badge_pdf(face, path, A6)
            else:
                page = _BadgePage()
                page.pdf.set_title(f"Badge {face.attendee_id}")
                length = page.label(face)
                page.save(path)
                options = ["-o", f"media=Custom.{LABEL_WIDTH_MM:g}x{length:.0f}mm"]
            title = re.sub(r"[^A-Za-z0-9._-]+", "_", f"badge-{face.attendee_id}")[:60]
            sent = _run([self._lp, "-d", self.printer, "-t", title, *options, str(path)], self.server)
        finally:
            path.unlink(missing_ok=True)  # lp has sent its bytes to CUPS
        request = re.search(r"request id is (\S+)", sent.stdout)
        if sent.returncode != 0 or request is None:
            self._update(job_id, state=FAILED, reason=cups_words(sent.stderr or sent.stdout))
            return
        cups_id = request.group(1)
        self._update(job_id, state=QUEUED, cups_id=cups_id)
        ok, reason = self._watch(cups_id)
        self._update(job_id, state=PRINTED if ok else FAILED, reason=reason)

    def _listing(self, which: str) -> dict[str, dict[str, str]] | None:
        """CUPS's jobs of this printer (`which`: not-completed or completed), None if lpstat failed."""
        if self._lpstat is None:
            return None
        done = _run([self._lpstat, "-W", which, "-l", "-o", self.printer], self.server)
        return parse_jobs(done.stdout) if done.returncode == 0 else None

    def _paused(self) -> str:
        """Why the printer is paused ("" if it is not): cupsdisable's reason, or just that."""
        if self._lpstat is None:
            return ""
        shown = _run([self._lpstat, "-p", self.printer], self.server)
        if " disabled " not in shown.stdout:
            return ""
        why = [line.strip() for line in shown.stdout.splitlines()[1:] if line.strip()]
        return _("printer {printer} is paused").format(printer=self.printer) + (f": {why[0]}" if why else "")

    def _give_up(self, cups_id: str, reason: str) -> tuple[bool, str]:
        if self._cancel is not None:
            _run([self._cancel, cups_id], self.server)
        return False, reason

    def _watch(self, cups_id: str) -> tuple[bool, str]:
        """Follow a CUPS job until it is done: (printed?, why not)."""
        if self._lpstat is None:
            return True, ""  # lp accepted it; nothing here can tell more
        deadline = time.monotonic() + self.wait_s
        while True:
            pending = self._listing("not-completed")
            if pending is not None and cups_id not in pending:
                finished = (self._listing("completed") or {}).get(cups_id, {})
                alerts = finished.get("Alerts", "")
                if any(word in alerts for word in ("canceled", "aborted", "with-errors")):
                    return False, finished.get("Status") or alerts
                return True, ""
            info = (pending or {}).get(cups_id, {})
            if "with-errors" in info.get("Alerts", "") or "job-stopped" in info.get("Alerts", ""):
                return self._give_up(cups_id, info.get("Status") or _("the printer stopped the job"))
            paused = self._paused()
            if paused:
                return self._give_up(cups_id, paused)
            if time.monotonic() >= deadline:
                return self._give_up(cups_id, _("not printed after {seconds:.0f} s").format(seconds=self.wait_s))
            if self._closing.wait(POLL_S):
                return False, _("the station closed before the badge was printed")


# --- when a desk prints ----------------------------------------------------------------------


def first_of_event(state: Any, verdict: Any) -> bool:
    """Whether a desk verdict is the person's first check-in of the whole event (not only of
    today): the moment their badge is printed. `state` is the station's folded `EventState`;
    only its check-ins of the event's other days are looked up (no iteration, safe to read
    while the station's worker appends)."""
    from checkin.verdict import CHECKED_IN

    if verdict.reason != CHECKED_IN or not verdict.attendee or verdict.event is None:
        return False
    attendee_id = str(verdict.attendee.get("id", ""))
    today = state.day_of(verdict.at_ms)
    days = tuple(state.info.days) if state.info else ()
    return not any(state.checked_in(attendee_id, day) is not None for day in days if day != today)
