"""Options shared by many commands, as decorators (the sqlite-utils way)."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from db.errors import EventOpsError

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


#: What SQLite may leave beside a database file.
SIDE_FILES = ("-wal", "-shm", "-journal")


@contextlib.contextmanager
def new_database(path: Path) -> Iterator[Any]:
    """Open (or create) the database at `path` for a command that may fail half-way.

    If the file did not exist before and the block fails, the file, its -wal/-shm and any
    folders made for it are removed: a failed set-up leaves nothing to trip over later. An
    existing database is never removed. The connection is closed at the end either way.
    """
    existed = path.exists()
    made = [parent for parent in [path.parent, *path.parent.parents] if not parent.exists()]
    db = open_db(path, create=True)
    try:
        yield db
    except BaseException:
        db.conn.close()
        if not existed:
            for name in (path.name, *(path.name + side for side in SIDE_FILES)):
                with contextlib.suppress(FileNotFoundError):
                    (path.parent / name).unlink()
            from db import signing

            shutil.rmtree(signing.keys_dir(path), ignore_errors=True)  # a key made for the enrolment
            signing.forget(path)
            for folder in made:  # innermost first
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    db.conn.close()


def open_event_db(path: Path) -> Any:
    """Open an existing database that holds an event (what a hub serves and a dashboard shows).

    Never creates anything: a missing file, a file that is not an eventops database and one
    without an event are each refused with one line.
    """
    from db.errors import NoEventYet
    from db.event import has_event

    db = open_db(path)
    if not has_event(db):
        db.conn.close()
        raise NoEventYet(
            f"{path} holds no event: create it with `eventops init --db {path} ...` or `eventops demo init --db {path}`, "
            "or enrol this laptop as a hub station first"
        )
    return db


def check_input_file(path: Path) -> Path:
    """Refuse at once anything but an existing regular file: /dev/zero, a FIFO or a directory
    would otherwise hang the command or fail deep inside a parser."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise EventOpsError(f"{path}: no such file") from None
    except OSError as error:
        raise EventOpsError(f"{path}: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        what = "a directory" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "a device or socket"
        raise EventOpsError(f"{path} is {what}, not a regular file: give the path of a file")
    return path


def _input_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    return None if value is None else check_input_file(value)


def input_file_argument(name: str = "file") -> Callable[[F], F]:
    """FILE: an input file, checked to be a regular file before the command opens anything."""
    return click.argument(name, type=click.Path(path_type=Path), callback=_input_file)


def input_file_option(*decls: str, help: str) -> Callable[[F], F]:  # noqa: A002 - click's own word
    """An option naming an input file (a certificate, a key), checked like `input_file_argument`."""
    return click.option(*decls, type=click.Path(path_type=Path), callback=_input_file, help=help)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_level_option(func: F) -> F:
    """`--log-level`: how much goes into the log kept beside the database (`<db>.log`)."""
    return click.option(
        "--log-level",
        type=click.Choice(LOG_LEVELS, case_sensitive=False),
        default="INFO",
        show_default=True,
        help="What to record in the log beside the database (DB.log): refusals, reconnections and errors at INFO.",
    )(func)


def start_logging(db_path: Path, level: str) -> Path:
    """Start `<db>.log` for this command (once the database is known good); closed when the command ends."""
    from eventops import logs

    path = logs.configure(db_path, level)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # the outermost context: a failure is still logged (cli.py) before the file closes
        ctx.find_root().call_on_close(logs.close)
    return path


def folded_at(db_path: Path, at: str | None, nothing: str) -> tuple[Any, int | None]:
    """The event's folded log, or, with `--at`, the log as it stood at that moment, and that
    moment (None without `--at`). `nothing` says what there is nothing of without an event."""
    from dashboard.panels.clock import parse_moment
    from db.fold import fold_events, load_state

    state = load_state(open_db(db_path))
    if state.info is None:
        raise EventOpsError(f"{db_path} holds no event yet: {nothing}")
    if not at:
        return state, None
    try:
        now = parse_moment(state, at)
    except ValueError:
        raise EventOpsError(f"--at {at!r}: expected a time like 2024-03-20T11:00 or 11:00") from None
    return fold_events(e for e in state.events if e.at_ms <= now), now
