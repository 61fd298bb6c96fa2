"""Shared fixtures: a fresh database file per test (the sqlite-utils way)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from db.connect import connect


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "event.db"


@pytest.fixture
def fresh_db(db_path: Path) -> Iterator[Database]:
    db = connect(db_path)
    yield db
    db.conn.close()
