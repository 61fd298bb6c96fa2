"""The dashboard's data half is headless: panels, board and roll call never load Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from eventops.cli import main

HEADLESS = [
    "dashboard.board",
    "dashboard.rollcall",
    "dashboard.run",
    "dashboard.panels.arrivals",
    "dashboard.panels.rooms",
    "dashboard.panels.visits",
    "dashboard.panels.stations",
    "dashboard.panels.incidents",
    "dashboard.panels.people",
    "dashboard.panels.clock",
]


def test_panel_data_never_imports_textual() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in HEADLESS) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2]).stdout
    assert out.strip() == "False"


def test_dashboard_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["dashboard", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "--replay 2024-03-20 --speed 60" in result.output


def test_a_missing_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["dashboard", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_replay_of_a_day_outside_the_event_is_refused(scene_db: Path) -> None:
    from dashboard.board import Moment, open_board
    from db.errors import EventOpsError

    try:
        open_board(scene_db, Moment("replay", "2023-01-01", 60.0))
    except EventOpsError as error:
        assert "not a day of this event" in str(error)
    else:
        raise AssertionError("a replay of a day the event does not have was accepted")


def test_a_malformed_moment_is_one_line_and_exit_1(scene_db: Path) -> None:
    for args in (["--at", "half past ten"], ["--replay", "yesterday"], ["--replay", "2024-03-20", "--speed", "0"],
                 ["--replay", "2023-01-01"]):
        result = CliRunner().invoke(main, ["dashboard", "--db", str(scene_db), *args])
        assert result.exit_code == 1, args
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
