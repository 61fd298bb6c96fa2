"""Commands: dashboard (the operations lead's live screen, in a terminal or a browser)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from eventops.lang import lang_option
from eventops.options import log_level_option, start_logging
from eventops.store_option import event_option

logger = logging.getLogger("eventops.cli")


@click.command("dashboard")
@event_option(writes=True, follow=True)
@click.option("--hub", default=None, metavar="URL", help="Keep the database in sync with this hub while the dashboard runs.")
@click.option("--replay", default=None, metavar="DAY", help="Replay a past day (YYYY-MM-DD) instead of showing the live event.")
@click.option("--speed", default=60.0, show_default=True, type=float, help="With --replay: replayed seconds per real second.")
@click.option("--at", "at", default=None, metavar="TIME", help="Show one fixed moment (2024-03-20T11:00, or HH:MM on the first day / the replayed day).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path), help="Where the roll call's CSV and PDF go (default: rollcall/ next to the database).")
@click.option("--web", is_flag=True, help="Serve the dashboard to web browsers (textual-serve) instead of this terminal.")
@click.option("--host", default="localhost", show_default=True, help="With --web: the address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="With --web: the port to listen on.")
@click.option("--public-url", default=None, metavar="URL", help="With --web: the address browsers use to reach this machine (default: its name, when --host is 0.0.0.0).")
@lang_option
@log_level_option
def dashboard(
    db_path: Path,
    hub: str | None,
    replay: str | None,
    speed: float,
    at: str | None,
    out_dir: Path | None,
    web: bool,
    host: str,
    port: int,
    public_url: str | None,
    log_level: str,
) -> None:
    """The live operations dashboard: arrivals, rooms, buses, stations, incidents.

    Keys: 1-5 focus a panel, Enter on a room or bus shows who is in it, r writes the roll
    call (CSV and PDF), a (in the incidents panel) acknowledges the highlighted incident
    after asking, q quits. Times are in the event's time zone.
    A database that is missing or holds no event is refused before the screen opens; sync
    trouble is recorded in DB.log.

    \b
    Example:
        eventops dashboard --db event.db
        eventops dashboard --db event.db --hub http://10.0.0.2:8765
        eventops dashboard --db event.db --replay 2024-03-20 --speed 60
        eventops dashboard --db event.db --web --host 0.0.0.0 --port 8080
        eventops dashboard --db event.db --lang fr
        eventops dashboard --store postgresql://hub@db.example/event
    """
    from dashboard.run import check_database, run_dashboard, serve_dashboard

    check_database(db_path)  # one line and exit 1, before a screen or a web server starts
    if web:
        serve_dashboard(db_path, host=host, port=port, hub=hub, replay=replay, speed=speed, at=at, public_url=public_url)
        return
    start_logging(db_path, log_level)
    logger.info("dashboard starting%s%s", f" with hub {hub}" if hub else "", f", replaying {replay}" if replay else "")
    try:
        run_dashboard(db_path, hub=hub, replay=replay, speed=speed, at=at, out_dir=out_dir)
    finally:
        logger.info("dashboard closed")


commands: list[click.Command] = [dashboard]
