"""Run a test (file, node id or folder) N times, each in a fresh pytest process, and say how
many runs passed and which failed: a test that fails 1 time in 12 shows up here, not on the
day `make test` is red by luck.

Usage: python scripts/flake.py [--runs N] TEST [extra pytest arguments]
       make flake TEST=tests/dashboard/test_web.py N=20
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT_S = 1800  # one run of pytest (its own --timeout bounds each test)
SUMMARY = re.compile(r"^=*\s*(\d+ (?:passed|failed|error|errors|skipped|deselected|xfailed|xpassed)\b.*?)\s*=*$")


def summary_line(output: str) -> str:
    """pytest's closing line ("1 passed in 6.02s"), or the last line if it never got that far."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    found = [m.group(1) for line in lines if (m := SUMMARY.match(line))]
    return found[-1] if found else (lines[-1] if lines else "no output")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], usage=__doc__.split("Usage: ")[1].split("\n")[0])
    parser.add_argument("--runs", "-N", type=int, default=10, help="how many times to run it (default 10)")
    parser.add_argument("test", nargs="?", help="what to run, as given to pytest")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="more arguments for pytest (default: -n 0)")
    args = parser.parse_args()
    if not args.test:
        print("error: say which test to run, e.g. make flake TEST=tests/dashboard/test_web.py N=20", file=sys.stderr)
        return 2
    if args.runs < 1:
        print(f"error: the number of runs must be at least 1, not {args.runs}", file=sys.stderr)
        return 2
    if not (ROOT / args.test.split("::")[0]).exists():
        print(f"error: {args.test} does not exist (paths are relative to {ROOT})", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "pytest", args.test, "-p", "no:cacheprovider", *(args.pytest_args or ["-n", "0"])]
    logs: Path | None = None  # made on the first failure: the output of each failed run
    print(f"running pytest {' '.join(command[3:])} {args.runs} times", flush=True)
    failed: list[int] = []
    for run in range(1, args.runs + 1):
        started = time.monotonic()
        try:
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
            code, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as timeout:
            partial = b"".join(s if isinstance(s, bytes) else s.encode() for s in (timeout.stdout, timeout.stderr) if s)
            code, output = -1, partial.decode("utf-8", "replace") + f"\nrun timed out after {RUN_TIMEOUT_S} s"
        if code != 0:
            failed.append(run)
            logs = logs or Path(tempfile.mkdtemp(prefix="eventops-flake-"))
            (logs / f"run-{run:02d}.log").write_text(output)
        verdict = "passed" if code == 0 else "FAILED"
        print(f"run {run:2d}/{args.runs}: {verdict} ({summary_line(output)}; {time.monotonic() - started:.0f} s)", flush=True)
    print(f"{args.runs - len(failed)} passed, {len(failed)} failed")
    if failed:
        print(f"failed runs: {', '.join(map(str, failed))} (their output: {logs}/run-NN.log)")
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main())
