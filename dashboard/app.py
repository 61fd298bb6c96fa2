"""The operations lead's live dashboard: one panel per concern, updated as events arrive.

Events reach the screen without re-reading the log. A feed thread reads the log "since" a rowid
cursor whenever something was committed to the file (`PRAGMA data_version`, asked twenty times a
second, db/watch.py) or the sync loop says it merged events (`events_merged`; a replay: takes the
events its clock has passed), folds them into
the board's `EventState` (`apply`, incremental) and computes every panel's data; the event loop
only draws what it posts. A large batch (a bus laptop syncing a day of late events) therefore
never freezes the screen.

If the feed fails (the database locked past its timeout, an I/O error, the file replaced...)
the top bar says so in red instead of LIVE and the feed retries with a growing, jittered pause: the
operations lead must never read stale rooms and buses as live.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from rich.markup import escape
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Label
from textual.worker import Worker

from checkin.i18n import N_, _
from checkin.tui.widgets.footer import Footer
from dashboard.board import (
    FROZEN,
    LIVE,
    LIVE_MOMENT,
    Board,
    LogFollower,
    Moment,
    Panels,
    open_board,
)
from dashboard.panels.incidents import IncidentLine
from dashboard.panels.people import PlaceList, RollCall, bus_people, roll_call, room_people
from dashboard.rollcall import RollCallFiles, write_roll_call
from dashboard.screens.confirm import ConfirmAcknowledgeScreen
from dashboard.screens.people import PeopleScreen
from dashboard.screens.rollcall import RollCallScreen
from dashboard.widgets.arrivals import ArrivalsPanel
from dashboard.widgets.incidents import IncidentsPanel
from dashboard.widgets.rooms import RoomRow, RoomsPanel
from dashboard.widgets.stations import StationsPanel
from dashboard.widgets.visits import BusRow, VisitsPanel
from db.events import Event
from db.hlc import system_wall_ms
from db.retry import Backoff

#: How often the live feed asks SQLite whether the file changed (`PRAGMA data_version`, no read
#: of the log), and how often a replay releases the events its clock has passed.
POLL_SECONDS = 0.05
#: The feed's longest uninterrupted wait (it checks whether the app is quitting in between).
WAIT_SLICE_SECONDS = 0.1
#: The screen is redrawn at least this often (the clock moves even without events).
TICK_SECONDS = 1.0
#: After a failure the feed retries after this pause, doubled (jittered) each time up to the maximum.
RETRY_SECONDS = (0.5, 8.0)
#: A moving board not updated for this long is shown as stopped (the feed thread is stuck or gone).
STALE_SECONDS = 5.0

T = TypeVar("T")


def worker_sleep(worker: Worker[None], seconds: float) -> None:
    """Sleep in short slices, so that quitting the app never waits for a long pause."""
    deadline = time.monotonic() + seconds
    while not worker.is_cancelled and time.monotonic() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


def reason_of(error: BaseException) -> str:
    """One line for a person: the message, or the error's kind when it has none."""
    text = " ".join(str(error).split())
    return text or type(error).__name__


def screenshot_dir(db_path: Path) -> Path:
    """Where a screenshot goes: the user's Downloads folder when there is one, else the folder
    of the event database (it exists: the dashboard is reading it)."""
    from platformdirs import user_downloads_path

    downloads = user_downloads_path()
    return downloads if downloads.is_dir() else db_path.resolve().parent


class DashboardApp(App[None]):
    """The live operations dashboard for one event database."""

    CSS_PATH = "dashboard.tcss"
    TITLE = "eventops dashboard"
    BINDINGS = [
        # One key per panel (digits: the same keys in every language), so the buses are one
        # key away rather than eight Tabs.
        Binding("1", "focus_panel('arrivals')", N_("Arrivals")),
        Binding("2", "focus_panel('incidents')", N_("Incidents")),
        Binding("3", "focus_panel('rooms')", N_("Rooms")),
        Binding("4", "focus_panel('visits')", N_("Buses")),
        Binding("5", "focus_panel('stations')", N_("Stations")),
        Binding("r", "roll_call", N_("Roll call")),
        Binding("a", "acknowledge", N_("Acknowledge incident"), show=False),
        Binding("q", "quit", N_("Quit")),
    ]

    @dataclass
    class BoardReady(Message):
        board: Board
        cursor: int
        panels: Panels

    @dataclass
    class LoadFailed(Message):
        reason: str

    @dataclass
    class Update(Message):
        """Ready-made panel data from the feed thread (and the open drill-down's list)."""

        panels: Panels
        place: PlaceList | None
        watched: tuple[str, str] | None
        events: int  # how many new events were folded in since the last update

    @dataclass
    class FeedStopped(Message):
        reason: str

    @dataclass
    class RollCallWritten(Message):
        files: RollCallFiles | None
        reason: str = ""

    def __init__(
        self,
        db_path: Path | str,
        *,
        moment: Moment = LIVE_MOMENT,
        out_dir: Path | None = None,
        wall: Callable[[], int] = system_wall_ms,
        poll_seconds: float = POLL_SECONDS,
        retry_seconds: tuple[float, float] = RETRY_SECONDS,
        on_exit: Callable[[], None] | None = None,
        sync_line: Callable[[], str] | None = None,
    ) -> None:
        super().__init__()
        self.sync_line = sync_line
        self.db_path = Path(db_path)
        self.moment = moment
        self.out_dir = out_dir or self.db_path.parent / "rollcall"
        self.wall = wall
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.on_exit = on_exit
        self.board: Board | None = None
        self.shown: Panels | None = None
        self.refresh_ms: list[float] = []  # event-loop wall time per drawn batch of new events (bench)
        self.refresh_cpu_ms: list[float] = []  # the same as CPU time of the event loop's thread
        #: `time.perf_counter()` when the first frame showing the folded log was drawn (bench).
        self.first_frame_at: float | None = None
        self.error: str | None = None
        #: Why the feed is stopped (shown in red instead of LIVE), None while it runs.
        self.feed_stopped: str | None = None
        #: The drill-down the feed keeps up to date: ("room" | "bus", id).
        self.watching: tuple[str, str] | None = None
        self.last_roll_call: RollCallFiles | None = None
        #: The live feed's reader of the log (its `reads` count is what a test and the bench check).
        self.follower: LogFollower | None = None
        #: Set by `events_merged` (the sync loop's thread): wakes the live feed at once.
        self._news = threading.Event()
        self._updated = time.monotonic()
        self._make_panels()

    # --- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield self.topbar
        with Horizontal(id="top"):
            yield self.arrivals
            yield self.incidents
        with Horizontal(id="bottom"):
            yield self.rooms
            with Vertical(id="right"):
                yield self.visits
                yield self.stations
        yield Footer()

    def _make_panels(self) -> None:
        # Kept as attributes: the panels stay reachable while a drill-down screen is on top.
        self.topbar = Label(_("loading the event log…"), id="topbar")
        self.arrivals = ArrivalsPanel(id="arrivals")
        self.incidents = IncidentsPanel(id="incidents")
        self.rooms = RoomsPanel(id="rooms")
        self.visits = VisitsPanel(id="visits")
        self.stations = StationsPanel(id="stations")

    # --- loading and following the log ------------------------------------------------------
    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        try:
            board, cursor = open_board(self.db_path, self.moment, wall=self.wall)
            panels = board.panels()
        except Exception as error:  # noqa: BLE001 - whatever it is, the screen must say it
            self.post_message(self.LoadFailed(reason_of(error)))
            return
        self.post_message(self.BoardReady(board, cursor, panels))

    def on_dashboard_app_load_failed(self, message: LoadFailed) -> None:
        self.error = message.reason
        self.topbar.update(_("[b]cannot open the event:[/b] {reason}").format(reason=escape(message.reason)))

    def on_dashboard_app_board_ready(self, message: BoardReady) -> None:
        self.board = message.board
        self.board.start_clock()
        self._show(message.panels, None, None)
        self.call_after_refresh(self._first_frame_drawn)
        if self.board.mode != FROZEN:
            self._updated = time.monotonic()
            self.feed(message.cursor)
            self.set_interval(TICK_SECONDS, self.tick)

    def _first_frame_drawn(self) -> None:
        self.first_frame_at = time.perf_counter()

    @work(thread=True, exclusive=True, exit_on_error=False, group="feed")
    def feed(self, cursor: int) -> None:
        """Fold what is new (live: the log since `cursor`; replay: what the clock passed), post panels.

        Live, the log is read only after a commit to the file (or `events_merged`), never on a
        timer. Runs until the app quits: every failure is reported on screen and retried after
        db/retry.py's jittered pause, growing up to `retry_seconds[1]`; a successful update
        clears the report.
        """
        from textual.worker import get_current_worker

        worker = get_current_worker()
        board = self.board
        assert board is not None
        follower: LogFollower | None = None
        pending: list[Event] = []
        backoff = Backoff(*self.retry_seconds)
        last = 0.0  # monotonic time of the last update posted
        try:
            while not worker.is_cancelled:
                try:
                    if board.mode == LIVE:
                        if follower is None:
                            follower = LogFollower(self.db_path, cursor, wake=self._news, every_s=self.poll_seconds)
                            self.follower = follower
                        if not pending:
                            pending = follower.poll()
                            cursor = follower.cursor
                    elif not pending:
                        pending = board.due()
                    watched = self.watching
                    if pending or time.monotonic() - last >= TICK_SECONDS or self.feed_stopped:
                        with board.lock:
                            if pending:
                                board.apply(pending)
                            panels = board.panels()
                            place = self._place_list(watched, panels.now_ms) if watched else None
                        self.feed_stopped = None  # before the update: it is drawn as LIVE again
                        self.post_message(self.Update(panels, place, watched, len(pending)))
                        last = time.monotonic()
                    folded, pending = len(pending), []
                    backoff.reset()
                    if not folded:
                        # Until the next tick at most, in slices short enough to quit promptly.
                        pause = min(WAIT_SLICE_SECONDS, max(0.0, TICK_SECONDS - (time.monotonic() - last)))
                        if follower is not None:
                            follower.wait(pause)  # a commit or the sync loop's news ends it at once
                        else:
                            worker_sleep(worker, min(pause, self.poll_seconds))  # a replay's clock
                except Exception as error:  # noqa: BLE001 - a stopped feed must be seen, then retried
                    reason = reason_of(error)
                    self.feed_stopped = reason
                    self.post_message(self.FeedStopped(reason))
                    if follower is not None:
                        with contextlib.suppress(Exception):  # a broken connection may refuse to close
                            follower.close()
                        follower = None  # reopened on the next try, at the same cursor
                    worker_sleep(worker, backoff.next())
        finally:
            if follower is not None:
                with contextlib.suppress(Exception):
                    follower.close()

    def events_merged(self, events: list[Event]) -> None:
        """The sync loop's `on_events` (any thread): events landed in the file, fold them now."""
        if events:
            self._news.set()

    def on_dashboard_app_update(self, message: Update) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        self._updated = time.monotonic()
        self._show(message.panels, message.place, message.watched)
        if message.events:
            self.refresh_cpu_ms.append((time.thread_time() - cpu) * 1000)
            self.refresh_ms.append((time.perf_counter() - started) * 1000)

    def on_dashboard_app_feed_stopped(self, message: FeedStopped) -> None:
        self._draw_topbar()  # shows the feed's current state (it may have recovered meanwhile)

    def tick(self) -> None:
        """Every second: the sync line moves, and a feed that went quiet is called out."""
        self._draw_topbar()

    def feed_problem(self) -> tuple[str, str] | None:
        """Why the screen is not live: the top bar's red headline and the reason (None when live).

        The feed's failure, or its silence: a feed stuck or gone (or folding a huge batch)
        posts nothing, and data that old must not pass for live either.
        """
        if self.board is None or self.board.mode == FROZEN:
            return None
        if self.feed_stopped is not None:
            return _("FEED STOPPED, retrying"), self.feed_stopped
        quiet = time.monotonic() - self._updated
        if quiet <= STALE_SECONDS:
            return None
        return _("NO UPDATE FOR {seconds} s").format(seconds=f"{quiet:.0f}"), _("the feed is silent")

    # --- drawing -------------------------------------------------------------------------
    def _show(self, panels: Panels, place: PlaceList | None, watched: tuple[str, str] | None) -> None:
        self.shown = panels
        try:
            self._draw(panels, place, watched)
        except NoMatches:
            return  # shutting down: a last update after the panels' children went away

    def _draw(self, panels: Panels, place: PlaceList | None, watched: tuple[str, str] | None) -> None:
        self._draw_topbar()
        self.arrivals.show(panels.arrivals)
        self.rooms.show(panels.rooms)
        self.visits.show(panels.visits)
        self.incidents.show(panels.incidents)
        self.stations.show(panels.stations)
        screen = self.screen
        if not isinstance(screen, PeopleScreen):
            self.watching = None  # the drill-down was closed: the feed stops listing it
        elif place is not None and watched == (screen.place.kind, screen.place.ref):
            screen.show(place, panels.clock)

    def _draw_topbar(self) -> None:
        panels, board = self.shown, self.board
        if panels is None or board is None:
            return
        sync = f"   {self.sync_line()}" if self.sync_line is not None else ""
        problem = self.feed_problem()
        self.topbar.set_class(problem is not None, "-stopped")
        if problem is not None:
            # What matters first (the red headline, how old the data is), the reason after it.
            headline, reason = problem
            self.topbar.update(
                f"[b]{escape(panels.event)}[/b]   [b white on red] {headline} [/]   "
                + _("as of {time}").format(time=panels.clock)
                + f" ({board.state.tz})   {escape(reason)}{sync}"
            )
            return
        self.topbar.update(f"[b]{escape(panels.event)}[/b]   {panels.mode}   {panels.clock} ({board.state.tz}){sync}")

    def _place_list(self, watched: tuple[str, str], now_ms: int) -> PlaceList:
        """Who is in the room or on the bus `watched` (call with the board's lock held)."""
        assert self.board is not None
        kind, ref = watched
        if kind == "bus":
            return bus_people(self.board.state, ref, now_ms)
        return room_people(self.board.state, ref, now_ms)

    def read_state(self, read: Callable[[], T], then: Callable[[T], None]) -> None:
        """`then(read())` on the event loop: at once when no fold is running, else when it ends.

        The screen never waits on the feed thread: a fold in progress (a large late batch)
        means the reading happens in a thread, and its result comes back to the loop.
        """
        board = self.board
        assert board is not None
        if board.lock.acquire(blocking=False):
            try:
                result = read()
            finally:
                board.lock.release()
            then(result)
            return
        self._read_state_later(read, then)

    @work(thread=True, exit_on_error=False, group="read")
    def _read_state_later(self, read: Callable[[], T], then: Callable[[T], None]) -> None:
        assert self.board is not None
        with self.board.lock:
            result = read()
        self.call_from_thread(then, result)

    # --- drill-down ------------------------------------------------------------------------
    def on_room_row_chosen(self, message: RoomRow.Chosen) -> None:
        self.drill_down("room", message.room_id)

    def on_bus_row_chosen(self, message: BusRow.Chosen) -> None:
        self.drill_down("bus", message.bus_id)

    def drill_down(self, kind: str, ref: str) -> None:
        if self.board is None or self.shown is None:
            return
        shown, watched = self.shown, (kind, ref)

        def opened(place: PlaceList) -> None:
            self.watching = watched  # from now on the feed lists this place with every update
            self.push_screen(PeopleScreen(place, shown.clock))

        self.read_state(lambda: self._place_list(watched, shown.now_ms), opened)

    # --- roll call -------------------------------------------------------------------------
    def action_roll_call(self) -> None:
        if self.board is None:
            return
        board = self.board
        now = self.shown.now_ms if self.shown else board.now_ms()

        def show(roll: RollCall) -> None:
            self.push_screen(RollCallScreen(roll))
            self.write_roll_call(roll)

        self.read_state(lambda: roll_call(board.state, now), show)

    @work(thread=True, exit_on_error=False, group="rollcall")
    def write_roll_call(self, roll: RollCall) -> None:
        try:
            files = write_roll_call(roll, self.out_dir)
        except Exception as error:  # noqa: BLE001 - the lead must know the files are not there
            self.post_message(self.RollCallWritten(None, reason_of(error)))
            return
        self.post_message(self.RollCallWritten(files))

    def on_dashboard_app_roll_call_written(self, message: RollCallWritten) -> None:
        self.last_roll_call = message.files
        for screen in self.screen_stack:
            if isinstance(screen, RollCallScreen):
                if message.files is None:
                    screen.files_failed(message.reason)
                else:
                    screen.files_written(message.files)
        if message.files is not None:
            self.notify(_("Roll call written to {pdf}").format(pdf=message.files.pdf), title=_("Roll call"))
        else:
            self.notify(message.reason, title=_("Roll call not written"), severity="error")

    # --- panels -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The panel keys belong to the main screen (hidden under a drill-down or the roll call)."""
        if action in ("focus_panel", "acknowledge"):
            return len(self.screen_stack) == 1
        return True

    def action_focus_panel(self, panel: str) -> None:
        """Focus a panel by its key: its selected row (or first row) where it has rows."""
        widget = {
            "arrivals": self.arrivals,
            "incidents": self.incidents,
            "rooms": self.rooms,
            "visits": self.visits,
            "stations": self.stations,
        }[panel]
        if panel in ("rooms", "visits"):
            rows = [child for child in widget.children if child.can_focus]
            if rows:
                focused = self.focused
                (focused if focused in rows else rows[0]).focus()
                return
        widget.focus()

    # --- acknowledging incidents ------------------------------------------------------------
    def action_acknowledge(self) -> None:
        """`a` outside the incidents panel: say how, never acknowledge an incident unseen."""
        self.notify(_("To acknowledge an incident: press 2, choose it, then a."))

    def on_incidents_panel_acknowledge_asked(self, message: IncidentsPanel.AcknowledgeAsked) -> None:
        if self.board is None:
            return
        if not self.board.writable:
            self.notify(_("a replay or a fixed moment is read-only: nothing was written"), severity="warning")
            return
        incident = message.incident

        def answered(yes: bool | None) -> None:
            if yes:
                self.acknowledge(incident)

        self.push_screen(ConfirmAcknowledgeScreen(incident), answered)

    @work(thread=True, exit_on_error=False, group="write")
    def acknowledge(self, incident: IncidentLine) -> None:
        from dashboard.board import acknowledge

        what = f"{_(incident.kind_label)}: {incident.detail}"
        try:
            acknowledge(self.db_path, incident.id, wall=self.wall)
        except Exception as error:  # noqa: BLE001 - a locked database must not lose the ack silently
            message = _("not acknowledged: {reason}").format(reason=reason_of(error))
            self.call_from_thread(self.notify, message, severity="error")
            return
        self.call_from_thread(self.notify, _("acknowledged: {incident}").format(incident=what))

    # --- screenshots ---------------------------------------------------------------------
    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Textual's screenshot (command palette), saved where it can be: ~/Downloads if it
        exists, else the event database's folder (the notification says where)."""
        return super().deliver_screenshot(filename, path or str(screenshot_dir(self.db_path)), time_format)

    def on_unmount(self) -> None:
        if self.on_exit is not None:
            self.on_exit()
