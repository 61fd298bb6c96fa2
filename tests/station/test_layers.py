"""The station's layers: the headless core never loads Textual; the TUI never touches SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUI_FILES = ["app.py", "camera.py", *(f"screens/{p.name}" for p in (ROOT / "checkin/tui/screens").glob("*.py")),
             *(f"widgets/{p.name}" for p in (ROOT / "checkin/tui/widgets").glob("*.py"))]
SQL_MODULES = {"sqlite3", "sqlite_utils", "db.connect", "db.log", "db.schema"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_headless_station_does_not_load_textual() -> None:
    code = (
        "import sys, checkin.station, checkin.rules, checkin.search, checkin.verdict, checkin.sound; "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_station_app_goes_through_the_headless_station_only() -> None:
    for name in TUI_FILES:
        touched = imported(ROOT / "checkin/tui" / name) & SQL_MODULES
        assert not touched, f"checkin/tui/{name} imports {touched}"
