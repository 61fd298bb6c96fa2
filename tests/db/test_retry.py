"""The one backoff every retrying loop uses: delays grow, stop at the cap, and are jittered."""

from __future__ import annotations

import random

import pytest

from db.retry import Backoff


def delays(backoff: Backoff, count: int) -> list[float]:
    return [backoff.next() for _ in range(count)]


def test_delays_grow_and_are_capped() -> None:
    got = delays(Backoff(0.5, 8.0, rng=random.Random(1)), 12)
    growing = got[:5]  # steps 0.5, 1, 2, 4, 8: equal jitter never goes backwards below the cap
    assert all(a <= b for a, b in zip(growing, growing[1:], strict=False))
    assert got[0] <= 0.5 and got[4] > 0.5 * 2**3  # doubled each step
    assert max(got) <= 8.0 and min(got[6:]) >= 4.0  # at the cap: between half of it and all of it


def test_two_stations_with_different_seeds_do_not_retry_in_lock_step() -> None:
    a = delays(Backoff(0.5, 30.0, rng=random.Random(1)), 10)
    b = delays(Backoff(0.5, 30.0, rng=random.Random(2)), 10)
    assert all(abs(x - y) > 1e-9 for x, y in zip(a, b, strict=True))
    assert delays(Backoff(0.5, 30.0, rng=random.Random(1)), 10) == a  # and a seed repeats itself


def test_reset_after_a_success_starts_short_again() -> None:
    backoff = Backoff(1.0, 60.0, rng=random.Random(3))
    delays(backoff, 8)
    backoff.reset()
    assert backoff.next() <= 1.0


def test_without_jitter_it_is_plain_doubling() -> None:
    assert delays(Backoff(1.0, 5.0, jitter=0.0), 5) == [1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.parametrize(("first", "cap"), [(0.0, 1.0), (2.0, 1.0), (-1.0, 5.0)])
def test_a_nonsense_backoff_is_refused(first: float, cap: float) -> None:
    with pytest.raises(ValueError, match="first <= cap"):
        Backoff(first, cap)
