"""A station process for kill -9 tests: scans (appends) steadily with the sync loop running,
and prints each seq once it is durable. Usage: python -m tests.sync.scanner DB COUNT PERIOD_S"""

from __future__ import annotations

import sys
import time

from db import events as ev
from db import log
from db.connect import connect
from db.node import local_station
from sync.client import SyncLoop


def main() -> None:
    db_path, count, period = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    db = connect(db_path, create=False)
    station = local_station(db)
    loop = SyncLoop(db_path, long_poll_s=5, idle_s=0.5, backoff_s=(0.1, 0.5)).start()
    for i in range(count):
        event = log.append(db, station, ev.DESK_CHECKIN, {"attendee": f"A{1 + i % 30:03d}", "first": False, "via": "scan"})
        print(event.seq, flush=True)  # durable: the green light
        loop.nudge()
        time.sleep(period)
    deadline = time.monotonic() + 10
    while loop.status().waiting and time.monotonic() < deadline:
        time.sleep(0.05)
    print("done", loop.status().waiting, flush=True)
    loop.stop()


if __name__ == "__main__":
    main()
