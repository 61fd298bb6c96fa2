"""QR decoders behind one interface, and the chain that decides who gets a try.

Three libraries read QR codes: zxing-cpp (fast, reads the most), pyzbar (needs the zbar
shared library) and OpenCV's QRCodeDetector (always there with OpenCV, slowest). Any of the
first two may be missing on a machine: the chain skips it and `available()` says why.

The default chain (`auto`) is decided by bench/scan.py (see docs/scanning.md): zxing-cpp on
every frame; only when it *located* a code it could not decode (`return_errors=True` gives
such results with `.valid == False`) do retries run: zxing-cpp again on the sharpened (then
also upscaled) crop around that position, then pyzbar on the crop. An idle desk (no code in
view) therefore pays for zxing-cpp alone. Without zxing-cpp, pyzbar leads the chain, and
without both, OpenCV.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import cv2
import numpy as np

Points = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Found:
    """One QR code read in a frame."""

    text: str
    decoder: str
    points: Points = ()


@dataclass(slots=True)
class Decoding:
    """What a decoder made of one frame: codes read, and codes located but not read."""

    found: list[Found] = field(default_factory=list)
    unread: list[Points] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)  # decoders that ran, in order

    @property
    def texts(self) -> list[str]:
        return list(dict.fromkeys(f.text for f in self.found))


class Decoder(Protocol):
    """Anything that reads QR codes from a grayscale uint8 frame."""

    name: str

    def decode(self, gray: np.ndarray) -> Decoding: ...


class DecoderMissing(Exception):
    """A decoder library (or its shared library) is not installed here."""


def to_gray(frame: np.ndarray) -> np.ndarray:
    """A grayscale uint8 view of a BGR (or already gray) frame."""
    if frame.ndim == 3:
        if frame.shape[2] == 4:
            return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return frame


# --- the three libraries ---------------------------------------------------------------


class ZxingDecoder:
    """zxing-cpp: ~1 ms per 720p frame; also reports codes it located but could not read.

    Inverted codes (light on dark: a badge on a phone in dark mode) are read by zxing-cpp's own
    `try_invert`. It costs ~20-30 % per frame, which dropping `try_downscale` (also scanning a
    third-size copy) pays back on an idle desk: an empty 720p frame costs 0.88 ms CPU p50 either
    way (480p: 0.25 against 0.23). On zxing-cpp's 137 `qrcode-*` sample photos and bench/scan.py's
    frames the downscaled copy read nothing the full size did not. The price is paid in the dark:
    an empty frame with heavy sensor noise costs ~6 ms instead of ~4 (docs/scanning.md).
    """

    name = "zxing"

    def __init__(self, try_invert: bool = True, try_downscale: bool = False) -> None:
        try:
            import zxingcpp
        except ImportError as error:
            raise DecoderMissing(f"zxing-cpp is not installed ({error}); pip install zxing-cpp") from None
        self._zx = zxingcpp
        many = getattr(zxingcpp, "BarcodeFormats", None)  # zxing-cpp 2.x takes a single format
        self._formats: Any = many(zxingcpp.BarcodeFormat.QRCode) if many else zxingcpp.BarcodeFormat.QRCode
        self._try_invert, self._try_downscale = try_invert, try_downscale

    def decode(self, gray: np.ndarray) -> Decoding:
        out = Decoding(tried=[self.name])
        for result in self._zx.read_barcodes(gray, formats=self._formats, return_errors=True,
                                             try_invert=self._try_invert, try_downscale=self._try_downscale):
            pos = result.position
            points = tuple((float(p.x), float(p.y)) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left))
            if result.valid and result.text:
                out.found.append(Found(result.text, self.name, points))
            else:
                out.unread.append(points)
        return out


class PyzbarDecoder:
    """pyzbar over the zbar C library: ~15 ms per 720p frame."""

    name = "pyzbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except (ImportError, OSError) as error:  # OSError/ImportError: libzbar missing
            raise DecoderMissing(
                f"pyzbar cannot load the zbar library ({error}); install it (Debian/Ubuntu: apt install libzbar0, macOS: brew install zbar)"
            ) from None
        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, gray: np.ndarray) -> Decoding:
        out = Decoding(tried=[self.name])
        for result in self._pyzbar.decode(np.ascontiguousarray(gray), symbols=self._symbols):
            try:
                text = result.data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            points = tuple((float(p.x), float(p.y)) for p in result.polygon)
            out.found.append(Found(text, self.name, points))
        return out


class OpenCVDecoder:
    """OpenCV's QRCodeDetector: always present with OpenCV, ~36 ms per 720p frame."""

    name = "opencv"

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetector()

    def decode(self, gray: np.ndarray) -> Decoding:
        out = Decoding(tried=[self.name])
        try:
            ok, texts, points, _ = self._detector.detectAndDecodeMulti(gray)
        except cv2.error:
            return out
        if not ok or points is None:
            return out
        for text, quad in zip(texts, points, strict=False):
            pts = tuple((float(x), float(y)) for x, y in np.asarray(quad).reshape(-1, 2))
            if text:
                out.found.append(Found(str(text), self.name, pts))
            else:
                out.unread.append(pts)
        return out


FACTORIES: dict[str, Callable[[], Decoder]] = {
    "zxing": ZxingDecoder,
    "pyzbar": PyzbarDecoder,
    "opencv": OpenCVDecoder,
}
NAMES = ("zxing", "pyzbar", "opencv")


def available() -> dict[str, str]:
    """Each decoder's name -> "ok" or why it cannot run here (and what to do)."""
    status = {}
    for name in NAMES:
        try:
            FACTORIES[name]()
            status[name] = "ok"
        except DecoderMissing as error:
            status[name] = str(error)
    return status


def make(name: str) -> Decoder:
    """One decoder by name (DecoderMissing if its library is absent)."""
    if name == "auto":
        return DecoderChain.default()
    try:
        factory = FACTORIES[name]
    except KeyError:
        raise DecoderMissing(f"unknown decoder {name!r}: choose auto, {', '.join(NAMES)}") from None
    return factory()


# --- the chain ---------------------------------------------------------------------------


def crop_around(gray: np.ndarray, points: Points, margin: float = 0.35) -> tuple[np.ndarray, int, int]:
    """The region around a located code, with a margin for the quiet zone; (crop, x0, y0)."""
    xs = [p[0] for p in points] or [0.0]
    ys = [p[1] for p in points] or [0.0]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    pad = max(w, h) * margin + 8
    height, width = gray.shape[:2]
    x0, y0 = max(0, int(min(xs) - pad)), max(0, int(min(ys) - pad))
    x1, y1 = min(width, int(max(xs) + pad)), min(height, int(max(ys) + pad))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return gray, 0, 0
    return gray[y0:y1, x0:x1], x0, y0


def sharpen(gray: np.ndarray) -> np.ndarray:
    """Unsharp mask: gives back the module edges that focus and motion blur took."""
    return cv2.addWeighted(gray, 1.8, cv2.GaussianBlur(gray, (0, 0), 2.0), -0.8, 0)


@dataclass(frozen=True, slots=True)
class Retry:
    """One more try at a code the first decoder located but could not read."""

    name: str
    decoder: str  # a decoder name, or "first"
    region: str = "crop"  # "crop" around the located code, or the whole "frame"
    upscale: float = 1.0
    sharpen: bool = False


#: Measured (docs/scanning.md): of 55 codes zxing-cpp located but could not read, a sharpened
#: crop read 29 (0.3 ms), sharpened and upscaled 29 (0.9 ms, partly others), pyzbar on the
#: crop 0 (3.5 ms), pyzbar on the frame 0 (28 ms), OpenCV on the crop 0 (10-35 ms). So:
#: sharpen, then upscale, then one cheap look by pyzbar; OpenCV never gets a retry.
DEFAULT_RETRIES = (
    Retry("sharpen", "first", sharpen=True),
    Retry("sharpen-2x", "first", upscale=2.0, sharpen=True),
    Retry("pyzbar-crop", "pyzbar"),
)


@dataclass
class DecoderChain:
    """The first decoder on every frame; retries only for codes it located but could not read.

    An idle desk (nothing in view) pays for the first decoder alone. A located but unread
    code gets `retries` in order until one reads it; at most `max_unread` codes per frame
    get retries (a count, not a time budget, so results do not depend on machine load).
    """

    first: Decoder
    fallbacks: Sequence[Decoder] = ()
    retries: Sequence[Retry] = DEFAULT_RETRIES
    max_unread: int = 2
    name: str = "auto"
    skipped: dict[str, str] = field(default_factory=dict)  # decoder -> why it is missing
    rescued: Counter[str] = field(default_factory=Counter)  # retry name -> codes it read

    @classmethod
    def default(cls) -> DecoderChain:
        made: list[Decoder] = []
        skipped: dict[str, str] = {}
        for name in NAMES:
            try:
                made.append(FACTORIES[name]())
            except DecoderMissing as error:
                skipped[name] = str(error)
        return cls(made[0], made[1:], skipped=skipped)

    def _decoder(self, name: str) -> Decoder | None:
        if name == "first":
            return self.first
        return next((d for d in self.fallbacks if d.name == name), None)

    def decode(self, gray: np.ndarray) -> Decoding:
        out = self.first.decode(gray)
        if not out.unread:
            return out
        unread, out.unread = out.unread, []
        frame_tried: set[str] = set()
        for n, points in enumerate(unread):
            if n >= self.max_unread:
                out.unread.append(points)
                continue
            if any(_inside(_centre(points), found.points) for found in out.found):
                continue  # the same code, located twice, already read
            crop, x0, y0 = crop_around(gray, points)
            for retry in self.retries:
                decoder = self._decoder(retry.decoder)
                if decoder is None:
                    continue
                if retry.region == "frame":
                    if retry.name in frame_tried:
                        continue
                    frame_tried.add(retry.name)
                    image, ox, oy = gray, 0, 0
                else:
                    image, ox, oy = crop, x0, y0
                if retry.sharpen:
                    image = sharpen(image)
                if retry.upscale != 1.0:
                    image = cv2.resize(image, None, fx=retry.upscale, fy=retry.upscale, interpolation=cv2.INTER_CUBIC)
                result = decoder.decode(image)
                out.tried.append(retry.name)
                if result.found:
                    self.rescued[retry.name] += len(result.found)
                    for found in result.found:
                        pts = tuple((x / retry.upscale + ox, y / retry.upscale + oy) for x, y in found.points)
                        out.found.append(Found(found.text, f"{found.decoder}:{retry.name}", pts))
                    break
            else:
                out.unread.append(points)
        return out


def _centre(points: Points) -> tuple[float, float]:
    if not points:
        return (-1.0, -1.0)
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _inside(point: tuple[float, float], polygon: Points) -> bool:
    if len(polygon) < 3:
        return False
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return min(xs) <= point[0] <= max(xs) and min(ys) <= point[1] <= max(ys)


def timed(decoder: Decoder, gray: np.ndarray) -> tuple[Decoding, float]:
    """Decode and measure (ms)."""
    start = time.perf_counter()
    result = decoder.decode(gray)
    return result, (time.perf_counter() - start) * 1000


def describe(decoder: Any) -> str:
    if isinstance(decoder, DecoderChain):
        return "auto: " + " > ".join([decoder.first.name, *(d.name for d in decoder.fallbacks)])
    return str(decoder.name)
