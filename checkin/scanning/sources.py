"""Frame sources: a webcam by device index, a video file, or a stream URL, via OpenCV.

A desk laptop's camera gets unplugged, borrowed or grabbed by another program; the station
must say so and keep trying, never crash. A live source that stops delivering frames is
released and reopened after `retry_s` seconds, then after longer pauses up to `retry_max_s`
(db/retry.py's jittered backoff), with a status line saying what is wrong and what to do. A video file simply ends (that is how tests and demos feed the pipeline).
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # no "can't open camera" noise on stderr

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from db.errors import EventOpsError  # noqa: E402
from db.retry import Backoff  # noqa: E402

with contextlib.suppress(AttributeError):  # OpenCV >= 4.5: quiet its own logging too
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


class CameraUnavailable(EventOpsError):
    """The camera, file or stream cannot be opened (or stopped delivering frames)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One camera frame and when it was taken (monotonic ms)."""

    index: int
    image: np.ndarray
    at_ms: float


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What to open: a device index, a file path or a URL."""

    kind: str  # "device", "file", "url"
    target: int | str

    @property
    def live(self) -> bool:
        return self.kind != "file"

    def __str__(self) -> str:
        return f"camera {self.target}" if self.kind == "device" else str(self.target)


def parse_source(text: str | int) -> SourceSpec:
    """`0` -> camera 0; `rtsp://...`, `http://...` -> stream; anything else -> a video file."""
    if isinstance(text, int):
        return SourceSpec("device", text)
    text = str(text).strip()
    if text.isdigit():
        return SourceSpec("device", int(text))
    if "://" in text:
        return SourceSpec("url", text)
    return SourceSpec("file", text)


def _monotonic_ms() -> float:
    return time.monotonic() * 1000


class FrameSource:
    """Frames from one source; `frames()` yields until the file ends or `stop()` is called."""

    def __init__(
        self,
        source: str | int | SourceSpec,
        *,
        retry_s: float = 2.0,
        retry_max_s: float = 10.0,
        rng: random.Random | None = None,
        max_retries: int | None = None,
        on_status: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = _monotonic_ms,
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        self.spec = source if isinstance(source, SourceSpec) else parse_source(source)
        self.retry_s = retry_s
        self.retry_max_s = max(retry_s, retry_max_s)
        self.rng = rng
        self.max_retries = max_retries
        self.on_status = on_status or (lambda _message: None)
        self.sleep = sleep
        self.clock = clock
        self.size = (width, height)
        self.status = "not opened"
        self._capture: cv2.VideoCapture | None = None
        self._stop = threading.Event()
        self._index = 0

    # --- opening -----------------------------------------------------------------------
    def open(self) -> None:
        """Open the source now; CameraUnavailable (with what to do) if it cannot be."""
        self.close()
        spec = self.spec
        if spec.kind == "file":
            path = Path(str(spec.target))
            if not path.exists():
                raise CameraUnavailable(f"video file {path} does not exist")
            if path.is_dir():
                raise CameraUnavailable(f"{path} is a directory, not a video file")
        try:
            capture = cv2.VideoCapture(spec.target)  # type: ignore[call-overload]
        except cv2.error as error:  # pragma: no cover - backend-specific
            raise CameraUnavailable(f"{spec} cannot be opened: {error}") from None
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailable(self._advice())
        width, height = self.size
        if width and height and spec.kind == "device":
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._capture = capture
        self._set_status(f"{spec}: ok")

    def _advice(self) -> str:
        spec = self.spec
        if spec.kind == "device":
            return (
                f"camera {spec.target} not found or busy: is it plugged in, and not used by another program? "
                "(`eventops doctor` lists the cameras)"
            )
        if spec.kind == "url":
            return f"stream {spec.target} cannot be opened: check the address and the network"
        return f"{spec.target} is not a video file OpenCV can read"

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def stop(self) -> None:
        """Ask `frames()` to end (from another thread)."""
        self._stop.set()

    def _set_status(self, message: str) -> None:
        self.status = message
        self.on_status(message)

    # --- reading -----------------------------------------------------------------------
    def read(self) -> Frame | None:
        """One frame, or None if the source delivered none (ended or lost)."""
        if self._capture is None:
            return None
        try:
            ok, image = self._capture.read()
        except cv2.error:
            ok, image = False, None
        if not ok or image is None:
            return None
        frame = Frame(self._index, image, self.clock())
        self._index += 1
        return frame

    def frames(self) -> Iterator[Frame]:
        """Frames until a file ends, `stop()` is called, or `max_retries` reopenings failed.

        A live source that cannot be opened or stops delivering is retried after `retry_s`
        seconds, then after longer (jittered) pauses up to `retry_max_s`; each attempt updates
        `status` (and calls `on_status`).
        """
        failures = 0
        backoff = Backoff(self.retry_s, self.retry_max_s, rng=self.rng)
        try:
            while not self._stop.is_set():
                if self._capture is None:
                    try:
                        self.open()
                    except CameraUnavailable as error:
                        if not self.spec.live:
                            raise
                        failures += 1
                        if self.max_retries is not None and failures > self.max_retries:
                            self._set_status(f"{error} (gave up after {failures - 1} retries)")
                            return
                        delay = backoff.next()
                        self._set_status(f"{error}; retrying in {delay:.1f} s")
                        self.sleep(delay)
                        continue
                frame = self.read()
                if frame is None:
                    if not self.spec.live:
                        self._set_status(f"{self.spec}: end of video")
                        return
                    self.close()
                    failures += 1
                    if self.max_retries is not None and failures > self.max_retries:
                        self._set_status(f"{self.spec} stopped delivering frames (gave up after {failures - 1} retries)")
                        return
                    delay = backoff.next()
                    self._set_status(f"{self.spec} stopped delivering frames (unplugged?); reopening in {delay:.1f} s")
                    self.sleep(delay)
                    continue
                failures = 0
                backoff.reset()
                yield frame
        finally:
            self.close()


def probe_cameras(max_index: int = 4) -> list[dict[str, object]]:
    """Which device indexes open and deliver a frame (for `eventops doctor`)."""
    found = []
    for index in range(max_index):
        capture = cv2.VideoCapture(index)
        try:
            if not capture.isOpened():
                continue
            ok, image = capture.read()
            entry: dict[str, object] = {"index": index, "delivers": bool(ok)}
            if ok and image is not None:
                entry["size"] = f"{image.shape[1]}x{image.shape[0]}"
            found.append(entry)
        finally:
            capture.release()
    return found
