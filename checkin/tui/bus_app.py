"""The station app in bus mode: the check-in app plus the manifest, departure and return.

`BusCheckinApp` is the `CheckinApp` (same wedge capture, camera, verdict card, search, undo)
with the bus screen (`BusStationScreen`: card + manifest panel) and three keys: F5 lets the
last refused person board (not on the visit's list, a seat free; recorded as an override),
F6 records the departure (asking first, with the missing listed, when people are missing),
F7 records the return. Departure and return are queued behind the scans already waiting, in
the app's one station worker (a departure pressed right after the last boarding scan sees that
passenger aboard), and any failure is a red "NOT RECORDED" card, as for a scan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual import work
from textual.binding import Binding
from textual.message import Message

import checkin.bus as bus_mode
from checkin.i18n import N_, _
from checkin.station import Station
from checkin.tui.app import CheckinApp
from checkin.tui.bus_screen import (
    BusHelpScreen,
    BusStationScreen,
    ConfirmDepartureScreen,
    ConfirmReturnScreen,
)
from checkin.verdict import REFUSED, Verdict, not_recorded
from db.errors import EventOpsError

#: How often the manifest is redrawn from the log when nothing is scanned (seconds).
MANIFEST_EVERY_S = 2.0
#: The red card's first line when a coordinator's operation could not be saved.
COULD_NOT_SAVE = {
    "departure": N_("the departure could not be saved: {error}"),
    "return": N_("the return could not be saved: {error}"),
}


class BusCheckinApp(CheckinApp):
    """One bus: scan people aboard, see who is missing, depart, come back."""

    TITLE = "eventops bus"
    BINDINGS = [
        Binding("f5", "override", N_("Let board")),
        Binding("f6", "depart", N_("Depart")),
        Binding("f7", "return_bus", N_("Return")),
    ]

    class ManifestReady(Message):
        """A freshly computed manifest (a newer one replaces an unhandled one)."""

        def __init__(self, sheet: bus_mode.Manifest) -> None:
            super().__init__()
            self.sheet = sheet

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, BusCheckinApp.ManifestReady)

    class DepartureAsked(Message):
        """People are missing: the coordinator must confirm before the departure is recorded."""

        def __init__(self, asked: Verdict) -> None:
            super().__init__()
            self.asked = asked

    class Problem(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, station: Station, **kwargs: Any) -> None:
        bus_mode.bus_of(station.state, station.config)  # a clear error before any screen
        super().__init__(station, **kwargs)
        self.departures_asked: list[Verdict] = []
        self._manifest_due = threading.Event()
        self._manifest_busy = threading.Lock()

    def get_default_screen(self) -> BusStationScreen:
        hint = (_("hold the badge up to the camera, or press F2 to search by name") if self.camera
                else _("scan the badge, or press F2 to search by name"))
        return BusStationScreen(hint, self.with_preview)

    def on_mount(self) -> None:
        # CheckinApp.on_mount runs too (Textual calls every class's handler).
        self.refresh_manifest()
        self.set_interval(MANIFEST_EVERY_S, self.refresh_manifest)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A bus has no exit mode, registers nobody and prints nothing; F5 confirms boarding here.
        return action not in ("toggle_exit", "walk_in", "lost_badge", "fix_name", "reprint")

    def action_help(self) -> None:
        if not isinstance(self.screen, BusHelpScreen):
            self.push_screen(BusHelpScreen())

    # --- the manifest ----------------------------------------------------------------------
    @work(thread=True, group="manifest", exit_on_error=False)
    def refresh_manifest(self) -> None:
        """Recompute the manifest in a thread (it reads under the station's lock, which a scan
        on a busy database holds for seconds). Asked again while one runs, the running one goes
        round once more instead of another thread queueing up for the lock."""
        self._manifest_due.set()
        while self._manifest_due.is_set() and self._manifest_busy.acquire(blocking=False):
            try:
                while self._manifest_due.is_set():
                    self._manifest_due.clear()
                    self._post_manifest()
            finally:
                self._manifest_busy.release()

    def _post_manifest(self) -> None:
        try:
            sheet = bus_mode.station_manifest(self.station)
        except EventOpsError as error:
            self.post_message(self.Problem(str(error)))
            return
        self.post_message(self.ManifestReady(sheet))

    @property
    def bus_screen(self) -> BusStationScreen | None:
        """The bus station screen, once it is up (and until the app closes)."""
        for screen in self.screen_stack:
            if isinstance(screen, BusStationScreen):
                return screen
        return None

    def on_bus_checkin_app_manifest_ready(self, message: ManifestReady) -> None:
        screen = self.bus_screen
        if screen is not None:
            screen.manifest_panel.sheet = message.sheet

    @property
    def manifest(self) -> bus_mode.Manifest | None:
        """The manifest on screen (tests read it)."""
        screen = self.bus_screen
        return screen.manifest_panel.sheet if screen is not None else None

    # --- scans -------------------------------------------------------------------------------
    def on_checkin_app_verdict_ready(self, message: CheckinApp.VerdictReady) -> None:
        # Runs before CheckinApp's own handler, which shows the verdict.
        verdict = message.verdict
        if verdict.status == REFUSED and verdict.extra.get("can_override"):
            attendee = verdict.attendee["id"] if verdict.attendee else None
            self._last_refused = (message.payload, attendee)
        elif verdict.event is not None:
            self._last_refused = None
        self.refresh_manifest()

    def action_override(self) -> None:
        if self._last_refused is None:
            self.notify(_("nothing to confirm: F5 lets board the last person refused as not on the list, when a seat is free"))
            return
        payload, attendee_id = self._last_refused
        self._last_refused = None
        if payload:
            self.scan(payload, override=True)
        elif attendee_id:
            self._search_worker(attendee_id, True)

    # --- departure and return ------------------------------------------------------------------
    def action_depart(self) -> None:
        self._queue_depart(False)

    def action_return_bus(self) -> None:
        """F7 asks first (a stray key would end the trip), then queues the return."""
        if isinstance(self.screen, ConfirmReturnScreen):
            return
        sheet = self.manifest

        def answered(back: bool | None) -> None:
            if back:
                self.enqueue(self._coordinator("return", "F7", lambda: bus_mode.return_(self.station)))
            else:
                self.notify(_("return not recorded"))

        label = sheet.label if sheet is not None else (self.station.config.bus or "")
        self.push_screen(ConfirmReturnScreen(label, sheet.boarded if sheet is not None else None), answered)

    def _queue_depart(self, confirm_missing: bool) -> None:
        job = lambda: bus_mode.depart(self.station, confirm_missing=confirm_missing)  # noqa: E731
        self.enqueue(self._coordinator("departure", "F6", job))

    def _coordinator(self, what: str, key: str, operation: Callable[[], Verdict]) -> Callable[[], Verdict]:
        """`operation` as a queued job whose failure, whatever it is, reads as a red card
        saying what was not recorded and which key tries again."""

        def job() -> Verdict:
            try:
                return operation()
            except Exception as error:  # noqa: BLE001 - a person must see that nothing was recorded
                failed = not_recorded(error)
                return replace(
                    failed,
                    detail=(_(COULD_NOT_SAVE.get(what, what)).format(error=error),
                            _("press {key} again; if this repeats, call the supervisor").format(key=key)),
                    mode=self.station.config.mode,
                    place=self.station.config.place,
                    via="coordinator",
                )

        return job

    def verdict_message(self, verdict: Verdict, payload: str | None, started: float) -> Message:
        if verdict.reason == bus_mode.CONFIRM_MISSING:
            return self.DepartureAsked(verdict)  # nothing recorded: ask the coordinator first
        return super().verdict_message(verdict, payload, started)

    def on_bus_checkin_app_departure_asked(self, message: DepartureAsked) -> None:
        self.departures_asked.append(message.asked)

        def answered(depart: bool | None) -> None:
            if depart:
                self._queue_depart(True)
            else:
                self.notify(_("departure not recorded: waiting for the missing"))

        self.sounds.play("warning")
        self.push_screen(ConfirmDepartureScreen(message.asked), answered)

    def on_bus_checkin_app_problem(self, message: Problem) -> None:
        self.notify(message.text, severity="error", timeout=10)
