"""The store's schema on PostgreSQL: versioned migrations (`migrations/NNN_*.sql`), applied in
order, each once, recorded in `schema_version`; several hubs starting at once apply them once."""

from __future__ import annotations

from importlib import resources
from typing import Any

import psycopg

#: Serialises schema changes between hubs starting together (any other lock number would do).
MIGRATION_LOCK = 0x6576656E746F7074


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every migration in the package, in order."""
    folder = resources.files("sync.pg") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def apply(raw: psycopg.Connection[Any]) -> list[str]:
    """Bring the schema up to date; returns the names of the migrations applied now."""
    applied: list[str] = []
    with raw.transaction():
        raw.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)")
        done = {int(r[0]) for r in raw.execute("SELECT version FROM schema_version")}
        for version, name, sql in migration_files():
            if version in done:
                continue
            raw.execute(sql.encode())
            raw.execute(
                "INSERT INTO schema_version (version, name, applied_ms) VALUES (%s, %s, (extract(epoch FROM now()) * 1000)::bigint)",
                [version, name],
            )
            applied.append(name)
    return applied


def version(raw: psycopg.Connection[Any]) -> int:
    """The highest migration applied (0 for a database without our schema)."""
    row = raw.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    top = raw.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return int(top[0]) if top else 0
