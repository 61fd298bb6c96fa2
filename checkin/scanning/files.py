"""Decoding QR codes in files: an image, or every frame of a video (`eventops decode`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from checkin.scanning.decoders import Decoder, to_gray
from checkin.scanning.sources import CameraUnavailable, FrameSource


@dataclass
class FileDecoding:
    """The distinct payloads of one file, in order of first appearance."""

    payloads: list[str] = field(default_factory=list)
    unread: int = 0  # codes located but not read (most frames of a video: the most of any frame)
    frames: int = 0
    ms: float = 0.0  # decoding time, all frames
    error: str = ""


def decode_file(path: str | Path, decoder: Decoder) -> FileDecoding:
    """Decode an image file, or each frame of a video file; never raises for a bad file."""
    path = Path(path)
    out = FileDecoding()
    if not path.exists():
        out.error = "no such file"
        return out
    if path.is_dir():
        out.error = "is a directory"
        return out
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    frames = [image] if image is not None else None
    try:
        iterator = (f.image for f in FrameSource(str(path)).frames()) if frames is None else iter(frames)
        for frame in iterator:
            out.frames += 1
            start = time.perf_counter()
            result = decoder.decode(to_gray(frame))
            out.ms += (time.perf_counter() - start) * 1000
            out.unread = max(out.unread, len(result.unread))
            for text in result.texts:
                if text not in out.payloads:
                    out.payloads.append(text)
    except CameraUnavailable:
        out.error = "not an image or a video that OpenCV can read"
    except cv2.error as error:
        out.error = f"OpenCV cannot read it: {error}"
    if out.frames == 0 and not out.error:
        out.error = "not an image or a video that OpenCV can read"
    return out
