"""Two doors of one room on one database, scanning at the same moment from two threads (two
connections, as two processes would): the room never takes more people than its capacity,
because each decision is made and recorded inside one write transaction after catching up."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from checkin.station import Station, StationConfig
from db import events as ev
from db.connect import connect
from db.fold import load_state
from db.log import Draft, append_many
from tests.station.world import build


def test_two_doors_scanning_at_once_never_overfill_the_room(db_path: Path) -> None:
    world = build(db_path, capacity=10, extra_attendees=30)
    append_many(world.db, "org", [Draft(ev.STATION_ADDED, {"id": "door-R1b", "kind": "door", "place": "R1"})],
                wall=world.clock)
    people = [f"B{i:05d}" for i in range(30)]
    tokens = [world.token(p) for p in people]
    doors = [
        Station(connect(db_path), StationConfig(name, "door", room="R1"), wall=world.clock)
        for name in ("door-R1", "door-R1b")
    ]
    reasons: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(2)

    def run(door: Station, mine: list[str]) -> None:
        start.wait()
        for token in mine:
            verdict = door.scan(token)
            with lock:
                reasons[verdict.reason] += 1

    threads = [threading.Thread(target=run, args=(door, tokens[i::2])) for i, door in enumerate(doors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    admitted = reasons["entered"] + reasons["not_checked_in"]
    assert (admitted, reasons["room_full"]) == (10, 20)
    assert load_state(connect(db_path)).occupancy("R1", world.clock()) == 10
