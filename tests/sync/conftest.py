"""Fixtures for the hub tests: the organiser's hub served in-process, and a desk laptop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import Node, reference_data


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Node]:
    """The organiser's database holding a small event, served by the real hub app."""
    node = Node(tmp_path / "hub.db", "org")
    reference_data(node.db)
    node.serve()
    yield node
    node.close()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Node]:
    """A desk laptop's own database (enrol it with `grant(hub.db, "desk-1", key_from=desk.db)`)."""
    node = Node(tmp_path / "desk-1.db", "desk-1")
    yield node
    node.close()
