"""The demo: `eventops demo init` + `demo simulate` tell a conference day that `status` shows.

One simulated demo (up to the evening of the second day) serves every test in this module;
`status --at` folds the log as it stood at each moment, so the tests can look back in time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventops.cli import main


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert "created the demo event" in cli("demo", "init", "--db", str(path))
    first = cli("demo", "simulate", "--db", str(path), "--until", "2024-03-20T10:00")
    assert "desk-4 was offline and delivered" in first
    cli("demo", "simulate", "--db", str(path), "--until", "2024-03-21T18:30")
    yield path


def status(path: Path, at: str) -> dict:
    return json.loads(cli("status", "--db", str(path), "--json", "--at", at))


def test_the_arrival_peak_checks_most_people_in(demo: Path) -> None:
    early, late = status(demo, "2024-03-20T08:15"), status(demo, "2024-03-20T12:00")
    assert 50 < early["checked_in"]["2024-03-20"] < late["checked_in"]["2024-03-20"]
    assert late["checked_in"]["2024-03-20"] > 550
    assert late["attendees"] == 700


def test_rooms_fill_for_sessions_and_empty_after_them(demo: Path) -> None:
    during = {r["id"]: r for r in status(demo, "2024-03-20T11:45")["rooms"]}
    after = {r["id"]: r for r in status(demo, "2024-03-20T13:15")["rooms"]}
    evening = status(demo, "2024-03-20T19:30")
    assert during["R2"]["occupancy"] > 100 and during["R2"]["session"]
    assert during["R8"]["occupancy"] >= during["R8"]["capacity"] - 1  # the small room is full
    assert all(room["occupancy"] == 0 for room in after.values())
    assert evening["present"] == {"venue": 0, "rooms": 0, "buses": 0}


def test_every_kind_of_incident_happens(demo: Path) -> None:
    kinds = {i["kind"] for i in status(demo, "2024-03-20T18:00")["incidents"]}
    assert {"double_admission", "forged_badge", "revoked_badge", "over_capacity"} <= kinds


def test_resuming_a_simulation_tells_the_same_story(demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "straight.db"
    cli("demo", "init", "--db", str(other))
    cli("demo", "simulate", "--db", str(other), "--until", "2024-03-20T10:00")
    one, two = status(demo, "2024-03-20T10:00"), status(other, "2024-03-20T10:00")
    for report in (one, two):
        report.pop("vector")
    assert one == two


def test_demo_init_refuses_another_event_and_keeps_an_existing_demo(demo: Path, tmp_path: Path) -> None:
    again = CliRunner().invoke(main, ["demo", "init", "--db", str(demo)])
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    other = tmp_path / "real.db"
    cli("init", "--db", str(other), "--name", "Real event", "--days", "2024-06-01:2024-06-02")
    refused = CliRunner().invoke(main, ["demo", "init", "--db", str(other)])
    assert refused.exit_code == 1 and "holds another event" in refused.stderr


def test_buses_board_leave_someone_behind_and_come_back(demo: Path) -> None:
    pytest.importorskip("checkin.bus", reason="bus mode (issue 7) not built yet")
    boarding = status(demo, "2024-03-21T13:20")
    departed = status(demo, "2024-03-21T14:10")
    returned = status(demo, "2024-03-21T18:30")
    buses = lambda report: {b["id"]: b for v in report["visits"] for b in v["buses"]}  # noqa: E731
    assert any(0 < b["boarded"] < b["assigned"] for b in buses(boarding).values())
    assert all(b["state"] == "departed" for b in buses(departed).values())
    assert any(b["missing"] for b in buses(departed).values())
    assert all(b["state"] == "returned" for b in buses(returned).values())
    assert "bus_left_missing" in {i["kind"] for i in departed["incidents"]}
    assert departed["present"]["buses"] > 100
