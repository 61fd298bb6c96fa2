"""A whole field visit as separate processes: hub, two bus laptops of one visit offline, a late
attendee on the wrong bus, a departure with one missing, the return, then sync (network for one
bus, a USB bundle for the other) and the hub's `eventops status --json` and manifests.

The demo event's visit V2 has two buses: V2-B1 (Coach 1) and V2-B2 (Minibus 2).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from checkin.badges.keys import load_signing_key, token_for
from checkin.simulator.setup import init_demo, today
from dashboard.panels.visits import fetch as visits_panel
from db.connect import connect
from db.fold import load_state
from db.state import BUS_LEFT_MISSING, VENUE
from tests.sync.helpers import HubProcess

ROOT = Path(__file__).resolve().parents[2]
EVENTOPS = [sys.executable, "-m", "eventops"]
VISIT, B1, B2 = "V2", "V2-B1", "V2-B2"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*EVENTOPS, *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"eventops {' '.join(args)}: {result.stderr}"
    return result


def run_json(*args: str) -> Any:
    return json.loads(run(*args).stdout)


def board(db: Path, bus: str, tokens: list[str]) -> list[dict[str, Any]]:
    """The bus laptop's process scanning a queue of badges."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bus.board", "--db", str(db), "--station", f"bus-{bus}", "--visit", VISIT, "--bus", bus],
        cwd=ROOT, input="\n".join(tokens), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.timeout(240)
def test_a_field_visit_offline_then_synced(tmp_path: Path) -> None:
    hub_db = tmp_path / "hub.db"
    # The commands scan on the real clock: the demo is moved so that today is its field-visit day.
    init_demo(hub_db, first_day=(date.fromisoformat(today()) - timedelta(days=1)).isoformat())
    state = load_state(connect(hub_db))
    key = load_signing_key(hub_db)
    on_b1 = sorted(state.buses[B1].assigned)
    on_b2 = sorted(state.buses[B2].assigned)
    late = on_b2[0]  # assigned to the minibus, turns up after it left, takes the coach
    late_name = state.attendees[late].name
    token = {a: token_for(state, key, a) for a in [*on_b1, *on_b2]}

    # Morning: the late attendee checks in at a desk (the hub's database holds the desk's scans).
    desk = run_json("scan", "--db", str(hub_db), "--station", "desk-1", "--mode", "desk", token[late])
    assert desk["reason"] == "checked_in"

    # The coordinators enrol their bus laptops while the venue's Wi-Fi works...
    laptops = {B1: tmp_path / "bus-V2-B1.db", B2: tmp_path / "bus-V2-B2.db"}
    with HubProcess(hub_db) as hub:
        for bus, laptop in laptops.items():
            code = run_json("station", "add", f"bus-{bus}", "--kind", "bus", "--place", bus, "--db", str(hub_db),
                            "--hub-url", hub.url, "--no-qr", "--json")["code"]
            assert run_json("station", "enrol", "--db", str(laptop), "--hub", hub.url, code, "--json")["station"] == f"bus-{bus}"
    # ... and from here on there is no network at all.

    # The minibus boards everyone but the late attendee, and leaves without them.
    boarded = board(laptops[B2], B2, [token[a] for a in on_b2 if a != late])
    assert {v["reason"] for v in boarded} == {"boarded"}
    where_b2 = ["--db", str(laptops[B2]), "--station", f"bus-{B2}", "--visit", VISIT, "--bus", B2]
    asked = run_json("bus", "depart", *where_b2)
    assert (asked["reason"], asked["event"]) == ("confirm_missing", None)
    assert [(m["id"], m["last_seen"][:14]) for m in asked["missing"]] == [(late, "checked in at ")]
    left = run_json("bus", "depart", *where_b2, "--confirm-missing")
    assert (left["reason"], left["headcount"], [m["id"] for m in left["missing"]]) == ("departed_missing", 16, [late])

    # The coach boards its list; the late attendee gets on it instead (amber, recorded).
    assert {v["reason"] for v in board(laptops[B1], B1, [token[a] for a in on_b1])} == {"boarded"}
    wrong = run_json("scan", "--db", str(laptops[B1]), "--station", f"bus-{B1}", "--mode", "bus",
                     "--visit", VISIT, "--bus", B1, token[late])
    assert (wrong["status"], wrong["reason"], wrong["assigned_bus"]) == ("warning", "other_bus", B2)
    where_b1 = ["--db", str(laptops[B1]), "--station", f"bus-{B1}", "--visit", VISIT, "--bus", B1]
    coach = run_json("bus", "depart", *where_b1)
    assert (coach["status"], coach["reason"], coach["headcount"]) == ("ok", "departed", len(on_b1) + 1)

    # Both come back.
    for where in (where_b1, where_b2):
        assert run_json("bus", "return", *where)["reason"] == "returned"

    # Back at the venue: the coach syncs over the network, the minibus hands over a USB stick.
    with HubProcess(hub_db) as hub:
        pushed = run_json("sync", "--db", str(laptops[B1]), "--hub", hub.url, "--once", "--json")
        assert pushed["pushed"] >= len(on_b1) + 3
        bundle = tmp_path / "minibus.bundle"
        bundle.write_bytes(subprocess.run(
            [*EVENTOPS, "sync", "export", "--db", str(laptops[B2]), "--since", str(hub_db)],
            cwd=ROOT, capture_output=True, timeout=60, check=True).stdout)
        imported = run_json("sync", "import", str(bundle), "--db", str(hub_db), "--json")
        assert imported["added"] == len(on_b2) - 1 + 2
        assert run_json("sync", "import", str(bundle), "--db", str(hub_db), "--json")["added"] == 0

        report = run_json("status", "--db", str(hub_db), "--json")
    visit = next(v for v in report["visits"] if v["id"] == VISIT)
    buses = {b["id"]: b for b in visit["buses"]}
    assert {k: buses[B1][k] for k in ("assigned", "boarded", "missing", "state")} == {
        "assigned": len(on_b1), "boarded": len(on_b1) + 1, "missing": [], "state": "returned"}
    assert {k: buses[B2][k] for k in ("assigned", "boarded", "missing", "state")} == {
        "assigned": len(on_b2), "boarded": len(on_b2) - 1, "missing": [late], "state": "returned"}
    left_behind = [i for i in report["incidents"] if i["kind"] == BUS_LEFT_MISSING]
    assert len(left_behind) == 1
    assert left_behind[0]["station"] == f"bus-{B2}" and late_name in left_behind[0]["detail"]

    # The operations lead's manifests: the minibus's missing person came back on the coach.
    minibus = run_json("bus", "manifest", "--db", str(hub_db), "--bus", B2, "--json")
    assert [m["id"] for m in minibus["missing"]] == [late]
    assert minibus["missing"][0]["last_seen"].startswith("at the venue since")
    coach_sheet = run_json("bus", "manifest", "--db", str(hub_db), "--bus", B1, "--json")
    walk_on = next(p for p in coach_sheet["people"] if p["id"] == late)
    assert (walk_on["assigned"], walk_on["boarded"], walk_on["other_bus"]) == (False, True, B2)
    hub_state = load_state(connect(hub_db))
    now = hub_state.last_scan_ms
    for attendee in [*on_b1, late]:
        place = hub_state.place_at(attendee, now)
        assert place is not None and place.kind == VENUE, attendee

    # The dashboard's bus panel reads the same fold.
    panel = {line.id: line for line in visits_panel(hub_state, now).buses}
    assert (panel[B2].state, panel[B2].boarded, panel[B2].missing_names) == ("returned", len(on_b2) - 1, (late_name,))
    assert (panel[B1].state, panel[B1].boarded, panel[B1].missing) == ("returned", len(on_b1) + 1, ())
