"""A hub address with a typo, a sync thread hitting the unexpected, a hub's TLS key: each is one
clear line or a visible "offline: <reason>", never a silent dead thread or a traceback."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from db import events as ev
from db import log
from db.errors import EventOpsError
from eventops.cli import main
from sync.client import BadHubUrl, SyncLoop, check_hub_url
from sync.tls import default_paths, fetch_pinned, self_signed

from .helpers import Node, grant, reference_data, scan, wait_for

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")

BAD = ["http://[::1", "https://host:abc", "http://host:99999", "10.0.0.2:8765", "ftp://hub", "http://", "http://hub one:8765", ""]




@pytest.mark.parametrize("url", BAD)
def test_a_mistyped_hub_address_is_refused_up_front(url: str, tmp_path: Path) -> None:
    with pytest.raises(BadHubUrl, match="http://10.0.0.2:8765"):
        check_hub_url(url)
    node = Node(tmp_path / "desk.db", "desk-1")
    node.close()
    with pytest.raises(EventOpsError, match="hub"):
        SyncLoop(node.path, url or " ")


def test_good_addresses_pass() -> None:
    assert check_hub_url(" http://10.0.0.2:8765/ ") == "http://10.0.0.2:8765"
    assert check_hub_url("https://[::1]:8765") == "https://[::1]:8765"
    assert check_hub_url("http://hub.local") == "http://hub.local"


def test_the_commands_say_what_is_wrong_with_the_address(tmp_path: Path) -> None:
    node = Node(tmp_path / "desk.db", "desk-1")
    node.close()
    runner = CliRunner()
    for args in (
        ["sync", "--db", str(node.path), "--hub", "http://[::1", "--once"],
        ["sync", "--db", str(node.path), "--hub", "https://host:abc"],
        ["station", "enrol", "--db", str(tmp_path / "new.db"), "--hub", "https://host:abc", "EO1-eyJzIjoiZCIsImsiOiJ4In0"],
        ["station", "add", "desk-2", "--kind", "desk", "--db", str(node.path), "--hub-url", "http://[::1", "--no-qr"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, result.output
        assert "the hub's address" in result.output and "Traceback" not in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "new.db").exists()  # enrol refused before creating a database for nothing
    with pytest.raises(EventOpsError, match="not a valid URL"):
        fetch_pinned("https://host:abc", "00" * 32)


def test_a_sync_thread_survives_the_unexpected_and_says_offline(tmp_path: Path) -> None:
    """Whatever breaks inside the loop is shown as "offline: <reason>" and retried, not a dead thread."""
    hub = Node(tmp_path / "hub.db", "org")
    reference_data(hub.db, attendees=3)
    desk = Node(tmp_path / "desk.db", "desk-1")
    token = grant(hub.db, "desk-1", key_from=desk.db)
    served = hub.serve()
    lock = threading.Lock()
    broken = [True]

    def http() -> httpx.Client:
        with lock:
            if broken[0]:
                raise RuntimeError("no network stack yet")
        return served

    scan(desk.db, "desk-1", 1, desk.wall)
    statuses: list[str] = []
    loop = SyncLoop(
        desk.path, "http://testserver", token, long_poll_s=0.2, idle_s=0.2, backoff_s=(0.02, 0.1),
        http_factory=http, on_status=lambda s: statuses.append(s.line()),
    )
    try:
        loop.start()
        # The puller may fail first, before the pusher has counted the waiting scan: wait for both.
        assert wait_for(lambda: loop.status().line().startswith("offline: sync failed (RuntimeError) · 1 waiting"))
        assert "no network stack yet" in (loop.status().error or "")
        assert all(t.is_alive() for t in loop._threads)
        with lock:
            broken[0] = False
        assert wait_for(lambda: loop.status().online and loop.status().waiting == 0)
        assert log.vector(hub.db).get("desk-1") == 1
        # The puller came back too (it retries on its own backoff, independent of the pusher).
        assert wait_for(lambda: any(e.kind == ev.ROOM_ADDED for e in log.all_events(desk.db)))
        assert not any(line.startswith("connecting") for line in statuses[1:])
    finally:
        loop.stop()
        hub.close()
        desk.close()


def test_the_hubs_tls_key_is_never_readable_by_others(tmp_path: Path) -> None:
    cert, key = default_paths(tmp_path / "hub.db")
    stale = key.with_name(key.name + ".new")
    stale.write_text("left over by a crash")
    stale.chmod(0o644)
    old = os.umask(0)
    try:
        fingerprint = self_signed(cert, key)
    finally:
        os.umask(old)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert not stale.exists()
    assert self_signed(cert, key) == fingerprint  # made once, kept
