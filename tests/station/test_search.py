"""The desk's name search finds anyone: any script, umlauts both ways, a typo or two, ranked;
Enter with several matches asks which; each match says whether the person checked in today."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from checkin.search import EXACT, PREFIX, TYPO, NameIndex
from checkin.station import Station, StationConfig
from checkin.tui.screens.search import SearchScreen
from db import events as ev
from db.log import append
from db.state import Attendee
from eventops.cli import main
from tests.station.pilot import make_app, shown, wait_for
from tests.station.world import World, build

# Names as registrations carry them, in their own scripts (ISO 843 / passport spellings typed).
FOUND = [
    ("mueller", "Anna Müller"),
    ("muller", "Anna Müller"),
    ("MÜLLER", "Anna Müller"),
    ("strasser", "Heinz Straßer"),
    ("strasser", "Heinz Straßer"),
    ("odegaard", "Søren Ødegaard"),
    ("papadopoulos", "Γιώργος Παπαδόπουλος"),
    ("giorgos", "Γιώργος Παπαδόπουλος"),
    ("ivanova", "Жана Иванова"),
    ("zhana", "Жана Иванова"),
    ("obrien", "Siobhán O’Brien"),
    ("siobhan o'brien", "Siobhán O’Brien"),
]
OTHERS = [
    ("Heinz Straßer", "Heinz", "Straßer"),
    ("Søren Ødegaard", "Søren", "Ødegaard"),
    ("Γιώργος Παπαδόπουλος", "", ""),  # registered with a full name only
    ("Жана Иванова", "Жана", "Иванова"),
    ("Siobhán O’Brien", "Siobhán", "O’Brien"),
    *[(f"{first} Bauer", first, "Bauer") for first in ("Hans", "Eva", "Karl", "Ute", "Jörg", "Lena")],
    ("Max Bauermann", "Max", "Bauermann"),
    ("Otto Baur", "Otto", "Baur"),
]


@pytest.fixture
def world(db_path: Path) -> World:
    world = build(db_path)
    for n, (name, first, last) in enumerate(OTHERS):
        append(world.db, "org", ev.ATTENDEE_REGISTERED, {"id": f"S{n:03d}", "name": name, "first": first, "last": last,
                                                         "org": "", "tags": []}, wall=world.clock)
    return world


def desk(world: World) -> Station:
    return Station(world.db, StationConfig("desk-1", "desk"), wall=world.clock)


@pytest.mark.parametrize(("typed", "name"), FOUND)
def test_anyone_is_found_however_their_name_is_written(world: World, typed: str, name: str) -> None:
    hits = desk(world).search(typed)
    assert hits and hits[0].attendee.name == name, [h.attendee.name for h in hits]
    assert hits[0].rank == EXACT


def test_the_desk_and_the_command_find_the_same_people(world: World) -> None:
    station = desk(world)
    for typed in ("mueller", "papadopoulos", "bauer", "bauerr", "ivanva"):
        result = CliRunner().invoke(main, ["attendees", "--db", str(world.path), "--json", "--search", typed])
        assert result.exit_code == 0, result.output
        assert [a["id"] for a in json.loads(result.stdout)] == [h.attendee.id for h in station.search(typed, limit=None)]


@pytest.mark.parametrize(("typed", "name"), [("mulelr", "Anna Müller"), ("papadopolous", "Γιώργος Παπαδόπουλος"),
                                             ("ivnaova", "Жана Иванова"), ("odegard", "Søren Ødegaard"),
                                             ("gonclves", "Inês Gonçalves")])
def test_one_or_two_typos_still_find_the_person(world: World, typed: str, name: str) -> None:
    hits = desk(world).search(typed)
    assert name in [h.attendee.name for h in hits]
    assert all(h.rank >= TYPO for h in hits)


def test_whole_names_before_name_starts_before_typos_then_by_family_name(world: World) -> None:
    hits = desk(world).search("bauer")
    assert [h.attendee.name for h in hits] == [
        "Eva Bauer", "Hans Bauer", "Jörg Bauer", "Karl Bauer", "Lena Bauer", "Ute Bauer",  # whole word, by given name
        "Max Bauermann",  # the start of a word
        "Otto Baur",  # one letter off
    ]
    assert [h.rank for h in hits] == [EXACT] * 6 + [PREFIX, TYPO]


def test_typos_are_not_looked_for_when_real_matches_fill_the_list(world: World) -> None:
    assert [h.attendee.name for h in desk(world).search("bauer", limit=6)] == [
        "Eva Bauer", "Hans Bauer", "Jörg Bauer", "Karl Bauer", "Lena Bauer", "Ute Bauer"]


def test_each_match_says_whether_and_when_the_person_checked_in_today(world: World) -> None:
    station = desk(world)
    karl = next(h.attendee.id for h in station.search("karl bauer"))
    station.check_in_by_search(karl)
    hits = {h.attendee.name: h for h in station.search("bauer")}
    assert hits["Karl Bauer"].checked_in is not None and hits["Karl Bauer"].checked_in_at == "09:12"
    assert hits["Eva Bauer"].checked_in is None and hits["Eva Bauer"].checked_in_at == ""


def test_new_attendees_are_added_to_the_index_not_rebuilt(world: World) -> None:
    station = desk(world)
    index = station.name_index()
    append(world.db, "org", ev.ATTENDEE_REGISTERED, {"id": "W001", "name": "Zoë Bauer", "first": "Zoë", "last": "Bauer",
                                                     "org": "", "tags": []}, wall=world.clock)
    append(world.db, "org", ev.ATTENDEE_UPDATED, {"id": "S005", "name": "Hans Bäuerle", "first": "Hans",
                                                  "last": "Bäuerle"}, wall=world.clock)
    station.refresh()
    updated = station.name_index()
    assert updated is not index and updated.side == 2 and len(updated) == len(index) + 1
    names = [h.attendee.name for h in station.search("bauer")]
    assert names[:6] == ["Eva Bauer", "Jörg Bauer", "Karl Bauer", "Lena Bauer", "Ute Bauer", "Zoë Bauer"]
    assert "Hans Bauer" not in names and "Hans Bäuerle" in names  # the corrected name, not the old one
    assert [h.attendee.name for h in station.search("baeuerle")] == ["Hans Bäuerle"]


def test_an_index_of_no_one_and_a_query_of_nothing_find_no_one() -> None:
    assert NameIndex([]).search("anna") == []
    assert NameIndex([Attendee("A1", "Anna Müller")]).search(" -- ' ") == []


@pytest.mark.anyio
async def test_enter_with_six_bauers_asks_which_and_checks_in_the_one_picked(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"bauer", "enter")
        await wait_for(pilot, lambda: screen.asking)
        assert app.shown == [] and app.screen is screen  # nobody checked in yet
        assert screen.results.has_focus
        assert "8 people match" in str(screen.query_one("#search-title").render())
        await pilot.press("down", "enter")  # the second: Hans Bauer
        verdict = await shown(pilot, app)
        assert (verdict.reason, verdict.attendee["name"], verdict.via) == ("checked_in", "Hans Bauer", "search")


@pytest.mark.anyio
async def test_the_list_shows_who_checked_in_today(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"anna muller", "enter")  # one match: checked in at once
        await shown(pilot, app)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"muller")
        await wait_for(pilot, lambda: screen.settled and bool(screen.hits))
        line = str(screen.results.get_option_at_index(0).prompt)
        assert line.startswith("✔ 09:12") and "Anna Müller" in line


NAMES = ["Anna Müller", "Ana Muller", "Jörg Bauer", "Eva Baur", "Γιώργος Παπαδόπουλος", "Жана Иванова", "Søren Ødegaard",
         "Siobhán O’Brien", "Łukasz Żółć", "Inês Gonçalves", "Jan Peeters", "Marie Dubois"]


@settings(max_examples=60, deadline=None)
@given(
    first=st.lists(st.sampled_from(NAMES), min_size=1, max_size=12),
    later=st.lists(st.tuples(st.integers(0, 15), st.sampled_from(NAMES)), max_size=6),
    query=st.sampled_from(["muller", "mueller", "bauer", "baur", "papadopoulos", "ivanova", "odegard", "an", "j", "zolc",
                           "obrien", "dubios", "gon", "ana mul"]),
)
def test_an_updated_index_finds_what_a_rebuilt_one_finds(first: list[str], later: list[tuple[int, str]], query: str) -> None:
    """New and corrected attendees added to a built index (the station's walk-ins) are found
    exactly as if the index had been built with them."""
    people = {f"P{i}": Attendee(f"P{i}", name) for i, name in enumerate(first)}
    changed = [Attendee(f"P{i}", name) for i, name in later]
    updated = NameIndex(people.values()).updated(changed)
    people.update({a.id: a for a in changed})
    rebuilt = NameIndex(people.values())
    assert len(updated) == len(rebuilt)
    found = {(h.attendee.id, h.attendee.name, h.rank) for h in updated.search(query, limit=None)}
    assert found == {(h.attendee.id, h.attendee.name, h.rank) for h in rebuilt.search(query, limit=None)}
