"""Shared fixtures: a fresh database file per test (the sqlite-utils way), and a guard that no
process a test started outlives it."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.i18n import language_from_environment, set_language
from db.connect import connect
from tests import processes

#: How long a test's leftover processes may take to finish on their own (a daemon already told to
#: quit, like a tmux server after kill-server) before the guard calls them a leak.
SETTLE_S = 3.0


# The tests read the screens in English: a developer's French or German locale must not
# change what `eventops checkin/dashboard` (in this process or a subprocess) show.
if language_from_environment() != "en":
    os.environ["LC_ALL"] = "C.UTF-8"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Every test starts in English, whatever an earlier test (or command line) chose."""
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "event.db"


@pytest.fixture
def fresh_db(db_path: Path) -> Iterator[Database]:
    db = connect(db_path)
    yield db
    db.conn.close()


@pytest.fixture(scope="session", autouse=True)
def process_owner() -> str:
    """Marks this pytest process (one per xdist worker) in the environment every process it starts
    inherits, so the guard also finds the ones that left home (double-forked daemons)."""
    owner = f"{os.getpid()}-{secrets.token_hex(4)}"
    os.environ[processes.OWNER] = owner
    return owner


@pytest.fixture(autouse=True)
def no_process_outlives_its_test(process_owner: str) -> Iterator[None]:
    """Fails the test if a process it started (a child, or anything carrying this pytest process's
    mark) is still alive after it; kills it so the next test starts clean."""
    before = processes.snapshot()
    yield
    deadline = time.monotonic() + SETTLE_S
    while (left := processes.leftovers(before, process_owner)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not left:
        return
    described = processes.describe(left)
    for proc in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + processes.GONE_S
    while (alive := [p for p in left if (now := processes.read(p.pid)) and now.start == p.start and not now.dead]):
        if time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    for proc in left:  # reap our own children among them; the others' parents reap theirs
        if proc.ppid == os.getpid():
            with contextlib.suppress(ChildProcessError):
                os.waitpid(proc.pid, os.WNOHANG)
    unkillable = f" ({processes.describe(alive)} survived SIGKILL)" if alive else ""
    pytest.fail(f"the test left {len(left)} process(es) running: {described}{unkillable}", pytrace=False)
