"""The dashboard served to a browser: headless Chromium loads the page and the panels arrive."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.dashboard import scene
from tests.dashboard.browser import find_chromium, headless, socket_text, web_dashboard

PANELS = ["Arrivals", "Rooms", "Field visits", "Stations", "Incidents"]


def test_the_browser_version_shows_every_panel(tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium found (apt-get install chromium) to load the web dashboard")
    db_path = scene.build(tmp_path / "event.db")
    with web_dashboard(db_path, scene.AT, tmp_path / "server.log") as port:

        async def load() -> str:
            async with headless(chromium, tmp_path) as (_, page):
                return await socket_text(page, f"http://127.0.0.1:{port}/", PANELS + ["13/12"], timeout=40)

        text = asyncio.run(load())
    text = re.sub(r"\x1b\[[0-9;?$]*[A-Za-z]", "", text)
    missing = [panel for panel in PANELS if panel not in text]
    assert not missing, f"the browser never received the panels {missing}"
    assert "Security, Democracy & Cities" in text
    assert "13/12" in text, text[text.find("Small room") - 200 : text.find("Small room") + 200]
