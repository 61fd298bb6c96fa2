"""Bundles that cannot be cut, padded, edited or bombed: each such file is refused whole, in
one line with exit status 1, and nothing of it is imported; a good bundle still round-trips.

Real files, the real command line (click's runner in-process; real processes where blocking or
memory is the point, their peak RSS read from the kernel's VmHWM).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db import events as ev
from db import log, signing
from eventops.cli import main
from sync import bundle, store

from .helpers import EVENTOPS, Node, grant, reference_data

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout'")

SCANS = 12


@pytest.fixture
def bus_and_hub(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """A bus back from a field visit with its boardings, and the hub that lacks them."""
    hub = Node(tmp_path / "hub.db", "org")
    bus = Node(tmp_path / "bus.db", "bus-V1-B1")
    try:
        reference_data(hub.db)
        grant(hub.db, "bus-V1-B1", key_from=bus.db, wall=hub.wall)  # the hub enrolled the bus: it knows its key
        log.append_many(
            bus.db,
            "bus-V1-B1",
            [log.Draft(ev.BUS_BOARDED, {"attendee": f"A{i:03d}", "visit": "V1", "bus": "V1-B1"}) for i in range(1, SCANS + 1)],
            wall=bus.wall,
        )
        yield bus, hub
    finally:
        bus.close()
        hub.close()


def export(bus: Node, *extra: str) -> bytes:
    out = CliRunner().invoke(main, ["sync", "export", "--db", str(bus.path), "--since", "0", *extra])
    assert out.exit_code == 0, out.output
    return out.stdout_bytes


def framed(header: dict[str, object], lines: list[bytes], key: Ed25519PrivateKey | None = None) -> bytes:
    """A bundle written by hand with a correct end line (what a careful forger would make),
    signed with `key` (the station's own, stolen, or a stranger's) or not at all."""
    body = json.dumps(header).encode() + b"\n" + b"".join(lines)
    digest = hashlib.sha256(body).hexdigest()
    end = bundle.trailer(digest, len(lines), str(header["source"]), key) if key else {"end": True, "count": len(lines), "sha256": digest}
    return body + json.dumps(end).encode() + b"\n"


def held(hub: Node) -> tuple[int, set[tuple[str, int, int, str, str]], int]:
    """Everything an import could change: the log, and the quarantine."""
    return log.count(hub.db), hub.idents(), len(store.quarantined(hub.db))


def refused(hub: Node, stick: Path, words: str) -> str:
    before = held(hub)
    result = CliRunner().invoke(main, ["sync", "import", str(stick), "--db", str(hub.path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert words in result.output and "nothing was imported" in result.output, result.output
    assert held(hub) == before
    return result.output


def test_a_good_bundle_round_trips_and_importing_twice_changes_nothing(bus_and_hub: tuple[Node, Node], tmp_path: Path) -> None:
    bus, hub = bus_and_hub
    for extra in ([], ["--gzip"]):
        raw = export(bus, *extra)
        text = gzip.decompress(raw) if extra else raw
        *body, last = text.splitlines(keepends=True)
        end = json.loads(last)
        assert {k: end[k] for k in ("end", "count", "sha256", "signer")} == {
            "end": True, "count": SCANS, "sha256": hashlib.sha256(b"".join(body)).hexdigest(), "signer": "bus-V1-B1"
        }
        assert json.loads(body[0])["version"] == 2 and json.loads(body[0])["count"] == SCANS
        stick = tmp_path / f"bus{len(extra)}.bundle"
        stick.write_bytes(raw)
        runner = CliRunner()
        first = runner.invoke(main, ["sync", "import", str(stick), "--db", str(hub.path), "--json"])
        assert first.exit_code == 0, first.output
        assert json.loads(first.output)["added"] == (0 if extra else SCANS)
        after = held(hub)
        again = runner.invoke(main, ["sync", "import", str(stick), "--db", str(hub.path), "--json"])
        assert json.loads(again.output) == {"added": 0, "duplicates": SCANS, "skipped": {}, "quarantined": 0, "waiting": 0, "source": "bus-V1-B1"}
        assert held(hub) == after
    assert {x for x in hub.idents() if x[0] == "bus-V1-B1"} == bus.idents()


def _cut_at_a_line(raw: bytes) -> bytes:
    lines = raw.splitlines(keepends=True)
    return b"".join(lines[: len(lines) // 2])


def _padded(raw: bytes) -> bytes:
    *lines, end = raw.splitlines(keepends=True)
    extra = json.loads(lines[-1])
    extra["seq"] += 1
    extra["data"]["attendee"] = "A999"
    return b"".join(lines) + json.dumps(extra).encode() + b"\n" + end


def _padded_and_recounted(raw: bytes) -> bytes:
    header, *rest = _padded(raw).splitlines(keepends=True)
    return header.replace(f'"count":{SCANS}'.encode(), f'"count":{SCANS + 1}'.encode()) + b"".join(rest)


def _line_removed(raw: bytes) -> bytes:
    lines = raw.splitlines(keepends=True)
    return b"".join(lines[:3] + lines[4:])


def _edited(raw: bytes) -> bytes:
    assert raw.count(b'"A005"') == 1
    return raw.replace(b'"A005"', b'"A006"')


CASES: list[tuple[str, Callable[[bytes], bytes], str]] = [
    ("cut at a line boundary", _cut_at_a_line, "without its end line: it was cut short"),
    ("cut just before its end line", lambda raw: b"".join(raw.splitlines(keepends=True)[:-1]), "it was cut short"),
    ("cut in the middle of a line", lambda raw: raw[:-10], "ends in the middle of line"),
    ("padded with a valid-looking event", _padded, "more events than the 12 its header counts"),
    ("padded, its header recounted", _padded_and_recounted, "end line counts 12 events but its header 13"),
    ("a line removed", _line_removed, "holds 11 events but counts 12"),
    ("an event edited", _edited, "does not match its SHA-256 checksum"),
    ("garbage after the end", lambda raw: raw + b"rm -rf /\n", "something follows the bundle's end line"),
    ("its end line twice", lambda raw: raw + raw.splitlines(keepends=True)[-1], "something follows the bundle's end line"),
    ("one byte after the end", lambda raw: raw + b" ", "something follows the bundle's end line"),
    ("an old format", lambda raw: raw.replace(b'"version":2', b'"version":1', 1), "made by an older eventops"),
    ("empty", lambda raw: b"", "the bundle is empty"),
    ("gzipped, then cut", lambda raw: gzip.compress(raw)[:-30], "damaged gzip file"),
    ("gzipped, edited", lambda raw: gzip.compress(_edited(raw)), "does not match its SHA-256 checksum"),
    ("gzipped, cut at a line", lambda raw: gzip.compress(_cut_at_a_line(raw)), "it was cut short"),
    ("gzipped, then garbage", lambda raw: gzip.compress(raw) + b"garbage", "damaged gzip file"),
]


@pytest.mark.parametrize(("name", "damage", "words"), CASES, ids=[case[0] for case in CASES])
def test_a_damaged_bundle_is_refused_whole(
    bus_and_hub: tuple[Node, Node], tmp_path: Path, name: str, damage: Callable[[bytes], bytes], words: str
) -> None:
    bus, hub = bus_and_hub
    raw = export(bus)
    stick = tmp_path / "bus.bundle"
    stick.write_bytes(damage(raw))
    refused(hub, stick, words)
    stick.write_bytes(raw)  # copied again: it goes through
    assert bundle.import_file(hub.db, stick).added == SCANS


def test_a_bad_event_late_in_a_checked_bundle_rolls_back_every_chunk_merged_before(
    bus_and_hub: tuple[Node, Node], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The end line vouches for the bytes, not for the events: an invalid event at line 10 is
    found while merging, after three chunks went in, and the one transaction undoes them."""
    bus, hub = bus_and_hub
    monkeypatch.setattr(bundle, "MERGE_CHUNK", 3)
    lines = export(bus).splitlines(keepends=True)[1:-1]
    header = {"format": "eventops-bundle", "version": 2, "source": "bus-V1-B1", "count": SCANS}
    stick = tmp_path / "forged.bundle"
    key = signing.private_key(bus.db, "bus-V1-B1")  # the bus's own key: a broken exporter, not a forger
    stick.write_bytes(framed(header, lines[:9] + [lines[9].replace(b"bus.boarded", b"bus.hijacked")] + lines[10:], key))
    refused(hub, stick, "line 11 of the bundle is not a valid event: unknown event kind 'bus.hijacked'")
    stick.write_bytes(framed(header, lines[:5] + lines[6:7] + lines[5:6] + lines[7:], key))
    refused(hub, stick, "bus-V1-B1#6 is out of (station, seq) order or repeated")


def test_a_bundle_framed_again_without_the_writers_key_is_refused(bus_and_hub: tuple[Node, Node], tmp_path: Path) -> None:
    """Cutting a bundle and writing a fresh, correct end line is not enough: it must be signed by
    the station that wrote it, with the key the log binds to that station."""
    bus, hub = bus_and_hub
    lines = export(bus).splitlines(keepends=True)[1:-1][:6]
    header = {"format": "eventops-bundle", "version": 2, "source": "bus-V1-B1", "count": 6}
    stick = tmp_path / "reframed.bundle"
    stick.write_bytes(framed(header, lines))
    refused(hub, stick, "not signed by the station that wrote it")
    stick.write_bytes(framed(header, lines, Ed25519PrivateKey.generate()))
    refused(hub, stick, "signature is not bus-V1-B1's: it was forged or edited")
    stranger = {**header, "source": "bus-V9-B9"}
    stick.write_bytes(framed(stranger, lines, Ed25519PrivateKey.generate()))
    refused(hub, stick, "whose key this node does not know yet")


def test_an_export_larger_than_an_import_reads_is_refused(bus_and_hub: tuple[Node, Node], monkeypatch: pytest.MonkeyPatch) -> None:
    bus, _ = bus_and_hub
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", 1000)
    out = CliRunner().invoke(main, ["sync", "export", "--db", str(bus.path), "--since", "0"])
    assert out.exit_code == 1 and "the most an import reads" in out.output and "Traceback" not in out.output
    assert b'"end"' not in out.stdout_bytes  # what was written has no end line: any import refuses it


#: Runs the real command line, then writes the process's peak RSS (VmHWM, kB) to a file.
#: Not ru_maxrss: Linux carries the parent's peak across fork and exec into it (the test
#: process's own size would hide the import's).
PEAK_RSS = r"""
import atexit, re, sys
from pathlib import Path
out = Path(sys.argv.pop(1))
atexit.register(lambda: out.write_text(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())[1]))
from eventops.cli import main
sys.argv[0] = "eventops"
main()
"""


def import_measured(stick: Path, hub_db: Path) -> tuple[int, str, float]:
    """`eventops sync import` as a real process: exit status, output, peak RSS in MB."""
    peak = stick.with_suffix(".peak")
    result = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(peak), "sync", "import", str(stick), "--db", str(hub_db)],
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard, not a timing
    )
    return result.returncode, result.stdout + result.stderr, int(peak.read_text()) / 1024


def test_gzip_bombs_are_refused_in_bounded_memory(bus_and_hub: tuple[Node, Node], tmp_path: Path) -> None:
    """Three bombs of ~210 MB decompressed (~0.2-3 MB on the stick), at the real limits: a
    header then zeros (one endless line), then newlines, then valid-looking events of 16 KB
    each until the decompressed budget is spent. Each is refused while the process grows by
    a few MB over a good import's peak (reading one whole would need hundreds)."""
    bus, hub = bus_and_hub
    good = tmp_path / "good.bundle"
    good.write_bytes(export(bus))
    status, output, baseline = import_measured(good, hub.path)
    assert status == 0, output
    header = json.dumps({"format": "eventops-bundle", "version": 2, "source": "bus-V1-B1", "count": 10**6}).encode() + b"\n"
    size = bundle.MAX_BUNDLE_BYTES + 10 * 2**20
    note = "x" * 16_000

    def event_lines() -> Iterator[bytes]:
        seq = 0
        while True:
            seq += 1
            data = {"attendee": "A001", "visit": "V1", "bus": "V1-B1", "note": note}
            yield json.dumps({"station_id": "bus-V9", "seq": seq, "hlc": seq, "kind": "bus.boarded", "data": data}).encode() + b"\n"

    def repeated(chunk: bytes) -> Iterator[bytes]:
        while True:
            yield chunk

    before = held(hub)
    for name, lines, words in [
        ("zeros", repeated(b"\0" * 2**20), "longer than 128 KiB"),
        ("newlines", repeated(b"\n" * 2**20), "line 2 of the bundle is empty"),
        ("events", event_lines(), f"larger than {bundle.MAX_BUNDLE_BYTES // 2**20} MB decompressed"),
    ]:
        bomb = tmp_path / f"{name}.bundle"
        written = 0
        with gzip.GzipFile(bomb, "wb", compresslevel=9, mtime=0) as out:
            out.write(header)
            for chunk in lines:
                out.write(chunk)
                written += len(chunk)
                if written > size:
                    break
        assert bomb.stat().st_size < 4 * 2**20
        status, output, peak = import_measured(bomb, hub.path)
        assert status == 1 and words in output and len(output.strip().splitlines()) == 1, output
        assert peak - baseline < 32, f"{name}: peak RSS {peak:.0f} MB against {baseline:.0f} MB for a good bundle"
    assert held(hub) == before


def test_files_that_are_no_bundle_are_refused_at_once(bus_and_hub: tuple[Node, Node], tmp_path: Path) -> None:
    """`/dev/zero` never ends and a FIFO without a writer blocks whoever opens it: both are
    refused before a byte is read (the subprocess timeout is a hang guard, not a timing)."""
    _, hub = bus_and_hub
    fifo = tmp_path / "stick.fifo"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.bundle"
    with huge.open("wb") as out:
        out.truncate(bundle.MAX_FILE_BYTES + 1)  # sparse: nothing written, the size is what counts
    for path, words in [
        (Path("/dev/zero"), "it is a character device, not a bundle file"),
        (fifo, "it is a FIFO (named pipe), not a bundle file"),
        (tmp_path, "it is a directory, not a bundle file"),
        (tmp_path / "missing.bundle", "No such file or directory"),
        (huge, "the bundle file is larger than 200 MB"),
    ]:
        result = subprocess.run(
            [EVENTOPS, "sync", "import", str(path), "--db", str(hub.path)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 1 and words in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "nothing was imported" in result.stderr
