"""Fixtures for the hub tests: the organiser's hub served in-process, and a desk laptop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pgserver import HOME_ENV, PgServer, why_unavailable

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


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One real PostgreSQL server for the whole session (tests/pgserver.py), stopped at its end."""
    why = why_unavailable()
    if why:
        pytest.skip(why)
    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database on the session's server; the store's side files (keys) under tmp_path."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "pg-home"))
    return pg_server.database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Run a hub test against both stores: an SQLite file, and PostgreSQL."""
    return str(request.param)
