"""Walk-ins, lost badges and name fixes at a desk the organiser allowed walk-ins: the real app
driven as a volunteer would (F4, F8, F7), and the rules every node folds the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.station import Station, StationConfig
from checkin.tui.screens.search import SearchScreen
from checkin.tui.screens.walk_in import NameFixScreen, WalkInScreen
from checkin.walkin import Person, WalkInRefused, fix_name, register, walk_in_problem
from db import events as ev
from db import log, permissions, trust
from db.badge_keys import badge_public_key
from db.connect import connect
from db.fold import load_state
from tests.station.pilot import make_app, shown, wait_for
from tests.station.world import MINUTE, T0, World, build

pytestmark = pytest.mark.anyio


@pytest.fixture
def world(db_path: Path) -> World:
    """The station test event, with desk-1 allowed walk-ins by the organiser (desk-2 is not)."""
    made = build(db_path)
    trust.vouch(made.db, "desk-1", permissions.WALK_IN_DESK, trust.public_key_of(made.db, "desk-1"),
                badge_key=badge_public_key(made.db, "desk-1"), wall=lambda: T0 - 500 * MINUTE)
    return made


def desk(world: World, station_id: str = "desk-1", mode: str = "desk") -> Station:
    return Station(world.db, StationConfig(station_id, mode, room="R1" if mode == "door" else None), wall=world.clock)


def footer_actions(app: object) -> set[str]:
    return {active.binding.action for active in app.active_bindings.values()}  # type: ignore[attr-defined]


async def test_f4_registers_a_walk_in_and_checks_them_in_with_a_badge_every_station_accepts(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.walk_ins)
        assert "walk_in" in footer_actions(app) and "toggle_exit" not in footer_actions(app)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, WalkInScreen))
        await pilot.press("enter")  # no name yet: the form says so and stays
        assert isinstance(app.screen, WalkInScreen) and app.shown == []
        await pilot.press(*"Ngozi Okonjo", "tab", *"Lagos State", "tab", *"Lagos", "tab", *"NG", "enter")
        verdict = await shown(pilot, app)
        assert (verdict.status, verdict.reason, verdict.headline) == ("ok", "checked_in", "WELCOME")
        assert any("walk-in" in line for line in verdict.detail)
        assert not isinstance(app.screen, WalkInScreen)
        assert verdict.attendee["walk_in"] is True and verdict.attendee["registered_by"] == "desk-1"
        badge = app.new_badges[-1]
        assert badge.attendee["id"] == verdict.attendee["id"] and badge.signed_by == "desk-1"
    person = load_state(connect(world.path)).attendees[badge.attendee["id"]]
    assert (person.name, person.org, person.city, person.country, person.walk_in) == ("Ngozi Okonjo", "Lagos State", "Lagos", "NG", True)
    events = [e for e in log.all_events(connect(world.path)) if e.station_id == "desk-1"]
    assert [e.kind for e in events[-2:]] == [ev.ATTENDEE_REGISTERED, ev.DESK_CHECKIN]
    world.clock.advance(60)
    at_door = desk(world, "door-R1", "door").scan(badge.payload)
    assert (at_door.status, at_door.reason) == ("ok", "entered")


async def test_a_desk_not_allowed_walk_ins_shows_no_walk_in_keys_and_f4_does_nothing(world: World) -> None:
    app = make_app(world, "desk-2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert not ({"walk_in", "lost_badge", "fix_name", "reprint"} & footer_actions(app))
        await pilot.press("f4")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, WalkInScreen)
    with pytest.raises(WalkInRefused, match="desk-2 is not allowed to register walk-ins"):
        register(desk(world, "desk-2"), Person("Eve"))


async def test_f8_makes_a_new_badge_for_a_lost_one_the_old_one_refused_everywhere(world: World) -> None:
    old = world.token("A002")
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.walk_ins)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"dupont")
        await wait_for(pilot, lambda: app.screen.settled and bool(app.screen.hits))  # type: ignore[attr-defined]
        await pilot.press("enter")
        verdict = await shown(pilot, app)
        assert (verdict.reason, verdict.headline) == ("reprinted", "NEW BADGE")
        new = app.new_badges[-1]
        assert (new.attendee["id"], new.serial) == ("A002", 2)
    door = desk(world, "door-R1", "door")
    assert door.scan(old).reason == "revoked"
    world.clock.advance(5)
    assert door.scan(new.payload).status != "refused"


async def test_f7_fixes_a_misspelt_name_as_the_desks_annotation(world: World) -> None:
    app = make_app(world)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.walk_ins)
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"nowak")
        await wait_for(pilot, lambda: app.screen.settled and bool(app.screen.hits))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NameFixScreen))
        await pilot.press("tab", "end", *"ski", "enter")  # Nowak -> Nowakski
        verdict = await shown(pilot, app)
        assert (verdict.reason, verdict.attendee["name"]) == ("name_fixed", "Łukasz Nowakski")
    person = load_state(connect(world.path)).attendees["A004"]
    assert (person.first, person.last, person.name_by) == ("Łukasz", "Nowakski", "desk-1")


def test_a_walk_in_desk_writes_new_people_and_names_only(world: World) -> None:
    """What the gate lets a walk-in desk write, the fold narrows: it cannot overwrite the
    organiser's attendees, and its update changes a name and nothing else."""
    wall = lambda: world.clock() - 1000  # noqa: E731
    log.append(world.db, "desk-1", ev.ATTENDEE_REGISTERED, {"id": "A001", "name": "Impostor", "org": "Nowhere"}, wall=wall)
    log.append(world.db, "desk-1", ev.ATTENDEE_UPDATED, {"id": "A002", "org": "Elsewhere", "email": "x@y", "name": "Jean Dupond"}, wall=wall)
    state = load_state(connect(world.path))
    assert (state.attendees["A001"].name, state.attendees["A001"].org) == ("Anna Müller", "Stadt Köln")
    jean = state.attendees["A002"]
    assert (jean.name, jean.org, jean.email, jean.name_by, jean.walk_in) == ("Jean Dupond", "Ville de Liège", "", "desk-1", False)
    # The organiser's own later correction wins, and the annotation mark goes.
    log.append(world.db, "org", ev.ATTENDEE_UPDATED, {"id": "A002", "name": "Jean Dupont"}, wall=lambda: world.clock() - 500)
    jean = load_state(connect(world.path)).attendees["A002"]
    assert (jean.name, jean.name_by) == ("Jean Dupont", "")


def test_a_revoked_desk_may_no_longer_register_and_its_badges_are_refused_with_an_incident(world: World) -> None:
    station = desk(world)
    verdict = register(station, Person("Ana Lima", org="Ville de Liège"))
    payload = verdict.extra["badge"]["payload"]
    log.append(world.db, "org", ev.STATION_REVOKED, {"id": "desk-1"}, wall=lambda: world.clock() + 1000)
    world.clock.advance(5)
    station.refresh()
    assert "desk-1 was revoked" in (walk_in_problem(station) or "")
    with pytest.raises(WalkInRefused, match="desk-1 was revoked"):
        fix_name(station, "A001", "Anna", "Muller")
    at_door = desk(world, "door-R1", "door").scan(payload)
    assert (at_door.status, at_door.reason, at_door.attendee["name"]) == ("refused", "revoked_desk", "Ana Lima")
    assert any("badge from a revoked desk" in line for line in at_door.detail)
    incidents = load_state(connect(world.path)).open_incidents()
    assert any(i.kind == "badge_of_revoked_desk" and "Ana Lima" in i.detail and "desk-1" in i.detail for i in incidents)


def test_only_a_desk_may_be_allowed_walk_ins_and_only_a_walk_in_desk_publishes_a_badge_key(world: World) -> None:
    from click.testing import CliRunner

    from eventops.cli import main

    result = CliRunner().invoke(main, ["station", "add", "door-9", "--kind", "door", "--walk-ins", "--db", str(world.path), "--no-qr"])
    assert result.exit_code == 1 and "only a desk may register walk-ins" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    trust.vouch(world.db, "desk-2", "desk", trust.public_key_of(world.db, "desk-2"), badge_key=bytes(32),
                wall=lambda: T0 - 400 * MINUTE)
    binding = [e for e in log.all_events(world.db) if e.kind == ev.NODE_KEY and e.data["station"] == "desk-2"]
    assert len(binding) == 1 and "badge_key" not in binding[0].data
    assert "desk-2" not in load_state(connect(world.path)).desk_keys


def test_a_re_import_with_revoke_missing_leaves_walk_ins_badges_valid(world: World) -> None:
    """Walk-ins are never in the organiser's registration export: "not in the file" is not a
    reason to revoke their badges (the organiser's own attendees missing from it still are)."""
    from db.imports import import_attendees
    from tests.station.world import PEOPLE

    verdict = register(desk(world), Person("Ana Lima"))
    payload = verdict.extra["badge"]["payload"]
    rows = ["id,first name,last name,organisation,city,country,role"] + [",".join(p[:7]) for p in PEOPLE[1:]]
    report = import_attendees(world.db, "\n".join(rows).encode(), name="export.csv", revoke_missing=True,
                              wall=lambda: world.clock() + 1000)
    assert report.detail["badges_revoked"] == 1  # A001, gone from the file
    world.clock.advance(5)
    door = desk(world, "door-R1", "door")
    assert door.scan(payload).status == "ok"
    assert door.scan(world.token("A001")).reason == "revoked"


def test_any_name_hypothesis_makes_up_registers_and_reads_back_as_typed(world: World) -> None:
    """Names, organisations and places nobody here wrote (Hypothesis's text: every script,
    combining marks, control characters): registered, folded and badged as typed, spaces tidied;
    a name of only spaces is refused with one line."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from checkin.badges.token import verify_badge

    station = desk(world)
    words = st.text(min_size=0, max_size=60)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(name=words, org=words, city=words)
    def check(name: str, org: str, city: str) -> None:
        world.clock.advance(1)
        if not name.split():
            with pytest.raises(WalkInRefused, match="a walk-in needs a name"):
                register(station, Person(name, org=org, city=city))
            return
        verdict = register(station, Person(name, org=org, city=city))
        person = station.state.attendees[verdict.attendee["id"]]
        assert (person.name, person.org, person.city) == (" ".join(name.split()), " ".join(org.split()), " ".join(city.split()))
        assert verify_badge(verdict.extra["badge"]["payload"], station.state).ok
        assert verdict.dumps()

    check()
