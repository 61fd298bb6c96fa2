"""Starting the dashboard from Python: `eventops dashboard`, `eventops demo` and the web server.

`run_dashboard` is what the demo calls; it keeps the CLI thin and starts sync with a hub when
asked (sync/client.py's `SyncLoop`), stopping it when the dashboard quits.
"""

from __future__ import annotations

import contextlib
import shlex
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.board import FROZEN, LIVE, REPLAY, Moment
from db.errors import EventOpsError

#: textual-serve's page, with its font served by the server itself (dashboard/web/app_index.html).
WEB_TEMPLATES = Path(__file__).resolve().parent / "web"

if TYPE_CHECKING:
    from dashboard.app import DashboardApp
    from db.events import Event


def moment_of(replay: str | None = None, speed: float = 1.0, at: str | None = None) -> Moment:
    """The clock the dashboard follows for the command line's `--replay/--speed/--at`."""
    if speed <= 0:
        raise EventOpsError("--speed must be greater than 0")
    if at is not None:
        check_moment_text(at)
    if replay is not None:
        try:
            date.fromisoformat(replay)
        except ValueError:
            raise EventOpsError(f"--replay takes a day like 2024-03-20, not {replay!r}") from None
    if replay:
        return Moment(REPLAY, replay, speed, at)
    if at:
        return Moment(FROZEN, None, 1.0, at)
    return Moment(LIVE)


def check_moment_text(text: str) -> None:
    """Refuse an `--at` that is neither a date-time (2024-03-20T11:00) nor a time (11:00)."""
    try:
        if "T" in text or " " in text:
            datetime.fromisoformat(text.strip().replace(" ", "T"))
        else:
            time.fromisoformat(text.strip())
    except ValueError:
        raise EventOpsError(f"--at takes a time like 2024-03-20T11:00 or 11:00, not {text!r}") from None


def check_database(db_path: Path) -> None:
    """Refuse, before any screen opens, a database the dashboard cannot show: missing, not
    SQLite, another application's, or without an event (one line each, never a broken screen)."""
    from db.connect import connect
    from db.errors import NoEventYet
    from db.event import has_event

    db = connect(db_path, create=False)
    try:
        if not has_event(db):
            raise NoEventYet(
                f"{db_path} holds no event yet: create it with `eventops init --db {db_path} ...` "
                "or `eventops demo init`, or enrol this laptop with `eventops station enrol`"
            )
    finally:
        db.conn.close()


def check_replay_day(db_path: Path, day: str) -> None:
    """Refuse, before the screen opens, to replay a day the event does not have (the event as
    the fold reads it: the days of the first `event.created`, like every screen and `status`)."""
    from db.connect import connect
    from db.event import event_info

    db = connect(db_path, create=False)
    try:
        info = event_info(db)
    finally:
        db.conn.close()
    days = list(info.days) if info is not None else []
    if days and day not in days:
        raise EventOpsError(f"{day} is not a day of this event ({', '.join(days)})")


def make_app(
    db_path: Path | str,
    *,
    replay: str | None = None,
    speed: float = 1.0,
    at: str | None = None,
    out_dir: Path | None = None,
    on_exit: Callable[[], None] | None = None,
) -> DashboardApp:
    """The Textual app (imported here so that `db`-only callers never load Textual)."""
    from dashboard.app import DashboardApp

    path = Path(db_path)
    check_database(path)
    if replay:
        check_replay_day(path, replay)
    return DashboardApp(path, moment=moment_of(replay, speed, at), out_dir=out_dir, on_exit=on_exit)


def run_dashboard(
    db_path: Path | str,
    *,
    hub: str | None = None,
    replay: str | None = None,
    speed: float = 1.0,
    at: str | None = None,
    out_dir: Path | None = None,
    on_exit: Callable[[], None] | None = None,
) -> None:
    """Open the live dashboard on `db_path` in this terminal until the user presses q.

    With `hub`, the database is kept in sync with that hub while the dashboard runs.
    `on_exit` is called when the dashboard closes (the demo stops its simulator there).
    """
    app = make_app(db_path, replay=replay, speed=speed, at=at, out_dir=out_dir, on_exit=on_exit)
    with syncing(db_path, hub, on_events=app.events_merged) as sync_line:
        app.sync_line = sync_line
        app.run()


@contextlib.contextmanager
def syncing(
    db_path: Path | str, hub: str | None, *, on_events: Callable[[list[Event]], None] | None = None
) -> Iterator[Callable[[], str] | None]:
    """Keep `db_path` in sync with `hub` (if given) while the block runs.

    Yields a function returning the sync status line for the top bar (None without a hub).
    Events pulled from the hub land in the database; `on_events` (the dashboard's
    `events_merged`) hears of them at once, so the feed folds them without waiting.
    """
    if not hub:
        yield None
        return
    from rich.markup import escape

    from sync.client import SyncLoop

    loop = SyncLoop(db_path, hub, on_events=on_events).start()
    try:
        yield lambda: escape(loop.status().line())
    finally:
        loop.stop()


def serve_dashboard(
    db_path: Path | str,
    *,
    host: str = "localhost",
    port: int = 8000,
    hub: str | None = None,
    replay: str | None = None,
    speed: float = 1.0,
    at: str | None = None,
    public_url: str | None = None,
) -> None:
    """Serve the same dashboard to web browsers (textual-serve runs one app per visitor).

    Listening on all interfaces (0.0.0.0), the page must be told the address browsers reach
    this machine at: `public_url`, else this machine's name.
    """
    from textual_serve.server import Server

    check_database(Path(db_path))
    moment_of(replay, speed, at)  # refuse bad options before serving
    from checkin.i18n import language

    args = [sys.executable, "-m", "eventops", "dashboard", "--db", str(Path(db_path).resolve())]
    args += ["--lang", language()]  # each browser's app speaks the language the server was given
    if hub:
        args += ["--hub", hub]
    if replay:
        args += ["--replay", replay, "--speed", f"{speed:g}"]
    if at:
        args += ["--at", at]
    if public_url is None and host in ("0.0.0.0", "::"):
        public_url = f"http://{socket.getfqdn()}:{port}"
    with tempfile.TemporaryDirectory(prefix="eventops-web-") as templates:
        (Path(templates) / "app_index.html").write_text(web_page(), encoding="utf-8")
        server = Server(
            shlex.join(args), host=host, port=port, title="eventops dashboard", public_url=public_url,
            templates_path=templates,  # the page loads nothing from a public service (its font neither)
        )
        server.serve()


def web_page() -> str:
    """dashboard/web/app_index.html with its few visible words in the chosen language."""
    from checkin.i18n import N_, _, language

    page = (WEB_TEMPLATES / "app_index.html").read_text(encoding="utf-8")
    for english in (N_("Start"), N_("Session ended."), N_("Restart")):
        page = page.replace(f">{english}</", f">{escape(_(english))}</")
    return page.replace("<html>", f'<html lang="{language()}">', 1)
