"""Reports after the event at scale: `eventops export ...` and `eventops certificates` on the log
of an event of 20,000 attendees, beside the raw read of the same rows in the same run.

    python bench/exports.py [--attendees 20000] [--events 200000] [--dir DIR] [--pdfs 100]

The log is `bench/scale.py`'s (three days, desks, doors, buses, voids, two buses offline all
day), built once under `--dir` and reused. One JSON object is printed:

- `raw_read_and_parse_s`: every row read in fold order and its JSON parsed (the floor);
- `full_fold_s`: the log folded from its first event (no snapshot), the state every report reads;
- `reports_s`: each `db.reports` function on that state (`room_stays` re-folds the log to
  rebuild room history; every other attendance figure is built on it);
- `commands_s`: each command as an organiser runs it, in a fresh process (reading the log from
  its snapshot, writing CSV to a file), wall time and the process's CPU time;
- `certificates`: `eventops certificates --only` for `--pdfs` attendees, the drawing of those
  PDFs alone (two processes), and what all of them would take at that rate.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402

from db import reports  # noqa: E402
from db.connect import connect  # noqa: E402
from db.fold import load_state  # noqa: E402
from organiser.certificate_page import Event  # noqa: E402
from organiser.certificates import write_all  # noqa: E402


def timed(func: object, *args: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = func(*args)  # type: ignore[operator]
    return round(time.perf_counter() - started, 2), result


def command(*args: str) -> dict[str, float]:
    """One `eventops` command in a fresh process: wall and CPU seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "eventops", *args], check=True, capture_output=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def run(directory: Path, events: int, attendees: int, pdfs: int) -> dict[str, object]:
    path = directory / f"exports-{events}-{attendees}.db"
    out: dict[str, object] = {"cpus": os.cpu_count(), "load_avg_before": round(os.getloadavg()[0], 1)}
    if not path.exists():
        out["build"] = scale.build(path, events, attendees)
    out["raw_read_and_parse_s"] = round(scale.raw_read_s(path), 2)
    db = connect(path, create=False)
    out["full_fold_s"], state = timed(lambda: load_state(db, snapshots=False))
    out["events"], out["attendees"] = state.event_count, len(state.attendees)  # type: ignore[attr-defined]
    report_times: dict[str, float] = {}
    for name in ("room_stays", "attendances", "by_attendee", "by_session", "no_shows"):
        report_times[name], rows = timed(getattr(reports, name), state)
        report_times[f"{name}_rows"] = len(rows)  # type: ignore[arg-type]
    report_times["certificates"], (made, left) = timed(reports.certificates, state)  # type: ignore[misc]
    report_times["certificates_made"], report_times["certificates_left_out"] = len(made), len(left)
    out["reports_s"] = report_times
    load_state(db)  # the commands start from a snapshot, as on the organiser's laptop
    db.conn.close()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        out["commands_s"] = {
            "status --json": command("status", "--db", str(path), "--json"),
            "export attendance --by attendee": command("export", "attendance", "--db", str(path), "--by", "attendee",
                                                       "--out", str(work / "a.csv")),
            "export attendance --by session": command("export", "attendance", "--db", str(path), "--by", "session",
                                                      "--out", str(work / "s.csv")),
            "export no-shows": command("export", "no-shows", "--db", str(path), "--out", str(work / "n.csv")),
        }
        sample = [c.attendee for c in made[:pdfs]]
        only = [arg for ident in sample for arg in ("--only", ident)]
        certificates = command("certificates", "--db", str(path), "--out", str(work / "certificates"), *only)
        event = Event(state.info.id, state.info.name, tuple(state.info.days), "Brussels", state.info.tz)  # type: ignore[attr-defined]
        drawing, _ = timed(write_all, made[:pdfs], event, work / "drawn")
        per_pdf = drawing / max(1, len(sample))
        out["certificates"] = {
            f"certificates --only x{len(sample)}": certificates,
            "pdfs_written": len(list((work / "certificates").glob("*.pdf"))),
            f"write_all x{len(sample)} (2 processes) s": drawing,
            "s_per_pdf_2_processes": round(per_pdf, 3),
            f"all_{len(made)}_estimated_min": round(per_pdf * len(made) / 60, 1),
        }
    out["load_avg_after"] = round(os.getloadavg()[0], 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/eventops-exports"))
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--attendees", type=int, default=20_000)
    parser.add_argument("--pdfs", type=int, default=100)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(args.dir, args.events, args.attendees, args.pdfs), indent=2))


if __name__ == "__main__":
    main()
