"""Every command on the hub's event gives the same answer on `--db hub.db` and on `--store URL`
after `eventops hub migrate` of that file (a real PostgreSQL server, the real CLI, a simulated
day of the demo event); writes through `--store` (imports, badges) land in the store through the
gate. One migrated store per module keeps the added time small."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from checkin.badges.print import png_name
from checkin.badges.token import verify_badge
from tests.pgserver import HOME_ENV, PgServer

from .helpers import run_cli, wait_for

pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[dev]' (the `postgres` extra)")
from sync.pg.mirror import organiser_path  # noqa: E402 - needs psycopg
from sync.pg.store import side_path  # noqa: E402

DATA = Path(__file__).parent.parent / "imports" / "data"
AT = "2024-03-20T15:00"


@dataclass(frozen=True)
class Event:
    """The same event twice: the organiser's SQLite file, and the store it was moved into."""

    db: Path
    url: str


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the stores' side files live, for the CLI's subprocesses too."""
    folder = tmp_path_factory.mktemp("pg-home")
    before = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(HOME_ENV, None)
    else:
        os.environ[HOME_ENV] = before


@pytest.fixture(scope="module")
def hub_db(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo event, simulated until mid-afternoon of its first day."""
    db = tmp_path_factory.mktemp("hub") / "hub.db"
    run_cli("demo", "init", "--db", str(db))
    run_cli("demo", "simulate", "--db", str(db), "--until", AT, timeout=120)
    return db


def moved(pg_server: PgServer, db: Path) -> Event:
    url = pg_server.database()
    assert "verified" in run_cli("hub", "migrate", "--from", str(db), "--to", url).stdout
    return Event(db, url)


@pytest.fixture(scope="module")
def event(pg_server: PgServer, hub_db: Path) -> Event:
    """The file and its store, never written to: what every reading command compares."""
    return moved(pg_server, hub_db)


@pytest.fixture(scope="module")
def written(pg_server: PgServer, hub_db: Path) -> Event:
    """The same file moved into a second store, which the writing tests change."""
    return moved(pg_server, hub_db)


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


def test_certificates_from_the_store_are_those_of_the_file(event: Event, tmp_path: Path) -> None:
    people = [row["id"] for row in json.loads(run_cli("attendees", "--json", "--db", str(event.db)).stdout)][:4]
    only = [arg for ident in people for arg in ("--only", ident)]
    made = {}
    for flag, where in (("--db", str(event.db)), ("--store", event.url)):
        out = tmp_path / flag.strip("-")
        result = run_cli("certificates", flag, where, "--out", str(out), "--jobs", "1", "--at", AT, *only, check=False, timeout=120)
        assert "Traceback" not in result.stderr
        made[flag] = (result.returncode, sorted(p.name for p in out.glob("*")), result.stderr)
    assert made["--db"][1], made  # some were made: the comparison says something
    assert made["--store"] == made["--db"]


def test_an_import_through_the_store_shows_in_its_status(written: Event, tmp_path: Path) -> None:
    source = tmp_path / "eventbrite_attendees.csv"
    shutil.copyfile(DATA / "eventbrite_attendees.csv", source)
    before = {row["id"] for row in json.loads(run_cli("attendees", "--json", "--store", written.url).stdout)}
    report = json.loads(run_cli("import", "attendees", str(source), "--store", written.url, "--json").stdout)
    assert report["added"] > 0 and not report["dry_run"], report
    after = {row["id"] for row in json.loads(run_cli("attendees", "--json", "--store", written.url).stdout)}
    assert len(after - before) == report["added"]
    status = json.loads(run_cli("status", "--json", "--store", written.url).stdout)
    assert json.dumps(status) != json.dumps(json.loads(run_cli("status", "--json", "--db", str(written.db)).stdout))
    # The events went up through the gate: the store holds them, the file does not.
    on_file = {row["id"] for row in json.loads(run_cli("attendees", "--json", "--db", str(written.db)).stdout)}
    assert on_file == before
    # E-mails never enter the store: they wait beside it, for the organiser's next import.
    keep = organiser_path(side_path(written.url))
    assert oct(keep.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(keep) as kept:
        emails = {row[0] for row in kept.execute("SELECT email FROM contacts")}
    assert "sophie.vdbroeck@brussels.brussels" in emails
    again = json.loads(run_cli("import", "attendees", str(source), "--store", written.url, "--json").stdout)
    assert again["added"] == 0, again


@pytest.mark.parametrize("args", [("status",), ("import", "attendees", str(DATA / "pretix_orders.csv")), ("dashboard",)],
                         ids=lambda args: args[0])
def test_a_bad_store_url_or_an_empty_store_is_one_line_and_exit_1(pg_server: PgServer, home: Path, args: tuple[str, ...]) -> None:
    empty = pg_server.database()
    for url, says in [("postgresql://nobody@127.0.0.1:1/none", "cannot reach"), ("postgresql://x@[bad", "not a PostgreSQL URL"),
                      (empty, "holds no event")]:
        result = run_cli(*args, "--store", url, check=False)
        assert result.returncode == 1, result
        assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def store_state(url: str) -> Any:
    """The store's folded state, read the way the commands read it (through a local mirror)."""
    from db.fold import load_state
    from eventops.options import open_db
    from eventops.store_option import Where

    with Where(url=url).local() as path:
        db = open_db(path)
        try:
            return load_state(db)
        finally:
            db.conn.close()


def badge_text(png: Path) -> str:
    texts = [r.text for r in zxingcpp.read_barcodes(Image.open(png))]
    assert len(texts) == 1, texts
    return str(texts[0])


def test_badges_made_and_reissued_through_the_store_decode_to_their_owners(written: Event, tmp_path: Path) -> None:
    people = [row["id"] for row in json.loads(run_cli("attendees", "--json", "--db", str(written.db)).stdout)][:3]
    out = tmp_path / "badges"
    only = [arg for ident in people for arg in ("--only", ident)]
    run_cli("badges", "--store", written.url, "--out", str(out), "--dpi", "100", "--jobs", "1", *only, timeout=120)
    state = store_state(written.url)
    old = {ident: badge_text(out / png_name(ident)) for ident in people}
    assert {ident: verify_badge(text, state).attendee_id for ident, text in old.items()} == {ident: ident for ident in people}

    again = tmp_path / "again"
    line = run_cli("badges", "reissue", people[0], "--store", written.url, "--out", str(again)).stdout
    assert "reissued" in line, line
    state = store_state(written.url)
    fresh = verify_badge(badge_text(again / png_name(people[0])), state)
    assert fresh.ok and fresh.attendee_id == people[0]
    assert not verify_badge(old[people[0]], state).ok  # the old badge is revoked in the store


def test_a_following_mirror_takes_the_store_news_and_sends_its_own_writes(written: Event) -> None:
    """What a dashboard on `--store` runs on: news from the store appear in the mirror, an
    acknowledgement written in the mirror reaches the store, both while it runs."""
    from db import log
    from db.events import INCIDENT_ACKED
    from db.node import local_station
    from eventops.options import open_db
    from eventops.store_option import Where
    from sync.pg.store import connect as connect_pg

    source = DATA / "pretix_orders.csv"
    with Where(url=written.url).local(writes=True, follow=True) as path:
        local = open_db(path)
        try:
            held = log.count(local)
            run_cli("import", "attendees", str(source), "--store", written.url)
            store = connect_pg(written.url)
            try:
                in_store = log.count(store.as_database())
                assert in_store > held
                assert wait_for(lambda: log.count(local) == in_store)
                ack = log.append(local, local_station(local), INCIDENT_ACKED, {"incident": "follow-test"})
                assert wait_for(lambda: log.get(store.as_database(), ack.station_id, ack.seq) is not None)
                assert log.get(store.as_database(), ack.station_id, ack.seq) == ack
            finally:
                store.conn.close()
        finally:
            local.conn.close()




def test_a_command_starts_from_the_last_mirror_and_still_sees_every_change(pg_server: PgServer, hub_db: Path, tmp_path: Path) -> None:
    """The mirror a command finished with is kept beside the store (private, without e-mails) and
    the next command starts from it: what the store took meanwhile shows, a cache of another store
    or a damaged one is dropped for a full copy, and no snapshot warning reaches the screen."""
    from sync.pg.mirror import cache_path

    event = moved(pg_server, hub_db)
    cache = cache_path(side_path(event.url))
    first = run_cli("status", "--json", "--at", AT, "--store", event.url)
    assert first.stderr == "", first.stderr  # the fold's snapshots were written before the mirror went
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    # News in the store after the cache was kept: an import through another command.
    before = {row["id"] for row in json.loads(run_cli("attendees", "--json", "--store", event.url).stdout)}
    report = json.loads(run_cli("import", "attendees", str(DATA / "pretix_orders.csv"), "--store", event.url, "--json").stdout)
    assert report["added"] > 0
    after = {row["id"] for row in json.loads(run_cli("attendees", "--json", "--store", event.url).stdout)}
    assert len(after - before) == report["added"]
    with sqlite3.connect(cache) as kept:
        assert kept.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 0  # e-mails stay in their own file
    # A cache that is not this store's (another store's mirror under this name), then a damaged one.
    other = moved(pg_server, hub_db)
    run_cli("import", "attendees", str(DATA / "eventbrite_attendees.csv"), "--store", other.url)
    run_cli("status", "--json", "--store", other.url)
    foreign = tmp_path / "foreign.sqlite"  # some other program's SQLite file, with a position
    with sqlite3.connect(foreign) as made:
        made.execute("CREATE TABLE recipes (name TEXT)")
        made.execute("CREATE TABLE store_mirror_position (pos INTEGER NOT NULL)")
        made.execute("INSERT INTO store_mirror_position VALUES (1)")
    for planted in (cache_path(side_path(other.url)).read_bytes(), b"not a database at all", foreign.read_bytes()):
        cache.write_bytes(planted)
        again = {row["id"] for row in json.loads(run_cli("attendees", "--json", "--store", event.url).stdout)}
        assert again == after
    status = run_cli("status", "--json", "--store", event.url)
    assert json.loads(status.stdout)["attendees"] == len(after) and status.stderr == ""
