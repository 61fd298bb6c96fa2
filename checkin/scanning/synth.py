"""Synthetic camera frames: real badges held up to a simulated webcam, for tests and benchmarks.

A badge (the same PNG the organiser prints) is warped into a 640x480 or 1280x720 scene
with the defects of a desk webcam: focus blur, motion blur, sensor noise, rotation,
perspective (badge tilted), low contrast (dim hall) and glare (a lamp on the plastic
sleeve). Videos are written with `cv2.VideoWriter` (MJPG in .avi works without a display
or codecs) and read back through the real capture path (`checkin.scanning.sources`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from checkin.badges.render import MODULE_MM, BadgeFace, qr_image, render_image

SIZES = {"480p": (640, 480), "720p": (1280, 720)}


@dataclass(frozen=True, slots=True)
class Condition:
    """How a badge looks to the camera in one frame."""

    name: str
    module_px: float = 5.0  # camera pixels per QR module
    blur: float = 0.0  # Gaussian sigma, pixels
    motion: int = 0  # motion blur length, pixels
    noise: float = 2.0  # sensor noise sigma, grey levels
    angle: float = 0.0  # rotation in the image plane, degrees
    tilt: float = 0.0  # perspective: how much the far edge shrinks, 0..0.4
    contrast: float = 1.0  # 1 = full range; 0.3 = dim and grey
    glare: float = 0.0  # 0..1 strength of a bright spot over the code
    invert: bool = False  # shown on a phone in dark mode: light modules on dark


CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        Condition("clean"),
        Condition("small", module_px=2.2, blur=0.8),
        Condition("blur", blur=2.7),
        Condition("motion", motion=7),
        Condition("noise", noise=22.0),
        Condition("rotation", angle=33.0),
        Condition("perspective", tilt=0.3, angle=8.0),
        Condition("low_contrast", contrast=0.2, noise=5.0),
        Condition("glare", glare=0.85),
        Condition("inverted", invert=True),
        Condition("hard", module_px=3.5, blur=1.0, motion=3, noise=10.0, angle=20.0, tilt=0.15, contrast=0.55, glare=0.3),
    )
}


def card_image(face: BadgeFace, dpi: int = 120) -> np.ndarray:
    """The printed badge as a grayscale array, at `dpi`."""
    return np.asarray(render_image(face, dpi).convert("L"))


def qr_card(token: str, module_px: int = 6) -> np.ndarray:
    """Just a QR code on white (when no badge face is at hand)."""
    return np.asarray(qr_image(token, module_px))


def card_module_px(card_dpi: float) -> float:
    return MODULE_MM * card_dpi / 25.4


def scene(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A still background: a desk, a wall, a blurry person; the same for a whole video."""
    width, height = size
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    base = 90 + 60 * (xs / width) + 30 * np.sin(ys / height * math.pi)
    img = base + rng.normal(0, 6, (height, width)).astype(np.float32)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(width // 10, width // 3)), int(rng.integers(height // 10, height // 2))
        img[y0 : y0 + h, x0 : x0 + w] = float(rng.integers(30, 220))
    img = cv2.GaussianBlur(img, (0, 0), 3)
    gray = np.clip(img, 0, 255).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def compose(
    background: np.ndarray,
    card: np.ndarray | None,
    condition: Condition,
    rng: random.Random,
    card_module: float = 0.0,
    jitter: bool = True,
) -> np.ndarray:
    """One BGR camera frame: `card` (grey, `card_module` pixels per QR module) in `background`."""
    gray_bg = background if background.ndim == 2 else cv2.cvtColor(background, cv2.COLOR_BGR2GRAY)
    height, width = gray_bg.shape[:2]
    frame: np.ndarray = gray_bg.astype(np.float32)
    if card is not None:
        if condition.invert:
            card = 255 - card
        scale = condition.module_px / card_module if card_module else 1.0
        h, w = card.shape[0] * scale, card.shape[1] * scale
        fit = min(1.0, 0.95 * height / h, 0.95 * width / w)
        scale *= fit
        # shrink with area averaging first (what a lens and sensor do), then warp
        small = cv2.resize(card, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else card
        ch, cw = small.shape[:2]
        w, h = float(cw), float(ch)
        cx = width / 2 + (rng.uniform(-1, 1) * max(0.0, (width - w) / 2 - 4) * 0.6 if jitter else 0)
        cy = height / 2 + (rng.uniform(-1, 1) * max(0.0, (height - h) / 2 - 4) * 0.6 if jitter else 0)
        angle = math.radians(condition.angle * (rng.choice((-1, 1)) if jitter else 1))
        corners = np.array([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)], np.float32)
        if condition.tilt:
            corners[0:2, 0] *= 1 - condition.tilt  # the top edge is farther away
            corners[0:2, 1] *= 1 - condition.tilt / 2
        rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
        dest = (corners @ rot.T + np.array([cx, cy], np.float32)).astype(np.float32)
        src = np.array([(0, 0), (cw, 0), (cw, ch), (0, ch)], np.float32)
        matrix = cv2.getPerspectiveTransform(src, dest)
        lo = 128 * (1 - condition.contrast)
        shaded = small.astype(np.float32) * condition.contrast + lo
        cv2.warpPerspective(shaded, matrix, (width, height), dst=frame, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
        if condition.glare:
            gx, gy = cx + rng.uniform(-w, w) * 0.15, cy + h * rng.uniform(0.05, 0.3)
            radius = max(w, h) * 0.18
            x0, x1 = max(0, int(gx - 3 * radius)), min(width, int(gx + 3 * radius))
            y0, y1 = max(0, int(gy - 3 * radius)), min(height, int(gy + 3 * radius))
            ys, xs = np.ogrid[y0:y1, x0:x1]
            spot = np.exp(-(((xs - gx) ** 2 + (ys - gy) ** 2) / (2 * radius**2)))
            frame[y0:y1, x0:x1] += (spot * condition.glare * 255).astype(np.float32)
    if condition.blur:
        frame = cv2.GaussianBlur(frame, (0, 0), condition.blur)
    if condition.motion:
        kernel = np.zeros((condition.motion, condition.motion), np.float32)
        kernel[condition.motion // 2, :] = 1.0 / condition.motion
        frame = cv2.filter2D(frame, -1, kernel)
    if condition.noise:
        bank = _noise_bank(height, width)
        frame += bank[rng.randrange(len(bank))] * np.float32(condition.noise)
    gray = np.clip(frame, 0, 255, out=frame).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


@lru_cache(maxsize=4)
def _noise_bank(height: int, width: int) -> tuple[np.ndarray, ...]:
    """A few fields of unit sensor noise, reused: generating noise per frame is the slow part."""
    rng = np.random.default_rng(12345)
    return tuple(rng.standard_normal((height, width), dtype=np.float32) for _ in range(6))


def write_video(path: str | Path, frames: Iterable[np.ndarray], fps: float = 30.0) -> Path:
    """Frames into an MJPG .avi (readable back by `cv2.VideoCapture` on any machine)."""
    path = Path(path)
    writer: cv2.VideoWriter | None = None
    try:
        for frame in frames:
            if writer is None:
                height, width = frame.shape[:2]
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
                if not writer.isOpened():
                    raise OSError(f"cannot write video {path}")
            writer.write(frame)
    finally:
        if writer is not None:
            writer.release()
    return path


@dataclass(frozen=True, slots=True)
class Showing:
    """One badge held up: from frame `start` for `frames` frames."""

    token: str
    start: int
    frames: int


def parade(
    cards: Sequence[tuple[str, np.ndarray, float]],
    size: tuple[int, int] = (640, 480),
    frames_per_badge: int = 5,
    gap_frames: int = 3,
    condition: Condition = CONDITIONS["clean"],
    seed: int = 1,
) -> tuple[list[np.ndarray], list[Showing]]:
    """Badges shown one after another, a few empty frames between them: (frames, showings).

    `cards` holds (token, card image, card pixels per module). Within one showing the badge
    moves a little, as a hand does.
    """
    rng = random.Random(seed)
    background = cv2.cvtColor(scene(size, seed), cv2.COLOR_BGR2GRAY)
    frames: list[np.ndarray] = []
    showings: list[Showing] = []
    for token, card, card_module in cards:
        showings.append(Showing(token, len(frames), frames_per_badge))
        base_angle = rng.uniform(-8, 8)
        hand = rng.random()  # where this person holds the badge
        for i in range(frames_per_badge):
            moved = replace(condition, angle=condition.angle + base_angle + i * 0.7)
            frames.append(compose(background, card, moved, random.Random(hand), card_module))
        for _ in range(gap_frames):
            frames.append(compose(background, None, condition, rng))
    return frames, showings
