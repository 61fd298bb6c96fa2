"""The operations lead's live dashboard: one panel per concern, updated as events arrive.

Events reach the screen without re-reading the log: a thread worker reads the log "since" a
rowid cursor four times a second and posts what is new; the app folds it into its
`EventState` (`apply`, incremental) and redraws each panel from its pure `fetch`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Footer, Label

from dashboard.board import (
    LIVE,
    LIVE_MOMENT,
    REPLAY,
    Board,
    LogFollower,
    Moment,
    Panels,
    open_board,
)
from dashboard.panels.people import PlaceList, RollCall, bus_people, roll_call, room_people
from dashboard.rollcall import RollCallFiles, write_roll_call
from dashboard.screens.people import PeopleScreen
from dashboard.screens.rollcall import RollCallScreen
from dashboard.widgets.arrivals import ArrivalsPanel
from dashboard.widgets.incidents import IncidentsPanel
from dashboard.widgets.rooms import RoomRow, RoomsPanel
from dashboard.widgets.stations import StationsPanel
from dashboard.widgets.visits import BusRow, VisitsPanel
from db.errors import EventOpsError
from db.events import Event
from db.hlc import system_wall_ms

#: How often the follower reads the log for new events.
POLL_SECONDS = 0.25
#: The screen is redrawn at least this often (the clock moves even without events).
TICK_SECONDS = 1.0


class DashboardApp(App[None]):
    """The live operations dashboard for one event database."""

    CSS_PATH = "dashboard.tcss"
    TITLE = "eventops dashboard"
    BINDINGS = [
        Binding("r", "roll_call", "Roll call"),
        Binding("a", "acknowledge", "Acknowledge incident"),
        Binding("q", "quit", "Quit"),
    ]

    @dataclass
    class BoardReady(Message):
        board: Board
        cursor: int

    @dataclass
    class LoadFailed(Message):
        reason: str

    @dataclass
    class EventsArrived(Message):
        events: list[Event]

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
        self.on_exit = on_exit
        self.board: Board | None = None
        self.shown: Panels | None = None
        self.refresh_ms: list[float] = []  # event-loop wall time per batch of new events (bench)
        self.refresh_cpu_ms: list[float] = []  # the same as CPU time of the event loop's thread
        self.error: str | None = None
        self.last_roll_call: RollCallFiles | None = None
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
        self.topbar = Label("loading the event log…", id="topbar")
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
        except (EventOpsError, ValueError) as error:
            self.post_message(self.LoadFailed(str(error)))
            return
        self.post_message(self.BoardReady(board, cursor))

    def on_dashboard_app_load_failed(self, message: LoadFailed) -> None:
        self.error = message.reason
        self.topbar.update(f"[b]cannot open the event:[/b] {message.reason}")

    def on_dashboard_app_board_ready(self, message: BoardReady) -> None:
        self.board = message.board
        self.board.start_clock()
        self.redraw()
        if self.board.mode == LIVE:
            self.follow(message.cursor)
            self.set_interval(TICK_SECONDS, self.redraw)
        elif self.board.mode == REPLAY:
            self.set_interval(0.25, self.replay_tick)

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow")
    def follow(self, cursor: int) -> None:
        """Read the log since `cursor` a few times a second; post what is new."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        follower = LogFollower(self.db_path, cursor)
        try:
            while not worker.is_cancelled:
                events = follower.poll()
                if events:
                    self.post_message(self.EventsArrived(events))
                else:
                    time.sleep(self.poll_seconds)
        finally:
            follower.close()

    def on_dashboard_app_events_arrived(self, message: EventsArrived) -> None:
        if self.board is None:
            return
        started, cpu = time.perf_counter(), time.thread_time()
        self.board.apply(message.events)
        self.redraw()
        self.refresh_cpu_ms.append((time.thread_time() - cpu) * 1000)
        self.refresh_ms.append((time.perf_counter() - started) * 1000)

    def replay_tick(self) -> None:
        if self.board is None:
            return
        events = self.board.due()
        if events:
            self.board.apply(events)
        self.redraw()

    # --- drawing -------------------------------------------------------------------------
    def redraw(self) -> None:
        board = self.board
        if board is None:
            return
        panels = board.panels()
        self.shown = panels
        try:
            self._draw(panels)
        except NoMatches:
            return  # shutting down: a last timer tick after the panels' children went away

    def _draw(self, panels: Panels) -> None:
        assert self.board is not None
        board = self.board
        sync = f"   {self.sync_line()}" if self.sync_line is not None else ""
        self.topbar.update(
            f"[b]{panels.event}[/b]   {panels.mode}   {panels.clock} ({board.state.tz}){sync}"
        )
        self.arrivals.show(panels.arrivals)
        self.rooms.show(panels.rooms)
        self.visits.show(panels.visits)
        self.incidents.show(panels.incidents)
        self.stations.show(panels.stations)
        screen = self.screen
        if isinstance(screen, PeopleScreen):
            screen.show(self.place_list(screen.place.kind, screen.place.ref, panels.now_ms), panels.clock)

    def place_list(self, kind: str, ref: str, now_ms: int) -> PlaceList:
        assert self.board is not None
        if kind == "bus":
            return bus_people(self.board.state, ref, now_ms)
        return room_people(self.board.state, ref, now_ms)

    # --- drill-down ------------------------------------------------------------------------
    def on_room_row_chosen(self, message: RoomRow.Chosen) -> None:
        self.drill_down("room", message.room_id)

    def on_bus_row_chosen(self, message: BusRow.Chosen) -> None:
        self.drill_down("bus", message.bus_id)

    def drill_down(self, kind: str, ref: str) -> None:
        if self.board is None or self.shown is None:
            return
        now = self.shown.now_ms
        self.push_screen(PeopleScreen(self.place_list(kind, ref, now), self.shown.clock))

    # --- roll call -------------------------------------------------------------------------
    def action_roll_call(self) -> None:
        if self.board is None:
            return
        now = self.shown.now_ms if self.shown else self.board.now_ms()
        roll = roll_call(self.board.state, now)
        self.push_screen(RollCallScreen(roll))
        self.write_roll_call(roll)

    @work(thread=True, exit_on_error=False, group="rollcall")
    def write_roll_call(self, roll: RollCall) -> None:
        try:
            files = write_roll_call(roll, self.out_dir)
        except (OSError, EventOpsError) as error:
            self.post_message(self.RollCallWritten(None, str(error)))
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
            self.notify(f"Roll call written to {message.files.pdf}", title="Roll call")
        else:
            self.notify(message.reason, title="Roll call not written", severity="error")

    # --- acknowledging incidents ------------------------------------------------------------
    def action_acknowledge(self) -> None:
        if self.board is None:
            return
        incident = self.incidents.selected
        if incident is None:
            self.notify("no open incident to acknowledge")
            return
        if not self.board.writable:
            self.notify("a replay or a fixed moment is read-only: nothing was written", severity="warning")
            return
        self.acknowledge(incident)

    @work(thread=True, exit_on_error=False, group="write")
    def acknowledge(self, incident: str) -> None:
        from dashboard.board import acknowledge

        try:
            station = acknowledge(self.db_path, incident, wall=self.wall)
        except EventOpsError as error:
            self.call_from_thread(self.notify, str(error), severity="error")
            return
        self.call_from_thread(self.notify, f"acknowledged {incident} as {station}")

    def on_unmount(self) -> None:
        if self.on_exit is not None:
            self.on_exit()
