"""Moving up: copy an SQLite hub's event into an empty PostgreSQL store, verifiably.

What moves: the log (every column, signatures and chain digests as they are, in the order the
rows arrived), the hub's own tables (tokens, so stations do not enrol again; copies of other
hubs' tokens; quarantine), the trust indexes (authors, revocations, events waiting for a key,
evidence), the node's settings and clock, and the files beside the database (the hub's private
keys, its self-signed TLS certificate, so the pins in stations still hold). What stays: the
organiser's contacts, import keys and snapshots (personal data a hub never needs). Counts and
version vectors of both sides are compared before the copy is called done.

The file being moved is not trusted because it is ours: a copy of a hub's database could have
been edited on disk (rows changed with the append-only triggers dropped, an event inserted
with a forged signature). Before anything is copied, every event passes the trust gate again
(`reverify`: `db.log.merge` into a scratch database that trusts only the source's organiser),
as a fresh station pulling the log would check it; one event that does not verify refuses the
move, naming it, and the store stays empty.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from db import log, signing, trust
from db.connect import connect, write
from db.errors import EventOpsError
from db.events import Event
from sync.pg.database import PgDatabase
from sync.tls import default_paths

#: (table, columns) copied as they are, after the log.
TABLES: tuple[tuple[str, str], ...] = (
    ("node", "key, value"),
    ("authors", "station_id, kind, public_key, voucher"),
    ("revocations", "station_id, up_to"),
    ("pending", "station_id, seq, sig, hlc, kind, data, received_ms"),
    ("evidence", "station_id, seq, sig, hlc, kind, data, found_ms"),
    ("sync_tokens", "station_id, kind, role, enrol_hash, token_hash, created_ms, enrolled_ms, revoked_ms"),
    ("sync_token_copies", "token_hash, station_id, kind, role, revoked_ms, source"),
    ("sync_quarantine", "station_id, seq, hlc, kind, data, via, received_ms"),
)
LOG_COLUMNS = "station_id, seq, hlc, kind, data, clock_suspect, sig, chain"
#: Events per batch through the gate when the source is verified again.
VERIFY_BATCH = 5000


class NotEmpty(EventOpsError):
    """The target store already holds an event: a move never merges into one."""


class DoesNotVerify(EventOpsError):
    """An event of the source does not pass the trust gate: the source was changed on disk."""


@dataclass
class MoveReport:
    events: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    vector: dict[str, int] = field(default_factory=dict)
    files: int = 0

    def lines(self, source: str, target: str) -> list[str]:
        stations = f"{len(self.vector)} station" + ("" if len(self.vector) == 1 else "s")
        out = [f"copied {self.events} events of {stations} from {source} to {target}"]
        out += [f"  {table}: {count} rows" for table, count in self.rows.items() if count]
        out.append(f"  {self.files} key and certificate files beside the store")
        out.append("  verified: the same count and the same version vector on both sides")
        return out


def refuse_non_empty(target: PgDatabase) -> None:
    held = log.count(target.as_database())
    row = target.execute("SELECT COUNT(*) FROM sync_tokens").fetchone()
    tokens = int(row[0]) if row else 0
    if held or tokens:
        raise NotEmpty(f"the target store is not empty ({held} events, {tokens} stations): move into a fresh database")


def reverify(source: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Pass every event of `source` through the trust gate again, in the order the hub took
    them, into a scratch database that trusts only the source's organiser; returns how many
    verified. Raises DoesNotVerify naming the first events that did not (a changed payload
    or signature, a broken chain, an event its author may not write, a key nobody vouched for)."""
    organiser = trust.organiser(source)
    if organiser is None:
        raise DoesNotVerify("the source names no organiser key: it is not an event's hub database")
    total = log.count(source)
    with tempfile.TemporaryDirectory(prefix="eventops-verify-") as scratch_dir:
        scratch = connect(Path(scratch_dir) / "verify.db")
        try:
            trust.pin_organiser(scratch, {"station": organiser.station_id,
                                          "public_key": base64.b64encode(organiser.public_key).decode()})
            batch: list[Event] = []
            for read, row in enumerate(source.execute(f"SELECT {log.EVENT_COLUMNS} FROM events ORDER BY rowid"), 1):
                batch.append(Event.from_row(tuple(row)))
                if len(batch) >= VERIFY_BATCH:
                    _through_gate(scratch, batch)
                    batch = []
                    if progress is not None:
                        progress(read, total)
            _through_gate(scratch, batch)
            expected, got = log.vector(source), log.vector(scratch)
            if got != expected:
                short = sorted(
                    f"{station}#{got.get(station, 0) + 1}" for station, seq in expected.items() if got.get(station, 0) < seq
                )
                raise DoesNotVerify(
                    f"{len(short)} station(s) hold events that do not verify (first: {', '.join(short[:5])}): "
                    "no key the organiser vouched for signed them; nothing was copied"
                )
            _same_as_verified(source, scratch)
            return log.count(scratch)
        finally:
            scratch.conn.close()


def _same_as_verified(source: Database, scratch: Database) -> None:
    """The source's trust indexes and chain digests are those its verified events make: the copy
    takes them from the source, and a store trusts a binding in `authors` from then on (a row
    added there by hand would let a key nobody vouched for in the log write to the store)."""
    for what, sql in (("key bindings", "SELECT station_id, kind, public_key FROM authors"),
                      ("revocations", "SELECT station_id, up_to FROM revocations")):
        held = {str(r[0]): tuple(r[1:]) for r in source.execute(sql)}
        made = {str(r[0]): tuple(r[1:]) for r in scratch.execute(sql)}
        if held != made:
            station = sorted(k for k in held.keys() | made.keys() if held.get(k) != made.get(k))[0]
            raise DoesNotVerify(
                f"the source's {what} for {station} are not those its log makes (changed on disk?); nothing was copied"
            )
    mine = source.execute("SELECT station_id, seq, chain FROM events ORDER BY station_id, seq")
    verified = scratch.execute("SELECT station_id, seq, chain FROM events ORDER BY station_id, seq")
    for row, again in zip(mine, verified, strict=True):  # the same vectors: the same ids, in order
        if tuple(row) != tuple(again):
            raise DoesNotVerify(
                f"event {row[0]}#{row[1]}: its chain digest is not the one its station's events make (changed on disk?); "
                "nothing was copied"
            )


def _through_gate(scratch: Database, batch: list[Event]) -> None:
    if not batch:
        return
    try:
        log.merge(scratch, batch)
    except EventOpsError as error:
        raise DoesNotVerify(f"the source does not verify: {error}; nothing was copied") from None


def move(
    source: Database, source_path: Path, target: PgDatabase, progress: Callable[[int, int], None] | None = None
) -> MoveReport:
    """Copy `source` (an SQLite hub's database) into the empty store behind `target`, once
    every event of it has passed the trust gate again (`reverify`)."""
    refuse_non_empty(target)
    source.execute("BEGIN")  # one read of the source: what is copied is what was verified
    try:
        report = _verified_copy(source, source_path, target, progress)
    finally:
        source.execute("ROLLBACK")
    report.files = copy_side_files(source_path, target.key_path)
    return report


def _verified_copy(
    source: Database, source_path: Path, target: PgDatabase, progress: Callable[[int, int], None] | None
) -> MoveReport:
    reverify(source, progress)
    report = MoveReport()
    tables = set(source.table_names())
    with write(target.as_database()):
        refuse_non_empty(target)  # again, under the store's write lock: another move may have begun
        with target.conn.raw.cursor() as cursor, cursor.copy(f"COPY events ({LOG_COLUMNS}) FROM STDIN") as copy:
            for row in source.execute(f"SELECT {LOG_COLUMNS} FROM events ORDER BY rowid"):
                copy.write_row(row)
                report.events += 1
        clock = source.execute("SELECT last_hlc FROM clock WHERE id = 1").fetchone()
        target.execute("UPDATE clock SET last_hlc = ? WHERE id = 1", [int(clock[0]) if clock else 0])
        for table, columns in TABLES:
            if table not in tables:
                continue
            rows = [tuple(r) for r in source.execute(f"SELECT {columns} FROM {table}")]
            marks = ", ".join("?" * len(columns.split(",")))
            if table == "node":
                target.execute("DELETE FROM node")
            target.conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            report.rows[table] = len(rows)
        verify(source, target, report)
    return report


def verify(source: Database, target: PgDatabase, report: MoveReport) -> None:
    """Counts and version vectors equal on both sides, or the move is rolled back."""
    copy = target.as_database()
    expected, got = log.vector(source), log.vector(copy)
    if log.count(copy) != log.count(source) or expected != got:
        raise EventOpsError(f"the copy does not match: {log.count(copy)} events here, {log.count(source)} in the source")
    report.vector = got


def copy_side_files(source_path: Path, target_path: str | Path) -> int:
    """The hub's private keys, the badge signing key and its TLS certificate, now beside the store (0600, never overwritten)."""
    copied = 0
    keys, there = signing.keys_dir(source_path), signing.keys_dir(target_path)
    if keys.is_dir():
        there.mkdir(parents=True, exist_ok=True, mode=0o700)
        for file in keys.iterdir():
            copied += _copy_private(file, there / file.name)
    # The badge signing key (checkin/badges/keys.py: DB.signing-key), so `badges --store` signs.
    badge_key = (Path(f"{source_path}.signing-key"), Path(f"{target_path}.signing-key"))
    for mine, theirs in [*zip(default_paths(source_path), default_paths(Path(target_path)), strict=True), badge_key]:
        if mine.exists():
            copied += _copy_private(mine, theirs)
    return copied


def _copy_private(source: Path, target: Path) -> int:
    if target.exists():
        if target.read_bytes() != source.read_bytes():
            raise EventOpsError(f"{target} exists with other content: move it away first")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    return 1
