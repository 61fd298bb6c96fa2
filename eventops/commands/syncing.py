"""Commands: syncing (the hub, the sync loop, bundles for no network, purge)."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import click

from db.errors import EventOpsError
from eventops.options import (
    db_option,
    input_file_option,
    json_option,
    log_level_option,
    open_db,
    open_event_db,
    start_logging,
)
from eventops.store_option import Where, optional_store_option, store_option

logger = logging.getLogger("eventops.cli")


@click.group("hub", invoke_without_command=True)
@optional_store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@input_file_option("--tls-cert", help="Serve HTTPS with this certificate (PEM).")
@input_file_option("--tls-key", help="The certificate's private key (PEM).")
@click.option("--tls-self-signed", is_flag=True, help="Serve HTTPS with a self-signed certificate kept next to the database.")
@click.option("--peer", "peers", multiple=True, metavar="URL", help="Another hub of this event, named to stations for failover (repeatable).")
@log_level_option
@click.pass_context
def hub(ctx: click.Context, where: Where | None, host: str, port: int, tls_cert: Path | None, tls_key: Path | None,
        tls_self_signed: bool, peers: tuple[str, ...], log_level: str) -> None:
    """Run the hub: stations push their scans to it and long-poll it for everyone else's.

    Any laptop can run it, on any copy of the event database (one that holds the event: the
    hub serves an event, it never creates a database). With --store, the event lives in
    PostgreSQL and any number of hubs may serve it at once (move it there with `eventops hub
    migrate`). With --tls-self-signed the enrolment codes made afterwards pin its certificate.
    Refusals and errors go to DB.log; Ctrl-C stops it.

    \b
    Example:
        eventops hub --db hub.db --host 0.0.0.0 --port 8765 --tls-self-signed
        eventops hub --store postgresql://hub@db.example/event --port 8765 --peer http://10.0.0.3:8765
    """
    if ctx.invoked_subcommand is not None:
        return
    if where is None:
        raise click.UsageError("--db PATH (an SQLite file) or --store URL (PostgreSQL) is required")
    from sync.client import check_hub_url
    from sync.enrol import remember_fingerprint
    from sync.hub import serve
    from sync.serving import listen
    from sync.tls import default_paths, fingerprint_pem, self_signed

    if bool(tls_cert) != bool(tls_key):
        raise EventOpsError("--tls-cert and --tls-key go together")
    peers = tuple(check_hub_url(peer) for peer in peers)
    db = open_hub_event(where)
    try:
        sock = listen(host, port)  # a bad or busy port: one line, and nothing written anywhere
    except BaseException:
        db.conn.close()
        raise
    side = where.side_path
    try:
        start_logging(side, log_level)
        fingerprint = None
        if tls_self_signed:
            tls_cert, tls_key = default_paths(side)
            fingerprint = self_signed(tls_cert, tls_key, [host])
        elif tls_cert:
            try:
                fingerprint = fingerprint_pem(tls_cert.read_text())
            except (OSError, ValueError):
                raise EventOpsError(f"{tls_cert} is not a readable PEM certificate") from None
        remember_fingerprint(db, fingerprint)
    except BaseException:
        sock.close()
        raise
    finally:
        db.conn.close()

    def ready(url: str) -> None:
        click.echo(f"hub serving {where.name} on {url}" + (f" (TLS sha256 {fingerprint})" if fingerprint else ""))
        sys.stdout.flush()

    serve(where.spec, host, port, tls_cert=tls_cert, tls_key=tls_key, on_ready=ready, sock=sock, peers=peers)


def open_hub_event(where: Where) -> Any:
    """The hub's database or store, refused in one line when it holds no event."""
    if where.path is not None:
        return open_event_db(where.path)
    from db.event import has_event

    db = where.open()
    if not has_event(db):
        db.conn.close()
        raise EventOpsError(
            f"the store {where.name} holds no event: move one in with `eventops hub migrate --from hub.db --to {where.name}`"
        )
    return db


@hub.command("migrate")
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The SQLite hub database to copy.")
@click.option("--to", "target", required=True, metavar="URL", help="An empty PostgreSQL database: postgresql://USER@HOST/DB.")
def migrate(source: Path, target: str) -> None:
    """Copy an SQLite hub's event into an empty PostgreSQL store, and verify the copy.

    The log, the stations' tokens (no station enrols again), the trust indexes, the hub's keys
    and TLS certificate move; counts and version vectors of both sides are compared and printed.
    Before anything is copied every event passes the trust gate again, as a fresh station
    would check it: a database changed on disk is refused, naming what does not verify.
    A target that already holds events is refused.

    \b
    Example:
        eventops hub migrate --from hub.db --to postgresql://hub@db.example/event
        eventops hub --store postgresql://hub@db.example/event --host 0.0.0.0
    """
    from db import log
    from sync.pg.move import move
    from sync.stores import is_postgres

    if not is_postgres(target):
        raise EventOpsError(f"--to takes a postgresql:// URL, not {target!r}")
    where = Where(url=target)
    src = open_event_db(source)
    try:
        dst = where.open()
        try:
            # Every event passes the trust gate again before anything is copied: a bar on long logs.
            with click.progressbar(length=log.count(src), label="verifying", file=sys.stderr) as bar:
                report = move(src, source, dst, progress=lambda done, _total: bar.update(done - bar.pos))
        finally:
            dst.conn.close()
    finally:
        src.conn.close()
    for line in report.lines(str(source), where.name):
        click.echo(line)


@click.group("sync", invoke_without_command=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="Path of the event database.")
@click.option("--hub", "hub_url", default=None, help="The hub's address (default: the one the station enrolled with).")
@click.option("--token", default=None, help="Station token (default: the one stored at enrolment).")
@click.option("--once", is_flag=True, help="Sync one round and exit, instead of staying in sync.")
@json_option
@log_level_option
@click.pass_context
def sync(ctx: click.Context, db_path: Path | None, hub_url: str | None, token: str | None, once: bool, as_json: bool,
         log_level: str) -> None:
    """Keep this database in sync with a hub (or carry events in a file: export/import).

    Pushes what the hub lacks, long-polls for what we lack, backs off while the hub is
    unreachable. With --once: one round, then a summary. Connections, refusals and
    reconnections are recorded in DB.log.

    \b
    Example:
        eventops sync --db desk-1.db --hub http://10.0.0.2:8765 --once
        eventops sync export --db bus-V1-B1.db --since hub.db > bus.bundle
        eventops sync import bus.bundle --db hub.db
    """
    if ctx.invoked_subcommand is not None:
        return
    if db_path is None:
        raise click.UsageError("--db PATH is required (or use `eventops sync export|import`)")
    from sync.client import SyncLoop, check_hub_url, sync_once

    if hub_url is not None:
        hub_url = check_hub_url(hub_url)  # a typo is one clear line, not a loop "connecting" forever
    db = open_db(db_path)
    start_logging(db_path, log_level)
    if once:
        report = sync_once(db, hub_url, token)
        logger.info("sync once: pushed %d, pulled %d, %d waiting", report.pushed, report.pulled, report.waiting)
        if as_json:
            click.echo(json.dumps(report.to_json()))
        else:
            click.echo(f"pushed {report.pushed}, pulled {report.pulled}, {report.waiting} waiting")
        return
    db.conn.close()
    last: list[str] = [""]

    def show(status: object) -> None:
        from sync.client import SyncStatus

        assert isinstance(status, SyncStatus)
        key = f"{status.online} {status.waiting} {status.error} {status.pulled} {status.pushed}"
        if key == last[0]:
            return  # only changes, not the clock ticking
        last[0] = key
        text = json.dumps(status.to_json()) if as_json else status.line()
        if status.error and not as_json:
            text += f" ({status.error})"
        click.echo(text)

    loop = SyncLoop(db_path, hub_url, token, on_status=show)
    loop.start()
    try:
        while True:
            time.sleep(1)
    finally:
        loop.stop()


@sync.command("export")
@store_option
@click.option("--since", required=True, help="The receiver's vector: JSON, 'desk-1=20,...', 0, or its database file.")
@click.option("--gzip", "compress", is_flag=True, help="Gzip the bundle.")
def export(where: Where, since: str, compress: bool) -> None:
    """Write the events the receiver lacks to stdout, as a bundle for a USB stick.

    The bundle counts its events and ends with a SHA-256 of its content, so an import
    refuses it if it was cut, padded or edited on the way.

    \b
    Example:
        eventops sync export --db bus-V1-B1.db --since hub.db > bus.bundle
        eventops sync export --store postgresql://hub@db.example/event --since desk-9.db > desk-9.bundle
    """
    from sync.bundle import export as do_export
    from sync.bundle import parse_since

    vector = parse_since(since)
    db = where.open()
    out = sys.stdout.buffer
    count = do_export(db, vector, out, compress=compress)
    out.flush()
    click.echo(f"exported {count} events", err=True)


@sync.command("import")
@click.argument("bundle", type=click.Path(path_type=Path))  # sync.bundle refuses what is no file
@db_option
@json_option
def import_(bundle: Path, db_path: Path, as_json: bool) -> None:
    """Merge a bundle into this database; importing twice changes nothing.

    A bundle that was cut, padded or edited is refused whole (exit 1, one line): nothing of
    it is imported; copy it again.

    \b
    Example:
        eventops sync import bus.bundle --db hub.db
    """
    from sync.bundle import import_file

    report = import_file(open_db(db_path), bundle)
    if as_json:
        click.echo(json.dumps(report.to_json()))
        return
    click.echo(f"imported {report.added} new events ({report.duplicates} already held) from {report.source or 'the bundle'}")
    if report.quarantined:
        click.echo(f"  quarantined {report.quarantined} events of revoked stations (recorded as an incident)")
    for station_id, count in sorted(report.skipped.items()):
        click.echo(f"  skipped {count} events of {station_id}: earlier ones are missing (import an older bundle first)")


@click.command("purge")
@db_option
@click.option("--force", is_flag=True, help="Purge even the organiser's database.")
@json_option
def purge(db_path: Path, force: bool, as_json: bool) -> None:
    """Remove personal data (names, organisations, cities, contacts) from a station after the event.

    The database keeps its scans and ids, and never syncs again.

    \b
    Example:
        eventops purge --db desk-1.db
    """
    from sync.purge import purge as do_purge

    report = do_purge(open_db(db_path), force=force)
    if as_json:
        click.echo(json.dumps(report.to_json()))
        return
    for line in report.lines():
        click.echo(line)


commands: list[click.Command] = [hub, sync, purge]
