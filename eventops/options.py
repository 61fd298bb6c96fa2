"""Options shared by many commands, as decorators (the sqlite-utils way)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """`--db PATH`: the event database this command works on."""
    return click.option(
        "--db",
        "db_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Path of the event database (an SQLite file).",
    )(func)


def json_option(func: F) -> F:
    """`--json`: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def open_db(path: Path, *, create: bool = False) -> Any:
    """Open an existing event database (or create one), turning problems into clear errors."""
    from db.connect import connect

    return connect(path, create=create)
