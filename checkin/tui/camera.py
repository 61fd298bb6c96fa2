"""The camera path of the station, run in a worker thread: frames in, payloads out.

Built on checkin.scanning: a `FrameSource` (device index, video file or stream URL, reopened
when a live camera drops out) and a `ScanPipeline` (decoder chain + "one showing is one
scan" dedupe). A video file is played at its own frame rate, as a camera would deliver it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from checkin.badges.token import BadgeState


@dataclass(frozen=True, slots=True)
class CameraScans:
    """One frame, the payloads in it that are new scans, and when reading it began."""

    frame: Any
    payloads: list[str]
    started: float  # monotonic seconds: the start of "scan to verdict on screen"


def camera_scans(
    source: str,
    state: Callable[[], BadgeState],
    cancelled: Callable[[], bool],
    on_status: Callable[[str], None],
    realtime: bool = True,
) -> Iterator[CameraScans]:
    """Frames of `source` with their new scans, until the source ends or `cancelled()`."""
    import cv2

    from checkin.scanning.pipeline import ScanPipeline
    from checkin.scanning.sources import FrameSource

    frames = FrameSource(source, on_status=on_status)
    pipeline = ScanPipeline(state)
    pace = 0.0
    if realtime and not frames.spec.live:
        frames.open()  # CameraUnavailable (an EventOpsError) if the file cannot be read
        fps = frames._capture.get(cv2.CAP_PROP_FPS) if frames._capture is not None else 0.0
        pace = 1.0 / fps if fps and fps > 0 else 1.0 / 30
    started = time.monotonic()
    try:
        for frame in frames.frames():
            if cancelled():
                return
            scans = pipeline.process(frame)
            yield CameraScans(frame.image, [scan.payload for scan in scans], started)
            if pace:
                time.sleep(max(0.0, pace - (time.monotonic() - started)))
            started = time.monotonic()
    finally:
        frames.stop()
        frames.close()
