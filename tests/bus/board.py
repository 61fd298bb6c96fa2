"""A bus laptop boarding a queue of people: one process, the real headless station.

    python -m tests.bus.board --db bus.db --station bus-V2-B1 --visit V2 --bus V2-B1 < tokens

Reads one badge payload per line on stdin, scans each through `checkin.station.Station` in bus
mode (exactly what the app and `eventops scan --mode bus` do) and prints each verdict as one
JSON line. The full-day test uses it for the bulk of a boarding, where 40 separate
`eventops scan` processes would only measure Python start-up.
"""

from __future__ import annotations

import argparse
import sys

import checkin.bus  # noqa: F401 - registers the bus rule
from checkin.station import Station, StationConfig
from db.connect import connect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--station", required=True)
    parser.add_argument("--visit", required=True)
    parser.add_argument("--bus", required=True)
    args = parser.parse_args(argv)
    station = Station(connect(args.db, create=False), StationConfig(args.station, "bus", visit=args.visit, bus=args.bus))
    for line in sys.stdin:
        if line.strip():
            print(station.scan(line.strip()).dumps(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
