"""The dashboard's small things: a key per panel, acknowledging only what the lead is looking at
(after asking, never showing an internal id), a screenshot without ~/Downloads, and a web page
that loads nothing from a public service."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from dashboard.app import DashboardApp
from dashboard.board import Moment
from dashboard.screens.confirm import ConfirmAcknowledgeScreen
from dashboard.widgets.rooms import RoomRow
from dashboard.widgets.visits import BusRow
from db.connect import connect
from db.log import all_events
from tests.dashboard import scene
from tests.dashboard.browser import web_dashboard
from tests.dashboard.pilot import ready, wait_until

pytestmark = pytest.mark.anyio

SIZE = (120, 40)


def live(db_path: Path) -> DashboardApp:
    return DashboardApp(db_path, wall=lambda: scene.at(150), poll_seconds=0.05)


def acks(db_path: Path) -> list[str]:
    db = connect(db_path, create=False)
    try:
        return [e.data["incident"] for e in all_events(db) if e.kind == "incident.acked"]
    finally:
        db.conn.close()


async def test_every_panel_is_one_key_away_and_the_footer_says_which(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("4")  # the buses, in one key
        assert await wait_until(pilot, lambda: isinstance(app.focused, BusRow))
        await pilot.press("3")
        assert await wait_until(pilot, lambda: isinstance(app.focused, RoomRow))
        await pilot.press("2")
        assert await wait_until(pilot, lambda: app.focused is app.incidents)
        await pilot.press("5")
        assert await wait_until(pilot, lambda: app.focused is app.stations)
        await pilot.press("1")
        assert await wait_until(pilot, lambda: app.focused is app.arrivals)
        shown = {active.binding.description for active in app.screen.active_bindings.values() if active.binding.show}
        assert {"Arrivals", "Incidents", "Rooms", "Buses", "Stations"} <= shown


async def test_a_acknowledges_nothing_unless_the_incidents_panel_is_focused(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("3", "a")  # a room row is focused: `a` only says how
        assert await wait_until(pilot, lambda: any("press 2" in n.message for n in app._notifications))
        assert not isinstance(app.screen, ConfirmAcknowledgeScreen)
    assert acks(scene_db) == []


async def test_acknowledging_asks_first_says_what_the_incident_is_and_no_keeps_it(scene_db: Path) -> None:
    app = live(scene_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("2", "a")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmAcknowledgeScreen))
        screen = app.screen
        assert isinstance(screen, ConfirmAcknowledgeScreen)
        incident = screen.incident
        text = str(screen.query_one("#ack-incident").render())
        assert "OVER CAPACITY" in text and "Small room" in text  # what it is...
        assert incident.id not in text  # ...not its internal id
        await pilot.press("n")
        assert await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmAcknowledgeScreen))
        await pilot.pause(0.2)
        assert acks(scene_db) == []
        await pilot.press("a")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmAcknowledgeScreen))
        await pilot.press("y")
        assert await wait_until(pilot, lambda: acks(scene_db) == [incident.id])
        assert await wait_until(pilot, lambda: any("acknowledged:" in n.message for n in app._notifications))
        said = " ".join(n.message for n in app._notifications)
        assert incident.id not in said and "ops-" not in said


async def test_the_screenshot_is_saved_when_there_is_no_downloads_folder(
    scene_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()  # a fresh account: no ~/Downloads
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    app = DashboardApp(scene_db, moment=Moment("frozen", at=scene.AT), out_dir=tmp_path / "out")
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.action_screenshot()
        assert await wait_until(pilot, lambda: list(scene_db.parent.glob("*.svg")) != [])
        assert await wait_until(pilot, lambda: any("Saved screenshot" in n.message for n in app._notifications))
        said = " ".join(n.message for n in app._notifications)
    saved = list(scene_db.parent.glob("*.svg"))
    assert len(saved) == 1 and saved[0].read_text().startswith("<svg")
    assert str(scene_db.parent.resolve()) in said  # the notification says where
    assert not (home / "Downloads").exists()


def test_the_web_page_loads_nothing_from_a_public_service_and_speaks_the_language(tmp_path: Path) -> None:
    db_path = scene.build(tmp_path / "event.db")
    with web_dashboard(db_path, scene.AT, tmp_path / "server.log", "--lang", "fr") as port:
        own = f"http://127.0.0.1:{port}/"
        page = httpx.get(own, timeout=10).text
        resources = re.findall(r"""(?:href|src)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""", page)
        urls = [a or b for a, b in resources]
        assert any("fonts/" in url for url in urls), page  # the font is still there, served here
        foreign = [url for url in urls if re.match(r"(?i)(https?:)?//", url) and not url.startswith(own)]
        assert not foreign, f"the page loads from elsewhere: {foreign}"
        for url in urls:
            if url.startswith(own):
                assert httpx.get(url, timeout=10).status_code == 200, url
        assert '<html lang="fr">' in page and "Session terminée." in page and ">Relancer<" in page


async def test_dashboard_lang_de_speaks_german(scene_db: Path) -> None:
    from checkin import i18n
    from eventops.commands.dashboard import dashboard as dashboard_command

    # `eventops dashboard --db ... --lang de` as the command line reads it.
    dashboard_command.make_context("dashboard", ["--db", str(scene_db), "--lang", "de"])
    try:
        assert i18n.language() == "de"
        app = live(scene_db)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            assert await wait_until(pilot, lambda: str(app.incidents.border_title).startswith("Vorfälle · "))
            assert str(app.rooms.border_title).startswith("Säle · ")
            footer = " ".join(str(key.description) for key in app.screen.query("FooterKey"))
            assert "Busse" in footer and "Beenden" in footer
            await pilot.press("2", "a")
            assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmAcknowledgeScreen))
            assert "ÜBERFÜLLT" in str(app.screen.query_one("#ack-incident").render())
    finally:
        i18n.set_language("en")
