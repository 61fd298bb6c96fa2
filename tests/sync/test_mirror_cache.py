"""The cache of the last `--store` mirror (sync/pg/mirror.py `save_cache`) keeps the log and the
snapshots, never the organiser's contacts: not as rows, and not as the bytes deleted rows leave
in freed pages (SQLite keeps them unless `secure_delete` is on, which most builds leave off)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.connect import connect

pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[dev]' (the `postgres` extra)")
from sync.pg.mirror import cache_path, save_cache  # noqa: E402 - needs psycopg

PEOPLE = 300


def test_the_cache_holds_no_e_mail_not_even_in_freed_pages(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror.db"
    db = connect(mirror)
    db.execute("PRAGMA secure_delete = OFF")  # as on a python.org, macOS or Windows build
    for i in range(PEOPLE):
        db.execute("INSERT INTO contacts (attendee_id, email, phone) VALUES (?, ?, ?)",
                   [f"A{i:04d}", f"before.{i:04d}@grimsby.example", f"+32 555 {i:06d}"])
    for i in range(PEOPLE):  # an import changing every e-mail: the old ones freed in place
        db.execute("UPDATE contacts SET email = ? WHERE attendee_id = ?", [f"after.{i:04d}@grimsby.example", f"A{i:04d}"])
    db.conn.close()
    assert b"before.0001@grimsby.example" in mirror.read_bytes()  # the test sees what it looks for
    side = tmp_path / "127.0.0.1-5432-event"
    save_cache(mirror, side, 42)
    raw = cache_path(side).read_bytes()
    assert b"grimsby.example" not in raw and b"555 0" not in raw
    assert oct(cache_path(side).stat().st_mode & 0o777) == "0o600"
