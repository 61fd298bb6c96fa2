"""Keyboard-wedge input: telling a USB scanner's keystrokes from a person typing.

A scanner in keyboard mode "types" a whole payload in a burst (a few ms per key), ending
with Enter on most models and with nothing on some. This assembler is pure: it is fed
`(char, timestamp_ms)` and `poll(now_ms)` from a timer, and emits what it recognised:

- Enter after a fast burst: a scan, at once.
- No Enter: a burst that parses as a badge token (after layout repair) is a scan once the
  keys have been quiet for `settle_ms`; any other fast burst of at least `min_length`
  characters is a scan once quiet for `idle_ms` (it will be refused with a reason, which is
  what a desk volunteer needs to see).
- Slow keystrokes (a person) are never a scan: they come out as `typed` text on Enter, so
  the station can use them as a name search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checkin.badges import token as tokens
from checkin.badges import wedge

ENTER = ("\r", "\n")


@dataclass(frozen=True, slots=True)
class WedgeInput:
    """Something the keyboard delivered: a `scan` (raw, unrepaired payload) or `typed` text."""

    kind: str  # "scan" or "typed"
    text: str
    at_ms: float
    ended_by: str  # "enter", "shape" (looks like a token), "idle"


@dataclass
class WedgeAssembler:
    """Feed keystrokes with `feed`, call `poll` every ~20 ms; both return what is complete."""

    burst_gap_ms: float = 35.0  # a scanner's keys come faster than this; a person's rarely do
    settle_ms: float = 40.0  # quiet after a token-shaped burst before it counts as complete
    idle_ms: float = 120.0  # quiet after any other fast burst
    min_length: int = 8  # shorter fast bursts are a person's fumbling, not a scan
    _chars: list[str] = field(default_factory=list)
    _times: list[float] = field(default_factory=list)

    def feed(self, char: str, at_ms: float) -> list[WedgeInput]:
        """One keystroke (a character, or "\\r"/"\\n" for Enter) at `at_ms`."""
        out = self.poll(at_ms)
        if char in ENTER:
            if self._chars:
                out.extend(self._complete(at_ms, "enter"))
            return out
        if char == "\b":
            if self._chars:
                self._chars.pop()
                self._times.pop()
            return out
        if len(char) != 1:
            return out
        self._chars.append(char)
        self._times.append(at_ms)
        return out

    def poll(self, now_ms: float) -> list[WedgeInput]:
        """Complete a burst that ended without Enter, if the keys have been quiet long enough."""
        if not self._chars:
            return []
        quiet = now_ms - self._times[-1]
        if quiet < self.settle_ms:
            return []
        for start in self._burst_starts():
            tail = "".join(self._chars[start:])
            if _token_shaped(tail):
                return self._split(start, now_ms, "shape")
        if quiet >= self.idle_ms:
            start = self._burst_starts()[-1]
            if len(self._chars) - start >= self.min_length:
                return self._split(start, now_ms, "idle")
        return []

    @property
    def pending(self) -> str:
        return "".join(self._chars)

    def _burst_starts(self) -> list[int]:
        """Where a scanner burst may start: the whole buffer if it is mostly fast, and the
        start of the last run of fast keys (a person typed something before the scan)."""
        gaps = [b - a for a, b in zip(self._times, self._times[1:], strict=False)]
        starts = []
        if gaps and sorted(gaps)[len(gaps) // 2] <= self.burst_gap_ms:
            starts.append(0)  # one slow key (a USB hiccup) does not make a person of a scanner
        last = 0
        for i, gap in enumerate(gaps, start=1):
            if gap > self.burst_gap_ms:
                last = i
        if len(self._chars) - last >= 2 and last not in starts:
            starts.append(last)
        return starts or [len(self._chars)]

    def _complete(self, at_ms: float, ended_by: str) -> list[WedgeInput]:
        starts = self._burst_starts()
        for start in starts:
            if _token_shaped("".join(self._chars[start:])):
                return self._split(start, at_ms, ended_by)
        for start in reversed(starts):  # the last fast run first: a person may have typed before it
            if len(self._chars) - start >= self.min_length:
                return self._split(start, at_ms, ended_by)
        text = "".join(self._chars)
        self._chars.clear()
        self._times.clear()
        return [WedgeInput("typed", text, at_ms, ended_by)]

    def _split(self, start: int, at_ms: float, ended_by: str) -> list[WedgeInput]:
        """Emit chars[start:] as a scan; what a person typed before it stays pending."""
        text = "".join(self._chars[start:])
        del self._chars[start:]
        del self._times[start:]
        return [WedgeInput("scan", text, at_ms, ended_by)]


def _token_shaped(text: str) -> bool:
    return tokens.parse_token(wedge.repair(text, tokens.REPAIR)) is not None
