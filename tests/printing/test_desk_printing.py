"""The desk app with a printer: the real app, a real CUPS (private cupsd, CUPS-PDF queue), and
the PDF that comes out of it carrying the badge that was scanned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checkin.printing import FAILED, PRINTED, PrintQueue
from checkin.station import Station, StationConfig
from checkin.tui.screens.walk_in import WalkInScreen
from checkin.tui.widgets.print_line import PrintLine
from db import permissions, trust
from db.badge_keys import badge_public_key
from db.connect import connect
from db.fold import load_state
from eventops.cli import main
from tests.printing.cups import QUEUE, Cups
from tests.printing.helpers import qr_texts, wait_app
from tests.station.pilot import make_app, shown, wait_for
from tests.station.world import DAY, MINUTE, T0, World, build

pytestmark = pytest.mark.anyio
DEADLINE_S = 120.0  # a loaded machine; a job that is never done is told apart by `explain`


@pytest.fixture
def world(db_path: Path) -> World:
    return build(db_path)


@pytest.fixture
def flaky(cups: Cups) -> Iterator[str]:
    """A CUPS-PDF printer of this test's own, paused ("out of labels") until the test resumes it."""
    name = "eventops-flaky"
    model = cups.run("lpstat", "-v", QUEUE)  # same device as the working queue
    assert model.returncode == 0, model.stderr
    added = cups.run("lpadmin", "-p", name, "-v", "cups-pdf:/", "-m", "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd", "-E")
    assert added.returncode == 0, added.stderr
    assert cups.run("cupsdisable", "-r", "out of labels", name).returncode == 0
    try:
        yield name
    finally:
        cups.run("lpadmin", "-x", name)


def line(app: Any) -> PrintLine:
    """The card's print line (there once the first print job has news)."""
    return app.main.card.query_one(PrintLine)  # type: ignore[no-any-return]


def line_failed(app: Any) -> bool:
    found = app.main.card.query(PrintLine)
    return bool(found) and found.first().has_class("-failed")


async def printed_pdf(pilot: Any, app: Any, cups: Cups, count: int) -> Path:
    """Wait until the app's `count`-th print job is done and printed; the PDF cups-pdf wrote."""
    queue = app.printing
    await wait_app(pilot, lambda: len(queue.jobs()) >= count and queue.jobs()[count - 1].done, queue.jobs)
    job = queue.jobs()[count - 1]
    assert job.state == PRINTED, job.reason

    def shows_it() -> bool:
        found = app.main.card.query(PrintLine)
        on_card = found.first().job if found else None
        return on_card is not None and on_card.id == job.id and on_card.done

    await wait_app(pilot, shows_it, lambda: app._last_job)
    out = cups.output_of(job.cups_id)
    assert out is not None, f"cups-pdf wrote nothing for {job.cups_id} in {cups.out}"
    return out


async def test_first_check_in_prints_the_scanned_badge_and_f6_reprints_it(cups: Cups, world: World, tmp_path: Path) -> None:
    queue = PrintQueue(QUEUE, server=cups.server, event="Security, Democracy & Cities")
    app = make_app(world, printing=queue)
    token = world.token("A001")
    outputs: list[Path] = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*token, "enter")
            assert (await shown(pilot, app)).reason == "checked_in"
            assert len(queue.jobs()) == 1  # asked for in the same step as the verdict, printed after
            outputs.append(await printed_pdf(pilot, app, cups, 1))
            assert str(line(app).render()) == "badge printed for Anna Müller"
            assert qr_texts(outputs[0], tmp_path / "first") == [token]

            await pilot.press(*token, "enter")  # the same person again: amber, nothing printed
            assert (await shown(pilot, app, 2)).reason == "already_checked_in"
            assert len(queue.jobs()) == 1

            await pilot.press("f6")  # the reprint key: the last person's badge again
            outputs.append(await printed_pdf(pilot, app, cups, 2))
            assert qr_texts(outputs[1], tmp_path / "again") == [token]
    finally:
        queue.close()
        for out in outputs:
            out.unlink(missing_ok=True)
    assert load_state(connect(world.path)).checked_in("A001", DAY) is not None


async def test_the_next_event_day_checks_in_without_printing_again(cups: Cups, world: World, tmp_path: Path) -> None:
    queue = PrintQueue(QUEUE, server=cups.server)
    app = make_app(world, printing=queue)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*world.token("A002"), "enter")
            await shown(pilot, app)
            out = await printed_pdf(pilot, app, cups, 1)
            out.unlink()
            world.clock.advance(24 * 3600)  # the event's second day
            await pilot.press(*world.token("A002"), "enter")
            assert (await shown(pilot, app, 2)).reason == "checked_in"
            assert len(queue.jobs()) == 1  # the badge they wear was printed yesterday
    finally:
        queue.close()


async def test_a_failed_print_is_an_amber_line_the_check_in_stands_and_f6_retries(
    cups: Cups, flaky: str, world: World, tmp_path: Path
) -> None:
    queue = PrintQueue(flaky, server=cups.server)
    app = make_app(world, printing=queue)
    token = world.token("A003")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*token, "enter")
            verdict = await shown(pilot, app)
            assert verdict.reason == "checked_in" and app.main.card.has_class("-ok")
            await wait_app(pilot, lambda: line_failed(app), queue.jobs)
            assert str(line(app).render()) == f"badge not printed: printer {flaky} is paused: out of labels — F6 to retry"
            assert app.main.card.has_class("-ok")  # the verdict stands
            assert load_state(connect(world.path)).checked_in("A003", DAY) is not None

            assert cups.run("cupsenable", flaky).returncode == 0  # labels back in
            await pilot.press("f6")
            out = await printed_pdf(pilot, app, cups, 2)
            try:
                assert not line(app).has_class("-failed")
                assert qr_texts(out, tmp_path) == [token]
            finally:
                out.unlink()
            assert [job.state for job in queue.jobs()] == [FAILED, PRINTED]
    finally:
        queue.close()


async def test_f6_after_a_name_search_says_there_is_no_badge_code(cups: Cups, world: World) -> None:
    queue = PrintQueue(QUEUE, server=cups.server)
    app = make_app(world, printing=queue)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app._search_worker("A004")
            assert (await shown(pilot, app)).via == "search"
            await pilot.press("f6")
            await wait_for(pilot, lambda: any("no badge code to print" in n.message for n in app._notifications))
            assert queue.jobs() == []  # a name search has no signed badge to print
    finally:
        queue.close()


async def test_a_walk_in_registered_at_the_desk_gets_the_new_badge_printed(cups: Cups, world: World, tmp_path: Path) -> None:
    """F4 at a desk allowed walk-ins and started with a printer: the new badge comes out of the
    printer at once, its QR is the badge the verdict carries, and a door accepts it."""
    trust.vouch(world.db, "desk-1", permissions.WALK_IN_DESK, trust.public_key_of(world.db, "desk-1"),
                badge_key=badge_public_key(world.db, "desk-1"), wall=lambda: T0 - 500 * MINUTE)
    queue = PrintQueue(QUEUE, server=cups.server)
    app = make_app(world, printing=queue)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.walk_ins)
            await pilot.press("f4")
            await wait_for(pilot, lambda: isinstance(app.screen, WalkInScreen))
            await pilot.press(*"Ngozi Okonjo", "tab", *"Lagos State", "enter")
            verdict = await shown(pilot, app)
            assert (verdict.status, verdict.reason) == ("ok", "checked_in")
            badge = app.new_badges[-1]
            out = await printed_pdf(pilot, app, cups, 1)
            try:
                assert qr_texts(out, tmp_path) == [badge.payload]
            finally:
                out.unlink()
    finally:
        queue.close()
    world.clock.advance(60)
    door = Station(world.db, StationConfig("door-R1", "door", room="R1"), wall=world.clock)
    assert door.scan(badge.payload).reason == "entered"


def test_printer_options_refuse_in_one_line(cups: Cups, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUPS_SERVER", cups.server)
    runner = CliRunner()
    base = ["checkin", "--db", str(world.path), "--station", "desk-1"]
    cases = {
        ("--printer", "nope"): "no printer called 'nope' in CUPS (lpstat -p lists them)",
        ("--label", "62mm"): "--label is the size of the badges --printer prints: give --printer NAME too",
        ("--mode", "door", "--room", "R1", "--printer", QUEUE): "--printer prints badges at a desk: a door station prints nothing (use --mode desk)",
    }
    for extra, message in cases.items():
        result = runner.invoke(main, [*base, *extra])
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
