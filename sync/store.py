"""The hub's own tables: station tokens and quarantined events. Node-local, never replicated.

Tokens are stored hashed (SHA-256 of 32 random bytes), so a copied database does not hand
out working tokens. `sync_quarantine` keeps events relayed from a revoked station out of
the log but on record. The tables live outside `db/schema.py` (which the lead owns) and are
created here with CREATE TABLE IF NOT EXISTS (on a PostgreSQL store, by its migrations:
sync/pg/migrations/). The same functions serve both stores (sync/stores.py).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlite_utils import Database

from db.connect import write
from db.events import Event, encode_data

TOKENS = "sync_tokens"
COPIES = "sync_token_copies"
QUARANTINE = "sync_quarantine"


def ensure_tables(db: Database) -> None:
    """Create the hub-local tables if this database lacks them."""
    db.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {TOKENS} (
            station_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            role TEXT NOT NULL,
            enrol_hash TEXT,
            token_hash TEXT,
            created_ms INTEGER NOT NULL,
            enrolled_ms INTEGER,
            revoked_ms INTEGER
        )
        """
    )
    db.execute(f"CREATE INDEX IF NOT EXISTS {TOKENS}_token ON {TOKENS} (token_hash)")
    # Tokens another hub issued, copied here so this node can stand in for it (a relay).
    db.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {COPIES} (
            token_hash TEXT PRIMARY KEY,
            station_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            role TEXT NOT NULL,
            revoked_ms INTEGER,
            source TEXT NOT NULL
        )
        """
    )
    db.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {QUARANTINE} (
            station_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            hlc INTEGER NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL,
            via TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            PRIMARY KEY (station_id, seq)
        )
        """
    )


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True, slots=True)
class Grant:
    """Who a token speaks for."""

    station_id: str
    kind: str
    role: str
    revoked: bool


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def add_station(db: Database, station_id: str, kind: str, role: str) -> str:
    """Record a station and return its one-time enrolment secret (a re-add issues a new one)."""
    ensure_tables(db)
    secret = new_secret()
    with write(db):
        db.execute(
            f"""
            INSERT INTO {TOKENS} (station_id, kind, role, enrol_hash, token_hash, created_ms)
            VALUES (?, ?, ?, ?, NULL, ?)
            ON CONFLICT(station_id) DO UPDATE SET kind = excluded.kind, role = excluded.role,
                enrol_hash = excluded.enrol_hash, revoked_ms = NULL
            """,
            [station_id, kind, role, digest(secret), _now_ms()],
        )
    return secret


def redeem(db: Database, secret: str) -> tuple[Grant, str] | None:
    """Swap a one-time enrolment secret for a station token (None: unknown or used code)."""
    ensure_tables(db)
    token = new_secret()
    with write(db):
        row = db.execute(
            f"SELECT station_id, kind, role FROM {TOKENS} WHERE enrol_hash = ? AND revoked_ms IS NULL",
            [digest(secret)],
        ).fetchone()
        if row is None:
            return None
        db.execute(
            f"UPDATE {TOKENS} SET enrol_hash = NULL, token_hash = ?, enrolled_ms = ? WHERE station_id = ?",
            [digest(token), _now_ms(), row[0]],
        )
    return Grant(row[0], row[1], row[2], False), token


def grant_for(db: Database, token: str) -> Grant | None:
    """The station a bearer token speaks for (revoked ones too, so they can be told 403)."""
    hashed = digest(token)
    row = db.execute(f"SELECT station_id, kind, role, revoked_ms FROM {TOKENS} WHERE token_hash = ?", [hashed]).fetchone()
    if row is None:
        row = db.execute(f"SELECT station_id, kind, role, revoked_ms FROM {COPIES} WHERE token_hash = ?", [hashed]).fetchone()
    if row is None:
        return None
    station_id = str(row[0])
    revoked = row[3] is not None or station_id in revoked_here(db)
    return Grant(station_id, str(row[1]), str(row[2]), revoked)


def revoke(db: Database, station_id: str) -> bool:
    """Refuse this station's token from now on; False when the hub never knew the station."""
    ensure_tables(db)
    with write(db):
        now = _now_ms()
        cursor = db.execute(
            f"UPDATE {TOKENS} SET revoked_ms = COALESCE(revoked_ms, ?), enrol_hash = NULL WHERE station_id = ?",
            [now, station_id],
        )
        copies = db.execute(f"UPDATE {COPIES} SET revoked_ms = COALESCE(revoked_ms, ?) WHERE station_id = ?", [now, station_id])
    return cursor.rowcount + copies.rowcount > 0


def revoked_here(db: Database) -> set[str]:
    """Stations whose token this node has revoked (a small table: cheap to read every time)."""
    if COPIES not in db.table_names():
        return set()
    return {
        str(r[0])
        for r in db.execute(
            f"SELECT station_id FROM {TOKENS} WHERE revoked_ms IS NOT NULL UNION SELECT station_id FROM {COPIES} WHERE revoked_ms IS NOT NULL"
        )
    }


def export_tokens(db: Database) -> list[dict[str, object]]:
    """Hashed tokens (issued here or copied), for a relay that stands in for this hub."""
    rows = db.execute(
        f"""
        SELECT token_hash, station_id, kind, role, revoked_ms FROM {TOKENS} WHERE token_hash IS NOT NULL
        UNION ALL SELECT token_hash, station_id, kind, role, revoked_ms FROM {COPIES}
        """
    ).fetchall()
    return [{"token_hash": r[0], "station": r[1], "kind": r[2], "role": r[3], "revoked_ms": r[4]} for r in rows]


def import_tokens(db: Database, rows: list[dict[str, object]], source: str) -> int:
    """Copy another hub's hashed tokens here; a revocation on either side wins. Returns rows."""
    ensure_tables(db)
    with write(db):
        for row in rows:
            db.execute(
                f"""
                INSERT INTO {COPIES} (token_hash, station_id, kind, role, revoked_ms, source) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(token_hash) DO UPDATE SET revoked_ms = COALESCE({COPIES}.revoked_ms, excluded.revoked_ms)
                """,
                [row["token_hash"], row["station"], row["kind"], row["role"], row.get("revoked_ms"), source],
            )
    return len(rows)


def revoked_in_log(db: Database) -> set[str]:
    """Stations an authority revoked in the log (the trust gate's index of `station.revoked`)."""
    from db import trust

    return set(trust.revoked(db))


def revoked_stations(db: Database) -> set[str]:
    """Stations revoked here (token table) or anywhere (the log)."""
    return revoked_here(db) | revoked_in_log(db)


def quarantine(db: Database, events: list[Event], via: str) -> int:
    """Keep events out of the log but on record; returns how many were new here."""
    now = _now_ms()
    before = db.execute(f"SELECT COUNT(*) FROM {QUARANTINE}").fetchone()[0]
    db.conn.executemany(
        f"INSERT OR IGNORE INTO {QUARANTINE} (station_id, seq, hlc, kind, data, via, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(e.station_id, e.seq, e.hlc, e.kind, encode_data(e.data), via, now) for e in events],
    )
    return int(db.execute(f"SELECT COUNT(*) FROM {QUARANTINE}").fetchone()[0] - before)


def quarantined(db: Database) -> list[Event]:
    if QUARANTINE not in db.table_names():
        return []
    return [
        Event.from_row(tuple(r))
        for r in db.execute(f"SELECT station_id, seq, hlc, kind, data FROM {QUARANTINE} ORDER BY station_id, seq")
    ]


def list_stations(db: Database) -> list[dict[str, object]]:
    ensure_tables(db)
    return [
        {"station": r[0], "kind": r[1], "role": r[2], "enrolled": r[3] is not None, "revoked": r[4] is not None}
        for r in db.execute(f"SELECT station_id, kind, role, enrolled_ms, revoked_ms FROM {TOKENS} ORDER BY station_id")
    ]
