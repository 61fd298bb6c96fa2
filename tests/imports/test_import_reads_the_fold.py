"""Imports compare a file with the reference data as the fold holds it (`db.imports.current`),
so they follow the same authority rules as every screen: what the fold ignores, an import does
not see either, and a re-import of an unchanged file changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from db import events as ev
from db import log, permissions, trust
from db.badge_keys import badge_public_key
from db.connect import connect
from db.fold import load_state
from eventops.cli import main
from tests.imports.conftest import event_count
from tests.station.world import MINUTE, T0, build

SHEET = (
    "id;first name;last name;organisation;city;country;role\n"
    "A001;Anna;Müller;Stadt Köln;Köln;DE;speaker\n"
    "A002;Jean;Dupont;Ville de Liège;Liège;BE;police\n"
)


def test_a_walk_in_desk_s_change_the_fold_ignores_is_not_a_change_the_import_sees(db_path: Path, tmp_path: Path) -> None:
    world = build(db_path)
    trust.vouch(world.db, "desk-1", permissions.WALK_IN_DESK, trust.public_key_of(world.db, "desk-1"),
                badge_key=badge_public_key(world.db, "desk-1"), wall=lambda: T0 - 500 * MINUTE)
    # A walk-in desk may fix names, not the organiser's other fields: the fold keeps "Stadt Köln".
    log.append(world.db, "desk-1", ev.ATTENDEE_UPDATED, {"id": "A002", "org": "Somewhere Else"}, wall=lambda: T0)
    assert load_state(world.db).attendees["A002"].org == "Ville de Liège"
    world.db.conn.close()
    sheet = tmp_path / "people.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    before = event_count(db_path)
    result = CliRunner().invoke(main, ["import", "attendees", str(sheet), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 2 unchanged" in result.output
    assert event_count(db_path) == before


def test_assignments_and_buses_are_read_as_the_fold_holds_them(db_path: Path, tmp_path: Path) -> None:
    world = build(db_path)
    log.append_many(world.db, "org", [
        log.Draft(ev.VISIT_ADDED, {"id": "V1", "title": "Port of Antwerp", "day": "2024-03-20", "depart": "13:30", "return": "17:00"}),
        log.Draft(ev.BUS_ADDED, {"id": "V1-B1", "visit": "V1", "capacity": 40, "label": "Coach 1"}),
        log.Draft(ev.BUS_ADDED, {"id": "V1-B2", "visit": "V1", "capacity": 40, "label": "Coach 2"}),
        log.Draft(ev.BUS_ASSIGNED, {"visit": "V1", "bus": "V1-B1", "attendee": "A001"}),
        # moved to the second coach: the fold takes A001 off the first one
        log.Draft(ev.BUS_ASSIGNED, {"visit": "V1", "bus": "V1-B2", "attendee": "A001"}),
    ], wall=lambda: T0 - 400 * MINUTE)
    world.db.conn.close()
    sheet = tmp_path / "visits.csv"
    sheet.write_text("visit;title;day;depart;return;bus;capacity;attendee\n"
                     "V1;Port of Antwerp;2024-03-20;13:30;17:00;Coach 2;40;A001\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "visits", str(sheet), "--db", str(db_path), "--json"])
    assert result.exit_code == 0, result.output
    tallies = json.loads(result.output)["tallies"]
    assert tallies["assignments"] == {"added": 0, "updated": 0, "unchanged": 1}
    assert tallies["buses"] == {"added": 0, "updated": 0, "unchanged": 1}
    db = connect(db_path, create=False)
    buses = load_state(db).buses
    assert buses["V1-B2"].assigned == {"A001"} and buses["V1-B1"].assigned == set()
