"""Set-up day at the command line, through the real commands and real processes: every wrong
database, port or input file is one line and exit 1 with nothing created; Ctrl-C stops a hub
quietly; a failed enrolment leaves nothing; and the hub and a station leave a log behind."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import sqlite3
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from db import log
from db.connect import connect
from eventops import logs
from sync.enrol import EnrolCode
from tests.sync.helpers import EVENTOPS, HubProcess, free_port, grant, reference_data, run_cli

pytestmark = pytest.mark.timeout(180)


def files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal every bad input gets: exit 1, nothing on stdout, one line on stderr."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def event_db(tmp_path: Path) -> Path:
    """A database holding an event with thirty attendees (names "Person 1".."Person 30")."""
    path = tmp_path / "hub.db"
    db = connect(path)
    reference_data(db)
    db.conn.close()
    return path


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


# --- the hub: refusals -------------------------------------------------------------------

def test_hub_on_a_missing_database_refuses_and_creates_nothing(tmp_path: Path) -> None:
    line = one_line_refusal(run_cli("hub", "--db", str(tmp_path / "typo.db"), "--port", str(free_port()), check=False))
    assert "typo.db does not exist" in line
    assert files(tmp_path) == set()


def test_hub_on_a_database_without_an_event_refuses_and_leaves_it_alone(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    connect(empty).conn.close()  # an eventops database, but no event in it
    before = empty.read_bytes()
    line = one_line_refusal(run_cli("hub", "--db", str(empty), "--port", str(free_port()), check=False))
    assert "holds no event" in line
    assert files(tmp_path) == {"empty.db"} and empty.read_bytes() == before


def test_hub_on_another_applications_database_refuses(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text)")
    line = one_line_refusal(run_cli("hub", "--db", str(other), check=False))
    assert "another application" in line
    assert files(tmp_path) == {"other.db"}


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_hub_on_a_port_out_of_range_refuses(event_db: Path, port: str) -> None:
    before = files(event_db.parent)
    line = one_line_refusal(run_cli("hub", "--db", str(event_db), "--port", port, check=False))
    assert "between 1 and 65535" in line
    assert files(event_db.parent) == before  # no log, no certificate, nothing


def test_hub_on_a_port_in_use_refuses(event_db: Path, busy_port: int) -> None:
    before = files(event_db.parent)
    line = one_line_refusal(run_cli("hub", "--db", str(event_db), "--port", str(busy_port), check=False))
    assert "in use" in line and str(busy_port) in line
    assert files(event_db.parent) == before


def test_hub_on_an_address_this_machine_lacks_refuses(event_db: Path) -> None:
    line = one_line_refusal(run_cli("hub", "--db", str(event_db), "--host", "192.0.2.1", "--port", str(free_port()), check=False))
    assert "no address 192.0.2.1" in line


# --- the hub: Ctrl-C with a station's long-poll open ----------------------------------------

def test_ctrl_c_stops_a_hub_quietly_while_a_long_poll_is_held(event_db: Path) -> None:
    db = connect(event_db)
    token = grant(db, "desk-1")
    vector = log.vector(db)
    db.conn.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([EVENTOPS, "hub", "--db", str(event_db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and "hub serving" in proc.stdout.readline()
        answers: queue.Queue[Any] = queue.Queue()

        def long_poll() -> None:
            try:
                answer = httpx.post(f"{url}/v1/pull", json={"vector": vector, "limit": 10, "wait": 25},
                                    headers={"authorization": f"Bearer {token}"}, timeout=60)
                answers.put(answer.status_code)
            except httpx.HTTPError as error:
                answers.put(error)

        poller = threading.Thread(target=long_poll, daemon=True)
        poller.start()
        # Ctrl-C only once the hub holds the pull (nothing new is coming), however slow the machine.
        deadline = time.monotonic() + 30
        while httpx.get(f"{url}/v1/health", timeout=10).json().get("waiting", 0) < 1:
            assert time.monotonic() < deadline, "the long-poll never reached the hub"
            assert answers.empty(), "the long-poll was answered before Ctrl-C"
            time.sleep(0.05)
        assert answers.empty(), "the long-poll was answered before Ctrl-C"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)  # a held pull must not keep the hub up for its 25 s
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0
    assert err == "", err
    assert answers.get(timeout=10) == 200  # the station got "nothing new", not a dropped connection
    assert "hub stopped" in logs.log_path(event_db).read_text()


# --- station enrol: a failure leaves nothing -----------------------------------------------

def test_a_damaged_code_leaves_no_database(tmp_path: Path) -> None:
    desk = tmp_path / "desks" / "desk-1.db"
    line = one_line_refusal(run_cli("station", "enrol", "--db", str(desk), "--hub", "http://127.0.0.1:9", "EO1-garbage", check=False))
    assert "damaged" in line
    assert files(tmp_path) == set()


def test_an_unreachable_hub_leaves_no_database(tmp_path: Path) -> None:
    code = EnrolCode("desk-1", "secret").encode()
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    line = one_line_refusal(run_cli("station", "enrol", "--db", str(tmp_path / "desk-1.db"), "--hub", url, code, check=False))
    assert "unreachable" in line
    assert files(tmp_path) == set()


def test_a_refused_code_leaves_no_database_and_keeps_an_existing_one(event_db: Path, tmp_path: Path) -> None:
    code = EnrolCode("desk-1", "not-a-secret-the-hub-made").encode()
    kept = tmp_path / "kept.db"
    connect(kept).conn.close()
    with HubProcess(event_db) as hub:
        line = one_line_refusal(run_cli("station", "enrol", "--db", str(tmp_path / "desk-1.db"), "--hub", hub.url, code, check=False))
        assert "403" in line
        one_line_refusal(run_cli("station", "enrol", "--db", str(kept), "--hub", hub.url, code, check=False))
    assert not any(name.startswith("desk-1.db") for name in files(tmp_path))
    assert kept.exists()  # a database that was there before is never removed


# --- imports: only regular files -----------------------------------------------------------

@pytest.mark.parametrize("kind", ["attendees", "schedule", "visits"])
def test_an_import_refuses_a_device_at_once(event_db: Path, kind: str) -> None:
    line = one_line_refusal(run_cli("import", kind, "/dev/zero", "--db", str(event_db), check=False, timeout=60))
    assert "/dev/zero is a device" in line and "not a regular file" in line


def test_an_import_refuses_a_fifo_and_a_directory_at_once(event_db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "attendees.csv"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it to read would wait forever
    line = one_line_refusal(run_cli("import", "attendees", str(fifo), "--db", str(event_db), check=False, timeout=60))
    assert "is a pipe, not a regular file" in line
    line = one_line_refusal(run_cli("import", "attendees", str(tmp_path), "--db", str(event_db), check=False, timeout=60))
    assert "is a directory, not a regular file" in line


def test_the_hub_refuses_a_certificate_that_is_not_a_file(event_db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "cert.pem"
    os.mkfifo(fifo)
    line = one_line_refusal(run_cli("hub", "--db", str(event_db), "--tls-cert", str(fifo), "--tls-key", str(fifo),
                                    check=False, timeout=60))
    assert "is a pipe" in line


# --- the dashboard: refused before any screen opens ----------------------------------------

def _dashboard(db_path: Path) -> subprocess.CompletedProcess[str]:
    """`eventops dashboard` with no terminal: a screen that opened would hang until the timeout."""
    return subprocess.run([EVENTOPS, "dashboard", "--db", str(db_path)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)


def test_the_dashboard_refuses_a_bad_database_before_any_screen(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("shopping list\n")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text)")
    no_event = tmp_path / "fresh.db"
    connect(no_event).conn.close()
    before = files(tmp_path)
    cases = {
        tmp_path / "missing.db": "does not exist",
        not_sqlite: "not an SQLite database",
        other: "another application",
        no_event: "holds no event",
    }
    for path, words in cases.items():
        assert words in one_line_refusal(_dashboard(path)), path
    assert files(tmp_path) == before  # no database, no log created


# --- the logs a hub and a station leave behind ---------------------------------------------

class SyncProcess:
    """`eventops sync --json` running as a station's loop; its status lines read as they come."""

    def __init__(self, db_path: Path) -> None:
        self.proc = subprocess.Popen([EVENTOPS, "sync", "--db", str(db_path), "--json"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def wait_for(self, wanted: Any, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if wanted(status):
                return status
        raise AssertionError("the sync loop never reached the expected status")

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=30)
        return err


def test_a_hub_and_a_station_leave_logs_of_outages_refusals_and_reconnections(event_db: Path, tmp_path: Path) -> None:
    desk = tmp_path / "desk-1.db"
    port = free_port()
    with HubProcess(event_db, port) as hub:
        code = json.loads(run_cli("station", "add", "desk-1", "--kind", "desk", "--db", str(event_db),
                                  "--hub-url", hub.url, "--no-qr", "--json").stdout)["code"]
        run_cli("station", "enrol", "--db", str(desk), "--hub", hub.url, code)
        station = SyncProcess(desk)
        station.wait_for(lambda s: s["online"])
        hub.kill(signal.SIGTERM)
        station.wait_for(lambda s: s["reason"] == "hub unreachable")
    with HubProcess(event_db, port):
        station.wait_for(lambda s: s["online"])
        run_cli("station", "revoke", "desk-1", "--db", str(event_db))
        station.wait_for(lambda s: "403" in (s["reason"] or ""))
        station.stop()

    station_log = logs.log_path(desk).read_text()
    assert "sync of desk-1 connected to" in station_log
    assert "failed: hub unreachable" in station_log
    assert "sync of desk-1 reconnected to" in station_log
    assert "sync of desk-1 refused by" in station_log and "403 revoked" in station_log
    assert station_log.count("failed: hub unreachable") == 1  # retries while offline are not repeated

    hub_log = logs.log_path(event_db).read_text()
    assert "hub serving" in hub_log and "hub stopping" in hub_log
    assert "refused 403 revoked" in hub_log

    for path in (logs.log_path(desk), logs.log_path(event_db)):
        text = path.read_text()
        assert "Person" not in text and "@" not in text, f"personal data in {path.name}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_log_file_and_its_rotations_are_private(tmp_path: Path) -> None:
    import logging

    path = logs.configure(tmp_path / "desk.db", "DEBUG")
    try:
        logging.getLogger("eventops.test").info("one")
        handler = logging.getLogger("eventops").handlers[-1]
        assert isinstance(handler, logs.PrivateRotatingFileHandler)
        handler.doRollover()
        logging.getLogger("eventops.test").info("two")
    finally:
        logs.close()
    assert path.name == "desk.db.log"
    rotated = path.with_name("desk.db.log.1")
    assert "one" in rotated.read_text() and "two" in path.read_text()
    assert {stat.S_IMODE(p.stat().st_mode) for p in (path, rotated)} == {0o600}
    assert logging.getLogger("eventops").handlers == [] or all(
        not isinstance(h, logs.PrivateRotatingFileHandler) for h in logging.getLogger("eventops").handlers
    )


@pytest.mark.parametrize("command", ["hub", "sync", "checkin", "dashboard"])
def test_long_running_commands_take_a_log_level(command: str) -> None:
    from click.testing import CliRunner

    from eventops.cli import main

    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "--log-level" in result.output


def test_a_forbidden_port_is_explained() -> None:
    """Ports below 1024 need root: the tests run as anyone, so the errno's sentence is checked here."""
    import errno

    from sync.serving import _why

    assert "ports below 1024 need root" in _why(OSError(errno.EACCES, "Permission denied"), "0.0.0.0")
    assert "in use" in _why(OSError(errno.EADDRINUSE, "Address already in use"), "0.0.0.0")
