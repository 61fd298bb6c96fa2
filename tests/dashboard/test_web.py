"""The dashboard served to a browser: headless Chromium loads the page and the panels arrive."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import processes
from tests.dashboard import scene
from tests.dashboard.browser import find_chromium, free_port, headless, socket_text, wait_for_port

PANELS = ["Arrivals", "Rooms", "Field visits", "Stations", "Incidents"]


def test_the_browser_version_shows_every_panel(tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium found (apt-get install chromium) to load the web dashboard")
    db_path = scene.build(tmp_path / "event.db")
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = processes.start(
            [sys.executable, "-m", "eventops", "dashboard", "--db", str(db_path), "--at", scene.AT,
             "--web", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        if not wait_for_port(port, 30):
            raise AssertionError(f"the web dashboard did not start listening: {log_path.read_text()[-2000:]}")

        async def load() -> str:
            async with headless(chromium, tmp_path) as (_, page):
                return await socket_text(page, f"http://127.0.0.1:{port}/", PANELS + ["13/12"], timeout=40)

        text = asyncio.run(load())
    finally:
        processes.stop(server)  # the server and the app process textual-serve started for the page
    text = re.sub(r"\x1b\[[0-9;?$]*[A-Za-z]", "", text)
    missing = [panel for panel in PANELS if panel not in text]
    assert not missing, f"the browser never received the panels {missing}"
    assert "Security, Democracy & Cities" in text
    assert "13/12" in text, text[text.find("Small room") - 200 : text.find("Small room") + 200]
