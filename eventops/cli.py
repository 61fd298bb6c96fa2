"""The `eventops` command line: thin click wiring over the packages' Python APIs.

Every command lives in `eventops/commands/<area>.py` and is registered here. Errors meant for
a person (`db.errors.EventOpsError`) become one line on stderr and exit status 1.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import click

from db.errors import EventOpsError
from eventops import logs
from eventops.commands import COMMANDS


class EventOpsGroup(click.Group):
    """A click group that turns known errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EventOpsError as error:
            raise _one_line(ctx, str(error)) from None
        except sqlite3.DatabaseError as error:
            raise _one_line(ctx, f"database error: {error}") from None
        except BrokenPipeError:  # `eventops status | head`: the reader has what it wanted
            sys.stderr.close()
            sys.exit(0)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise _one_line(ctx, f"{where}{error.strerror or error}") from None
        except KeyboardInterrupt:
            logs.interrupted(_command(ctx))
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as error:  # noqa: BLE001 - the promise: no traceback reaches a person
            message = f"unexpected {type(error).__name__}: {error} (nothing more was done; please report this)"
            raise _one_line(ctx, message, error) from None


def _command(ctx: click.Context) -> str:
    """The command being run, e.g. "hub" or "sync" (for the log)."""
    return ctx.invoked_subcommand or ctx.info_name or "eventops"


def _one_line(ctx: click.Context, message: str, error: BaseException | None = None) -> click.ClickException:
    """The error as one line on stderr, and on record in the log when the command keeps one
    (with the traceback only for the unexpected: the log is where a bug is read afterwards)."""
    logs.failed(_command(ctx), message, error=error)
    return click.ClickException(message)


@click.group(cls=EventOpsGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="eventops")
def main() -> None:
    """Event-day check-in and live operations for conferences.

    Every station records into its own SQLite database, works offline and syncs
    when it can. Start with the demo:

    \b
        eventops demo
        eventops status --db ~/.local/share/eventops/demo.db
    """


for command in COMMANDS:
    main.add_command(command)
