"""One backoff for every loop that retries: the sync pusher and puller, the dashboard's feed, the camera.

Delays double from `first` up to `cap`, and each is drawn at random from the upper half of its
step ("equal jitter"): twenty stations that lost the hub at the same second come back spread
over the next seconds instead of knocking at once, yet each waits at least half its step, so a
dead hub is not hammered. The random source is passed in (seed it in tests).
"""

from __future__ import annotations

import random

__all__ = ["Backoff"]


class Backoff:
    """Delays for successive failures: `next()` after each failure, `reset()` after a success."""

    def __init__(
        self,
        first: float,
        cap: float,
        *,
        factor: float = 2.0,
        jitter: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        if first <= 0 or cap < first:
            raise ValueError(f"a backoff needs 0 < first <= cap, not first={first:g}, cap={cap:g}")
        if factor < 1 or not 0 <= jitter <= 1:
            raise ValueError(f"a backoff needs factor >= 1 and 0 <= jitter <= 1, not {factor:g} and {jitter:g}")
        self.first = first
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        # Each process seeds its own from the OS: stations restarted together still diverge.
        self.rng = rng or random.Random()
        self.failures = 0

    def step(self) -> float:
        """The un-jittered delay for the next failure: first × factor^failures, at most cap."""
        return min(self.cap, self.first * self.factor**min(self.failures, 64))

    def next(self) -> float:
        """The delay to wait before the next attempt (counts one more failure)."""
        step = self.step()
        self.failures += 1
        return step * (1.0 - self.jitter * self.rng.random())

    def reset(self) -> None:
        """It worked: the next failure waits `first` again."""
        self.failures = 0
