"""The station, the bus screen and the dashboard in English, French, Dutch and German.

Every message the source marks (extracted with Babel, as `make i18n` does) has a translation
in every catalog with the same placeholders; `--lang` (else the locale) chooses the language;
the real app greets in it; every headline fits the card at 80×24 in every language; what
machines read (`eventops scan`) stays English.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from checkin import i18n
from checkin.verdict import OK, REFUSED, WARNING, Verdict
from eventops.cli import main
from tests.station.pilot import make_app, shown, type_burst, wait_for
from tests.station.world import World, build

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("fr", "nl", "de")
#: `{name}` and `%(n)d`-style placeholders: a translation must keep exactly these.
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd]")


def source_messages() -> set[str | tuple[str, str]]:
    """Every message of checkin/ and dashboard/ marked with _(), N_() or ngettext()."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: set[str | tuple[str, str]] = set()
    for folder in ("checkin", "dashboard"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=keywords
        ):
            found.add(message if isinstance(message, str) else tuple(message))  # type: ignore[arg-type]
    return found


@pytest.fixture
def language() -> Iterator[Any]:
    """Choose a language for one test; English again afterwards (the choice is per process)."""
    yield i18n.set_language
    i18n.set_language("en")


@pytest.fixture
def world(db_path: Path) -> World:
    return build(db_path, capacity=2)


# --- the catalogs ---------------------------------------------------------------------------
def test_the_source_marks_its_words() -> None:
    messages = source_messages()
    assert "WELCOME" in messages and "ROOM FULL" in messages and "Incidents" in messages
    assert ("{n} scan today", "{n} scans today") in messages
    assert len(messages) > 150


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_has_a_translation_with_the_same_placeholders(code: str) -> None:
    with i18n.catalog_path(code).open("rb") as po:
        catalog = read_po(po, locale=code)
    problems = []
    for message in sorted(source_messages(), key=str):
        entry = catalog.get(message if isinstance(message, str) else message[0])
        if entry is None:
            problems.append(f"missing: {message!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {message!r}")
        sources = (message,) if isinstance(message, str) else message
        translations = (entry.string,) if isinstance(entry.string, str) else tuple(entry.string)
        for translation in translations:
            if not translation or not translation.strip():
                problems.append(f"empty: {message!r}")
            elif sorted(PLACEHOLDER.findall(translation)) != sorted(PLACEHOLDER.findall(sources[-1])):
                problems.append(f"placeholders differ: {message!r} -> {translation!r}")
    assert not problems, f"{code}: " + "\n".join(problems)


def test_the_catalogs_ship_with_the_package() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"*.po"' in pyproject  # package data: a wheel carries checkin/locale/*/LC_MESSAGES/*.po
    for code in TRANSLATED:
        assert i18n.catalog_path(code).is_file()


# --- choosing the language --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LC_ALL": "fr_BE.UTF-8", "LANG": "de_DE.UTF-8"}, "fr"),
        ({"LC_MESSAGES": "nl_BE.UTF-8", "LANG": "en_GB.UTF-8"}, "nl"),
        ({"LANG": "de_AT.UTF-8"}, "de"),
        ({"LANG": "pt_BR.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_locale_chooses_when_there_is_no_lang(environ: dict[str, str], expected: str) -> None:
    assert i18n.language_from_environment(environ) == expected


def test_an_unknown_language_is_one_clear_line_and_status_2(world: World) -> None:
    result = CliRunner().invoke(main, ["checkin", "--db", str(world.path), "--station", "desk-1", "--lang", "xx"])
    assert result.exit_code == 2
    assert "Invalid value for '--lang'" in result.output and "'fr'" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(ValueError, match="unknown language"):
        i18n.set_language("klingon")


def test_what_scan_prints_stays_english_in_a_french_locale(world: World) -> None:
    env = {**os.environ, "LC_ALL": "fr_BE.UTF-8", "LANG": "fr_BE.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-m", "eventops", "scan", "--db", str(world.path), "--station", "desk-1", world.token("A001")],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # On the real clock the world's days may not include today: either English headline will do.
    assert out["headline"] in ("WELCOME", "NOT AN EVENT DAY"), out
    assert all(word not in done.stdout for word in ("BIENVENUE", "PAS UN JOUR"))


# --- the real app ---------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "greeting", "ready"), [("fr", "BIENVENUE", "SCANNEZ UN BADGE"), ("nl", "WELKOM", "SCAN EEN BADGE")])
async def test_checkin_lang_greets_in_that_language(
    world: World, language: Any, code: str, greeting: str, ready: str
) -> None:
    from eventops.commands.station import checkin_command

    # `eventops checkin ... --lang fr` as the command line reads it (the option sets the language).
    checkin_command.make_context("checkin", ["--db", str(world.path), "--station", "desk-1", "--lang", code])
    assert i18n.language() == code
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.main.card.headline._text != "")
        assert app.main.card.headline._text == ready
        type_burst(app, world.token("A001"))
        verdict = await shown(pilot, app)
        assert verdict.headline == greeting
        assert app.main.card.headline._text == greeting
        footer = " ".join(str(key.description) for key in app.screen.query("FooterKey"))
        assert {"fr": "Chercher", "nl": "Zoeken"}[code] in footer


#: Every headline a station can show (bus ones with a long bus name and two-digit counts).
HEADLINES: list[tuple[str, str, dict[str, Any]]] = [
    (OK, "WELCOME", {}), (WARNING, "ALREADY CHECKED IN", {}), (REFUSED, "NOT CHECKED IN", {}),
    (WARNING, "ALREADY INSIDE", {}), (REFUSED, "ROOM FULL", {}), (WARNING, "OVERRIDE: OVER CAPACITY", {}),
    (WARNING, "ENTER: NOT CHECKED IN", {}), (OK, "ENTER", {}), (WARNING, "EXIT: WAS NOT INSIDE", {}),
    (OK, "GOODBYE", {}), (REFUSED, "OLD BADGE", {}), (REFUSED, "FORGED BADGE", {}),
    (REFUSED, "UNKNOWN SIGNATURE", {}), (REFUSED, "NOT A BADGE", {}), (REFUSED, "OTHER EVENT", {}),
    (REFUSED, "NOT ON THE LIST", {}), (REFUSED, "REFUSED", {}), (REFUSED, "NOT RECORDED", {}),
    (WARNING, "NOTHING TO UNDO", {}), (REFUSED, "CANNOT UNDO", {}), (OK, "UNDONE", {}),
    (REFUSED, "TRIP IS OVER", {}), (WARNING, "ALREADY ABOARD", {}), (REFUSED, "BUS HAS LEFT", {}),
    (REFUSED, "BUS FULL", {}), (OK, "WELCOME ABOARD", {}), (WARNING, "ASSIGNED TO {bus}", {"bus": "COACH 12"}),
    (WARNING, "BOARDED: NOT ON THE LIST", {}), (REFUSED, "NOT ON THIS VISIT", {}),
    (WARNING, "ALREADY DEPARTED", {}), (WARNING, "{n} MISSING: CONFIRM DEPARTURE?", {"n": 14}),
    (WARNING, "DEPARTED: {n} MISSING", {"n": 14}), (OK, "DEPARTED: EVERYONE ABOARD", {}),
    (WARNING, "ALREADY BACK", {}), (REFUSED, "NOT DEPARTED YET", {}), (OK, "BACK AT THE VENUE", {}),
    (OK, "SCAN A BADGE", {}), (OK, "EXIT", {}), (WARNING, "NOT AN EVENT DAY", {}), (OK, "NEW BADGE", {}),
    (OK, "NAME FIXED", {}), (REFUSED, "NOT POSSIBLE", {}), (REFUSED, "REVOKED DESK", {}),
]


def test_the_headline_list_covers_every_headline_of_the_source() -> None:
    messages = {m for m in source_messages() if isinstance(m, str)}
    listed = {msgid for _, msgid, _ in HEADLINES}
    assert listed <= messages  # a headline renamed in the source must be renamed here too


def headline_problem(app: Any, text: str) -> str:
    """Why the card's headline is not shown whole on one line ("" when it is)."""
    headline = app.main.card.headline
    width, height = headline.size.width, headline.size.height
    lines = [strip.text.rstrip() for strip in headline.render_lines(headline.region.reset_offset)]
    lines = [line for line in lines if line.strip()]
    if any("█" in line for line in lines):  # the block font: 5 rows (10 at double size), none cut
        if len(lines) not in (5, 10) or any(len(line) > width for line in lines):
            return f"{text!r}: block font cut ({len(lines)} rows, width {width})"
        return ""
    if height != 1 or len(lines) != 1 or lines[0].strip() != text:
        return f"{text!r}: wrapped or cut in plain text ({lines!r}, width {width})"
    return ""


@pytest.mark.parametrize("mode", ["desk", "bus"])
@pytest.mark.parametrize("code", ["en", *TRANSLATED])
async def test_every_headline_fits_the_card_at_80x24(db_path: Path, language: Any, code: str, mode: str) -> None:
    """At the desk the card has the whole width; on the bus it shares it with the manifest."""
    language(code)
    if mode == "bus":
        from checkin.tui.bus_app import BusCheckinApp
        from tests.bus.world import bus_station, bus_world

        app: Any = BusCheckinApp(bus_station(bus_world(db_path)), sound=False)
    else:
        app = make_app(build(db_path, capacity=2))
    problems = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.main.card.headline.size.width > 0)
        card = app.main.card
        for status, msgid, values in HEADLINES:
            text = i18n._(msgid).format(**values)
            card.verdict = Verdict(status, "test", text, ("a line under the name",))
            await pilot.pause()
            problems.append(headline_problem(app, text))
    problems = [p for p in problems if p]
    assert not problems, f"{code}, {mode} at 80×24:\n" + "\n".join(problems)


# --- what a person sees -----------------------------------------------------------------------
def test_the_desk_card_in_french(snap_compare: Any, world: World, language: Any) -> None:
    language("fr")

    async def run_before(pilot: Any) -> None:
        type_burst(pilot.app, world.token("A001"))
        await shown(pilot, pilot.app)
        await pilot.pause(0.05)

    assert snap_compare(make_app(world), terminal_size=(80, 24), run_before=run_before)
