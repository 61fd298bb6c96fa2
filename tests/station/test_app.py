"""Pilot tests: the real station app, driven as a scanner, a camera and a volunteer would."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.badges import wedge
from checkin.tui.screens.help import HelpScreen
from checkin.tui.screens.search import SearchScreen
from checkin.tui.widgets.verdict_card import VerdictCard
from db import events as ev
from db.connect import connect
from db.fold import load_state
from db.log import all_events
from tests.station.pilot import make_app, shown, type_burst, wait_for
from tests.station.world import World, build

pytestmark = pytest.mark.anyio


@pytest.fixture
def world(db_path: Path) -> World:
    return build(db_path, capacity=1)


def card(app: object) -> VerdictCard:
    return app.main.card  # type: ignore[attr-defined, no-any-return]


async def test_scanner_typed_key_by_key_with_enter(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*world.token("A001"), "enter")
        verdict = await shown(pilot, app)
        assert verdict.reason == "checked_in"
        assert card(app).has_class("-ok")
        assert "Anna Müller" in str(card(app).query_one("#name").render())
        assert "speaker: hand over the speaker pack" in str(card(app).query_one("#detail").render())
    assert load_state(connect(world.path)).checked_in("A001", "2024-03-20") is not None


async def test_two_badges_back_to_back_from_a_scanner_without_enter(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        type_burst(app, world.token("A001") + world.token("A002"), enter=False)
        await shown(pilot, app, 2)
        assert [(s.verdict.attendee or {}).get("id") for s in app.shown] == ["A001", "A002"]


async def test_azerty_mangled_scanner_input_is_repaired(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        type_burst(app, wedge.mangle(world.token("A003"), "azerty-be"))
        verdict = await shown(pilot, app)
        assert (verdict.reason, verdict.attendee["id"]) == ("checked_in", "A003")


async def test_junk_without_enter_is_refused_after_a_pause_and_stray_keys_are_ignored(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        type_burst(app, "xy", enter=False)  # a person leaning on the keyboard
        await pilot.pause(0.5)
        assert app.shown == [] and not isinstance(app.screen, SearchScreen)
        type_burst(app, "THIS-IS-NOT-A-BADGE", enter=False)
        verdict = await shown(pilot, app)
        assert (verdict.status, verdict.reason) == ("refused", "malformed")
        assert card(app).has_class("-refused")


async def test_a_name_typed_on_the_main_screen_opens_the_search(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"muller", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await wait_for(pilot, lambda: app.screen.settled and bool(app.screen.hits))  # type: ignore[attr-defined]
        assert [h.attendee.id for h in app.screen.hits] == ["A001"]  # type: ignore[attr-defined]
        assert app.shown == []


async def test_repeat_scan_is_amber(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        type_burst(app, world.token("A002"))
        await shown(pilot, app)
        type_burst(app, world.token("A002"))
        verdict = await shown(pilot, app, 2)
        assert verdict.reason == "already_checked_in"
        assert card(app).has_class("-warning")


async def test_search_picks_a_person_and_records_via_search(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"liege")
        await wait_for(pilot, lambda: app.screen.settled and bool(app.screen.hits))  # type: ignore[attr-defined]
        assert [h.attendee.id for h in app.screen.hits] == ["A002"]  # type: ignore[attr-defined]
        await pilot.press("enter")
        verdict = await shown(pilot, app)
        assert (verdict.reason, verdict.via) == ("checked_in", "search")
        assert not isinstance(app.screen, SearchScreen)
    desk = [e for e in all_events(connect(world.path)) if e.kind == ev.DESK_CHECKIN]
    assert desk[-1].data["via"] == "search"


async def test_keys_typed_in_search_do_not_become_scans(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"mull x")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.shown == []


async def test_undo_voids_the_last_scan(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        type_burst(app, world.token("A001"))
        await shown(pilot, app)
        await pilot.press("f3")
        verdict = await shown(pilot, app, 2)
        assert verdict.reason == "undone"
    db = connect(world.path)
    assert [e.kind for e in all_events(db)][-1] == ev.VOID
    assert load_state(db).checked_in("A001", "2024-03-20") is None


async def test_door_fills_to_room_full_then_override(world: World) -> None:
    app = make_app(world, "door-R1", "door", room="R1")
    async with app.run_test(size=(80, 24)) as pilot:
        type_burst(app, world.token("A001"))
        await shown(pilot, app)
        type_burst(app, world.token("A002"))
        full = await shown(pilot, app, 2)
        assert (full.reason, full.occupancy, full.capacity) == ("room_full", 1, 1)
        assert card(app).has_class("-refused")
        assert "ROOM FULL" in str(card(app).query_one("#headline").render()) or full.headline == "ROOM FULL"
        status = str(app.main.status_line.render())
        assert "in room 1/1" in status
        assert app.main.status_line.has_class("-full")
        await pilot.press("f5")
        forced = await shown(pilot, app, 3)
        assert (forced.reason, forced.occupancy) == ("room_full_override", 2)


async def test_f4_switches_the_door_to_exit(world: World) -> None:
    app = make_app(world, "door-R1", "door", room="R1")
    async with app.run_test(size=(80, 24)) as pilot:
        type_burst(app, world.token("A001"))
        await shown(pilot, app)
        await pilot.press("f4")
        assert "door exit" in str(app.main.status_line.render())
        type_burst(app, world.token("A001"))
        verdict = await shown(pilot, app, 2)
        assert (verdict.reason, verdict.occupancy) == ("exited", 0)


async def test_card_resets_by_itself(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        app.reset_s = {"ok": 0.2, "warning": 0.2, "refused": 0.2}
        type_burst(app, world.token("A001"))
        await shown(pilot, app)
        await wait_for(pilot, lambda: card(app).has_class("-ready"))
        assert "SCAN" in card(app).headline._text


async def test_scans_from_another_station_show_in_the_status_line(world: World) -> None:
    from checkin.station import Station, StationConfig

    app = make_app(world, "door-R2", "door", room="R2")
    async with app.run_test(size=(80, 24)) as pilot:
        other = Station(connect(world.path), StationConfig("door-R2b", "door", room="R2"), wall=world.clock, check=False)
        other.scan(world.token("A004"))
        await wait_for(pilot, lambda: "in room 1/400" in str(app.main.status_line.render()), timeout=5)


async def test_help_lists_the_keys(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "search by name" in str(app.screen.query_one("#help-text").render())
        await pilot.press("escape")


async def test_status_line_shows_the_sync_loop_state(world: World) -> None:
    from sync.client import SyncLoop

    loop = SyncLoop(world.path, "http://127.0.0.1:9", backoff_s=(0.05, 0.2)).start()  # nothing listens there
    try:
        app = make_app(world, sync=loop)
        async with app.run_test(size=(80, 24)) as pilot:
            type_burst(app, world.token("A001"))
            await shown(pilot, app)
            await wait_for(pilot, lambda: "offline" in str(app.main.status_line.render()), timeout=10)
            line = str(app.main.status_line.render())
            assert "waiting" in line and "never synced" in line
    finally:
        loop.stop()


async def test_a_badge_scanned_while_searching_is_a_scan(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        type_burst(app, world.token("A002"))
        verdict = await shown(pilot, app)
        assert (verdict.reason, verdict.attendee["id"], verdict.via) == ("checked_in", "A002", "scan")
        assert not isinstance(app.screen, SearchScreen)


async def test_search_results_come_from_a_worker_and_enter_waits_for_them(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*"zoe pe", "enter")  # Enter at once, as a fast typist does
        verdict = await shown(pilot, app)
        assert (verdict.reason, verdict.attendee["id"], verdict.via) == ("checked_in", "A003", "search")
        assert search.hits_for == "zoe pe" and [h.attendee.id for h in search.hits] == ["A003"]


async def test_the_screen_answers_while_the_station_waits_for_a_busy_database(world: World) -> None:
    """A scan waiting on BEGIN IMMEDIATE holds the station's lock for up to 10 s: the status
    line, F4 and the name search must not wait for it."""
    import threading

    app = make_app(world, "door-R1", "door", room="R1")
    station = app.station
    taken, release, released = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        with station._lock:
            taken.set()
            release.wait(8)
        released.set()

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "door entry" in str(app.main.status_line.render()))
        station.name_index()  # the app warms it at start; make sure it is there
        holder = threading.Thread(target=hold, daemon=True)
        holder.start()
        taken.wait(5)
        try:
            await pilot.press("f4")
            await wait_for(pilot, lambda: "door exit" in str(app.main.status_line.render()), timeout=5)
            await pilot.press("f2")
            await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
            await pilot.press(*"muller")
            await wait_for(pilot, lambda: app.screen.settled and bool(app.screen.hits), timeout=5)  # type: ignore[attr-defined]
            assert not released.is_set(), "the screen waited for the station's lock"
        finally:
            release.set()
            holder.join(5)
        assert [h.attendee.id for h in app.screen.hits] == ["A001"]  # type: ignore[attr-defined]
