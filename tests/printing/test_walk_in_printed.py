"""Issue 13's "done when", through the real commands and processes: a walk-in registered at a desk
with `eventops register --print` comes out of a real CUPS-PDF printer; the QR read back from that
PDF is the new badge, and after a sync through a real hub process it scans green at a door on
another node. A printer CUPS does not know is refused before anything is recorded."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from db import log
from db.connect import connect
from tests.printing.cups import QUEUE, Cups
from tests.printing.helpers import qr_texts
from tests.sync.helpers import EVENTOPS, HubProcess
from tests.sync.test_walkin_processes import enrol, event_today, one_line, run_json

pytestmark = pytest.mark.timeout(300)


def run(cups: Cups, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EVENTOPS, *args], capture_output=True, text=True, timeout=180, env=cups.env())


def test_a_walk_in_printed_on_cups_decodes_and_scans_green_at_a_door_on_another_node(cups: Cups, tmp_path: Path) -> None:
    hub_db, room = event_today(tmp_path)
    with HubProcess(hub_db) as hub:
        desk = enrol(hub, hub_db, tmp_path, "desk-A", "--kind", "desk", "--walk-ins")
        door = enrol(hub, hub_db, tmp_path, "door-B", "--kind", "door", "--place", room)

        # A printer CUPS does not know: one line, nobody registered.
        held = sum(log.vector(connect(desk)).values())
        line = one_line(run(cups, "register", "--db", str(desk), "--station", "desk-A", "--name", "Eve", "--print", "--printer", "nope"))
        assert "no printer called 'nope'" in line
        assert sum(log.vector(connect(desk)).values()) == held

        registered = run(cups, "register", "--db", str(desk), "--station", "desk-A", "--name", "Ngozi Okonjo-Iweala",
                         "--org", "Lagos State", "--print", "--printer", QUEUE, "--json")
        assert registered.returncode == 0, registered.stdout + registered.stderr
        verdict = json.loads(registered.stdout)
        assert (verdict["status"], verdict["reason"]) == ("ok", "checked_in")
        printed = verdict["print"]
        assert (printed["state"], printed["printer"]) == ("printed", QUEUE), printed
        pdf = cups.output_of(printed["cups_id"])
        assert pdf is not None, f"cups-pdf wrote nothing for {printed['cups_id']}"
        try:
            [payload] = qr_texts(pdf, tmp_path)
        finally:
            pdf.unlink()
        assert payload == verdict["badge"]["payload"]

        assert run(cups, "sync", "--db", str(desk), "--once").returncode == 0
        assert run(cups, "sync", "--db", str(door), "--once").returncode == 0
        at_door = run_json("scan", "--db", str(door), "--station", "door-B", "--mode", "door", "--room", room, payload)
        assert (at_door["status"], at_door["reason"]) == ("ok", "entered"), at_door
        assert at_door["attendee"]["name"] == "Ngozi Okonjo-Iweala" and at_door["attendee"]["walk_in"] is True
