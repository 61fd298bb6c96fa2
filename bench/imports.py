"""Benchmark of the imports: 10,000 attendees from a pretix-like `;` CSV, then the same
file again (nothing to append), then an updated export (100 changes), and a 300-session
schedule CSV.

Prints one JSON object with the median time of each (seconds) over a few runs, each into
a fresh database file with `synchronous=FULL`.
"""

from __future__ import annotations

import csv
import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db import events as ev  # noqa: E402
from db.connect import connect  # noqa: E402
from db.imports import import_attendees, import_schedule  # noqa: E402
from db.log import append  # noqa: E402

RUNS = 3
PEOPLE = 10_000
FIRST = ["Élodie", "Jürgen", "Małgorzata", "Zoé", "Siobhán", "Lars", "Ana", "Pieter", "Ines", "Tomasz"]
LAST = ["Lefèvre", "Müller", "Wiśniewska", "Dupont", "O'Connor", "Øberg", "Marić", "De Smet", "Ferreira"]
CITIES = ["Liège", "Köln", "Łódź", "Gent", "Lisboa", "Göteborg", "Bruxelles", "Zagreb"]


def attendees_csv(changed: int = 0, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Order code", "Position ID", "Status", "Email", "Attendee name: Given name", "Attendee name: Family name", "Company", "City", "Product"])
    for i in range(PEOPLE):
        first, last, city = rng.choice(FIRST), rng.choice(LAST), rng.choice(CITIES)
        org = f"City of {city}" if i >= changed else f"Region of {city}"
        writer.writerow([f"O{i:05d}", "1", "Paid", f"p{i}@example.eu", first, last, org, city, "Full pass"])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def schedule_csv() -> bytes:
    lines = ["id;title;room;capacity;date;start;end"]
    for i in range(300):
        day, room, slot = 20 + i % 3, i % 12, (i // 36) % 8
        lines.append(f"S{i};Session {i};Room {room};{50 + room * 10};2024-03-{day};{9 + slot:02d}:00;{9 + slot:02d}:50")
    return ("\n".join(lines) + "\n").encode()


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    first, again, update, schedule = [], [], [], []
    original, updated, programme = attendees_csv(), attendees_csv(changed=100), schedule_csv()
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            db = connect(Path(tmp) / "bench.db")
            append(db, "org", ev.EVENT_CREATED, {"id": "B", "name": "Bench", "days": ["2024-03-20", "2024-03-21", "2024-03-22"], "tz": "Europe/Brussels", "demo": False})
            first.append(timed(lambda db=db: import_attendees(db, original)))
            again.append(timed(lambda db=db: import_attendees(db, original)))
            update.append(timed(lambda db=db: import_attendees(db, updated)))
            schedule.append(timed(lambda db=db: import_schedule(db, programme)))
            db.conn.close()
    print(
        json.dumps(
            {
                "attendees": PEOPLE,
                "import_10k_attendees_s": round(statistics.median(first), 3),
                "reimport_unchanged_s": round(statistics.median(again), 3),
                "reimport_100_changed_s": round(statistics.median(update), 3),
                "import_300_sessions_s": round(statistics.median(schedule), 3),
                "runs": RUNS,
            }
        )
    )


if __name__ == "__main__":
    main()
