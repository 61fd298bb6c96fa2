"""A PostgreSQL connection with the face of the sqlite-utils `Database` the log code uses.

db/log.py and db/trust.py (the merge and its gate: signatures, permissions, quarantine) are
written against `db.execute(sql, params)`, `db.conn.executemany` and `db.connect.write`. Rather
than a second copy of those rules for PostgreSQL, the hub hands them this object: it speaks
their SQL (qmark parameters, `INSERT OR IGNORE`, two-argument MIN, `json_extract`) translated
once per statement, and `BEGIN IMMEDIATE` becomes a transaction holding one advisory lock, so
the hubs sharing a store write one at a time (SQLite's one writer, across processes).
"""

from __future__ import annotations

import contextlib
import functools
import re
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import psycopg
from psycopg import pq
from sqlite_utils import Database

#: The advisory lock every write transaction holds: one writer at a time on a store.
WRITE_LOCK = 0x6576656E746F7073  # "eventops"

_JSON_EXTRACT = re.compile(r"json_extract\((\w+), '\$\.(\w+)'\)")
_OR_IGNORE = re.compile(r"^\s*INSERT OR IGNORE INTO", re.IGNORECASE)
_MIN_UPTO = "MIN(up_to, excluded.up_to)"
#: A plain multi-row insert (no ON CONFLICT): sent as one COPY, not a statement per row.
_PLAIN_INSERT = re.compile(r"^\s*INSERT INTO (\w+) \(([\w, ]+)\) VALUES \([?, ]+\)\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """The statement in PostgreSQL's words (only what the log, the gate and the token store use)."""
    out = sql.replace("%", "%%").replace("?", "%s")
    out = _JSON_EXTRACT.sub(lambda m: f"({m.group(1)}::jsonb ->> '{m.group(2)}')", out)
    out = out.replace(_MIN_UPTO, "LEAST(revocations.up_to, excluded.up_to)")
    if _OR_IGNORE.match(out):
        out = _OR_IGNORE.sub("INSERT INTO", out) + " ON CONFLICT DO NOTHING"
    return out


_tables: weakref.WeakKeyDictionary[psycopg.Connection[Any], list[str]] = weakref.WeakKeyDictionary()


class PgConnection:
    """What `db.conn` offers the log code: `execute`, `executemany`, `in_transaction`, `close`."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.Cursor[Any]:
        word = sql.strip().upper()
        if word.startswith("BEGIN"):
            cursor = self.raw.execute("BEGIN")
            if word == "BEGIN IMMEDIATE":
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
            return cursor
        return self.raw.execute(translate(sql), params)  # type: ignore[arg-type]  # psycopg types queries as LiteralString

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        plain = _PLAIN_INSERT.match(sql)
        with self.raw.cursor() as cursor:
            if plain is None:
                cursor.executemany(translate(sql), rows)  # type: ignore[arg-type]
                return
            # One COPY: a few times faster than a statement per row, and the log's statement
            # trigger (the news for other hubs) fires once. A duplicate key fails it whole, as
            # it would fail the inserts.
            with cursor.copy(f"COPY {plain.group(1)} ({plain.group(2)}) FROM STDIN") as copy:  # type: ignore[arg-type]
                for row in rows:
                    copy.write_row(row)

    def close(self) -> None:
        self.raw.close()


class PgDatabase:
    """The sqlite-utils `Database` calls the log code makes, on one PostgreSQL connection.

    `key_path` is where this store's private keys live (`<key_path>.keys/`, db/signing.py): keys
    never enter the database, on PostgreSQL as on SQLite.
    """

    is_postgres = True

    def __init__(self, raw: psycopg.Connection[Any], key_path: str | Path) -> None:
        self.conn = PgConnection(raw)
        self.key_path = str(key_path)
        # db/signing.py asks SQLite which file backs a connection; here the answer is given.
        self._eventops_main_path = (self.conn, self.key_path)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.Cursor[Any]:
        return self.conn.execute(sql, params)

    def as_database(self) -> Database:
        """This connection, typed as what the log code takes (it uses only what is above)."""
        return cast(Database, self)

    def table_names(self) -> list[str]:
        """The store's tables; asked on every token check (sync/store.py), so kept per connection:
        migrations only ever add tables, and a hub applies them before it serves."""
        known = _tables.get(self.conn.raw)
        if known is None:
            rows = self.conn.raw.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            known = _tables[self.conn.raw] = [str(r[0]) for r in rows]
        return list(known)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[PgDatabase]:
        """sqlite-utils' `atomic`: inside a transaction, a savepoint; outside, a transaction that
        reads one snapshot throughout (an export's count and its events agree, as on SQLite)."""
        outermost = not self.conn.in_transaction
        with self.conn.raw.transaction():
            if outermost:
                self.conn.raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield self
