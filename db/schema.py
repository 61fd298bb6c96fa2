"""The schema, only through sqlite-utils migrations.

`events` is the replicated, append-only log (triggers refuse UPDATE and DELETE).
`clock` and `node` hold this node's own state (its HLC, its settings); they never sync.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "eventops"
migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_event_log(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE events (
            station_id TEXT NOT NULL,
            seq INTEGER NOT NULL CHECK (seq >= 1),
            hlc INTEGER NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL,
            clock_suspect INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (station_id, seq)
        )
        """
    )
    db.execute("CREATE INDEX events_order ON events (hlc, station_id, seq)")
    db.execute(
        """
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be changed'); END
        """
    )
    db.execute(
        """
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be deleted'); END
        """
    )
    db.execute("CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), last_hlc INTEGER NOT NULL)")
    db.execute("INSERT INTO clock (id, last_hlc) VALUES (1, 0)")
    db.execute("CREATE TABLE node (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m002_contacts(db: Database) -> None:
    """Personal contact data stays on the organiser's node: it is never part of an event."""
    db.execute(
        """
        CREATE TABLE contacts (
            attendee_id TEXT PRIMARY KEY,
            email TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            extra TEXT NOT NULL DEFAULT '{}'
        )
        """
    )


@migrations()
def m003_signatures(db: Database) -> None:
    """Every event carries its author's signature (db/signing.py); `authors` indexes the keys and
    kinds the log binds to stations, `pending` holds events whose author's key has not arrived
    yet, `revocations` says up to which seq a revoked station's events count, `evidence` keeps pairs of events signed for one id (a key used twice). All three are
    node-local: rebuilt from the log, never replicated."""
    db.execute("ALTER TABLE events ADD COLUMN sig BLOB")
    # The SHA-256 digest the signature covers: it chains each event to the whole run before it.
    db.execute("ALTER TABLE events ADD COLUMN chain BLOB")
    db.execute("CREATE INDEX events_kind ON events (kind)")
    db.execute(
        """
        CREATE TABLE authors (
            station_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            public_key BLOB NOT NULL,
            voucher TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE TABLE revocations (station_id TEXT PRIMARY KEY, up_to INTEGER NOT NULL)")
    db.execute(
        """
        CREATE TABLE pending (
            station_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            sig BLOB NOT NULL,
            hlc INTEGER NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            PRIMARY KEY (station_id, seq, sig)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE evidence (
            station_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            sig BLOB NOT NULL,
            hlc INTEGER NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL,
            found_ms INTEGER NOT NULL,
            PRIMARY KEY (station_id, seq, sig)
        )
        """
    )


@migrations()
def m004_import_keys(db: Database) -> None:
    """How the organiser's imports recognise a person again (the file's own id, registration
    reference, e-mail, name and organisation) now that attendee ids are random. Node-local like
    `contacts`: never part of an event; purge deletes it."""
    db.execute("CREATE TABLE import_keys (source_key TEXT PRIMARY KEY, attendee_id TEXT NOT NULL)")


@migrations()
def m005_snapshots(db: Database) -> None:
    """Saved folded states (db/snapshots.py), so that a node starts from the newest one and folds
    only the events after it. Node-local, written by this node only, never synced; a snapshot
    holds names, so purge deletes them. `vector` and the position (`hlc`, `station_id`, `seq`:
    the last event folded) say exactly which events a snapshot covers; its tables are stored in
    `snapshot_parts`, written one part per transaction so a scan never waits behind a snapshot."""
    db.execute(
        """
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            format INTEGER NOT NULL,
            fold TEXT NOT NULL,
            events INTEGER NOT NULL,
            hlc INTEGER NOT NULL,
            station_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            vector TEXT NOT NULL,
            voided TEXT NOT NULL,
            parts INTEGER NOT NULL DEFAULT 0,
            mac BLOB,
            complete INTEGER NOT NULL DEFAULT 0,
            written_ms INTEGER NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE snapshot_parts (
            snapshot INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
            part INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (snapshot, part)
        )
        """
    )
