"""What the printing tests share: waiting for a print job, and reading a printed PDF's QR code."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checkin.printing import PrintJob, PrintQueue
from checkin.scanning.decoders import DecoderChain, to_gray

DEADLINE_S = 120.0  # a loaded machine; a job that is never done is told apart by `explain`


def wait_done(queue: PrintQueue, job_id: int, deadline_s: float = DEADLINE_S) -> PrintJob:
    """The job once it is printed or failed (fails the test if neither happens in time)."""
    job = queue.wait(job_id, deadline_s)
    assert job.done, f"print job still {job.state} after {deadline_s:.0f} s: {job}"
    return job


def qr_texts(pdf: Path, workdir: Path, dpi: int = 200) -> list[str]:
    """Every QR code read on the pages of `pdf` (rendered by pdftoppm, read by our decoder chain)."""
    import cv2

    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(workdir / "page")], check=True, capture_output=True)
    chain = DecoderChain.default()
    texts: list[str] = []
    for page in sorted(workdir.glob("page*.png")):
        image = cv2.imread(str(page), cv2.IMREAD_UNCHANGED)
        assert image is not None, f"pdftoppm wrote an unreadable {page.name}"
        texts.extend(chain.decode(to_gray(image)).texts)
    return texts


def page_sizes_mm(pdf: Path) -> list[tuple[float, float]]:
    """Each page's size in mm, as pdfinfo reads it."""
    shown = subprocess.run(["pdfinfo", "-l", "99", str(pdf)], check=True, capture_output=True, text=True).stdout
    sizes = []
    for line in shown.splitlines():
        if line.startswith("Page") and "size:" in line:
            words = line.split("size:")[1].split()
            sizes.append((float(words[0]) * 25.4 / 72, float(words[2]) * 25.4 / 72))
    return sizes


async def wait_app(pilot: Any, condition: Callable[[], bool], explain: Callable[[], object], deadline_s: float = DEADLINE_S) -> None:
    """Let the app run until `condition()` holds; if it never does, fail saying `explain()`
    (the print jobs, the card), so a slow CUPS and a lost update are told apart."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"not there after {deadline_s:.0f} s: {explain()}"
        await pilot.pause(0.02)
