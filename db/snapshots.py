"""A start that does not grow with the log: folded states saved in the database.

A node (status, a dashboard, a station) starts from the newest snapshot that is *exact* for
what its database holds and folds only the events after it. A snapshot records the position it
covers: the fold-order key `(hlc, station_id, seq)` of the last event folded and, per station,
the highest seq folded (`vector`; a log holds each station's events without gaps). It is used
only if every event the database holds beyond that vector sorts after that key: an event that
arrived later but sorts earlier (an offline bus syncing) sends the node to an older snapshot, or
to a full fold if none fits. A snapshot also lists the voids it folded: a void in the tail that
undoes an event inside a snapshot rules that snapshot out the same way.

Snapshots are written in the background (`_Writer`), every few thousand events (more for a
larger state: `interval`), one part per short transaction. They are a cache: `fold` names the
code that folded them, and a snapshot of other code is never read.

Serialisation is pickle. That is acceptable here only because the table is node-local and only
this node writes it: never synced, never in a bundle. A database file can still be copied to
another machine, so every snapshot carries an HMAC keyed by a secret kept beside the database
with the station keys (`<db>.keys/snapshots.key`, never in the file): a copied file's snapshots
do not verify on the machine it was copied to, and are neither unpickled nor trusted.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import hashlib
import hmac
import itertools
import json
import logging
import operator
import os
import pickle
import queue
import secrets
import threading
import time
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db import events as ev
from db import signing
from db.checkpoints import Folded, Records
from db.connect import connect, write
from db.events import Event
from db.fold import EventState, Key, Restart, no_gc, void_target
from db.log import EVENT_COLUMNS
from db.log import vector as log_vector

logger = logging.getLogger("eventops.snapshots")

#: 2: record tables as columns (`_encode`).
FORMAT = 2
#: Save at least this many events apart (and more apart for a larger state: `interval`).
SNAPSHOT_EVERY = 5000
#: Snapshots kept per database (spread out: the closest pair loses one).
MAX_SNAPSHOTS = 4
#: Records per pickled part: each part is serialised and written while the GIL and the write
#: lock are free in between.
PART_RECORDS = 20_000
_KEY_FILE = "snapshots.key"
_ABANDONED_MS = 10 * 60_000
#: The modules whose code decides what a fold yields: a snapshot of other code is not read.
_FOLD_MODULES = (
    "db.fold", "db.presence", "db.payloads", "db.calendar", "db.core", "db.state", "db.times", "db.permissions", "db.events",
    "db.checkpoints", "db.snapshots", "db.views",
)


def fold_version() -> str:
    """A digest of the fold's code (a snapshot made by other code would not be exact)."""
    global _fold_version
    if _fold_version is None:
        import importlib

        digest = hashlib.sha256(str(FORMAT).encode())
        for name in _FOLD_MODULES:
            module = importlib.import_module(name)
            digest.update(Path(str(module.__file__)).read_bytes())
        _fold_version = digest.hexdigest()[:16]
    return _fold_version


_fold_version: str | None = None


@dataclass(frozen=True, slots=True)
class Header:
    """What a saved snapshot covers (its tables are read only when it is chosen)."""

    id: int
    count: int
    key: Key
    vector: dict[str, int]
    voided: frozenset[tuple[str, int]]
    parts: int
    mac: bytes


# --- starting -----------------------------------------------------------------------------
def start(db: Database, *, snapshots: bool = True) -> tuple[EventState, int]:
    """The folded log of `db` and the rowid cursor after it (for following the log "since").

    Read in one transaction, so the state and the cursor agree. With `snapshots`, from the
    newest exact snapshot, saving new ones as the state grows; without, from the first event.
    """
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        cursor = int(db.execute("SELECT COALESCE(MAX(rowid), 0) FROM events").fetchone()[0])
        source = LogSource(db, read=snapshots, write=snapshots)
        voided = source.void_targets()
        with no_gc():
            holdings = Folded(held(db))
            restart = source.restart(holdings, voided, None)
            state = EventState.resume(source, restart) if restart else EventState(source)
            state.expect_voids(voided)  # voids in the tail: their targets are skipped as they come
            source.saved_count = state.event_count
            state.extend(source.events_after(restart.key if restart else None, None))
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")
    return state, cursor


def held(db: Database) -> dict[str, int]:
    """`{station_id: highest seq held}`: `db.log.vector`, in milliseconds at a million events."""
    return log_vector(db)


class LogSource:
    """The database as a state's source: it re-reads the log's tail and keeps snapshots."""

    def __init__(self, db: Database, *, read: bool = True, write: bool = True) -> None:
        self.db = db
        self.path = signing.database_path(db)
        self.read = read and bool(self.path)
        self.write = write and bool(self.path)
        #: How many events the newest snapshot this node saved (or started from) covers.
        self.saved_count = 0

    def events_after(self, key: Key | None, folded: Folded | None) -> Iterator[Event]:
        sql = f"SELECT {EVENT_COLUMNS} FROM events"
        params: list[Any] = []
        if key is not None:
            sql += " WHERE hlc >= ?"
            params.append(key[0])
        sql += " ORDER BY hlc, station_id, seq"
        for row in self.db.execute(sql, params):
            if key is not None and (row[2], row[0], row[1]) <= key:
                continue
            if folded is not None and (row[0], row[1]) not in folded:
                continue
            yield Event.from_row(tuple(row))

    def key_of(self, ident: tuple[str, int]) -> Key | None:
        row = self.db.execute("SELECT hlc FROM events WHERE station_id = ? AND seq = ?", list(ident)).fetchone()
        return None if row is None else (int(row[0]), ident[0], ident[1])

    def void_targets(self) -> set[tuple[str, int]]:
        """What every void (and key-misuse proof) in the log takes out of the fold."""
        rows = self.db.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE kind IN (?, ?)", [ev.VOID, ev.KEY_MISUSED])
        return {t for row in rows if (t := void_target(Event.from_row(tuple(row)))) is not None}

    def restart(self, folded: Folded, voided: set[tuple[str, int]], before: Key | None) -> Restart | None:
        if not self.read:
            return None
        for header in listing(self.db):
            if before is not None and header.key >= before:
                continue
            if not self._exact(header, folded, voided):
                continue
            restart = load(self.db, header)
            if restart is not None:
                return restart
        return None

    def _exact(self, header: Header, folded: Folded, voided: set[tuple[str, int]]) -> bool:
        """Whether `header`'s snapshot holds only events of `folded`, and every event of
        `folded` it lacks sorts after it, and it folded the void of every target it holds."""
        if any(seq > folded.vector.get(station_id, 0) for station_id, seq in header.vector.items()):
            return False
        covered = Folded(header.vector)
        for station_id, top in folded.vector.items():
            have = header.vector.get(station_id, 0)
            if top > have:
                row = self.db.execute(
                    "SELECT hlc, seq FROM events WHERE station_id = ? AND seq > ? AND seq <= ? ORDER BY hlc, seq LIMIT 1",
                    [station_id, have, top],
                ).fetchone()
                if row is not None and (int(row[0]), station_id, int(row[1])) <= header.key:
                    return False
        for station_id, seqs in folded.extra.items():
            for seq in seqs:
                key = self.key_of((station_id, seq))
                if (station_id, seq) not in covered and key is not None and key <= header.key:
                    return False
        return all(target not in covered or target in header.voided for target in voided)

    def folded(self, state: EventState, bulk: bool) -> None:
        """Save `state` when it has moved on `interval` events since the last save (in the
        background); after a bulk fold, its oldest in-memory checkpoint too (a late event then
        has an older snapshot to go back to)."""
        if not self.write or state.event_count - self.saved_count < interval(state):
            return
        current = state.saveable()
        if current is None:
            return
        items = [current]
        if bulk:
            older = state.saveable(oldest=True)
            if older is not None and older.count > self.saved_count:
                items.insert(0, older)
        self.saved_count = state.event_count
        for item in items:
            _writer.submit(self.path, item)


def interval(state: EventState) -> int:
    """Events between two saves: a larger state costs more to save, so it is saved less often
    (about a tenth of a record serialised per event folded)."""
    core = state.core
    return max(SNAPSHOT_EVERY, (len(core.attendees) + len(core.checkins) + len(core.places)) // 10)


# --- reading ------------------------------------------------------------------------------
def listing(db: Database) -> list[Header]:
    """Complete snapshots of this fold's code, newest first."""
    rows = db.execute(
        "SELECT id, events, hlc, station_id, seq, vector, voided, parts, mac FROM snapshots "
        "WHERE complete = 1 AND format = ? AND fold = ? ORDER BY events DESC, id DESC",
        [FORMAT, fold_version()],
    ).fetchall()
    out = []
    for row in rows:
        voided = frozenset((str(s), int(q)) for s, q in json.loads(row[6]))
        out.append(Header(int(row[0]), int(row[1]), (int(row[2]), str(row[3]), int(row[4])), json.loads(row[5]), voided, int(row[7]), bytes(row[8] or b"")))
    return out


def load(db: Database, header: Header) -> Restart | None:
    """The tables of `header`'s snapshot, if its parts are all there and this node's key signed them."""
    path = signing.database_path(db)
    key = _mac_key(path, create=False)
    if key is None:
        return None
    mac = hmac.new(key, _header_bytes(header.count, header.key, header.vector, header.voided), hashlib.sha256)
    blobs = [bytes(row[0]) for row in db.execute("SELECT data FROM snapshot_parts WHERE snapshot = ? ORDER BY part", [header.id])]
    if len(blobs) != header.parts:
        return None
    for blob in blobs:
        mac.update(blob)
    if not hmac.compare_digest(mac.digest(), header.mac):
        logger.warning("snapshot %s of %s does not verify with this node's key: ignored", header.id, path)
        return None
    tables: dict[str, Any] = {}
    for blob in blobs:
        _decode_part(tables, pickle.loads(blob))  # noqa: S301 - verified: written by this node (see the module's docstring)
    return Restart(tables, header.count, header.key, Folded(header.vector), set(header.voided), header.id)


def _decode_part(tables: dict[str, Any], part: tuple[Any, ...]) -> None:
    what, name = part[0], part[1]
    if what == "value":
        tables[name] = part[2]
    elif what == "items":
        tables.setdefault(name, {}).update(part[2])
    elif what == "columns":
        cls, key_width, keys, columns = part[2], part[3], part[4], part[5]
        tables.setdefault(name, {}).update(zip(zip(*keys, strict=True) if key_width else keys[0], _records(cls, columns), strict=True))


def _records(cls: type, columns: list[list[Any]]) -> list[Any]:
    """`cls(*row)` for every row of `columns` (a list per field), built a field at a time.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`: for a
    hundred thousand attendees of fourteen fields that was most of a start. A slotted record
    is made empty and each slot filled by its own descriptor over the whole column (a loop in
    C): the same objects, a third of the time. Other classes are called as usual.
    """
    setters = _slot_setters(cls)
    if setters is None:
        return list(map(cls, *columns))
    records: list[Any] = list(map(object.__new__, itertools.repeat(cls, len(columns[0]))))
    for setter, column in zip(setters, columns, strict=True):
        collections.deque(map(setter, records, column), maxlen=0)
    return records


def _slot_setters(cls: type) -> list[Any] | None:
    """Each field's slot setter, in field order, when `cls(*row)` is exactly "fill the slots":
    a slotted dataclass whose fields are all set from `__init__`'s arguments, nothing after."""
    if hasattr(cls, "__post_init__") or not dataclasses.is_dataclass(cls):
        return None
    slots = [getattr(cls, f.name, None) for f in dataclasses.fields(cls)]
    if not all(isinstance(slot, types.MemberDescriptorType) for slot in slots):
        return None
    return [slot.__set__ for slot in slots]  # type: ignore[union-attr]


# --- writing ------------------------------------------------------------------------------
def save(path: str, restart: Restart) -> int:
    """Write one snapshot of the database at `path` now (the background writer calls this)."""
    db = connect(path, create=False)
    try:
        db.execute("PRAGMA synchronous = NORMAL")  # a cache: a power cut may lose it, never corrupt it
        key = _mac_key(path, create=True)
        assert key is not None
        voided = frozenset(restart.voided)
        mac = hmac.new(key, _header_bytes(restart.count, restart.key, restart.folded.vector, voided), hashlib.sha256)
        with write(db):
            ident = db.execute(
                "INSERT INTO snapshots (format, fold, events, hlc, station_id, seq, vector, voided, written_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [FORMAT, fold_version(), restart.count, *restart.key, _vector_text(restart.folded.vector), _voided_text(voided), _now_ms()],
            ).lastrowid
        parts = 0
        for blob in _encode(restart.tables):
            mac.update(blob)
            with write(db):
                db.execute("INSERT INTO snapshot_parts (snapshot, part, data) VALUES (?, ?, ?)", [ident, parts, blob])
            parts += 1
        with write(db):
            db.execute("UPDATE snapshots SET parts = ?, mac = ?, complete = 1 WHERE id = ?", [parts, mac.digest(), ident])
            prune(db)
        return int(ident or 0)
    finally:
        db.conn.close()


def prune(db: Database) -> None:
    """Keep `MAX_SNAPSHOTS` of this code, spread out; drop other code's and abandoned ones."""
    db.execute("DELETE FROM snapshots WHERE complete = 1 AND (format != ? OR fold != ?)", [FORMAT, fold_version()])
    db.execute("DELETE FROM snapshots WHERE complete = 0 AND written_ms < ?", [_now_ms() - _ABANDONED_MS])
    kept = [(h.id, h.count) for h in listing(db)]
    while len(kept) > MAX_SNAPSHOTS:
        # The newest stays; of the others, the one closest to its newer neighbour goes.
        gaps = [(kept[i - 1][1] - kept[i][1], i) for i in range(1, len(kept) - 1)] or [(0, len(kept) - 1)]
        _, index = min(gaps)
        db.execute("DELETE FROM snapshots WHERE id = ?", [kept[index][0]])
        del kept[index]
    db.execute("DELETE FROM snapshot_parts WHERE snapshot NOT IN (SELECT id FROM snapshots)")


def drop_all(db: Database) -> None:
    """Forget every snapshot (benchmarks; the log itself is untouched)."""
    with write(db):
        db.execute("DELETE FROM snapshot_parts")
        db.execute("DELETE FROM snapshots")


def _encode(tables: dict[str, Any]) -> Iterator[bytes]:
    """The tables as pickled parts of at most `PART_RECORDS` records each. A table of one kind
    of record, however small, is stored as columns, a list per field (and per part of a tuple
    key), its equal strings made one object so that pickle writes each once: smaller, and read
    back faster (a record pickled whole is rebuilt through `__setstate__`, field by field)."""
    for name, value in tables.items():
        cls = _record_class(value) if isinstance(value, dict) and value else None
        if cls is not None or (isinstance(value, dict) and len(value) > PART_RECORDS // 4):
            items = iter(value.items())
            while chunk := list(itertools.islice(items, PART_RECORDS)):
                if cls is not None:
                    shared: dict[str, str] = {}
                    key_width, keys = _key_columns([k for k, _ in chunk])
                    records = [v for _, v in chunk]
                    columns = [list(map(operator.attrgetter(f.name), records)) for f in dataclasses.fields(cls)]
                    keys, columns = [_shared(c, shared) for c in keys], [_shared(c, shared) for c in columns]
                    yield pickle.dumps(("columns", name, cls, key_width, keys, columns), protocol=5)
                else:
                    yield pickle.dumps(("items", name, chunk), protocol=5)
        else:
            yield pickle.dumps(("value", name, dict(value) if isinstance(value, Records) else value), protocol=5)


def _key_columns(keys: list[Any]) -> tuple[int, list[list[Any]]]:
    """Tuple keys of one width as a column per position (width, columns); others as one column (0)."""
    first = keys[0]
    width = len(first) if type(first) is tuple else 0
    if width and all(type(k) is tuple and len(k) == width for k in keys):
        return width, [list(column) for column in zip(*keys, strict=True)]
    return 0, [keys]


def _shared(column: list[Any], shared: dict[str, str]) -> list[Any]:
    """`column` with each string replaced by the first equal string seen in this part."""
    return [shared.setdefault(v, v) if type(v) is str else v for v in column]


def _record_class(table: dict[Any, Any]) -> type | None:
    """The one frozen dataclass every value of `table` is (built from its fields alone), or None."""
    first = next(iter(table.values()))
    cls = type(first)
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not dataclasses.fields(cls) or any(not f.init for f in dataclasses.fields(cls)):
        return None
    return cls if all(type(v) is cls for v in table.values()) else None


def _header_bytes(count: int, key: Key, vector: dict[str, int], voided: Iterable[tuple[str, int]]) -> bytes:
    return f"{FORMAT}\n{fold_version()}\n{count}\n{key[0]}\n{key[1]}\n{key[2]}\n{_vector_text(vector)}\n{_voided_text(voided)}\n".encode()


def _vector_text(vector: dict[str, int]) -> str:
    return json.dumps(vector, sort_keys=True, separators=(",", ":"))


def _voided_text(voided: Iterable[tuple[str, int]]) -> str:
    return json.dumps(sorted([s, q] for s, q in voided), separators=(",", ":"))


def _mac_key(db_path: str, *, create: bool) -> bytes | None:
    """This node's secret for its snapshots, beside the database with its station keys."""
    if not db_path:
        return None
    file = signing.keys_dir(db_path) / _KEY_FILE
    with contextlib.suppress(FileNotFoundError):
        return file.read_bytes()
    if not create:
        return None
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Written whole under another name, then linked into place: a second thread or process
    # making its first snapshot at the same moment finds either no key or the whole key, never
    # the empty file an O_EXCL create shows before its bytes are written (it MAC'd a snapshot
    # with an empty key, which then never verified).
    part = file.with_name(f"{_KEY_FILE}.{os.getpid()}.{threading.get_ident()}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(32))
    try:
        os.link(part, file)
    except FileExistsError:
        pass  # another one made it first: theirs counts
    finally:
        os.unlink(part)
    return file.read_bytes()


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class _Writer:
    """One background thread that writes snapshots, one at a time, in the order submitted.

    Not a daemon: a short-lived command that folded a long tail finishes writing its snapshot
    before the process exits (the next start is then fast); the thread ends when idle.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[str, Restart]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, path: str, restart: Restart) -> None:
        self._queue.put((path, restart))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="eventops-snapshots", daemon=False)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                path, restart = self._queue.get(timeout=0.5)
            except queue.Empty:
                return
            try:
                save(path, restart)
            except Exception as error:  # noqa: BLE001 - a snapshot is a cache: never break the node for one
                logger.warning("snapshot of %s not written: %s", path, error)
            finally:
                self._queue.task_done()

    def flush(self) -> None:
        """Wait until every submitted snapshot is written."""
        self._queue.join()


_writer = _Writer()


def flush() -> None:
    """Wait for the background writer (tests, benchmarks, before closing a database)."""
    _writer.flush()
