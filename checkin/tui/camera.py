"""The camera path of the station: frames in, payloads out, run in a worker thread.

Uses checkin.scanning's pipeline (frame source + decoder chain + dedupe) when it is there;
until then, and as its minimal stand-in, OpenCV `VideoCapture` + `DecoderChain.default()` +
"the same payload in consecutive frames is one scan".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

#: The same payload seen again within this many seconds of its last sighting is one scan.
REPEAT_S = 3.0


@dataclass
class Seen:
    """One decoded payload worth a scan, with the frame it was read from."""

    payload: str
    frame: Any


def open_source(source: str | int) -> Any:
    """An OpenCV capture for a device index ("0"), a video file or a stream URL."""
    import cv2

    from db.errors import EventOpsError

    target: str | int = int(source) if isinstance(source, str) and source.isdigit() else source
    capture = cv2.VideoCapture(target)
    if not capture.isOpened():
        raise EventOpsError(f"cannot open camera {source!r}: check the device index, file or URL")
    return capture


def frames_and_payloads(
    source: str | int, cancelled: Callable[[], bool], realtime: bool = True
) -> Iterator[tuple[Any, list[str]]]:
    """Each frame with the payloads that should become scans (already de-duplicated)."""
    import cv2

    from checkin.scanning.decoders import DecoderChain, to_gray

    capture = open_source(source)
    chain = DecoderChain.default()
    last_seen: dict[str, float] = {}
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    is_file = isinstance(source, str) and not source.isdigit() and "://" not in source
    try:
        while not cancelled():
            started = time.monotonic()
            ok, frame = capture.read()
            if not ok:
                return
            decoding = chain.decode(to_gray(frame))
            now = time.monotonic()
            fresh = []
            for text in decoding.texts:
                previous = last_seen.get(text)
                last_seen[text] = now
                if previous is None or now - previous > REPEAT_S:
                    fresh.append(text)
            yield frame, fresh
            if realtime and is_file:
                # A video file plays at its own pace, like a camera would.
                time.sleep(max(0.0, 1.0 / fps - (time.monotonic() - started)))
    finally:
        capture.release()
