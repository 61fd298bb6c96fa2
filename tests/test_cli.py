"""The command line's front door: every command has help with an example, and the README
documents every command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from eventops.cli import main

ROOT = Path(__file__).resolve().parents[1]


def all_commands(group: click.Group = main, prefix: str = "eventops") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


COMMANDS = all_commands()


@pytest.mark.parametrize("path,command", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_with_an_example(path: str, command: click.Command) -> None:
    result = CliRunner().invoke(main, [*path.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert command.help and len(command.help.strip()) > 20
    assert "Example" in result.output, f"{path} --help shows no example"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_readme_documents_every_command(path: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{path}" in readme, f"README.md lacks a reference entry for `{path}`"


def test_wrong_option_is_one_clear_line_and_status_2() -> None:
    result = CliRunner().invoke(main, ["status", "--bogus"])
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert "Traceback" not in result.output
