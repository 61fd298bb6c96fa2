"""The record a long-running command leaves beside its database: `<db>.log`, rotating.

A failure seen on event day (a hub refusing a station, a station offline for ten minutes)
must still be readable afterwards. The hub, the sync loop, the station app and the dashboard
call `configure` once their database is known good; the packages below only log to their
`eventops.*` loggers. Lines carry station ids, seqs, counts and reasons, never names or
e-mails, so the file is mode 0600 only as a second line of defence.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

#: Every logger of ours is below this one (eventops.hub, eventops.sync, eventops.cli...).
ROOT = "eventops"
#: What else goes into the file: uvicorn's errors (a request that crashed, a socket problem).
ALSO = ("uvicorn.error",)
MAX_BYTES = 1_000_000
BACKUPS = 3
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"


def log_path(db_path: str | Path) -> Path:
    """Where the log of the node on `db_path` goes: beside it, `<db>.log`."""
    path = Path(db_path)
    return path.with_name(path.name + ".log")


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files (the first and every rotated one) are mode 0600."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115 - the handler closes it


_installed: list[tuple[logging.Logger, logging.Handler]] = []


def configure(db_path: str | Path, level: str = "INFO") -> Path:
    """Send the `eventops.*` loggers (and uvicorn's errors) to `<db>.log` at `level`.

    Calling it again replaces the earlier set-up (tests run many commands in one process).
    Returns the log file's path.
    """
    close()
    path = log_path(db_path)
    handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    os.chmod(path, 0o600)  # a file left by an older version may be wider
    handler.setFormatter(logging.Formatter(FORMAT))
    ours = logging.getLogger(ROOT)
    ours.setLevel(level.upper())
    for logger in (ours, *(logging.getLogger(name) for name in ALSO)):
        logger.addHandler(handler)
        _installed.append((logger, handler))
    return path


def failed(command: str, message: str, *, error: BaseException | None = None) -> None:
    """Record why a command ended on an error (only where `configure` started a log)."""
    if _installed:
        logging.getLogger(f"{ROOT}.cli").error("%s failed: %s", command, message, exc_info=error)


def interrupted(command: str) -> None:
    """Record that a command was stopped with Ctrl-C (how a station or a dashboard normally ends)."""
    if _installed:
        logging.getLogger(f"{ROOT}.cli").info("%s stopped (Ctrl-C)", command)


def close() -> None:
    """Detach and close what `configure` installed (nothing happens if it was never called)."""
    handlers = {id(h): h for _, h in _installed}
    for logger, handler in _installed:
        logger.removeHandler(handler)
    _installed.clear()
    for handler in handlers.values():
        handler.close()
