"""Keystrokes to scans: a USB scanner in keyboard mode types a badge in a fast burst.

Scanners end the burst with Enter (or Tab), or with nothing at all. Without Enter, a burst
that is already a complete, genuine badge (`complete`) is a scan at its last character, with
no wait; anything else ends with a short pause. Bursts shorter than `min_length` that end by
a pause are dropped, so a stray key pressed by a person never becomes a scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: A pause this long (seconds) ends a burst from a scanner that sends no Enter.
IDLE_S = 0.25
MIN_LENGTH = 8
MAX_LENGTH = 512


@dataclass
class KeyBurst:
    """Collects typed characters until Enter/Tab or a pause; hands back whole payloads."""

    idle_s: float = IDLE_S
    min_length: int = MIN_LENGTH
    complete: Callable[[str], bool] | None = None  # "this text is a whole badge": scan it now
    _chars: list[str] = field(default_factory=list)

    @property
    def pending(self) -> str:
        return "".join(self._chars)

    def feed(self, character: str) -> str | None:
        """Add one character; returns the payload when the burst is a complete badge."""
        if len(self._chars) < MAX_LENGTH:
            self._chars.append(character)
        if self.complete is not None and len(self._chars) >= self.min_length:
            text = self.pending
            if self.complete(text):
                self._chars.clear()
                return text
        return None

    def enter(self) -> str | None:
        """Enter or Tab: the burst is a payload (even a short one: the scanner said so)."""
        payload = self.pending.strip()
        self._chars.clear()
        return payload or None

    def idle(self) -> str | None:
        """A pause: a long enough burst is a payload, a short one was a stray key."""
        payload = self.pending.strip()
        self._chars.clear()
        return payload if len(payload) >= self.min_length else None
