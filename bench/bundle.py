"""Bundle benchmark: `eventops sync export` then `eventops sync import` of 100,000 events.

Both run as real processes of the command line (what a coordinator runs with a USB stick);
for each step we print wall seconds, CPU seconds (`os.wait4`) and the process's peak RSS
(VmHWM: ru_maxrss would carry this script's own peak across fork and exec), plain and
gzipped, and the bundle's size. Ten desks of 10,000 scans each, like a day's scans.
Usage: .venv/bin/python bench/bundle.py [--quick] [--events N]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db import events as ev  # noqa: E402
from db import log, signing, trust  # noqa: E402
from db.connect import connect  # noqa: E402
from db.log import Draft  # noqa: E402
from db.node import set_local_station  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
#: The real command line, then its peak RSS (VmHWM, kB) written to the file named first.
PEAK_RSS = r"""
import atexit, re, sys
from pathlib import Path
out = Path(sys.argv.pop(1))
atexit.register(lambda: out.write_text(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())[1]))
from eventops.cli import main
sys.argv[0] = "eventops"
main()
"""
STATIONS = 10


def organiser_db(path: Path, source: Path) -> None:
    """The organiser's database: the event, and the keys of the bus laptop and of the desks
    whose scans it carries (bound as enrolment binds them: without them the import would keep
    the desks' events waiting, and refuse a bundle signed by a laptop it does not know)."""
    db = connect(path)
    set_local_station(db, "org")
    log.append(db, "org", ev.EVENT_CREATED, {"id": "BENCH", "name": "Bench", "days": ["2024-03-20"], "tz": "Europe/Brussels", "demo": False})
    src = connect(source)
    trust.vouch(db, "bus-V1-B1", "bus", trust.public_key_of(src, "bus-V1-B1"))
    for n in range(STATIONS):
        trust.vouch(db, f"desk-{n + 1}", "desk", trust.public_key_of(src, f"desk-{n + 1}"))
    src.conn.close()
    db.conn.close()


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of a database and of its private keys (db/signing.py keeps them beside it)."""
    return signing.copy_database(src, dst)


def source_db(path: Path, events: int) -> None:
    """The bus laptop's database: ten desks' scans (the desks' keys are beside it, in
    `<path>.keys/`, made when the organiser's database bound them)."""
    db = connect(path)
    db.execute("PRAGMA synchronous = OFF")  # building the fixture, not measuring it
    set_local_station(db, "bus-V1-B1")
    per_station = events // STATIONS
    for n in range(STATIONS):
        drafts = [
            Draft(ev.DESK_CHECKIN, {"attendee": f"A{i % 7000:05d}", "first": i < 7000, "via": "scan"})
            for i in range(per_station)
        ]
        log.append_many(db, f"desk-{n + 1}", drafts)
    db.conn.close()


def run(work: Path, args: list[str], stdout: int | None = None) -> dict[str, float]:
    """One `eventops` process: wall and CPU seconds and peak RSS (MB), measured by the kernel."""
    peak = work / "peak.kb"
    start = time.perf_counter()
    proc = subprocess.Popen([PYTHON, "-c", PEAK_RSS, str(peak), *args], stdout=stdout if stdout is not None else subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"eventops {' '.join(args)} failed: {err.decode()}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(int(peak.read_text()) / 1024, 1),
    }


def bench(work: Path, events: int, compress: bool) -> dict[str, object]:
    src = work / "src.db"
    dst = copy_db(work / "org.db", work / f"dst-{int(compress)}.db")
    stick = work / f"bus-{int(compress)}.bundle"
    with stick.open("wb") as out:
        exported = run(work, ["sync", "export", "--db", str(src), "--since", "0", *(["--gzip"] if compress else [])], stdout=out.fileno())
    imported = run(work, ["sync", "import", str(stick), "--db", str(dst)])
    check = connect(dst)
    held, waiting = log.count(check), trust.waiting_count(check)
    check.conn.close()
    assert held >= events and waiting == 0, f"imported {held} of {events}, {waiting} waiting for a key"
    return {"bundle_mb": round(stick.stat().st_size / 2**20, 1), "export": exported, "import": imported}


def main() -> None:
    quick = "--quick" in sys.argv
    events = int(sys.argv[sys.argv.index("--events") + 1]) if "--events" in sys.argv else (10_000 if quick else 100_000)
    work = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    try:
        organiser_db(work / "org.db", work / "src.db")
        source_db(work / "src.db", events)
        result: dict[str, object] = {"cores": os.cpu_count(), "load_average_before": round(os.getloadavg()[0], 1), "events": events}
        result["plain"] = bench(work, events, compress=False)
        result["gzip"] = bench(work, events, compress=True)
        result["load_average_after"] = round(os.getloadavg()[0], 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
