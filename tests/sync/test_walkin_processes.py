"""Walk-ins through the real commands and real processes: a desk allowed walk-ins registers a
person (`eventops register`), a real hub process carries it to a door on another node, where the
new badge scans green (`eventops scan`); revoking the desk flags its badges at the door after
the next sync; a desk without --walk-ins is refused, and a registration it forges anyway is
refused whole by the gate of `sync import`."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from db import events as ev
from db import log
from db.connect import connect, write
from db.fold import load_state
from db.hlc import system_wall_ms
from db.node import local_station
from tests.sync.helpers import EVENTOPS, HubProcess, run_cli

pytestmark = pytest.mark.timeout(300)


def run_json(*args: str) -> Any:
    return json.loads(run_cli(*args, timeout=120).stdout)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """A refusal: exit 1, one line on stderr, no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def event_today(tmp_path: Path) -> tuple[Path, str]:
    """An organiser's database for an event running today, with its key and one room."""
    hub_db = tmp_path / "hub.db"
    today = date.today()
    days = f"{today - timedelta(days=1)}:{today + timedelta(days=1)}"
    run_cli("init", "--db", str(hub_db), "--name", "Salon des villes", "--days", days)
    run_cli("keys", "init", "--db", str(hub_db))
    schedule = tmp_path / "programme.csv"
    schedule.write_text(f"title,room,start,end\nAtelier,Salle Horta,{today} 00:05,{today} 23:55\n")
    run_cli("import", "schedule", str(schedule), "--db", str(hub_db))
    (room,) = load_state(connect(hub_db)).rooms
    return hub_db, room


def enrol(hub: HubProcess, hub_db: Path, tmp_path: Path, station: str, *add: str) -> Path:
    code = run_json("station", "add", station, *add, "--db", str(hub_db), "--no-qr", "--json")["code"]
    laptop = tmp_path / f"{station}.db"
    run_json("station", "enrol", "--db", str(laptop), "--hub", hub.url, code, "--json")
    return laptop


def test_a_walk_in_registered_at_one_desk_scans_green_at_a_door_until_the_desk_is_revoked(tmp_path: Path) -> None:
    hub_db, room = event_today(tmp_path)
    with HubProcess(hub_db) as hub:
        desk_a = enrol(hub, hub_db, tmp_path, "desk-A", "--kind", "desk", "--walk-ins")
        desk_c = enrol(hub, hub_db, tmp_path, "desk-C", "--kind", "desk")
        door_b = enrol(hub, hub_db, tmp_path, "door-B", "--kind", "door", "--place", room)
        assert (desk_a.parent / "desk-A.db.keys" / "desk-A.badge-key").exists()

        verdict = run_json("register", "--db", str(desk_a), "--station", "desk-A", "--name", "Zoë  Đorđević",
                           "--org", "Ville de Liège", "--city", "Liège", "--country", "BE", "--role", "participant", "--json")
        assert (verdict["status"], verdict["reason"], verdict["headline"]) == ("ok", "checked_in", "WELCOME")
        person = verdict["attendee"]
        assert person["name"] == "Zoë Đorđević" and person["walk_in"] is True and person["registered_by"] == "desk-A"
        badge = verdict["badge"]
        assert badge["attendee"] == person["id"] and badge["serial"] == 1 and len(badge["payload"]) <= 120

        run_cli("sync", "--db", str(desk_a), "--once")
        run_cli("sync", "--db", str(door_b), "--once")
        at_door = run_json("scan", "--db", str(door_b), "--station", "door-B", "--mode", "door", "--room", room, badge["payload"])
        assert (at_door["status"], at_door["reason"]) == ("ok", "entered"), at_door
        assert at_door["attendee"]["walk_in"] is True
        listed = {a["id"]: a for a in run_json("attendees", "--db", str(door_b), "--json")}
        assert listed[person["id"]]["walk_in"] is True and listed[person["id"]]["registered_by"] == "desk-A"
        assert not any(a["walk_in"] for a in listed.values() if a["id"] != person["id"])
        assert run_json("status", "--db", str(door_b), "--json")["walk_ins"] == 1
        attended = {r["attendee"]: r for r in run_json("export", "attendance", "--db", str(door_b), "--json")}
        assert (attended[person["id"]]["walk_in"], attended[person["id"]]["registered_by"]) == (True, "desk-A")

        # A desk the organiser did not allow walk-ins: one clear line, nothing written.
        held = sum(log.vector(connect(desk_c)).values())
        line = one_line(run_cli("register", "--db", str(desk_c), "--station", "desk-C", "--name", "Eve", check=False))
        assert "desk-C is not allowed to register walk-ins" in line and "--walk-ins" in line
        assert sum(log.vector(connect(desk_c)).values()) == held

        # The organiser revokes desk A: after the door's next sync, its badges are flagged.
        run_cli("station", "revoke", "desk-A", "--db", str(hub_db))
        run_cli("sync", "--db", str(door_b), "--once")
        flagged = run_json("scan", "--db", str(door_b), "--station", "door-B", "--mode", "door", "--room", room, badge["payload"])
        assert (flagged["status"], flagged["reason"]) == ("refused", "revoked_desk"), flagged
        assert any("badge from a revoked desk" in line for line in flagged["detail"])
        assert flagged["attendee"]["id"] == person["id"]
        incidents = run_json("status", "--db", str(door_b), "--json")["incidents"]
        assert any(i["kind"] == "badge_of_revoked_desk" and person["name"] in i["detail"] for i in incidents), incidents


def test_a_registration_forged_by_a_desk_without_walk_ins_is_refused_by_the_gate_of_sync_import(tmp_path: Path) -> None:
    hub_db, _room = event_today(tmp_path)
    with HubProcess(hub_db) as hub:
        desk_c = enrol(hub, hub_db, tmp_path, "desk-C", "--kind", "desk")
    # A tampered laptop skips its own checks (log.append refuses) and writes what its desk may
    # not, signed with the desk's genuine key.
    db = connect(desk_c)
    with write(db):
        log._write(db, local_station(db), [log.Draft(ev.ATTENDEE_REGISTERED, {"id": "XFAKE001", "name": "Mallory"})],
                   system_wall_ms)
    db.conn.close()
    stick = tmp_path / "desk-C.bundle"
    stick.write_bytes(subprocess.run(
        [EVENTOPS, "sync", "export", "--db", str(desk_c), "--since", str(hub_db)],
        capture_output=True, check=True, timeout=60,
    ).stdout)
    before = sum(log.vector(connect(hub_db)).values())
    line = one_line(run_cli("sync", "import", str(stick), "--db", str(hub_db), check=False))
    assert "desk-C is a desk station and may not write attendee.registered" in line
    assert sum(log.vector(connect(hub_db)).values()) == before
    assert "XFAKE001" not in load_state(connect(hub_db)).attendees
