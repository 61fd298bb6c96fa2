"""Clock skew: stations hours behind, minutes ahead, a year ahead, one stepping back. HLCs stay
monotonic per station; the year-ahead events are flagged (and reported as an incident by the
hub) without dragging anyone's clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from db import events as ev
from db import log
from db.fold import load_state
from db.hlc import MAX_DRIFT_MS
from db.state import CLOCK_SUSPECT
from sync.client import sync_once

from .helpers import Node, reference_data, scan

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")

NOW = 1_710_925_200_000  # the hub's wall clock: 2024-03-20 10:00 Brussels
HOUR = 3_600_000
YEAR = 365 * 24 * HOUR


class Clock:
    """A wall clock that advances a second per reading from `start`, and can be set."""

    def __init__(self, start: int) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1000
        return self.now


def hub_clock() -> Callable[[], int]:
    return Clock(NOW)


def test_skewed_clocks_stay_monotonic_and_the_year_ahead_is_flagged(tmp_path: Path) -> None:
    hub = Node(tmp_path / "hub.db", "org")
    reference_data(hub.db)
    hub.serve(hub_wall=hub_clock())
    behind = Node(tmp_path / "behind.db", "desk-1", wall=Clock(NOW - 3 * HOUR))
    ahead = Node(tmp_path / "ahead.db", "desk-2", wall=Clock(NOW + 4 * 60_000))
    far = Node(tmp_path / "far.db", "door-R1", wall=Clock(NOW + YEAR))
    stepping_clock = Clock(NOW)
    stepping = Node(tmp_path / "stepping.db", "door-R2", wall=stepping_clock)
    stations = [behind, ahead, far, stepping]
    try:
        for round_ in range(3):
            for node in stations:
                for k in range(3):
                    scan(node.db, node.station, 1 + (round_ * 3 + k) % 30, node.wall)
                if node is stepping:
                    stepping_clock.now -= HOUR  # the laptop's clock is set back an hour
            for node in stations:
                sync_once(node.db, client=hub.client_for(node), wall=node.wall)
        for node in stations:
            sync_once(node.db, client=hub.client_for(node), wall=node.wall)

        for node in [hub, *stations]:
            for station in (s.station for s in stations):
                hlcs = [e.hlc for e in sorted((e for e in log.all_events(node.db) if e.station_id == station), key=lambda e: e.seq)]
                assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs), f"{station} not monotonic on {node.station}"

        flagged = {tuple(r) for r in hub.db.execute("SELECT station_id, clock_suspect FROM events WHERE clock_suspect = 1")}
        assert flagged == {("door-R1", 1)}
        reports = [e for e in log.all_events(hub.db) if e.kind == ev.CLOCK_SUSPECT]
        assert {e.data["station_id"] for e in reports} == {"door-R1"} and {e.station_id for e in reports} == {"org"}
        assert len(reports) == 9  # one per event of the year-ahead station, reported once, by the hub
        incidents = [i for i in load_state(hub.db).incidents.values() if i.kind == CLOCK_SUSPECT]
        assert {i.station for i in incidents} == {"door-R1"}

        # nobody's clock was dragged a year ahead: new scans everywhere (but the far one) stay near now
        hub_last = hub.db.execute("SELECT last_hlc FROM clock").fetchone()[0] >> 16
        assert hub_last < NOW + MAX_DRIFT_MS
        for node in (behind, ahead, stepping):
            event = scan(node.db, node.station, 5, node.wall)
            assert event.at_ms < NOW + MAX_DRIFT_MS, f"{node.station} was dragged"
        # minutes ahead is followed, not flagged: the hub's own next event sorts after it
        latest_ahead = max(e.hlc for e in log.all_events(hub.db) if e.station_id == "desk-2")
        assert log.append(hub.db, "org", ev.INCIDENT_ACKED, {"incident": "x"}, wall=hub_clock()).hlc > latest_ahead
    finally:
        for node in [hub, *stations]:
            node.close()
