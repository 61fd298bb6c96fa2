"""The command line's front door: every command has help with an example, and the README's
command reference documents every command and every one of its options."""

from __future__ import annotations

import re
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


#: Options every command has, documented once at the top of the command reference.
EXEMPT = {"--help", "-h", "--version"}


def reference() -> str:
    """The README's "Command reference" section (up to the next `## ` heading)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Command reference")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def entries_of(path: str) -> list[str]:
    """The reference's entries (its bullets) that document `path` itself: an entry documents the
    longest command named after "`eventops " (so `badges revoke` is not `badges`)."""
    known = {p.split(" ", 1)[1] for p, _ in COMMANDS}
    found = []
    for entry in re.split(r"\n(?=- |#)", reference()):
        for words in re.findall(r"`eventops ((?:[a-z][a-z-]* ?)+)", entry):
            words = words.split()
            named = next((" ".join(words[:n]) for n in range(len(words), 0, -1) if " ".join(words[:n]) in known), None)
            if named is not None and f"eventops {named}" == path:
                found.append(entry)
                break
    return found


def options_of(command: click.Command) -> list[tuple[str, ...]]:
    """Every `--option` the command's --help shows, found by walking its click parameters; a
    pair like `--sound / --no-sound` is one option, documented by either of its names."""
    found = []
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names = tuple(opt for opt in (*param.opts, *param.secondary_opts) if opt.startswith("--") and opt not in EXEMPT)
            if names:
                found.append(names)
    return found


def mentions(text: str, option: str) -> bool:
    return re.search(re.escape(option) + r"(?![\w-])", text) is not None


@pytest.mark.parametrize("path,command", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_readme_documents_every_option(path: str, command: click.Command) -> None:
    options = options_of(command)
    if not options:  # a group like `eventops export`: its subcommands have the entries
        return
    entries = entries_of(path)
    assert entries, f"README.md's Command reference has no entry for `{path}` (add a bullet starting `{path} ...`)"
    text = "\n".join(entries)
    missing = [" / ".join(names) for names in options if not any(mentions(text, name) for name in names)]
    assert not missing, (
        f"README.md's Command reference does not mention {', '.join(missing)} of `{path}`: "
        f"add {'them' if len(missing) > 1 else 'it'} to the entry of `{path}`"
    )


def test_wrong_option_is_one_clear_line_and_status_2() -> None:
    result = CliRunner().invoke(main, ["status", "--bogus"])
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert "Traceback" not in result.output
