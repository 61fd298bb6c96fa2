"""Benchmark of `eventops badges`: the demo event's 700 badges (300 dpi PNGs and the A4 PDF),
drawn in one process and in two (the default), through the same code the command runs.

Prints one JSON object: wall time and CPU time (this process and its workers) of each, in
seconds, median of a few runs. CPU time says what the work costs; wall time what a person
waits, which on a busy machine depends on what else runs.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkin.badges.batch import make_badges  # noqa: E402
from checkin.badges.keys import create_signing_key, load_signing_key  # noqa: E402
from checkin.badges.print import BadgeSheets, collect_faces  # noqa: E402
from db.connect import connect  # noqa: E402
from db.demo import install_demo  # noqa: E402
from db.fold import load_state  # noqa: E402

RUNS = 3


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_run(db_path: Path, out: Path, jobs: int) -> tuple[float, float, int]:
    wall, used = time.perf_counter(), cpu()
    db = connect(db_path)
    state = load_state(db)
    faces, _ = collect_faces(state, load_signing_key(db_path), sorted(state.attendees))
    sheets = BadgeSheets()
    run = make_badges(faces, out, dpi=300, sheets=sheets, jobs=jobs)
    sheets.save(out / "badges.pdf")
    db.conn.close()
    return time.perf_counter() - wall, cpu() - used, len(run.made)


def main() -> None:
    results: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    made = 0
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "demo.db"
        db = connect(db_path)
        install_demo(db)
        create_signing_key(db, db_path)
        db.conn.close()
        for run in range(RUNS):
            for jobs in results:
                wall, used, made = one_run(db_path, Path(folder) / f"out-{run}-{jobs}", jobs)
                results[jobs].append((wall, used))
    print(
        json.dumps(
            {
                "badges": made,
                **{f"jobs_{jobs}_wall_s": round(statistics.median(w for w, _ in runs), 2) for jobs, runs in results.items()},
                **{f"jobs_{jobs}_cpu_s": round(statistics.median(c for _, c in runs), 2) for jobs, runs in results.items()},
                "runs": RUNS,
            }
        )
    )


if __name__ == "__main__":
    main()
