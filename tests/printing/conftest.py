"""Fixtures of the printing tests: one private CUPS server per test session (see tests/printing/cups.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.printing.cups import Cups, private_cups, why_not


@pytest.fixture(scope="session")
def cups() -> Iterator[Cups]:
    """A private cupsd with the CUPS-PDF printers `eventops-pdf` and `eventops-paused` (skipped,
    with the reason, where this machine cannot run one)."""
    reason = why_not()
    if reason is not None:
        pytest.skip(reason)
    with private_cups() as server:
        yield server
