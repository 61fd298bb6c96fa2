"""Bundles: events on a USB stick where there is no network (a bus back from a field visit).

A bundle is JSON lines, optionally gzipped: a header line, then one event per line in
(station, seq) order. Importing merges what continues the importer's log; importing twice,
or an old bundle, changes nothing. Events that would leave a gap are skipped and counted.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database

from db import log
from db.errors import EventOpsError
from db.events import Event
from db.node import local_station
from sync import store
from sync.incidents import merge_guarded
from sync.protocol import parse_vector

FORMAT = "eventops-bundle"
VERSION = 1


class BundleProblem(EventOpsError):
    """A bundle file is unusable; nothing was imported."""


SINCE_HELP = "--since is a vector ('{\"desk-1\": 20}' or 'desk-1=20,door-R1=5'), 0, or the receiver's database file"
#: A `--since` file larger than this is no vector (a database is read by SQLite, not by us).
MAX_SINCE_FILE_BYTES = 16 * 1024 * 1024


def parse_since(text: str) -> dict[str, int]:
    """`--since`: a vector as JSON, `station=seq,...`, `0` for everything, or a file holding one.

    The inline forms come first, so a long vector is never mistaken for a file name; a file
    is either the receiver's database (its vector is read) or a text file with a vector.
    """
    inline = _parse_vector_text(text)
    if inline is not None:
        return inline
    path = Path(text.strip())
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # a name too long or with a NUL byte: no file of ours
        is_file = False
    if not is_file:
        raise EventOpsError(f"{SINCE_HELP}; {_short(text)} is none of these")
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_SINCE_FILE_BYTES + 1)
    except OSError as error:
        raise EventOpsError(f"--since: cannot read {path}: {_why(error)}") from None
    if head.startswith(b"SQLite format 3"):
        from db.connect import connect

        other = connect(path, create=False)
        try:
            return log.vector(other)
        finally:
            other.conn.close()
    if len(head) > MAX_SINCE_FILE_BYTES:
        raise EventOpsError(f"--since {path}: too large for a vector, and not an SQLite database")
    try:
        content = head.decode("utf-8")
    except UnicodeDecodeError:
        raise EventOpsError(f"--since {path}: neither an eventops database nor a text file with a vector") from None
    vector = _parse_vector_text(content)
    if vector is None:
        raise EventOpsError(f"--since {path}: the file holds no vector. {SINCE_HELP}")
    return vector


def _parse_vector_text(text: str) -> dict[str, int] | None:
    """A vector written inline (JSON, `a=1,b=2`, `0`), or None when the text is not one."""
    text = text.strip()
    if text in ("", "0", "{}"):
        return {}
    try:
        if text.startswith("{"):
            return parse_vector(json.loads(text))
        if "=" not in text:
            return None
        out: dict[str, int] = {}
        for part in text.split(","):
            station, sep, seq = part.partition("=")
            if not sep or not seq.strip().isdigit():
                return None
            out[station.strip()] = int(seq)
        return parse_vector(out)
    except (ValueError, RecursionError, EventOpsError):
        return None


def _short(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _why(error: Exception) -> str:
    return str(getattr(error, "strerror", None) or error)


def export(db: Database, since: Mapping[str, int], out: IO[bytes], *, compress: bool = False) -> int:
    """Write every event beyond `since` as a bundle; returns how many."""
    events = _all_lacking(db, since)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "source": local_station(db),
        "vector": log.vector(db),
        "since": dict(since),
        "count": len(events),
    }
    lines = [json.dumps(header, separators=(",", ":"))]
    lines += [json.dumps(e.to_wire(), ensure_ascii=False, separators=(",", ":")) for e in events]
    payload = ("\n".join(lines) + "\n").encode()
    out.write(gzip.compress(payload, mtime=0) if compress else payload)
    return len(events)


def _all_lacking(db: Database, since: Mapping[str, int]) -> list[Event]:
    out: list[Event] = []
    while True:
        batch = log.lacking(db, {**since, **{e.station_id: e.seq for e in out}}, 10_000)
        if not batch:
            return out
        out.extend(batch)


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # station -> events beyond a gap
    source: str = ""
    quarantined: int = 0  # events of revoked stations kept out of the log

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "quarantined": self.quarantined,
            "source": self.source,
        }


def read(raw: bytes) -> tuple[dict[str, Any], list[Event]]:
    """Parse a bundle (plain or gzipped JSON lines) into its header and events."""
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            raise BundleProblem("the bundle is a damaged gzip file") from None
    lines = [line for line in io.StringIO(raw.decode("utf-8", errors="replace")) if line.strip()]
    if not lines:
        raise BundleProblem("the bundle is empty")
    try:
        header = json.loads(lines[0])
    except ValueError:
        raise BundleProblem("the bundle's first line is not a header: is this an eventops bundle?") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BundleProblem("not an eventops bundle (its header lacks format: eventops-bundle)")
    if header.get("version") != VERSION:
        raise BundleProblem(f"bundle version {header.get('version')} is not supported (expected {VERSION})")
    events: list[Event] = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            events.append(Event.from_wire(json.loads(line)))
        except ValueError as error:
            raise BundleProblem(f"line {number} of the bundle is not a valid event: {error}") from None
    return header, events


def import_events(db: Database, events: Iterable[Event], *, via: str = "bundle") -> ImportReport:
    """Merge what continues our log; skip (and count) what would leave a gap.

    Like a hub's push (the same code): events of a revoked station beyond what we hold are
    quarantined as an incident, and far-ahead clocks raise theirs (we are the observer).
    """
    report = ImportReport()
    revoked = store.revoked_stations(db)
    held = log.vector(db)
    mergeable: list[Event] = []
    unique = {event.ident: event for event in events}
    for event in sorted(unique.values(), key=lambda e: e.ident):
        have = held.get(event.station_id, 0)
        if event.station_id in revoked and event.seq > have:
            mergeable.append(event)  # quarantined whatever its seq: it never joins the log
        elif event.seq <= have + 1:
            mergeable.append(event)
            held[event.station_id] = max(have, event.seq)
        else:
            report.skipped[event.station_id] = report.skipped.get(event.station_id, 0) + 1
    result = merge_guarded(db, mergeable, revoked=revoked, observer=local_station(db), via=via)
    report.added, report.duplicates = len(result.merged.added), result.merged.duplicates
    report.quarantined = result.quarantined
    return report


def import_file(db: Database, path: Path) -> ImportReport:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BundleProblem(f"cannot read {path}: {error.strerror}") from None
    header, events = read(raw)
    source = str(header.get("source", ""))
    report = import_events(db, events, via=f"bundle:{source}" if source else "bundle")
    report.source = source
    return report
