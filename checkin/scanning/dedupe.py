"""One badge held up is one scan, however many frames it stays in view.

A payload seen in a frame is a new scan unless it was also seen within the last
`gone_after` frames: a badge that a decoder misses for a frame or two (blur as the hand
moves) is still the same showing, while a badge taken away and shown again (a door steward
re-scanning deliberately) is a new scan once it has been out of view for `gone_after` frames.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: About a third of a second at 30 frames per second.
DEFAULT_GONE_AFTER = 10


@dataclass
class ScanDeduper:
    """Turns per-frame payload sets into scans. Feed frames in order."""

    gone_after: int = DEFAULT_GONE_AFTER
    last_seen: dict[str, int] = field(default_factory=dict)

    def feed(self, frame_index: int, payloads: Iterable[str]) -> list[str]:
        """The payloads of this frame that are new scans, in the order given."""
        new: list[str] = []
        for payload in dict.fromkeys(payloads):
            previous = self.last_seen.get(payload)
            if previous is None or frame_index - previous > self.gone_after:
                new.append(payload)
            self.last_seen[payload] = frame_index
        if len(self.last_seen) > 256:  # forget badges long gone
            horizon = frame_index - self.gone_after
            self.last_seen = {p: i for p, i in self.last_seen.items() if i >= horizon}
        return new

    def in_view(self, frame_index: int) -> list[str]:
        """Payloads still counted as in view at `frame_index`."""
        return [p for p, i in self.last_seen.items() if frame_index - i <= self.gone_after]
