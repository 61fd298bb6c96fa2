"""No process outlives its test: `stop` ends a whole process tree (what left the group and what
ignores SIGTERM included), and the guard in tests/conftest.py fails a test that leaves one behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests import processes

ROOT = Path(__file__).resolve().parents[1]


def alive(pid: int) -> bool:
    proc = processes.read(pid)
    return proc is not None and not proc.dead


def test_stop_ends_the_group_and_what_left_it() -> None:
    shell = processes.start(
        ["sh", "-c", "setsid sh -c 'echo away $$; exec sleep 300' & sleep 300 & echo home $!; wait"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert shell.stdout is not None
        pids = dict(shell.stdout.readline().split() for _ in range(2))
        away, home = int(pids["away"]), int(pids["home"])
        assert alive(away) and alive(home)
        assert processes.read(away).pgid != shell.pid  # type: ignore[union-attr]
    finally:
        processes.stop(shell)
        assert shell.stdout is not None
        shell.stdout.close()
    assert not alive(away) and not alive(home)
    assert processes.members(shell) == []


def test_stop_kills_what_ignores_sigterm() -> None:
    stubborn = processes.start(
        ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert stubborn.stdout is not None and stubborn.stdout.readline() == "ready\n"
    finally:
        code = processes.stop(stubborn, grace=0.2)
        assert stubborn.stdout is not None
        stubborn.stdout.close()
    assert code == -signal.SIGKILL


INNER_TESTS = '''
import subprocess
from pathlib import Path

PIDS = Path(__file__).with_name("pids")


def test_forgets_its_child():
    child = subprocess.Popen(["sleep", "300"])
    with PIDS.open("a") as f:
        f.write(f"{child.pid}\\n")


def test_starts_a_daemon_that_leaves_home():
    out = subprocess.run(["sh", "-c", "setsid sleep 300 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True)
    with PIDS.open("a") as f:
        f.write(out.stdout)


def test_leaves_a_child_exited_but_not_waited_for():
    subprocess.Popen(["true"])  # a zombie holds nothing: not a leak


def test_tidy():
    subprocess.run(["true"], check=True)
'''


def test_the_guard_fails_a_test_that_leaves_a_process_running(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import no_process_outlives_its_test, process_owner  # noqa: F401\n"
    )
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS))
    inner = processes.start(
        # -rN: no short summary (under CI=true pytest repeats each message there in full)
        [sys.executable, "-m", "pytest", str(tmp_path), "-q", "-rN", "-p", "no:cacheprovider", "-p", "no:randomly",
         "--rootdir", str(tmp_path), "-W", "ignore::ResourceWarning"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = inner.communicate(timeout=120)
    finally:
        processes.stop(inner)
    assert "4 passed, 2 errors" in out, out
    assert "ERROR at teardown of test_forgets_its_child" in out, out
    assert "ERROR at teardown of test_starts_a_daemon_that_leaves_home" in out, out
    assert out.count("left 1 process(es) running") == 2 and "(sleep 300)" in out, out
    leaked = [int(line) for line in (tmp_path / "pids").read_text().split()]
    assert len(leaked) == 2
    assert not any(alive(pid) for pid in leaked), "the guard did not end what it found"
