"""Fixtures for the dashboard: the small scene, the real demo event half a day in, and a helper
that waits for the app to have folded the log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboard import scene

#: The demo is simulated up to this moment of its first day (rooms full, buses boarding).
DEMO_AT = "2024-03-20T11:30"


@pytest.fixture
def scene_db(tmp_path: Path) -> Path:
    return scene.build(tmp_path / "event.db")


def played_demo(tmp_path_factory: pytest.TempPathFactory, name: str, until: str) -> Path:
    """The real demo (700 attendees) played through its stations up to `until` (local time)."""
    simulator = pytest.importorskip("checkin.simulator.run")
    setup = pytest.importorskip("checkin.simulator.setup")
    from db.connect import connect
    from db.fold import parse_local

    path = tmp_path_factory.mktemp(name) / "demo.db"
    setup.init_demo(path)
    db = connect(path, create=False)
    try:
        simulator.Simulation(db, path).run_until(parse_local(until, "Europe/Brussels"))
    finally:
        db.conn.close()
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real demo played up to `DEMO_AT`."""
    return played_demo(tmp_path_factory, "demo", DEMO_AT)


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (Textual's loop) through anyio's pytest plugin."""
    return "asyncio"
