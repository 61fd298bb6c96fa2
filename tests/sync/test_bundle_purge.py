"""No network at all: events carried in a bundle file; and purge after the event."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import events as ev
from db import log
from db.connect import connect, get_setting
from db.errors import EventOpsError
from eventops.cli import main
from sync import bundle
from sync.client import PURGED, sync_once

from .helpers import Node, grant, reference_data, scan

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")


def test_a_bus_brings_its_scans_back_on_a_usb_stick(tmp_path: Path) -> None:
    hub = Node(tmp_path / "hub.db", "org")
    reference_data(hub.db)
    bus = Node(tmp_path / "bus.db", "bus-V1-B1")
    try:
        sync_once(bus.db, client=hub.client_for(bus))
        for i in range(1, 8):
            log.append(bus.db, "bus-V1-B1", ev.BUS_BOARDED, {"attendee": f"A{i:03d}", "visit": "V1", "bus": "V1-B1"}, wall=bus.wall)
        runner = CliRunner()
        out = runner.invoke(main, ["sync", "export", "--db", str(bus.path), "--since", str(hub.path)])
        assert out.exit_code == 0, out.output
        stick = tmp_path / "bus.bundle"
        stick.write_bytes(out.stdout_bytes)
        header = json.loads(out.stdout_bytes.splitlines()[0])
        assert header["format"] == "eventops-bundle" and header["count"] == 7
        before = hub.vector()
        first = runner.invoke(main, ["sync", "import", str(stick), "--db", str(hub.path), "--json"])
        assert first.exit_code == 0, first.output
        assert json.loads(first.output)["added"] == 7
        assert hub.vector() == {**before, "bus-V1-B1": 7}
        again = runner.invoke(main, ["sync", "import", str(stick), "--db", str(hub.path), "--json"])
        assert json.loads(again.output) == {"added": 0, "duplicates": 7, "skipped": {}, "quarantined": 0, "waiting": 0, "source": "bus-V1-B1"}
        assert {x for x in hub.idents() if x[0] == "bus-V1-B1"} == {x for x in bus.idents() if x[0] == "bus-V1-B1"}
    finally:
        hub.close()
        bus.close()


def test_bundles_gzip_old_and_gapped(tmp_path: Path) -> None:
    src = Node(tmp_path / "src.db", "desk-1")
    dst = Node(tmp_path / "dst.db", "org")
    reference_data(dst.db)
    grant(dst.db, "desk-1", key_from=src.db, wall=dst.wall)  # the organiser enrolled the desk: it knows its key
    try:
        for i in range(1, 11):
            scan(src.db, "desk-1", i, src.wall)
        late = io.BytesIO()
        assert bundle.export(src.db, {"desk-1": 6}, late, compress=True) == 4
        raw = late.getvalue()
        assert gzip.decompress(raw).startswith(b'{"format":"eventops-bundle"')
        gapped = bundle.import_stream(dst.db, io.BytesIO(raw))
        assert gapped.added == 0 and gapped.skipped == {"desk-1": 4} and "desk-1" not in dst.vector()
        early = io.BytesIO()
        bundle.export(src.db, bundle.parse_since("desk-1=0"), early)
        assert bundle.import_stream(dst.db, io.BytesIO(early.getvalue())).added == 10
        assert bundle.import_stream(dst.db, io.BytesIO(raw)).duplicates == 4  # an old bundle changes nothing
        assert {x for x in dst.idents() if x[0] == "desk-1"} == src.idents()
        with pytest.raises(EventOpsError):
            bundle.BundleReader(io.BytesIO(b'{"format": "something else"}\n'))
        with pytest.raises(EventOpsError, match="line 2 of the bundle is not a valid event"):
            list(bundle.BundleReader(io.BytesIO(b'{"format":"eventops-bundle","version":2,"count":1}\n{"station_id": 3}\n')).events())
        with pytest.raises(EventOpsError, match="--since"):
            bundle.parse_since("desk-1:three")
    finally:
        src.close()
        dst.close()


def test_purge_removes_names_and_says_what(tmp_path: Path) -> None:
    db_path = tmp_path / "desk.db"
    db = connect(db_path)
    reference_data(db, attendees=5)
    db.execute("INSERT INTO node (key, value) VALUES ('station_id', 'desk-1')")
    scan(db, "desk-1", 1, lambda: 1_710_925_200_000)
    count = log.count(db)
    db.conn.close()
    result = CliRunner().invoke(main, ["purge", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "removed personal data of 5 attendees from 5 events" in result.output
    assert "city: 5 values blanked" in result.output
    db = connect(db_path)
    attendees = [e.data for e in log.all_events(db) if e.kind == ev.ATTENDEE_REGISTERED]
    assert all(a["name"] == "" and a["org"] == "" and a["city"] == "" for a in attendees)
    assert {a["id"] for a in attendees} == {f"A{i:03d}" for i in range(1, 6)}
    assert log.count(db) == count  # the scans stay
    with pytest.raises(Exception, match="append-only"):
        db.execute("DELETE FROM events")  # the log is append-only again
    assert get_setting(db, PURGED) == "1"
    with pytest.raises(EventOpsError, match="purged"):
        sync_once(db, "http://127.0.0.1:9", "token")
    again = CliRunner().invoke(main, ["purge", "--db", str(db_path)])
    assert "nothing personal left to remove" in again.output


def test_purge_refuses_the_organisers_database(tmp_path: Path) -> None:
    db = connect(tmp_path / "org.db")
    reference_data(db, attendees=2)
    db.conn.close()
    result = CliRunner().invoke(main, ["purge", "--db", str(tmp_path / "org.db")])
    assert result.exit_code == 1 and "organiser" in result.output


def test_a_bundle_cannot_bring_in_a_revoked_stations_later_events(tmp_path: Path) -> None:
    """A stolen desk's later scans, carried on a USB stick, are quarantined as an incident (like a relay's push)."""
    from sync import store
    from sync.enrol import revoke_station

    hub = Node(tmp_path / "hub.db", "org")
    reference_data(hub.db)
    desk = Node(tmp_path / "desk.db", "desk-1")
    try:
        desk_on_hub = hub.client_for(desk)
        for i in range(1, 4):
            scan(desk.db, "desk-1", i, desk.wall)
        sync_once(desk.db, client=desk_on_hub)
        for i in range(4, 7):
            scan(desk.db, "desk-1", i, desk.wall)
        revoke_station(hub.db, "desk-1")
        stick = tmp_path / "desk.bundle"
        out = CliRunner().invoke(main, ["sync", "export", "--db", str(desk.path), "--since", "0"])
        assert out.exit_code == 0, out.output
        stick.write_bytes(out.stdout_bytes)
        runner = CliRunner()
        first = runner.invoke(main, ["sync", "import", str(stick), "--db", str(hub.path), "--json"])
        assert first.exit_code == 0, first.output
        assert json.loads(first.output)["quarantined"] == 3 and json.loads(first.output)["added"] == 0
        assert hub.vector()["desk-1"] == 3  # what came before the revocation stays
        assert [e.seq for e in store.quarantined(hub.db)] == [4, 5, 6]
        incidents = [e for e in log.all_events(hub.db) if e.kind == ev.SCAN_REJECTED]
        assert [(e.station_id, e.data["station_id"], e.data["count"], e.data["via"]) for e in incidents] == [
            ("org", "desk-1", 3, "bundle:desk-1")
        ]
        again = runner.invoke(main, ["sync", "import", str(stick), "--db", str(hub.path)])
        assert again.exit_code == 0 and "quarantined" not in again.output
        assert len([e for e in log.all_events(hub.db) if e.kind == ev.SCAN_REJECTED]) == 1
    finally:
        hub.close()
        desk.close()


def test_a_bundle_from_a_clock_a_year_ahead_raises_an_incident(tmp_path: Path) -> None:
    import time

    year = 365 * 24 * 3_600_000
    dst = Node(tmp_path / "hub.db", "org")
    reference_data(dst.db)
    far = Node(tmp_path / "far.db", "door-R1", wall=lambda: time.time_ns() // 1_000_000 + year)
    grant(dst.db, "door-R1", key_from=far.db)
    try:
        scan(far.db, "door-R1", 1, far.wall)
        raw = io.BytesIO()
        bundle.export(far.db, {}, raw)
        assert bundle.import_stream(dst.db, io.BytesIO(raw.getvalue())).added == 1
        reports = [e for e in log.all_events(dst.db) if e.kind == ev.CLOCK_SUSPECT]
        assert [(e.station_id, e.data["station_id"]) for e in reports] == [("org", "door-R1")]
    finally:
        dst.close()
        far.close()


def test_since_takes_long_vectors_inline_and_refuses_odd_files_in_one_line(tmp_path: Path) -> None:
    src = Node(tmp_path / "src.db", "desk-1")
    try:
        for i in range(1, 4):
            scan(src.db, "desk-1", i, src.wall)
        long_vector = {f"door-{i:04d}": i for i in range(400)} | {"desk-1": 1}
        text = json.dumps(long_vector)
        assert len(text) > 4096  # longer than any file name may be
        assert bundle.parse_since(text) == long_vector
        assert bundle.parse_since(" desk-1=2, door-R1=5 ") == {"desk-1": 2, "door-R1": 5}
        runner = CliRunner()
        out = runner.invoke(main, ["sync", "export", "--db", str(src.path), "--since", text])
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout_bytes.splitlines()[0])["count"] == 2
        # a vector in a text file, the receiver's database, and files that are neither
        (tmp_path / "since.txt").write_text("desk-1=2\n")
        assert bundle.parse_since(str(tmp_path / "since.txt")) == {"desk-1": 2}
        assert bundle.parse_since(str(src.path)) == {"desk-1": 3}
        (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
        (tmp_path / "notes.txt").write_text("bring the badges")
        for since, words in [
            (str(tmp_path / "photo.jpg"), "neither an eventops database nor a text file"),
            (str(tmp_path / "notes.txt"), "holds no vector"),
            ("{" + text[1:-1], "none of these"),  # broken JSON, far too long for a file name
            ("hub\x00.db", "none of these"),  # a NUL byte: no file name at all
            (str(tmp_path / "missing.db"), "none of these"),
        ]:
            with pytest.raises(EventOpsError, match=words):
                bundle.parse_since(since)
        refused = runner.invoke(main, ["sync", "export", "--db", str(src.path), "--since", str(tmp_path / "photo.jpg")])
        assert refused.exit_code == 1 and "--since" in refused.output and "Traceback" not in refused.output
        assert len(refused.output.strip().splitlines()) == 1
    finally:
        src.close()


def test_a_purge_and_its_no_longer_syncs_mark_land_together(tmp_path: Path) -> None:
    """If the mark cannot be written (disk full, power cut), the names are not blanked either:
    a blanked log without the mark would sync events that no longer equal everyone's."""
    import sqlite3

    from sync.purge import purge

    db = connect(tmp_path / "desk.db")
    reference_data(db, attendees=3)
    db.execute("INSERT INTO node (key, value) VALUES ('station_id', 'desk-1')")
    db.execute("CREATE TRIGGER no_room BEFORE INSERT ON node BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.DatabaseError, match="disk full"):
        purge(db)
    assert get_setting(db, PURGED) is None
    assert all(e.data["name"] for e in log.all_events(db) if e.kind == ev.ATTENDEE_REGISTERED)
    db.execute("DROP TRIGGER no_room")
    assert purge(db).attendees == 3 and get_setting(db, PURGED) == "1"
