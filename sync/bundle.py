"""Bundles: events on a USB stick where there is no network (a bus back from a field visit).

A bundle (format version 2) is JSON lines, optionally gzipped: a header line with the event
`count`, one event per line in (station, seq) order, and an end line
`{"end": true, "count": N, "sha256": <hex digest of every byte before it>}`. A bundle that was
cut, padded, edited or followed by anything is refused whole, and nothing of it is imported.
Reading streams line by line under limits (line length, decompressed size, file size), so a
gzip bomb, `/dev/zero` or a FIFO costs neither memory nor a hang. Importing merges what
continues the importer's log; importing twice, or an old bundle, changes nothing. Events
that would leave a gap are skipped and counted.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import os
import stat
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from db import log, signing, trust
from db.connect import write
from db.errors import EventOpsError
from db.events import Event
from db.node import local_station
from sync import store
from sync.incidents import merge_guarded
from sync.protocol import parse_vector

FORMAT = "eventops-bundle"
VERSION = 2

# Limits of what an import reads (module constants, so a test can lower them). They bound
# memory and time whatever the file holds; an honest bundle is far inside them.
#: The most a bundle may hold decompressed (~1.5 million scans): a gzip bomb stops here.
MAX_BUNDLE_BYTES = 200 * 2**20
#: The most a bundle file may be on the stick, compressed or not.
MAX_FILE_BYTES = 200 * 2**20
#: The longest event line: event data is at most 16 Ki characters, each at most 4 bytes of UTF-8.
MAX_LINE_BYTES = 128 * 2**10
#: The longest header line: it carries two vectors (tens of thousands of stations fit).
MAX_HEADER_BYTES = 4 * 2**20
#: Events merged per step of an import's one transaction (bounds memory, not atomicity).
MERGE_CHUNK = 20_000
#: Events read from the log per step of an export.
EXPORT_BATCH = 10_000


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


def _line_bytes(obj: Mapping[str, Any]) -> bytes:
    return orjson.dumps(obj) + b"\n"


def trailer(digest: str, count: int, signer: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A bundle's end line, made in this one place: signed by the node that wrote the bundle.

    `digest` is the SHA-256 of every byte before the end line, `count` the events written;
    the signature covers both, so nobody without the writer's key can cut, pad or edit it.
    """
    return {"end": True, "count": count, "sha256": digest, "signer": signer, "sig": key.sign(_signed(digest, count)).hex()}


def _signed(digest: str, count: int) -> bytes:
    return f"eventops-bundle/{VERSION}\n{count}\n{digest}".encode()


def check_signature(db: Database, end: Mapping[str, Any], source: str) -> None:
    """The end line's signature, by the station the header names, checked against the key the
    log binds to it: a bundle from a station this node does not know yet is refused."""
    signer, sig = end.get("signer"), end.get("sig")
    if not isinstance(signer, str) or not isinstance(sig, str) or signer != source:
        raise BundleProblem("the bundle's end line is not signed by the station that wrote it")
    author = trust.author(db, signer)
    if author is None:
        raise BundleProblem(f"the bundle comes from {signer}, whose key this node does not know yet: sync with the hub first")
    try:
        signature = bytes.fromhex(sig)
    except ValueError:
        signature = b""
    if not signing.verifies(author.public_key, signature, _signed(str(end.get("sha256")), int(end.get("count") or 0))):
        raise BundleProblem(f"the bundle's signature is not {signer}'s: it was forged or edited")


def check_trailer(end: Mapping[str, Any], *, header: Mapping[str, Any], digest: str, count: int) -> None:
    """Vouch for a whole bundle by its end line, or refuse it: the one place this is checked.

    Its count must equal the header's and the events read (else lines were cut out or
    added), its digest the bytes read (else the bundle was edited or damaged).
    """
    said, checksum = end.get("count"), end.get("sha256")
    if end.get("end") is not True or type(said) is not int or not isinstance(checksum, str):
        raise BundleProblem("the bundle's end line is malformed")
    if said != header["count"]:
        raise BundleProblem(f"the bundle's end line counts {said} events but its header {header['count']}")
    if count != said:
        raise BundleProblem(f"the bundle holds {count} events but counts {said}: events were removed or added")
    if checksum != digest:
        raise BundleProblem("the bundle does not match its SHA-256 checksum: it was edited or damaged")


def export(db: Database, since: Mapping[str, int], out: IO[bytes], *, compress: bool = False) -> int:
    """Write every event beyond `since` as a bundle; returns how many.

    Streams from the log in batches inside one read transaction, so the header's count and
    the events come from one state of the log; the end line is written last, so an export
    that fails half-way leaves a bundle every import refuses.
    """
    sink: IO[bytes] | gzip.GzipFile = gzip.GzipFile(fileobj=out, mode="wb", mtime=0) if compress else out
    digest = hashlib.sha256()
    size = 0
    written = 0

    def put(data: bytes, *, hashed: bool = True) -> None:
        nonlocal size
        size += len(data)
        if size > MAX_BUNDLE_BYTES:
            raise BundleProblem(
                f"the bundle would be larger than {MAX_BUNDLE_BYTES // 2**20} MB, the most an import reads: "
                "export what the receiver lacks (--since its database), or in parts; what was written is unusable"
            )
        if hashed:
            digest.update(data)
        sink.write(data)

    signer = local_station(db)
    key, _ = trust.signer(db, signer)
    with db.atomic():  # a read transaction: one snapshot of the log
        count = log.lacking_count(db, since)
        put(_line_bytes({
            "format": FORMAT,
            "version": VERSION,
            "source": signer,
            "vector": log.vector(db),
            "since": dict(since),
            "count": count,
        }))
        position = dict(since)
        while batch := log.lacking(db, position, EXPORT_BATCH):
            put(b"".join(_line_bytes(event.to_wire()) for event in batch))
            position.update((event.station_id, event.seq) for event in batch)
            written += len(batch)
    if written != count:  # the log has a hole: write no end line, so the bundle is refused
        raise EventOpsError(f"the log holds {written} of the {count} events it should: the bundle is unusable")
    put(_line_bytes(trailer(digest.hexdigest(), written, signer, key)), hashed=False)
    if compress:
        sink.close()  # writes gzip's own trailer; `out` stays open
    return written


class _Capped(io.RawIOBase):
    """A file read with a cap on the bytes taken from it (MAX_FILE_BYTES), even if it grows."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        got = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._taken += got or 0
        if self._taken > MAX_FILE_BYTES:
            raise BundleProblem(f"the bundle file is larger than {MAX_FILE_BYTES // 2**20} MB")
        return int(got or 0)


class BundleReader:
    """One bundle read as a stream: the header at once, then events one by one, the end line last.

    Memory stays bounded whatever the file holds: lines are read one at a time under a length
    limit and the decompressed bytes under a budget. The bundle is vouched for only when
    `events()` has run out without raising, so a caller merges inside one transaction and
    lets a BundleProblem roll it back.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        buffered = io.BufferedReader(_Capped(stream))
        self._stream: io.BufferedIOBase = buffered
        if buffered.peek(2)[:2] == b"\x1f\x8b":
            self._stream = gzip.GzipFile(fileobj=buffered, mode="rb")
        self._digest = hashlib.sha256()
        self._read = 0  # decompressed bytes so far
        self._number = 0  # lines so far
        self.header = self._header()
        #: The end line, once the whole bundle was read and its count and checksum agree.
        self.end: dict[str, Any] = {}

    @property
    def source(self) -> str:
        return str(self.header.get("source") or "")

    def _line(self, limit: int) -> bytes:
        """The next line, newline included; b"" at the end of the file."""
        line = self._stream.readline(limit + 1)
        if not line:
            return b""
        self._number += 1
        self._read += len(line)
        if self._read > MAX_BUNDLE_BYTES:
            raise BundleProblem(
                f"the bundle is larger than {MAX_BUNDLE_BYTES // 2**20} MB decompressed, the most an import reads "
                "(a gzip bomb?)"
            )
        if self._number == 1 and not line.endswith(b"\n"):
            raise BundleProblem("not an eventops bundle (its first line is no header)")
        if len(line) > limit:
            raise BundleProblem(f"line {self._number} of the bundle is longer than {limit // 1024} KiB, more than any event")
        if not line.endswith(b"\n"):
            raise BundleProblem(f"the bundle ends in the middle of line {self._number}: it was cut short")
        return line

    def _header(self) -> dict[str, Any]:
        line = self._line(MAX_HEADER_BYTES)
        if not line:
            raise BundleProblem("the bundle is empty")
        try:
            header = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise BundleProblem("the bundle's first line is not a header: is this an eventops bundle?") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise BundleProblem("not an eventops bundle (its header lacks format: eventops-bundle)")
        version = header.get("version")
        if type(version) is int and version < VERSION:
            raise BundleProblem(f"the bundle was made by an older eventops (format {version}, which cannot be checked): export it again")
        if version != VERSION:
            raise BundleProblem(f"bundle format {version!r} is not supported (expected {VERSION}): made by a newer eventops?")
        count, source = header.get("count"), header.get("source", "")
        if type(count) is not int or count < 0:
            raise BundleProblem("the bundle's header lacks its event count")
        if not isinstance(source, str) or len(source) > 64:
            raise BundleProblem("the bundle's header names no valid source station")
        self._digest.update(line)
        return header

    def _event_lines(self) -> Iterator[tuple[str, Any]]:
        """Where and what (parsed JSON) each event line is; at the end line, checks the whole."""
        expected: int = self.header["count"]
        count = 0
        while line := self._line(MAX_LINE_BYTES):
            where = f"line {self._number} of the bundle"
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                what = f"is not JSON ({error.msg})" if line.strip() else "is empty"
                raise BundleProblem(f"{where} {what}") from None
            if isinstance(obj, dict) and "end" in obj:
                check_trailer(obj, header=self.header, digest=self._digest.hexdigest(), count=count)
                self.end = obj
                if self._stream.read(1):
                    raise BundleProblem(f"something follows the bundle's end line ({where}): refused")
                return
            self._digest.update(line)
            count += 1
            if count > expected:
                raise BundleProblem(f"the bundle holds more events than the {expected} its header counts: lines were added")
            yield where, obj
        raise BundleProblem(f"the bundle ends after {count} of its {expected} events, without its end line: it was cut short")

    def events(self) -> Iterator[Event]:
        """Each event in turn; raises BundleProblem where the bundle proves cut, padded or edited."""
        last: tuple[str, int] = ("", 0)
        for where, obj in self._event_lines():
            try:
                event = Event.from_wire(obj)
            except ValueError as error:
                raise BundleProblem(f"{where} is not a valid event: {error}") from None
            if event.ident <= last:
                raise BundleProblem(f"{where}: {event.station_id}#{event.seq} is out of (station, seq) order or repeated")
            last = event.ident
            yield event

    def check(self) -> int:
        """Read the rest of the bundle keeping nothing, and vouch for it (limits, count,
        checksum) or raise BundleProblem; returns how many events it holds."""
        return sum(1 for _ in self._event_lines())


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # station -> events beyond a gap
    source: str = ""
    quarantined: int = 0  # events of revoked stations kept out of the log
    waiting: int = 0  # events whose author's key has not reached this node yet (merged when it does)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "quarantined": self.quarantined,
            "waiting": self.waiting,
            "source": self.source,
        }


def import_events(db: Database, events: Iterable[Event], *, via: str = "bundle") -> ImportReport:
    """Merge what continues our log; skip (and count) what would leave a gap.

    Like a hub's push (the same code): events of a revoked station beyond what we hold are
    quarantined as an incident, and far-ahead clocks raise theirs (we are the observer).
    All in one write transaction, merged MERGE_CHUNK events at a time (events in (station,
    seq) order, as a bundle holds them): an error raised by `events` (a bundle found cut at
    its end) rolls back everything, and a large bundle never sits in memory whole.
    """
    report = ImportReport()
    observer = local_station(db)
    stream = iter(events)
    with write(db):
        revoked = store.revoked_stations(db)
        held = log.vector(db)
        while chunk := list(itertools.islice(stream, MERGE_CHUNK)):
            mergeable: list[Event] = []
            unique = {event.ident: event for event in chunk}
            for event in sorted(unique.values(), key=lambda e: e.ident):
                have = held.get(event.station_id, 0)
                if event.station_id in revoked and event.seq > have:
                    mergeable.append(event)  # quarantined whatever its seq: it never joins the log
                elif event.seq <= have + 1:
                    mergeable.append(event)
                    held[event.station_id] = max(have, event.seq)
                else:
                    report.skipped[event.station_id] = report.skipped.get(event.station_id, 0) + 1
            result = merge_guarded(db, mergeable, revoked=revoked, observer=observer, via=via)
            report.added += len(result.merged.added)
            report.duplicates += result.merged.duplicates
            report.quarantined += result.quarantined
            report.waiting += result.merged.waiting
    return report


def import_stream(db: Database, stream: IO[bytes]) -> ImportReport:
    """Import a bundle from a seekable binary stream: all of it, or nothing (BundleProblem).

    Read twice: once to vouch for it whole before the database is touched, so a cut or
    edited bundle or a gzip bomb costs no write and no lock; then again, checked again (the
    file may have changed in between), and merged inside one transaction.
    """
    start = stream.tell()
    try:
        first = BundleReader(stream)
        first.check()
        check_signature(db, first.end, first.source)
        stream.seek(start)
        bundle = BundleReader(stream)
        source = bundle.source
        report = import_events(db, _as_signed(bundle, first.end), via=f"bundle:{source}" if source else "bundle")
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise BundleProblem("the bundle is a damaged gzip file: it was cut or edited") from None
    report.source = source
    return report


def _as_signed(bundle: BundleReader, signed_end: Mapping[str, Any]) -> Iterator[Event]:
    """The second reading's events, refused at its end (inside the merge's transaction) unless
    it ends in the very end line whose signature the first reading checked."""
    yield from bundle.events()
    if bundle.end != signed_end:
        raise BundleProblem("the bundle changed while it was being imported")


_NOT_FILES = [
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
]


def _check_regular(info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        what = next((name for test, name in _NOT_FILES if test(info.st_mode)), "no regular file")
        raise BundleProblem(f"it is {what}, not a bundle file")
    if info.st_size > MAX_FILE_BYTES:
        raise BundleProblem(f"the bundle file is larger than {MAX_FILE_BYTES // 2**20} MB")


def open_bundle_file(path: Path) -> IO[bytes]:
    """Open a bundle file, refusing at once what is no regular file (a FIFO blocks, /dev/zero never ends)."""
    try:
        _check_regular(os.stat(path))
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO swapped in since the stat: no wait
    except OSError as error:
        raise BundleProblem(f"cannot read it: {_why(error)}") from None
    try:
        _check_regular(os.fstat(fd))  # what was opened is what counts
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb", buffering=0)


def import_file(db: Database, path: Path) -> ImportReport:
    """Import the bundle file at `path`: all of it, or nothing and one line saying why."""
    try:
        with open_bundle_file(path) as stream:
            return import_stream(db, stream)
    except (BundleProblem, trust.Refused) as problem:
        raise BundleProblem(f"{path}: {problem}; nothing was imported") from None
