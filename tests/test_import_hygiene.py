"""The core (db/, sync/) runs without a UI: importing it must never load Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for package in ("db", "sync")
    for path in (ROOT / package).rglob("*.py")
    if path.name != "__main__.py"
)


def test_core_modules_exist() -> None:
    assert "db.fold" in CORE_MODULES and "db.log" in CORE_MODULES


@pytest.mark.parametrize("package", ["db", "sync"])
def test_core_never_imports_textual(package: str) -> None:
    modules = [m for m in CORE_MODULES if m.split(".")[0] == package]
    code = "\n".join(f"import {m}" for m in modules) + "\nimport sys\nprint('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"{package} pulled in textual"
