"""The processes a test starts (hubs, scanners, the web dashboard, Chromium), and proof that none
outlives it.

`start` puts each process in a session of its own, so `stop` can signal everything it forked
(Chromium's renderers, textual-serve's app shell, ...) as one process group, and marks it in its
environment, so `stop` also finds the helpers that left the group (Chromium's crash handler calls
setsid). `stop` returns only once none of them is alive: a directory they wrote into can then be
removed. `leftovers` is what tests/conftest.py checks after every test. Linux only (/proc).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Set by tests/conftest.py for the whole pytest process: every process it starts inherits it.
OWNER = "EVENTOPS_TEST_OWNER"
#: Set by `start`, one value per process started: every descendant of that process inherits it.
MARK = "EVENTOPS_TEST_PROCESS"

GRACE_S = 3.0  # how long a SIGTERM'd group may take to shut down before it gets SIGKILL
GONE_S = 10.0  # how long SIGKILL'd processes may take to disappear before `stop` gives up


@dataclass(frozen=True)
class Proc:
    """One line of /proc/PID/stat, the part we need."""

    pid: int
    ppid: int
    pgid: int
    state: str
    start: int  # clock ticks after boot: (pid, start) names a process even once the pid is reused

    @property
    def dead(self) -> bool:
        """A zombie has closed its files and writes nothing; only its parent's wait is missing."""
        return self.state in ("Z", "X")


def read(pid: int) -> Proc | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("utf-8", "replace")
    except OSError:  # gone meanwhile
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the name before may hold spaces and ')'
    return Proc(pid, int(fields[1]), int(fields[2]), fields[0], int(fields[19]))


def processes() -> list[Proc]:
    """Every process on the machine (a few ms: a hundred small reads)."""
    pids = (int(name) for name in os.listdir("/proc") if name.isdigit())
    return [proc for pid in pids if (proc := read(pid)) is not None]


def has_env(pid: int, key: str, value: str) -> bool:
    """Whether process `pid` was started with `key=value` in its environment."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f"{key}={value}".encode() in f.read().split(b"\0")
    except OSError:
        return False


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()[:200]
    except OSError:
        return "?"


def describe(procs: Iterable[Proc]) -> str:
    return "; ".join(f"pid {p.pid} ({command_line(p.pid)})" for p in procs)


# --- starting and stopping ------------------------------------------------------------

_started: dict[int, tuple[str, int]] = {}  # leader pid -> (its mark, its start tick)


def start(args: Sequence[str], *, env: Mapping[str, str] | None = None, **popen: Any) -> subprocess.Popen[Any]:
    """`subprocess.Popen(args, **popen)` in a new session (its own process group), marked so that
    `stop` finds all it forks. Stop it with `stop`, in a `finally`."""
    mark = secrets.token_hex(8)
    proc: subprocess.Popen[Any] = subprocess.Popen(
        args, start_new_session=True, env={**(os.environ if env is None else env), MARK: mark}, **popen
    )
    leader = read(proc.pid)
    _started[proc.pid] = (mark, leader.start if leader else 0)
    return proc


def members(proc: subprocess.Popen[Any]) -> list[Proc]:
    """The live processes of `proc`: its group, and those that left the group but carry its mark.
    The group is counted only while `proc` is not reaped (its pid, zombie or not, is ours)."""
    mark, born = _started.get(proc.pid, ("", 0))
    group_is_ours = proc.returncode is None
    found = []
    for other in processes():
        if other.dead or other.start < born:
            continue
        if (group_is_ours and proc.pid in (other.pid, other.pgid)) or (mark and has_env(other.pid, MARK, mark)):
            found.append(other)
    return found


def _signal(proc: subprocess.Popen[Any], sig: int) -> None:
    if proc.returncode is None:  # not reaped: its pid and group id are still ours to signal
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)  # in case it was not started by `start`, in a group of its own
    for other in members(proc):  # those that left the group (setsid), and any group member
        with contextlib.suppress(ProcessLookupError):
            os.kill(other.pid, sig)


def _gone_within(proc: subprocess.Popen[Any], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while members(proc):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def stop(proc: subprocess.Popen[Any], sig: int = signal.SIGTERM, grace: float = GRACE_S) -> int:
    """Send `sig` to every process of `proc`, SIGKILL what is left after `grace` seconds (at once
    when `sig` is SIGKILL), and return `proc`'s exit code once none of them is alive. Reaps `proc`
    only at the end, so its pid (the group's id) cannot be reused meanwhile. Raises AssertionError
    naming the survivors if SIGKILL does not end them within GONE_S."""
    _signal(proc, sig)
    if sig == signal.SIGKILL or not _gone_within(proc, grace):
        _signal(proc, signal.SIGKILL)
        if not _gone_within(proc, GONE_S):
            raise AssertionError(f"still alive {GONE_S:.0f} s after SIGKILL: {describe(members(proc))}")
    code = proc.wait(timeout=GONE_S)
    _started.pop(proc.pid, None)
    return code


def remove_tree(path: Path, timeout: float = 5.0) -> None:
    """`shutil.rmtree`, tried again for a while if the tree is still changing under it (a process
    that was still writing when it was stopped, a file system slow to drop it)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            shutil.rmtree(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


# --- the guard's side ------------------------------------------------------------------

def snapshot() -> set[tuple[int, int]]:
    """(pid, start) of every process now: what a test found when it began."""
    return {(p.pid, p.start) for p in processes()}


def leftovers(before: set[tuple[int, int]], owner: str) -> list[Proc]:
    """Live processes that were not there in `before` and are this pytest process's own: its
    children, or any process carrying its OWNER mark (a daemon that double-forked away).
    Zombies are dead and not counted; other pytest processes (xdist workers) have their own mark."""
    me = os.getpid()
    return [
        p for p in processes()
        if not p.dead and p.pid != me and (p.pid, p.start) not in before
        and (p.ppid == me or has_env(p.pid, OWNER, owner))
    ]
