"""The stations panel shows what each station last reported of its sync."""

from __future__ import annotations

from pathlib import Path

from dashboard.board import Moment, open_board
from dashboard.panels import stations
from dashboard.widgets.stations import station_text
from db import events as ev
from db import log
from db.connect import connect
from db.fold import load_state
from db.status import status
from tests.dashboard import scene


def test_last_sync_and_scans_waiting_as_the_station_reported_them(scene_db: Path) -> None:
    db = connect(scene_db)
    log.append(db, "desk-1", ev.STATION_HEALTH, {"waiting": 4, "last_sync_ms": scene.AT_MS - 120_000},
               wall=lambda: scene.AT_MS - 60_000)
    report = status(load_state(db), scene.AT_MS)
    db.conn.close()
    board, _ = open_board(scene_db, Moment("frozen", at=scene.AT))
    line = {s.id: s for s in stations.fetch(board.state, scene.AT_MS).stations}["desk-1"]
    assert (line.last_sync_label, line.waiting) == ("10:28", 4)
    assert "sync 10:28, 4 waiting" in station_text(line)
    reported = {s["id"]: s for s in report["stations"]}["desk-1"]
    assert reported["waiting"] == 4 and reported["last_sync"].endswith("10:28:00+01:00")
