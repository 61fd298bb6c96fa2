"""The dashboard served to a browser: headless Chromium loads the page and the panels arrive."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dashboard import scene
from tests.dashboard.browser import find_chromium, free_port, headless, socket_text, wait_for_port

PANELS = ["Arrivals", "Rooms", "Field visits", "Stations", "Incidents"]


def test_the_browser_version_shows_every_panel(tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium found (apt-get install chromium) to load the web dashboard")
    db_path = scene.build(tmp_path / "event.db")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "eventops", "dashboard", "--db", str(db_path), "--at", scene.AT,
         "--web", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("wb"),
    )
    try:
        if not wait_for_port(port, 30):
            server.kill()
            server.wait(timeout=10)
            raise AssertionError(f"the web dashboard did not start listening: {(tmp_path / 'server.log').read_text()[-2000:]}")

        async def load() -> str:
            async with headless(chromium) as (_, page):
                return await socket_text(page, f"http://127.0.0.1:{port}/", PANELS + ["13/12"], timeout=40)

        text = asyncio.run(load())
    finally:
        server.kill()
        server.wait(timeout=10)
    text = re.sub(r"\x1b\[[0-9;?$]*[A-Za-z]", "", text)
    missing = [panel for panel in PANELS if panel not in text]
    assert not missing, f"the browser never received the panels {missing}"
    assert "Security, Democracy & Cities" in text
    assert "13/12" in text, text[text.find("Small room") - 200 : text.find("Small room") + 200]
