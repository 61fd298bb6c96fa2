"""From camera frame to verified scan: decode, dedupe, verify. Headless, one call per frame.

The station TUI runs `ScanPipeline.process` in a worker thread on each frame of a
`FrameSource`; tests and the benchmark feed it frames from synthetic videos. What comes
out is a `Scan` per new showing of a badge, with the badge verdict (`BadgeCheck`); what
the station then records is the station logic's business, not this module's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from checkin.badges.token import BadgeCheck, BadgeState, verify_badge
from checkin.scanning.decoders import Decoder, DecoderChain, to_gray
from checkin.scanning.dedupe import DEFAULT_GONE_AFTER, ScanDeduper
from checkin.scanning.sources import Frame


def _perf_ms() -> float:
    return time.perf_counter() * 1000


@dataclass(frozen=True, slots=True)
class Scan:
    """A badge shown to the camera, decoded and verified."""

    payload: str
    check: BadgeCheck
    frame_index: int
    decoder: str
    latency_ms: float  # from the frame entering the pipeline to this verdict


class ScanPipeline:
    """Decoder chain + dedupe + verification. Not thread-safe: one pipeline per camera."""

    def __init__(
        self,
        state: BadgeState | Callable[[], BadgeState],
        decoder: Decoder | None = None,
        gone_after: int = DEFAULT_GONE_AFTER,
        clock: Callable[[], float] = _perf_ms,
    ) -> None:
        self._state = state
        self.decoder: Decoder = decoder or DecoderChain.default()
        self.deduper = ScanDeduper(gone_after)
        self.clock = clock
        self.frames = 0
        self._next_index = 0

    @property
    def state(self) -> BadgeState:
        state = self._state
        return state() if callable(state) else state

    def process(self, frame: Frame | np.ndarray) -> list[Scan]:
        """The new scans in one frame (usually none)."""
        start = self.clock()
        if isinstance(frame, Frame):
            index, image = frame.index, frame.image
        else:
            index, image = self._next_index, frame
        self._next_index = index + 1
        self.frames += 1
        decoding = self.decoder.decode(to_gray(image))
        if not decoding.found:
            self.deduper.feed(index, ())
            return []
        by_text = {found.text: found for found in decoding.found}
        scans = []
        state = None
        for text in self.deduper.feed(index, by_text):
            state = state or self.state
            check = verify_badge(text, state)
            scans.append(Scan(text, check, index, by_text[text].decoder, self.clock() - start))
        return scans

    def run(self, frames: Iterable[Frame | np.ndarray]) -> Iterator[Scan]:
        """Scans from a stream of frames (e.g. `FrameSource.frames()`)."""
        for frame in frames:
            yield from self.process(frame)
