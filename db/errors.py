"""Errors a person can act on: the command line prints their message on one line, no traceback."""

from __future__ import annotations


class EventOpsError(Exception):
    """Base of every error whose message is meant for the person at the keyboard."""


class NotAnEventDatabase(EventOpsError):
    """The file exists but is not an eventops database (or not SQLite at all)."""


class NoEventYet(EventOpsError):
    """The database has no `event.created` event: `eventops init` or `eventops demo init` first."""


class LogGap(EventOpsError):
    """A batch of events would leave a hole in a station's sequence."""


class LogConflict(EventOpsError):
    """Two different events claim the same (station_id, seq)."""


class ImportProblem(EventOpsError):
    """An import file is unusable; nothing was imported."""
