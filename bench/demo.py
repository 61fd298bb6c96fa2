"""Benchmark of the demo event's set-up: building its reference data and installing it.

Prints one JSON object: `build_demo` time, `install_demo` time into a fresh database file
(one transaction, `synchronous=FULL`), the fold of the installed demo, and how many events
it holds (medians of a few runs).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db.connect import connect  # noqa: E402
from db.demo import build_demo, install_demo  # noqa: E402
from db.fold import load_state  # noqa: E402

RUNS = 5


def main() -> None:
    build, install, fold = [], [], []
    events = 0
    for run in range(RUNS):
        started = time.perf_counter()
        demo = build_demo(run)
        build.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as folder:
            db = connect(Path(folder) / "demo.db")
            started = time.perf_counter()
            install_demo(db, seed=run)
            install.append(time.perf_counter() - started)
            started = time.perf_counter()
            load_state(db)
            fold.append(time.perf_counter() - started)
            db.conn.close()
        events = len(demo.drafts)
    print(
        json.dumps(
            {
                "events": events,
                "build_demo_ms": round(statistics.median(build) * 1000, 1),
                "install_demo_ms": round(statistics.median(install) * 1000, 1),
                "fold_installed_demo_ms": round(statistics.median(fold) * 1000, 1),
                "runs": RUNS,
            }
        )
    )


if __name__ == "__main__":
    main()
