"""The dashboard without a screen: the folded state, the moment shown, and every panel's data.

The app's feed thread owns the `Board` while the dashboard runs: new events reach it by `apply`
(live: read from the log "since" a rowid; replay: released as the replayed clock passes them),
and `panels()` reads every panel's data for the moment the board shows, so the screen's event
loop only draws ready-made data. Whoever else reads the state holds `Board.lock`.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from checkin.i18n import _
from dashboard.panels import arrivals, incidents, rooms, stations, visits
from dashboard.panels.clock import clock_label, closed_label, parse_moment, reference_now
from db import trust
from db.connect import connect, get_setting, set_setting, write
from db.errors import EventOpsError
from db.events import REFERENCE_KINDS, SCAN_KINDS, Event
from db.fold import EventState
from db.hlc import system_wall_ms
from db.log import all_events, since_rowid
from db.permissions import DASHBOARD
from db.snapshots import start as start_state
from db.watch import WATCH_EVERY_S, CommitWatch

LIVE, REPLAY, FROZEN = "live", "replay", "frozen"
#: Node-local setting: the station id this node's acknowledgements are authored as when the node
#: has no station id of its own (generated once: `ops-` and six random base32 characters).
DASHBOARD_STATION_KEY = "dashboard.station"
DASHBOARD_STATION_PREFIX = "ops-"
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
#: A replay starts this long before the day's first scan.
REPLAY_LEAD_MS = 5 * 60_000


@dataclass(frozen=True, slots=True)
class Panels:
    """Everything on screen at one moment."""

    now_ms: int
    clock: str
    mode: str
    event: str
    arrivals: arrivals.ArrivalsData
    rooms: rooms.RoomsData
    visits: visits.VisitsData
    stations: stations.StationsData
    incidents: incidents.IncidentsData


@dataclass(frozen=True, slots=True)
class Moment:
    """Which clock the board follows: the wall (live), a replayed day, or one frozen moment."""

    mode: str = LIVE
    replay_day: str | None = None
    speed: float = 1.0
    at: str | None = None  # `--at` text: ISO date-time or HH:MM


#: The live event on the wall clock (the default).
LIVE_MOMENT = Moment()


class Board:
    """The folded state and the clock the dashboard shows it at."""

    def __init__(
        self,
        state: EventState,
        *,
        mode: str = LIVE,
        start_ms: int | None = None,
        speed: float = 1.0,
        pending: list[Event] | None = None,
        wall: Callable[[], int] = system_wall_ms,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = state
        self.mode = mode
        self.speed = speed
        self.wall = wall
        self.monotonic = monotonic
        self.start_ms = start_ms
        self._started = monotonic()
        self._pending = pending or []  # replay: events not yet reached, in fold order
        self._pending_hlc = [e.hlc for e in self._pending]
        self._next = 0
        self.history = rooms.OccupancyHistory()
        self.role_counts = arrivals.RoleCounts()
        #: Held while the state is folded or read (the feed thread folds; the screen reads too).
        self.lock = threading.Lock()

    # --- the clock -----------------------------------------------------------------------
    def start_clock(self) -> None:
        """A replay starts moving when the screen first shows it (not while the log loads)."""
        self._started = self.monotonic()

    def now_ms(self) -> int:
        if self.mode == FROZEN and self.start_ms is not None:
            return self.start_ms
        if self.mode == REPLAY and self.start_ms is not None:
            return self.start_ms + int((self.monotonic() - self._started) * 1000 * self.speed)
        return reference_now(self.state, self.wall())

    @property
    def writable(self) -> bool:
        """Acknowledgements are written only when showing the live event."""
        return self.mode == LIVE

    # --- feeding -------------------------------------------------------------------------
    def apply(self, events: list[Event]) -> int:
        if any(e.kind in REFERENCE_KINDS for e in events):
            self.role_counts.invalidate()  # a new attendee or a changed role
        return self.state.apply(events)

    def due(self) -> list[Event]:
        """Replay: the events the replayed clock has passed since the last call."""
        if self.mode != REPLAY or self._next >= len(self._pending):
            return []
        until = bisect.bisect_right(self._pending_hlc, (self.now_ms() + 1) << 16, lo=self._next)
        events = self._pending[self._next : until]
        self._next = until
        return events

    @property
    def replay_done(self) -> bool:
        return self.mode == REPLAY and self._next >= len(self._pending)

    # --- reading -------------------------------------------------------------------------
    def panels(self, now_ms: int | None = None) -> Panels:
        state = self.state
        now = self.now_ms() if now_ms is None else now_ms
        mode = {LIVE: _("LIVE"), FROZEN: _("AT")}.get(self.mode, _("REPLAY ×{speed}").format(speed=f"{self.speed:g}"))
        closed = closed_label(state, now)
        if closed:  # overnight: never "LIVE" over the evening's last numbers
            mode = closed if self.mode == LIVE else f"{mode} · {closed}"
        return Panels(
            now_ms=now,
            clock=clock_label(state, now),
            mode=mode,
            event=state.info.name if state.info else _("(no event yet)"),
            arrivals=arrivals.fetch(state, now, self.role_counts),
            rooms=rooms.fetch(state, now, self.history),
            visits=visits.fetch(state, now),
            stations=stations.fetch(state, now),
            incidents=incidents.fetch(state, now),
        )


def open_board(
    db_path: Path | str,
    moment: Moment = LIVE_MOMENT,
    *,
    wall: Callable[[], int] = system_wall_ms,
    monotonic: Callable[[], float] = time.monotonic,
) -> tuple[Board, int]:
    """Fold the log of `db_path` for `moment`; returns the board and the log's rowid cursor."""
    with _bulk_load():
        return _open_board(db_path, moment, wall=wall, monotonic=monotonic)


@contextlib.contextmanager
def _bulk_load() -> Iterator[None]:
    """No garbage collection while the log is folded, and none of the folded state afterwards.

    The fold allocates millions of small acyclic records; cyclic GC passes over them cost a
    third of the start. `gc.freeze()` then keeps the long-lived state out of later passes, so
    refreshes do not pause for a full collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _open_board(
    db_path: Path | str,
    moment: Moment,
    *,
    wall: Callable[[], int],
    monotonic: Callable[[], float],
) -> tuple[Board, int]:
    db = connect(db_path, create=False)
    if moment.mode == LIVE:
        # From the newest snapshot and the log's tail; the state keeps `db` to re-read the tail
        # after an event later than its memory reaches (db/snapshots.py).
        state, cursor = start_state(db)
        return Board(state, wall=wall, monotonic=monotonic), cursor
    try:
        events, cursor = _read_all(db)
    finally:
        db.conn.close()
    events.sort(key=lambda e: e.key)
    probe = EventState()
    probe.apply([e for e in events if e.kind == "event.created"])
    if moment.mode == REPLAY:
        day = moment.replay_day or ""
        if probe.info is not None and probe.info.days and day not in probe.info.days:
            raise EventOpsError(f"{day} is not a day of this event ({', '.join(probe.info.days)})")
        scans = [e.at_ms for e in events if e.kind in SCAN_KINDS and probe.day_of(e.at_ms) == day]
        start = parse_moment(probe, moment.at, day) if moment.at else (
            min(scans) - REPLAY_LEAD_MS if scans else probe.day_start_ms(day) + 8 * 3_600_000
        )
    else:
        start = parse_moment(probe, moment.at or "")
    cut = bisect.bisect_right([e.hlc for e in events], (start + 1) << 16)
    state = EventState()
    state.apply(events[:cut])
    mode = REPLAY if moment.mode == REPLAY else FROZEN
    pending = events[cut:] if mode == REPLAY else []
    board = Board(state, mode=mode, start_ms=start, speed=moment.speed, pending=pending, wall=wall, monotonic=monotonic)
    return board, cursor


def _read_all(db: Database) -> tuple[list[Event], int]:
    """The whole log and the rowid cursor after it, read in one transaction."""
    conn = db.conn
    conn.execute("BEGIN")
    try:
        row = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM events").fetchone()
        events = all_events(db)
    finally:
        conn.execute("COMMIT")
    return events, int(row[0])


class LogFollower:
    """Reads events that reached the database after a rowid cursor (the live feed).

    The log is read only when something was committed since the last read (by the sync loop's
    connection, a station on the same file, an acknowledgement: `PRAGMA data_version`, see
    db/watch.py) or the follower was woken (`wake`: the sync loop merged events); asking
    costs microseconds, so the feed can ask often without reading the log every tick.
    """

    def __init__(self, db_path: Path | str, cursor: int, *, wake: threading.Event | None = None,
                 every_s: float = WATCH_EVERY_S) -> None:
        self.db = connect(db_path, create=False)
        self.cursor = cursor
        self.watch = CommitWatch(self.db, every_s=every_s, wake=wake)
        #: How many times the log was read (a bench and a test check it is not every tick).
        self.reads = 0
        # Read once first: events may have landed between the board's fold and this connection.
        self._due = True

    def poll(self, limit: int = 5000) -> list[Event]:
        """Events after the cursor; [] without reading when nothing was committed since."""
        if self.watch.changed():
            self._due = True
        if not self._due:
            return []
        events, self.cursor = since_rowid(self.db, self.cursor, limit)
        self.reads += 1
        self._due = len(events) >= limit  # a full batch: more is waiting, commit or not
        return events

    def wait(self, timeout: float) -> bool:
        """Until something is committed or the follower is woken (True), or `timeout` (False)."""
        if not self._due and self.watch.wait(timeout):
            self._due = True
        return self._due

    def close(self) -> None:
        self.db.conn.close()


def acknowledge(
    db_path: Path | str,
    incident: str,
    *,
    station: str | None = None,
    wall: Callable[[], int] = system_wall_ms,
) -> str:
    """Append `incident.acked` {incident} as this dashboard's station; returns the station id.

    The acknowledgement is an event, so every node that syncs it sees the incident closed. It is
    authored as the node's station id when the node was enrolled as one; else as a per-node id
    (`dashboard_station`): a shared id like "ops" would let two dashboards write different
    `ops#1` events, and every node receiving both would refuse them (LogConflict) for good.
    """
    from db.events import INCIDENT_ACKED
    from db.log import Draft, append_in_transaction

    db = connect(db_path, create=False)
    try:
        with write(db):
            author = station or dashboard_station(db)
            if trust.author(db, author) is None and trust.may_vouch_here(db, DASHBOARD):
                # The organiser's own laptop vouches for its dashboard's id, as a hub does at enrolment.
                trust.vouch(db, author, DASHBOARD, trust.public_key_of(db, author), wall=wall)
            append_in_transaction(db, author, [Draft(INCIDENT_ACKED, {"incident": incident})], wall=wall)
    finally:
        db.conn.close()
    return author


def dashboard_station(db: Database) -> str:
    """The station id this node's dashboard writes as: the node's own, else `ops-xxxxxx`.

    A node without a station id of its own is the organiser's (it authors as "org") or an
    unenrolled copy; neither may take the organiser's id for an acknowledgement, nor become
    another station, so the generated id is kept in its own node-local setting (never synced)
    and reused for every later acknowledgement.
    """
    from db.node import STATION_KEY

    with write(db):
        own = get_setting(db, STATION_KEY) or get_setting(db, DASHBOARD_STATION_KEY)
        if own:
            return own
        generated = DASHBOARD_STATION_PREFIX + "".join(secrets.choice(_BASE32) for _ in range(6))
        set_setting(db, DASHBOARD_STATION_KEY, generated)
    return generated
