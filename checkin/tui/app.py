"""The check-in station app: scan, see a huge verdict, next person; never touch the keyboard.

All decisions go through the headless `checkin.station.Station` in ONE worker thread, in the
order they were asked for (scans, searches, undo, a bus's departure and return); a verdict is
shown only after its event is committed, and any failure is a red "NOT RECORDED" card. Nothing
on the event loop waits for the station's lock: it reads the status and the badge keys the
station publishes, and name searches run in a worker. Wedge scanners are captured at App level, so
keystrokes become scans whatever has focus on the main screen. The camera runs in its own
worker and hands payloads back as messages. A desk with a printer (`printing`) prints a
person's badge at their first check-in of the event and on F6, in the print queue's own thread.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer

from checkin.i18n import N_, _
from checkin.scanning.wedge_input import WedgeAssembler, WedgeInput
from checkin.sound import Sounds
from checkin.station import Station
from checkin.tui.screens.help import HelpScreen
from checkin.tui.screens.search import SearchScreen
from checkin.tui.screens.station import StationScreen
from checkin.tui.screens.walk_in import NameFixScreen, WalkInScreen
from checkin.tui.widgets.verdict_card import READY_TEXT
from checkin.verdict import REFUSED, ROOM_FULL, Verdict, not_recorded
from checkin.walkin import (
    NewBadge,
    Person,
    fix_name,
    new_badge,
    or_refusal,
    register,
    reprint,
    walk_ins_allowed,
)

if TYPE_CHECKING:  # printing (fpdf2, fonts) is loaded only by a desk that prints
    from checkin.printing import PrintJob, PrintQueue

#: How long a verdict stays on screen before the card says "scan a badge" again (seconds).
RESET_S = {"ok": 3.0, "warning": 5.0, "refused": 7.0}
TERMINATORS = ("enter", "tab", "ctrl+m", "ctrl+j")
#: The camera preview is redrawn at most this often (seconds): enough to aim a badge.
PREVIEW_EVERY_S = 0.1
#: How often the wedge assembler is polled while keys are pending (seconds).
WEDGE_POLL_S = 0.02


@dataclass
class Shown:
    """A verdict that reached the screen, and when (monotonic seconds): for tests and bench."""

    verdict: Verdict
    at: float
    started: float | None = None  # when the scan began (key submitted, camera frame read)


class CheckinApp(App[None]):
    """One station: desk or door (bus mode plugs into the same screen)."""

    CSS_PATH = "station.tcss"
    TITLE = "eventops check-in"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f1", "help", N_("Help")),
        Binding("f2", "search", N_("Search")),
        Binding("f3", "undo", N_("Undo")),
        Binding("f4", "toggle_exit", N_("Entry/Exit")),
        Binding("f4", "walk_in", N_("Register walk-in")),  # a desk allowed walk-ins (checkin/walkin.py)
        Binding("f5", "override", N_("Override")),
        Binding("f6", "reprint", N_("Reprint")),  # a desk with a printer (checkin/printing.py)
        Binding("f7", "fix_name", N_("Fix name")),
        Binding("f8", "lost_badge", N_("Lost badge")),
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
    ]

    class VerdictReady(Message):
        """A committed verdict, from a scan worker."""

        def __init__(self, verdict: Verdict, payload: str | None, started: float) -> None:
            super().__init__()
            self.verdict = verdict
            self.payload = payload
            self.started = started

    class CameraFrame(Message):
        """The latest camera frame, for the preview (a newer one replaces an unhandled one)."""

        def __init__(self, frame: Any) -> None:
            super().__init__()
            self.frame = frame

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, CheckinApp.CameraFrame)

    class PrintUpdate(Message):
        """A print job changed (queued, printed, failed), from the print queue's thread."""

        def __init__(self, job: PrintJob) -> None:
            super().__init__()
            self.job = job

    class CameraStatus(Message):
        """What the frame source says (opened, lost, reopening...)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class CameraProblem(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(
        self,
        station: Station,
        *,
        camera: str | None = None,
        sync: Any = None,
        preview: bool = True,
        sound: bool = True,
        clock: Any = None,
        realtime_camera: bool = True,
        printing: PrintQueue | None = None,
    ) -> None:
        super().__init__()
        self.station = station
        self.printing = printing
        if printing is not None:
            printing.on_update = self._print_changed
        self._last_person: tuple[dict[str, Any], str | None] | None = None  # (attendee, scanned payload)
        self._last_job: PrintJob | None = None
        self._auto_printed: set[str] = set()  # attendees whose badge this desk printed on arrival
        self.camera = camera
        self.sync = sync
        self.with_preview = preview and camera is not None
        self.sounds = Sounds(bell=self._bell, enabled=sound)
        self.clock = clock or station.wall
        self.realtime_camera = realtime_camera
        self.reset_s = dict(RESET_S)
        self.wedge = WedgeAssembler()
        self.shown: list[Shown] = []
        self.scans_started: list[float] = []
        self.camera_done = False
        self._wedge_timer: Timer | None = None
        self._jobs: queue.Queue[tuple[Callable[[], Verdict], str | None, float]] = queue.Queue()
        self._polling = threading.Lock()  # one poll at a time, however long the station's lock is held
        self._reset_timer: Timer | None = None
        self._last_refused: tuple[str | None, str | None] | None = None  # (payload, attendee id)
        #: Whether this desk may register walk-ins now (read off the loop, by `poll`).
        self.walk_ins = False
        #: Badges made at this desk since the app started (walk-ins, reprints), newest last.
        self.new_badges: list[NewBadge] = []

    # --- layout -------------------------------------------------------------------------
    def get_default_screen(self) -> StationScreen:
        hint = (_("hold the badge up to the camera, or press F2 to search by name") if self.camera
                else _("scan the badge, or press F2 to search by name"))
        return StationScreen(hint, self.with_preview)

    def on_mount(self) -> None:
        config = self.station.config
        self.sub_title = f"{config.station_id} · {config.mode}"
        self.call_after_refresh(self.update_status)
        self._scan_loop()
        self._warm_search()
        self.set_interval(1.0, self.poll)
        if self.camera is not None:
            self.run_camera()

    @property
    def main(self) -> StationScreen:
        for screen in self.screen_stack:
            if isinstance(screen, StationScreen):
                return screen
        raise LookupError("the station screen is not up yet")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_exit" or action == "override":
            return self.station.config.mode == "door"
        if action in ("walk_in", "lost_badge", "fix_name"):
            return self.walk_ins
        if action == "reprint":
            return self.printing is not None
        return True

    # --- wedge input: every key on the main screen ------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and isinstance(self.screen, StationScreen):
            at_ms = event.time * 1000
            if event.key in TERMINATORS:
                self._wedge_out(self.wedge.feed("\r", at_ms))
                return
            if event.is_printable and event.character:
                self._wedge_out(self.wedge.feed(event.character, at_ms))
                self._take_whole_badge()
                if self.wedge.pending and self._wedge_timer is None:
                    self._wedge_timer = self.set_interval(WEDGE_POLL_S, self._wedge_poll)
                return
        if isinstance(event, events.Paste) and isinstance(self.screen, StationScreen):
            for line in event.text.splitlines():
                if line.strip():
                    self.scan(line.strip())
            return
        await super().on_event(event)

    def _take_whole_badge(self) -> None:
        """A genuine badge is complete at its last key: scan it now, no Enter or pause needed."""
        text = self.wedge.pending
        if self.is_whole_badge(text):
            self.wedge = WedgeAssembler()
            self.scan(text)

    def is_whole_badge(self, text: str) -> bool:
        """A genuine badge of this event (revoked or not), as typed by a wedge scanner."""
        from checkin.badges.token import MIN_LEN, verify_badge

        if len(text) < MIN_LEN:
            return False
        # The published keys, not the live state the scan worker is changing: a genuine
        # badge verifies as "unknown_attendee" against them (see BadgeKeys).
        return verify_badge(text, self.station.badge_keys).reason in ("ok", "revoked", "unknown_attendee", "revoked_desk")

    def _wedge_poll(self) -> None:
        self._wedge_out(self.wedge.poll(time.monotonic() * 1000))
        if not self.wedge.pending and self._wedge_timer is not None:
            self._wedge_timer.stop()
            self._wedge_timer = None

    def _wedge_out(self, inputs: list[WedgeInput]) -> None:
        """Scans become scans; a person's typing (+ Enter) opens the name search with it."""
        from checkin.scanning.wedge_input import _token_shaped

        for item in inputs:
            if item.kind == "scan" or _token_shaped(item.text):
                self.scan(item.text)
            elif item.text.strip():
                self.action_search(item.text.strip())

    # --- scanning: one worker thread, scans decided in the order they came -----------------
    def scan(self, payload: str, override: bool = False, started: float | None = None) -> None:
        """Queue a scanned payload (wedge, camera, paste) for the station."""
        started = time.monotonic() if started is None else started
        self.scans_started.append(started)
        self.enqueue(lambda: self.station.scan(payload, override=override), payload, started)

    def enqueue(self, job: Callable[[], Verdict], payload: str | None = None, started: float | None = None) -> None:
        """Queue a station operation behind those already queued; its verdict (or a red
        NOT RECORDED card if it raises anything) is shown when it is done."""
        self._jobs.put((job, payload, time.monotonic() if started is None else started))

    def _search_worker(self, attendee_id: str, override: bool = False) -> None:
        self.enqueue(lambda: self.station.check_in_by_search(attendee_id, override=override))

    @work(thread=True, exclusive=True, group="scans", exit_on_error=False)
    def _scan_loop(self) -> None:
        """The station's one writer: takes jobs in order, so the last seat goes to whoever
        was scanned first, and posts each verdict once its event is committed."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                job, payload, started = self._jobs.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                verdict = job()
            except Exception as error:  # noqa: BLE001 - a person must see that nothing was recorded
                verdict = not_recorded(error)
            self.post_message(self.verdict_message(verdict, payload, started))

    def verdict_message(self, verdict: Verdict, payload: str | None, started: float) -> Message:
        """The message a finished job posts (bus mode turns "confirm the departure" into a question)."""
        return self.VerdictReady(verdict, payload, started)

    def on_checkin_app_verdict_ready(self, message: VerdictReady) -> None:
        verdict = message.verdict
        badge = new_badge(verdict)
        if badge is not None:
            self.new_badges.append(badge)
        if verdict.status == REFUSED and verdict.reason == ROOM_FULL:
            attendee = verdict.attendee["id"] if verdict.attendee else None
            self._last_refused = (message.payload, attendee)
        self.show_verdict(verdict, message.started)
        if self.sync is not None and verdict.event is not None:
            self.sync.nudge()
        if self.printing is not None:
            if badge is not None:
                self.hand_to_printer(badge)  # a walk-in's or a lost badge's new one, whoever it is
            else:
                self._print_on_arrival(verdict, message.payload)

    # --- printing: badges at the first check-in of the event, and on F6 -----------------------
    def _print_on_arrival(self, verdict: Verdict, payload: str | None) -> None:
        """Remember who was last at the desk (F6 reprints them) and print their badge if this is
        their first check-in of the event. Never waits: the queue has its own thread. A verdict
        that made a new badge (a walk-in) carries its payload in `extra["payload"]`."""
        from checkin.printing import first_of_event

        if verdict.attendee is None or verdict.status == REFUSED:
            return
        payload = payload or str(verdict.extra.get("payload") or "") or None
        self._last_person = (verdict.attendee, payload)
        attendee_id = str(verdict.attendee.get("id", ""))
        if payload and attendee_id not in self._auto_printed and first_of_event(self.station.state, verdict):
            self._auto_printed.add(attendee_id)
            assert self.printing is not None
            self.printing.submit(verdict.attendee, payload)

    def _print_changed(self, job: PrintJob) -> None:
        """The print queue's callback, in its thread: hand the job to the event loop."""
        self.post_message(self.PrintUpdate(job))

    def on_checkin_app_print_update(self, message: PrintUpdate) -> None:
        """Show the job on the card's print line (added to the card the first time)."""
        from checkin.tui.widgets.print_line import PrintLine

        self._last_job = message.job
        with contextlib.suppress(LookupError, NoMatches):
            card = self.main.card
            found = card.query(PrintLine)
            print_line = found.first() if found else PrintLine(id="print-line")
            if not found:
                card.mount(print_line)
            print_line.job = message.job

    def action_reprint(self) -> None:
        """F6: retry the badge that failed, or print the last person's badge again."""
        from checkin.printing import FAILED

        if self.printing is None:
            return
        last = self._last_job
        if last is not None and last.state == FAILED:
            self.printing.retry(last.id)
            return
        if self._last_person is None:
            self.notify(_("nothing to reprint: F6 prints the badge of the last person scanned"))
            return
        attendee, payload = self._last_person
        if not payload:
            name = attendee.get("name") or attendee.get("id")
            self.notify(_("no badge code to print for {name}: checked in by name, scan their badge").format(name=name))
            return
        self.printing.submit(attendee, payload)

    def show_verdict(self, verdict: Verdict, started: float | None = None) -> None:
        main = self.main
        main.card.verdict = verdict
        self.sounds.play(verdict.status)
        self.update_status()
        if self._reset_timer is not None:
            self._reset_timer.stop()
        self._reset_timer = self.set_timer(self.reset_s.get(verdict.status, 5.0), self.reset_card)
        self.call_after_refresh(self._mark_shown, verdict, started)

    def _mark_shown(self, verdict: Verdict, started: float | None) -> None:
        self.shown.append(Shown(verdict, time.monotonic(), started))

    def reset_card(self) -> None:
        with contextlib.suppress(LookupError):  # the timer can fire while the app shuts down
            self.main.card.verdict = None

    # --- camera ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="camera")
    def run_camera(self) -> None:
        from textual.worker import get_current_worker

        from checkin.tui.camera import camera_scans
        from db.errors import EventOpsError

        worker = get_current_worker()

        def camera_status(text: str) -> None:
            self.post_message(self.CameraStatus(text))

        last_preview = 0.0

        try:
            for seen in camera_scans(
                str(self.camera),
                lambda: self.station.badge_keys,
                lambda: worker.is_cancelled,
                camera_status,
                realtime=self.realtime_camera,
            ):
                for payload in seen.payloads:
                    self.scan(payload, started=seen.started)
                if self.with_preview and time.monotonic() - last_preview >= PREVIEW_EVERY_S:
                    preview = self.main.preview  # None until the screen is composed
                    if preview is not None:
                        last_preview = time.monotonic()
                        self.post_message(self.CameraFrame(preview.reduce_frame(seen.frame)))
        except EventOpsError as error:
            self.post_message(self.CameraProblem(str(error)))
        finally:
            self.camera_done = True

    def on_checkin_app_camera_frame(self, message: CameraFrame) -> None:
        preview = self.main.preview
        if preview is not None:
            preview.show_frame(message.frame)

    def on_checkin_app_camera_status(self, message: CameraStatus) -> None:
        preview = self.main.preview
        if preview is not None:
            preview.caption = message.text
            preview.refresh()

    def on_checkin_app_camera_problem(self, message: CameraProblem) -> None:
        self.notify(message.text, severity="error", timeout=10)
        preview = self.main.preview
        if preview is not None:
            preview.caption = _("no camera")
            preview.refresh()

    @work(thread=True, exclusive=True, group="search-index", exit_on_error=False)
    def _warm_search(self) -> None:
        """Build the name index before anyone presses F2 (a second on 10,000 attendees)."""
        self._check_walk_ins()
        self.station.name_index()

    def _check_walk_ins(self) -> None:
        """In a worker: may this desk register walk-ins (its binding, its key file)? Shows or
        hides F4/F6/F7 when that changes (a revocation arriving by sync hides them)."""
        allowed = walk_ins_allowed(self.station)
        if allowed != self.walk_ins:
            self.walk_ins = allowed
            self.call_from_thread(self.refresh_bindings)

    # --- status ---------------------------------------------------------------------------
    @work(thread=True, group="poll", exit_on_error=False)
    def poll(self) -> None:
        """Fold what other processes (sync, other stations) appended, rebuild the name index
        if new people came, then redraw the status. Runs in a thread: the station's lock may
        be held for seconds (a busy database, a late-event replay). A poll still waiting for
        it makes the next ones skip rather than pile up."""
        if not self._polling.acquire(blocking=False):
            return
        try:
            self.station.refresh()
            self._check_walk_ins()
            self.call_from_thread(self.update_status)
            self.station.name_index()  # off the loop, before the next F2
        finally:
            self._polling.release()

    def update_status(self) -> None:
        """Redraw the status line from the station's published status (never waits for its lock)."""
        try:
            main = self.main
            line = main.status_line
        except (LookupError, NoMatches):
            return
        status = self.station.status()
        sync = _("offline")
        if self.sync is not None:
            sync = self.sync.status().line(status.now_ms if self.clock is self.station.wall else None)
        clock = status.local_time(self.clock()).strftime("%H:%M")
        line.show(status, sync, clock)
        main.card.show_ready(*self.ready_words(status.place_name))

    def ready_words(self, place_name: str) -> tuple[str, str]:
        """The card between people: `EXIT` in big letters on a door scanning people out (a
        steward must never scan people out all morning by mistake), else `SCAN A BADGE`."""
        config = self.station.config
        hint = self.main.ready_hint
        if config.mode == "door" and config.exit:
            out = _("this door scans people OUT of {room}: F4 switches to entry").format(room=place_name or config.room)
            return _("EXIT"), f"{out}\n{hint}"
        return READY_TEXT, hint

    # --- actions ----------------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_search(self, query: str = "") -> None:
        if isinstance(self.screen, SearchScreen):
            return
        verb = _("check in") if self.station.config.mode == "desk" else _("let in")

        screen = SearchScreen(self.station.search, verb, query, badge=self.is_whole_badge)

        def picked(attendee_id: str | None) -> None:
            if attendee_id:
                self._search_worker(attendee_id)
            elif screen.scanned:
                self.scan(screen.scanned)

        self.push_screen(screen, picked)

    def action_undo(self) -> None:
        self.enqueue(self.station.undo_last)

    def action_toggle_exit(self) -> None:
        self.station.set_exit(not self.station.config.exit)
        self.notify(_("door now scans people OUT") if self.station.config.exit else _("door now scans people IN"))
        self.update_status()

    def action_override(self) -> None:
        if self._last_refused is None:
            self.notify(_("nothing to override: F5 admits the last person refused for a full room"))
            return
        payload, attendee_id = self._last_refused
        self._last_refused = None
        if payload:
            self.scan(payload, override=True)
        elif attendee_id:
            self._search_worker(attendee_id, True)

    # --- people not on the list: walk-ins, lost badges, name fixes (checkin/walkin.py) ---------
    def action_walk_in(self) -> None:
        if not self.walk_ins or not isinstance(self.screen, StationScreen):
            return

        def registered(person: Person | None) -> None:
            if person is not None:
                self.enqueue(or_refusal(lambda: register(self.station, person)))

        self.push_screen(WalkInScreen(), registered)

    def action_lost_badge(self) -> None:
        """Lost badge: find the person by name, then a new badge (the old one revoked everywhere)."""
        if not self.walk_ins or not isinstance(self.screen, StationScreen):
            return

        def picked(attendee_id: str | None) -> None:
            if attendee_id:
                self.enqueue(or_refusal(lambda: reprint(self.station, attendee_id)))

        self.push_screen(SearchScreen(self.station.search, _("reprint the badge of")), picked)

    def action_fix_name(self) -> None:
        """Misspelt name: find the person, type the name as it should read (the desk's annotation)."""
        if not self.walk_ins or not isinstance(self.screen, StationScreen):
            return

        def picked(attendee_id: str | None) -> None:
            person = self.station.state.attendees.get(attendee_id or "")
            if person is None:
                return

            def fixed(names: tuple[str, str] | None) -> None:
                if names is not None:
                    self.enqueue(or_refusal(lambda: fix_name(self.station, person.id, *names)))

            first, last = (person.first, person.last) if person.first or person.last else (person.name, "")
            self.push_screen(NameFixScreen(person.name, first, last), fixed)

        self.push_screen(SearchScreen(self.station.search, _("fix the name of")), picked)

    def hand_to_printer(self, badge: NewBadge) -> None:
        """A badge made here (a walk-in's, or a new one for a lost badge) goes to the desk's
        printer at once, and F6 prints it again."""
        if self.printing is None:
            return
        self._last_person = (badge.attendee, badge.payload)
        self._auto_printed.add(str(badge.attendee.get("id", "")))
        self.printing.submit(badge.attendee, badge.payload)

    def _bell(self) -> None:
        try:
            self.call_from_thread(self.bell)
        except RuntimeError:
            self.bell()
