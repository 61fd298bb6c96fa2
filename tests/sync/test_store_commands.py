"""Every command on the hub's event gives the same answer on `--db hub.db` and on `--store URL`
after `eventops hub migrate` of that file (a real PostgreSQL server, the real CLI, a simulated
day of the demo event); writes through `--store` (imports, badges) land in the store through the
gate. One migrated store per module keeps the added time small."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pgserver import HOME_ENV, PgServer

from .helpers import run_cli

pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[dev]' (the `postgres` extra)")

DATA = Path(__file__).parent.parent / "imports" / "data"
AT = "2024-03-20T15:00"


@dataclass(frozen=True)
class Event:
    """The same event twice: the organiser's SQLite file, and the store it was moved into."""

    db: Path
    url: str


@pytest.fixture(scope="module")
def event(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Event]:
    home = tmp_path_factory.mktemp("pg-home")
    before = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(home)  # the CLI's subprocesses find the store's side files here
    try:
        db = tmp_path_factory.mktemp("hub") / "hub.db"
        run_cli("demo", "init", "--db", str(db))
        run_cli("demo", "simulate", "--db", str(db), "--until", AT, timeout=120)
        url = pg_server.database()
        assert "verified" in run_cli("hub", "migrate", "--from", str(db), "--to", url).stdout
        yield Event(db, url)
    finally:
        if before is None:
            os.environ.pop(HOME_ENV, None)
        else:
            os.environ[HOME_ENV] = before


def both(event: Event, *args: str) -> tuple[str, str]:
    """The command's output on the file and on the store."""
    on_file = run_cli(*args, "--db", str(event.db), timeout=120).stdout
    on_store = run_cli(*args, "--store", event.url, timeout=120).stdout
    return on_file, on_store


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--json", "--at", AT),
        ("rollcall", "--json", "--at", AT),
        ("attendees", "--json"),
        ("sessions", "--json"),
        ("export", "attendance", "--json", "--at", AT),
        ("export", "no-shows", "--json", "--at", AT),
        ("export", "incidents", "--json", "--at", AT),
        ("bus", "manifest", "--bus", "V1-B1", "--json"),
    ],
    ids=lambda args: "-".join(a for a in args if not a.startswith("-") and a != AT),
)
def test_a_reading_command_answers_the_same_on_the_file_and_on_the_store(event: Event, args: tuple[str, ...]) -> None:
    on_file, on_store = both(event, *args)
    assert json.loads(on_store) == json.loads(on_file)


def test_an_import_through_the_store_shows_in_its_status(event: Event, tmp_path: Path) -> None:
    source = tmp_path / "eventbrite_attendees.csv"
    shutil.copyfile(DATA / "eventbrite_attendees.csv", source)
    before = json.loads(run_cli("status", "--json", "--store", event.url).stdout)
    report = json.loads(run_cli("import", "attendees", str(source), "--store", event.url, "--json").stdout)
    after = json.loads(run_cli("status", "--json", "--store", event.url).stdout)
    added = report["added"] if "added" in report else report
    assert added, report
    assert after != before
    names = {row["name"] for row in json.loads(run_cli("attendees", "--json", "--store", event.url).stdout)}
    on_file = {row["name"] for row in json.loads(run_cli("attendees", "--json", "--db", str(event.db)).stdout)}
    assert names > on_file


def test_a_bad_store_url_is_one_line_and_exit_1(tmp_path: Path) -> None:
    for url in ("postgresql://nobody@127.0.0.1:1/none", "postgresql://x@[bad"):
        result = run_cli("status", "--store", url, check=False)
        assert result.returncode == 1, result
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
