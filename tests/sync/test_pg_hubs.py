"""The hub's store on a real PostgreSQL server, through the real commands: an SQLite hub moved
there (`eventops hub migrate`), two `eventops hub --store` processes serving it at once with
stations at each, a hub killed with SIGKILL mid-push, and the log's rules held by PostgreSQL."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from db import log
from db.connect import connect
from db.errors import EventOpsError
from sync.client import SyncLoop, sync_once
from sync.enrol import enrol
from tests import processes

from .helpers import HubProcess, free_port, reference_data, run_cli, wait_for
from .test_processes import start_scanner

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[dev]' (the `postgres` extra)")
from sync.pg.store import connect as connect_pg  # noqa: E402 - needs psycopg


def hub_on_postgresql(tmp_path: Path, url: str) -> Path:
    """An organiser's SQLite hub with a small event, moved into the store at `url` by the command."""
    hub_db = tmp_path / "hub.db"
    reference_data(connect(hub_db))
    out = run_cli("hub", "migrate", "--from", str(hub_db), "--to", url).stdout
    assert "verified" in out, out
    return hub_db


def enrol_at(hub: HubProcess, tmp_path: Path, station: str) -> Path:
    """`eventops station add --store` on the shared store, then enrol the laptop at `hub`."""
    assert hub.store is not None
    added = json.loads(run_cli("station", "add", station, "--kind", "desk", "--store", hub.store, "--json").stdout)
    db_path = tmp_path / f"{station}.db"
    enrol(connect(db_path), added["code"], hub.url)
    return db_path


def held(url: str) -> dict[str, list[int]]:
    """Every station's seqs in the store, in order (a gap or a duplicate shows)."""
    db = connect_pg(url)
    try:
        seqs: dict[str, list[int]] = {}
        for event in log.all_events(db.as_database()):
            seqs.setdefault(event.station_id, []).append(event.seq)
        return {station: sorted(s) for station, s in seqs.items()}
    finally:
        db.conn.close()


def idents(db_path: Path) -> set[tuple[str, int, int]]:
    db = connect(db_path)
    try:
        return {(e.station_id, e.seq, e.hlc) for e in log.all_events(db)}
    finally:
        db.conn.close()


def store_idents(url: str) -> set[tuple[str, int, int]]:
    db = connect_pg(url)
    try:
        return {(e.station_id, e.seq, e.hlc) for e in log.all_events(db.as_database())}
    finally:
        db.conn.close()


def test_migrate_moves_the_event_verifiably_and_stations_keep_their_tokens(tmp_path: Path, pg_url: str) -> None:
    hub_db = tmp_path / "hub.db"
    reference_data(connect(hub_db))
    port = free_port()
    with HubProcess(hub_db, port) as hub:
        desk = tmp_path / "desk-1.db"
        code = json.loads(run_cli("station", "add", "desk-1", "--kind", "desk", "--db", str(hub_db), "--json").stdout)["code"]
        enrol(connect(desk), code, hub.url)
        db = connect(desk)
        log.append(db, "desk-1", "checkin.desk", {"attendee": "A001", "first": True, "via": "scan"})
        assert sync_once(db).pushed == 1
    before = log.vector(connect(hub_db))
    out = run_cli("hub", "migrate", "--from", str(hub_db), "--to", pg_url).stdout
    assert f"copied {sum(before.values())} events" in out and "verified" in out
    again = run_cli("hub", "migrate", "--from", str(hub_db), "--to", pg_url, check=False)
    assert again.returncode == 1 and "not empty" in again.stderr and "Traceback" not in again.stderr
    # The same address, now backed by PostgreSQL: the station syncs on with its old token.
    with HubProcess(hub_db, port, store=pg_url):
        log.append(db, "desk-1", "checkin.desk", {"attendee": "A002", "first": True, "via": "scan"})
        report = sync_once(db)
        assert report.pushed == 1 and report.waiting == 0
    assert before["desk-1"] == 1 and held(pg_url)["desk-1"] == [1, 2]
    listed = json.loads(run_cli("station", "list", "--store", pg_url, "--json").stdout)
    assert [row["station"] for row in listed] == ["desk-1"] and listed[0]["enrolled"]


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        # a name changed on disk, the append-only trigger dropped first: its signature no longer matches
        ("UPDATE events SET data = replace(data, 'Person 7', 'Someone Else') WHERE data LIKE '%\"Person 7\"%'", "does not verify"),
        # an event taken out of the middle of the organiser's chain
        ("DELETE FROM events WHERE station_id = 'org' AND seq = 5", "does not verify"),
        # a key bound by hand in the trust index (the store would trust it), no event vouching for it
        ("INSERT INTO authors (station_id, kind, public_key, voucher) VALUES ('evil-hub', 'hub', randomblob(32), 'org')",
         "key bindings for evil-hub are not those its log makes"),
        # a chain digest changed (the store would refuse the station's next push)
        ("UPDATE events SET chain = randomblob(32) WHERE station_id = 'org' AND seq = 3", "org#3: its chain digest"),
    ],
    ids=["changed-payload", "removed-event", "forged-binding", "changed-chain"],
)
def test_migrate_refuses_a_hub_database_changed_on_disk_and_copies_nothing(
    tmp_path: Path, pg_url: str, tamper: str, named: str
) -> None:
    """A copy of a hub's database is not trusted because it is ours: every event passes the trust
    gate again before the move, and one that does not verify leaves the store empty."""
    hub_db = tmp_path / "hub.db"
    db = connect(hub_db)
    reference_data(db)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("DROP TRIGGER events_no_delete")
    assert db.execute(tamper).rowcount == 1
    db.conn.close()
    refused = run_cli("hub", "migrate", "--from", str(hub_db), "--to", pg_url, check=False)
    assert refused.returncode == 1 and named in refused.stderr and "nothing was copied" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert held(pg_url) == {}


def test_a_scan_at_hub_a_reaches_a_station_of_hub_b(tmp_path: Path, pg_url: str) -> None:
    """Two hub processes on one store: a push at A wakes the long-poll held at B (LISTEN/NOTIFY)."""
    hub_on_postgresql(tmp_path, pg_url)
    with HubProcess(tmp_path, store=pg_url) as a, HubProcess(tmp_path, store=pg_url) as b:
        desk_a, desk_b = enrol_at(a, tmp_path, "desk-1"), enrol_at(b, tmp_path, "desk-2")
        seen: list[tuple[str, int]] = []
        loop = SyncLoop(desk_b, long_poll_s=20, idle_s=0.5, on_events=lambda es: seen.extend((e.station_id, e.seq) for e in es))
        loop.start()
        db = connect(desk_a)
        try:
            assert wait_for(lambda: loop.status().online)
            for i in range(3):
                event = log.append(db, "desk-1", "checkin.desk", {"attendee": f"A00{i + 1}", "first": True, "via": "scan"})
                sync_once(db)
                assert wait_for(lambda ident=(event.station_id, event.seq): ident in seen)  # type: ignore[misc]
        finally:
            loop.stop()
            db.conn.close()


def test_two_hubs_one_killed_mid_push_lose_nothing_and_duplicate_nothing(tmp_path: Path, pg_url: str) -> None:
    """Stations at each of two hubs scan; hub A dies (SIGKILL) while they push; its stations fail
    over to B; after it, the store and every station hold the same events, no gap, no duplicate."""
    hub_on_postgresql(tmp_path, pg_url)
    a = HubProcess(tmp_path, store=pg_url).start()
    b = HubProcess(tmp_path, store=pg_url).start()
    try:
        stations = {
            "desk-1": enrol_at(a, tmp_path, "desk-1"),
            "desk-2": enrol_at(a, tmp_path, "desk-2"),
            "desk-3": enrol_at(b, tmp_path, "desk-3"),
        }
        scanners = {name: start_scanner(path, 60, 0.01) for name, path in stations.items()}
        outputs: dict[str, list[str]] = {}
        try:
            outputs["desk-1"] = kill_after_first_scans_and(scanners.pop("desk-1"), 0.2, lambda: a.kill(signal.SIGKILL))
            for name, proc in scanners.items():
                out, _ = proc.communicate(timeout=60)
                outputs[name] = out.splitlines()
        finally:
            for proc in scanners.values():
                processes.stop(proc)
        # Each station's own sync loop pushed everything it scanned, A's stations through B.
        assert all(lines[-1] == "done 0" for lines in outputs.values()), {n: lines[-1:] for n, lines in outputs.items()}
        acked = {name: [int(line) for line in lines if line.strip().isdigit()] for name, lines in outputs.items()}
        for _ in range(2):
            for path in stations.values():
                node = connect(path)
                sync_once(node)  # A is gone: each station's own list sends it to B
                node.conn.close()
        store = held(pg_url)
        for name, seqs in acked.items():
            assert seqs, f"{name} acknowledged nothing"
            assert store[name] == list(range(1, len(store[name]) + 1)), f"{name}: gap or duplicate in the store"
            assert set(seqs) <= set(store[name]), f"{name}: an acknowledged scan was lost"
        everything = store_idents(pg_url)
        for path in stations.values():
            assert idents(path) == everything
    finally:
        a.kill(signal.SIGTERM)
        b.kill(signal.SIGTERM)


def kill_after_first_scans_and(proc: object, seconds: float, then: Callable[[], None]) -> list[str]:
    """Let the station scan a while, kill hub A under it, let it go on scanning (its pushes now
    fail over to B), and return what it printed (each seq it acknowledged, then `done WAITING`)."""
    import subprocess

    assert isinstance(proc, subprocess.Popen)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.strip().isdigit(), f"the station printed {first!r}"
    time.sleep(seconds)  # the scenario: hub A dies while the station is pushing
    then()
    out, _ = proc.communicate(timeout=60)
    return [first.strip(), *out.splitlines()]


def test_postgresql_itself_refuses_to_change_the_log(tmp_path: Path, pg_url: str) -> None:
    hub_on_postgresql(tmp_path, pg_url)
    with psycopg.connect(pg_url, autocommit=True) as raw:
        for statement in ("UPDATE events SET kind = 'x'", "DELETE FROM events", "TRUNCATE events"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                raw.execute(statement)
        duplicate = raw.execute("SELECT station_id, seq, hlc, kind, data FROM events LIMIT 1").fetchone()
        with pytest.raises(psycopg.errors.UniqueViolation):
            raw.execute("INSERT INTO events (station_id, seq, hlc, kind, data) VALUES (%s, %s, %s, %s, %s)", duplicate)
        assert raw.execute("SELECT COUNT(*) FROM events WHERE kind = 'x'").fetchone() == (0,)


def test_store_commands_say_what_is_wrong_in_one_line(tmp_path: Path, pg_url: str) -> None:
    empty = run_cli("hub", "--store", pg_url, "--port", str(free_port()), check=False)
    assert empty.returncode == 1 and "holds no event" in empty.stderr and "Traceback" not in empty.stderr
    unreachable = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    down = run_cli("station", "list", "--store", unreachable, check=False)
    assert down.returncode == 1 and "cannot reach" in down.stderr and "Traceback" not in down.stderr
    both = run_cli("station", "list", "--store", pg_url, "--db", str(tmp_path / "x.db"), check=False)
    assert both.returncode == 2 and "not both" in both.stderr
    with pytest.raises(EventOpsError, match="postgresql://"):
        from eventops.store_option import resolve

        resolve(None, "mysql://x")


def test_a_bundle_from_the_store_is_the_bundle_from_the_file_it_was_moved_from(tmp_path: Path, pg_url: str) -> None:
    hub_db = hub_on_postgresql(tmp_path, pg_url)
    from_file = run_cli("sync", "export", "--db", str(hub_db), "--since", "0").stdout
    from_store = run_cli("sync", "export", "--store", pg_url, "--since", "0").stdout
    assert from_store == from_file and from_store.count("\n") > 30


@pytest.mark.filterwarnings("ignore:You should not use the .timeout.")
def test_the_enrolment_names_every_hub_and_a_lost_store_is_a_503_not_a_bug(tmp_path: Path, pg_url: str, pg_server: object) -> None:
    """In-process: the answer lists the store's hubs and `--peer`s (the station keeps them for
    failover); a store whose connections die answers 503, which the station takes as 'try
    another hub', and the hub recovers by itself."""
    import warnings

    from sync.client import HubClient, Unreachable
    from sync.hub import create_app
    from sync.pg.store import register_hub

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from .helpers import Node

    hub = Node(tmp_path / "unused.db", "org", pg=pg_url)
    reference_data(hub.db)
    register_hub(hub.db, "http://10.0.0.3:8765")  # another hub that served this store
    desk = Node(tmp_path / "desk-1.db", "desk-1")
    try:
        code = json.loads(run_cli("station", "add", "desk-1", "--kind", "desk", "--store", pg_url, "--json").stdout)["code"]
        with TestClient(create_app(pg_url, peers=("http://10.0.0.4:8765",))) as http:
            from db import trust
            from sync.enrol import EnrolCode, failover_urls

            answer = HubClient("http://testserver", http=http).enrol(EnrolCode.decode(code).secret, trust.public_key_of(desk.db, "desk-1"))
            assert answer["hubs"] == ["http://10.0.0.3:8765", "http://10.0.0.4:8765"]
            assert failover_urls("http://10.0.0.2:8765", [*answer["hubs"], "ftp://x", 7]) == [
                "http://10.0.0.2:8765", "http://10.0.0.3:8765", "http://10.0.0.4:8765"]
            client = HubClient("http://testserver", answer["token"], http=http)
            refused = None
            for _ in range(5):
                # The store's server drops the hub's connections. A connection the pool was still
                # opening at that moment survives and may serve the next pull: then drop again.
                with psycopg.connect(pg_url, autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                try:
                    client.pull({}, 0)  # anything but a 503 here (a 500) raises another error
                except Unreachable as error:
                    refused = error
                    break
            assert refused is not None and "unavailable" in str(refused)

            def answers() -> bool:
                try:
                    client.pull({}, 0)
                    return True
                except Unreachable:
                    return False

            assert wait_for(answers)
    finally:
        hub.close()
        desk.close()
