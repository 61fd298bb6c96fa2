"""`eventops doctor`: what this machine offers a station, and what to do about what is missing."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from checkin.scanning import decoders
from checkin.scanning.sources import probe_cameras


@dataclass
class DoctorReport:
    decoders: dict[str, str] = field(default_factory=dict)  # name -> "ok" or why not
    decoder_ms: dict[str, float] = field(default_factory=dict)  # empty 720p frame
    cameras: list[dict[str, Any]] = field(default_factory=list)
    terminal: dict[str, Any] = field(default_factory=dict)
    advice: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "decoders": {n: {"status": s, "ms_empty_720p": self.decoder_ms.get(n)} for n, s in self.decoders.items()},
            "cameras": self.cameras,
            "terminal": self.terminal,
            "advice": self.advice,
        }

    def lines(self) -> list[str]:
        out = ["decoders:"]
        for name, status in self.decoders.items():
            ms = self.decoder_ms.get(name)
            timing = f" ({ms:.1f} ms per empty 720p frame)" if ms is not None else ""
            out.append(f"  {name:7} {'ok' + timing if status == 'ok' else 'MISSING: ' + status}")
        out.append("cameras:")
        if not self.cameras:
            out.append("  none found")
        for cam in self.cameras:
            state = f"delivers {cam.get('size', '?')}" if cam.get("delivers") else "opens but delivers no frames (busy?)"
            out.append(f"  camera {cam['index']}: {state}")
        t = self.terminal
        out.append(f"terminal: {t['columns']}x{t['lines']}, colours: {t['colours']}")
        if self.advice:
            out.append("to do:")
            out.extend(f"  - {line}" for line in self.advice)
        else:
            out.append("all good")
        return out


def _colours() -> str:
    if os.environ.get("NO_COLOR"):
        return "none (NO_COLOR is set)"
    try:
        from rich.console import Console

        system = Console(force_terminal=True).color_system
        return str(system or "none")
    except ImportError:  # pragma: no cover - rich comes with textual
        return os.environ.get("COLORTERM") or os.environ.get("TERM", "unknown")


def examine(max_cameras: int = 4) -> DoctorReport:
    report = DoctorReport(decoders=decoders.available())
    frame = np.full((720, 1280), 128, np.uint8)
    for name, status in report.decoders.items():
        if status != "ok":
            continue
        decoder = decoders.make(name)
        start = time.perf_counter()
        for _ in range(3):
            decoder.decode(frame)
        report.decoder_ms[name] = (time.perf_counter() - start) * 1000 / 3
    if report.decoders.get("zxing") != "ok":
        report.advice.append("install zxing-cpp (pip install zxing-cpp): the fastest and best decoder")
    if report.decoders.get("pyzbar") != "ok":
        report.advice.append("install the zbar library (Debian/Ubuntu: sudo apt install libzbar0; macOS: brew install zbar) for the pyzbar fallback")
    report.cameras = probe_cameras(max_cameras)
    if not report.cameras:
        report.advice.append(
            "no camera found: plug in a webcam (or use a USB keyboard-wedge scanner, or `--camera FILE` with a video); "
            "on Linux check that you are in the `video` group"
        )
    size = shutil.get_terminal_size((80, 24))
    colours = _colours()
    report.terminal = {"columns": size.columns, "lines": size.lines, "colours": colours, "term": os.environ.get("TERM", "")}
    if size.columns < 100 or size.lines < 30:
        report.advice.append(f"the terminal is {size.columns}x{size.lines}: the station screens want at least 100x30 (enlarge the window or reduce the font)")
    if colours in ("none", "standard") or colours.startswith("none"):
        report.advice.append("the terminal shows few colours: use a terminal with 256 colours or truecolor (set TERM=xterm-256color)")
    _ = cv2.__version__
    return report
