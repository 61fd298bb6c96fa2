"""The headless station: `scan -> verdict -> event`, the one function every front end uses.

`Station.scan(payload)` verifies the badge, applies the rules of the station's mode to the
folded state, and appends the resulting event inside one `write(db)` transaction, so the
verdict it returns is already durable (WAL, `synchronous=FULL`). The state is kept up to
date incrementally from the log (`since_rowid`), and is caught up inside the transaction
before each decision, so scans made by other processes on the same file are always seen.
The TUI, `eventops scan`, the demo simulator and the tests all call this class.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlite_utils import Database

from checkin import rules
from checkin import verdict as v
from checkin.badges.token import REVOKED_DESK, signing_desk, verify_badge
from checkin.config import BUS, DESK, DOOR, MODES, StationConfig
from checkin.i18n import N_, _
from checkin.search import SIDE_LIMIT, Hit, NameIndex
from db import events as ev
from db import log, views
from db.connect import get_setting, write
from db.errors import EventOpsError
from db.events import Event
from db.fold import EventState
from db.hlc import WallClock, system_wall_ms
from db.node import ORGANISER, STATION_KEY
from db.revocations import revocation_reason
from db.snapshots import start as start_state
from db.times import DEFAULT_TZ, zone

__all__ = ["BadgeKeys", "Station", "StationConfig", "StationNotReady", "StationStatus", "DESK", "DOOR", "BUS", "MODES",
           "enrolled_station", "readiness_problems"]

#: Scan events a person can undo (refusals recorded nothing to take back).
UNDOABLE = frozenset({ev.DESK_CHECKIN, ev.DOOR_ENTRY, ev.DOOR_EXIT, ev.BUS_BOARDED})
_INDEX_KINDS = frozenset({ev.ATTENDEE_REGISTERED, ev.ATTENDEE_UPDATED})
#: A decision, the attendee's public fields (or None) and the badge check's refusal word.
_Outcome = tuple[rules.Decision, dict[str, Any] | None, str]


class StationNotReady(EventOpsError):
    """The database cannot run this station yet (no event, no key, unknown station or room)."""


@dataclass(frozen=True, slots=True)
class StationStatus:
    """What the status line shows, read in one go.

    The station publishes a fresh one after every fold and every scan (see `Station.status`),
    so the UI reads it without waiting for the station's lock.
    """

    station_id: str
    mode: str
    place: str  # room/bus id, "" at a desk
    place_name: str
    exit: bool
    event_name: str
    scans_today: int
    occupancy: int | None
    capacity: int | None
    now_ms: int
    tz: str = DEFAULT_TZ

    def local_time(self, ms: int) -> datetime:
        """`ms` on the event's wall clock (the status line's HH:MM)."""
        return datetime.fromtimestamp(ms / 1000, zone(self.tz))


_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class BadgeKeys:
    """Enough of the state to tell a genuine badge of this event from anything else.

    A `checkin.badges.token.BadgeState` with the event and its keys only: a genuine badge
    verifies as `unknown_attendee` against it, anything else as malformed, wrong event,
    unknown key or forged. The UI and the camera thread use it to see where a badge ends
    without reading the live state that the scan worker is changing.
    """

    info: Any
    keys: Mapping[str, str]
    attendees: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    badge_serial: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    revoked_serials: Mapping[str, Set[int]] = field(default_factory=lambda: _EMPTY)
    desk_keys: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)  # walk-in desks' badge keys


def enrolled_station(db: Database) -> str | None:
    """The station id this database was enrolled as (`eventops station enrol`), if any.

    None on the organiser's node (no id set, or `org`): there stations may scan under any
    id, as in a one-laptop event or the demo.
    """
    station = get_setting(db, STATION_KEY)
    return station if station and station != ORGANISER else None


def database_path(db: Database) -> str:
    """The file behind `db` (for messages that name the command to run)."""
    for row in db.execute("PRAGMA database_list"):
        if row[1] == "main":
            return str(row[2]) or ":memory:"
    return "EVENT.db"


def readiness_problems(
    state: EventState, config: StationConfig, db_path: str = "EVENT.db", *, enrolled: str | None = None
) -> list[str]:
    """Why this database cannot run `config` yet, each with the command that fixes it.

    `enrolled` is the station id the database was enrolled as (`enrolled_station(db)`): a
    laptop enrolled as desk-1 that scanned as desk-2 would fork desk-2's log (its events
    would never sync and would later conflict), so a different --station is refused.
    """
    problems: list[str] = []
    if enrolled and enrolled != config.station_id:
        problems.append(
            f"{db_path} is enrolled as station {enrolled!r}, not {config.station_id!r}: run it with "
            f"--station {enrolled}, or enrol another database for {config.station_id!r} "
            f"(`eventops station enrol --db NEW.db --hub URL CODE`): scanning as {config.station_id!r} "
            f"here would fork that station's log"
        )
    if state.info is None:
        problems.append(
            f"{db_path} holds no event yet: create it with `eventops init --db {db_path} --name NAME "
            f"--days 2024-03-20:2024-03-22` (or `eventops demo init --db {db_path}`), or enrol this "
            f"laptop: `eventops station enrol --db {db_path} --hub URL CODE`"
        )
        return problems
    if not state.keys:
        problems.append(
            f"the event has no badge signing key: run `eventops keys init --db ORGANISER.db` on the "
            f"organiser's database, then sync or copy it here (`eventops sync --db {db_path} --hub URL --once`)"
        )
    station = state.stations.get(config.station_id)
    kind = "door" if config.mode == DOOR else config.mode
    if station is None:
        place = f" --place {config.place}" if config.place else ""
        problems.append(
            f"station {config.station_id!r} is not set up in this event: run "
            f"`eventops station add {config.station_id} --kind {kind}{place} --db {db_path}` "
            f"(known stations: {', '.join(sorted(state.stations)) or 'none'})"
        )
    elif station.revoked:
        problems.append(f"station {config.station_id!r} was revoked: ask the organiser for a new station id")
    if config.mode == BUS:
        if not config.visit or config.visit not in state.visits:
            problems.append(f"bus mode needs a visit: --visit V (visits: {', '.join(sorted(state.visits)) or 'none'})")
        if not config.bus or config.bus not in state.buses:
            problems.append(f"bus mode needs a bus: --bus B (buses: {', '.join(sorted(state.buses)) or 'none'})")
        elif config.visit and state.buses[config.bus].visit != config.visit:
            problems.append(f"bus {config.bus} belongs to visit {state.buses[config.bus].visit}, not {config.visit}")
    if config.mode == DOOR:
        rooms = ", ".join(f"{r.id} ({r.name})" for r in sorted(state.rooms.values(), key=lambda r: r.id)) or "none"
        if not config.room:
            problems.append(f"door mode needs a room: add --room ROOM (rooms: {rooms})")
        elif config.room not in state.rooms:
            problems.append(f"no room {config.room!r} in this event (rooms: {rooms})")
    return problems


class Station:
    """One check-in station over one database: decides scans and records them durably.

    Thread-safe: the TUI scans from worker threads while a timer refreshes the state. The
    lock is held across `BEGIN IMMEDIATE` (up to the busy timeout) and late-event replays, so
    what the UI reads on its event loop (`status()`, `badge_keys`) is published as immutable
    snapshots that never take it.
    """

    def __init__(
        self,
        db: Database,
        config: StationConfig,
        *,
        wall: WallClock = system_wall_ms,
        check: bool = True,
    ) -> None:
        self.db = db
        self.wall = wall
        self._lock = threading.RLock()
        # From the newest snapshot in the database, then the log's tail (db/snapshots.py).
        self.state, self._cursor = start_state(db)
        self._index: NameIndex | None = None
        self._index_generation = 0  # bumped whenever the attendees may have changed
        self._index_lock = threading.Lock()  # one index build at a time
        self._rebuilds_seen = 0
        self.config = config
        self._status: StationStatus | None = None
        self.badge_keys = BadgeKeys(None, _EMPTY)
        with self._lock:
            self._keys_changed()
            self._catch_up()
            self.config = self._resolve(config)
            self._publish()
        if check:
            problems = readiness_problems(self.state, self.config, database_path(db), enrolled=enrolled_station(db))
            if problems:
                raise StationNotReady("; ".join(problems))

    def _resolve(self, config: StationConfig) -> StationConfig:
        """Fill what the event already knows: a door's room and a bus station's bus from the
        station's registered place, and a bus's visit from the bus itself (as `eventops bus`
        does). A bus or visit given explicitly is kept, and checked by `readiness_problems`."""
        station = self.state.stations.get(config.station_id)
        place = station.place if station is not None and not station.revoked else ""
        if config.mode == DOOR and not config.room and place:
            config = replace(config, room=place)
        if config.mode == BUS:
            if not config.bus and place in self.state.buses:
                config = replace(config, bus=place)
            bus = self.state.buses.get(config.bus or "")
            if not config.visit and bus is not None and bus.visit:
                config = replace(config, visit=bus.visit)
        return config

    # --- keeping up with the log ---------------------------------------------------------
    def refresh(self) -> int:
        """Fold events appended since the last look (by anyone) and publish a fresh status
        (the clock moved even if nothing was appended); returns how many were new."""
        with self._lock:
            added = self._catch_up()
            self._publish()
            return added

    def _catch_up(self) -> int:
        events, self._cursor = log.since_rowid(self.db, self._cursor)
        if not events:
            return 0
        added = self.state.apply(events)
        changed = {str(e.data.get("id", "")) for e in events if e.kind in _INDEX_KINDS}
        if self.state.rebuilds != self._rebuilds_seen or changed:
            index = self._index if self.state.rebuilds == self._rebuilds_seen else None
            self._rebuilds_seen = self.state.rebuilds
            self._index_generation += 1
            if index is not None and index.side + len(changed) <= SIDE_LIMIT:
                # A walk-in or a corrected name: added to the index, not a rebuild of it.
                self._index = index.updated(self.state.attendees[a] for a in changed if a in self.state.attendees)
            else:
                self._index = None  # rebuilt off the event loop by the next name_index()
        self._keys_changed()
        return added

    def _keys_changed(self) -> None:
        state = self.state
        if self.badge_keys.info != state.info or self.badge_keys.keys != state.keys or self.badge_keys.desk_keys != state.desk_keys:
            self.badge_keys = BadgeKeys(
                state.info, MappingProxyType(dict(state.keys)), desk_keys=MappingProxyType(dict(state.desk_keys))
            )

    # --- scans -----------------------------------------------------------------------------
    def scan(self, payload: str, *, override: bool = False, via: str = "scan") -> v.Verdict:
        """Decide a scanned badge and record the outcome; durable when this returns."""

        def decide(now: int) -> _Outcome:
            check = verify_badge(payload, self.state)
            if not check.ok:
                # Only a genuine (if revoked) badge names a person; a forged one names no one.
                named = check.reason in ("revoked", REVOKED_DESK)
                known = self.state.attendees.get(check.attendee_id or "") if named else None
                why = revocation_reason(self.db, check.attendee_id or "", check.serial) if check.reason == "revoked" else ""
                decision = rules.refusal(self.config, check.reason, check.attendee_id, check.serial, state=self.state, why=why)
                if check.reason == REVOKED_DESK:
                    desk = signing_desk(self.state, payload) or "?"
                    decision = replace(decision, data={**decision.data, "desk": desk},
                                       detail=(*decision.detail, _("signed at {desk}").format(desk=desk)))
                return decision, known.public() if known else None, check.reason
            attendee = self.state.attendees[str(check.attendee_id)]
            ctx = rules.ScanContext(self.state, self.config, now, attendee, via, override, check.serial)
            return rules.decide(ctx), attendee.public(), ""

        return self.record(decide, via)

    def check_in_by_search(self, attendee_id: str, *, override: bool = False) -> v.Verdict:
        """Record a person found by name search (no badge), as the station's mode would a scan."""

        def decide(now: int) -> _Outcome:
            attendee = self.state.attendees.get(attendee_id)
            if attendee is None:
                raise EventOpsError(f"no attendee {attendee_id!r} in this event")
            ctx = rules.ScanContext(self.state, self.config, now, attendee, "search", override, None)
            return rules.decide(ctx), attendee.public(), ""

        return self.record(decide, "search")

    def record(self, decide: Callable[[int], _Outcome | v.Verdict], via: str) -> v.Verdict:
        """Catch up, decide and append in ONE transaction; fold and answer once committed.

        `decide(now_ms)` runs under the write lock with `self.state` fully caught up and
        returns `(Decision, attendee public dict | None, badge refusal word)`, or a `Verdict`
        to answer without recording anything. Every station operation goes through here
        (scan, search, undo; bus depart/return in bus mode), so each is one durable event.
        """
        with self._lock:
            with write(self.db):
                self._catch_up()
                now = self.wall()
                outcome = decide(now)
                if isinstance(outcome, v.Verdict):
                    return outcome  # nothing to record
                decision, attendee, badge_reason = outcome
                (event,) = log.append_in_transaction(
                    self.db, self.config.station_id, [log.Draft(decision.kind, decision.data)], wall=lambda: now
                )
            verdict = self._verdict(decision, event, attendee, via, badge_reason)
            self._publish(now)
            return verdict

    def record_drafts(self, build: Callable[[int], list[log.Draft]]) -> list[Event]:
        """Append several events of this station in ONE transaction (a walk-in's registration
        and check-in; a reprint's revocation and new serial), decided by `build(now_ms)` under
        the write lock with the state caught up; folded and published once committed."""
        with self._lock:
            with write(self.db):
                self._catch_up()
                now = self.wall()
                drafts = build(now)
                events = log.append_in_transaction(self.db, self.config.station_id, drafts, wall=lambda: now)
            self.state.apply(events)
            if any(e.kind in _INDEX_KINDS for e in events):
                self._index_generation += 1
                self._index = None
            self._publish(now)
            return list(events)

    def _verdict(
        self, decision: rules.Decision, event: Event, attendee: dict[str, Any] | None, via: str, badge_reason: str
    ) -> v.Verdict:
        occupancy = capacity = None
        self.state.apply([event])
        if self.config.mode == DOOR and self.config.room:
            room = views.room(self.state, self.config.room, event.at_ms)
            capacity, occupancy = room.capacity, room.occupancy
        return v.Verdict(
            status=decision.status,
            reason=decision.reason,
            headline=decision.headline,
            detail=decision.detail,
            attendee=attendee,
            event=v.RecordedEvent(event.station_id, event.seq, event.kind),
            mode=self.config.mode,
            place=self.config.place,
            occupancy=occupancy,
            capacity=capacity,
            via=via,
            at_ms=event.at_ms,
            badge_reason=badge_reason,
            extra=dict(decision.extra),
        )

    # --- undo ------------------------------------------------------------------------------
    def undo_last(self, window_s: float | None = None) -> v.Verdict:
        """Void this station's last scan if it is recent enough and was not a refusal."""
        window_ms = int((self.config.undo_window_s if window_s is None else window_s) * 1000)

        def decide(now: int) -> _Outcome | v.Verdict:
            target = self._last_scan(now - window_ms)
            if target is None or target.kind not in UNDOABLE:
                why = (_("the last scan was refused: nothing to take back") if target
                       else _("no scan in the last {seconds} s").format(seconds=window_ms // 1000))
                return v.Verdict(v.WARNING, v.NOTHING_TO_UNDO, _("NOTHING TO UNDO"), (why,), mode=self.config.mode,
                                 place=self.config.place, at_ms=now, via="undo")
            attendee = self.state.attendees.get(str(target.data.get("attendee", "")))
            past = self._trip_since(target)
            if past:
                return v.Verdict(v.REFUSED, v.UNDO_PAST_TRIP, _("CANNOT UNDO"), (past,),
                                 attendee=attendee.public() if attendee else None, mode=self.config.mode,
                                 place=self.config.place, at_ms=now, via="undo")
            what = {
                ev.DESK_CHECKIN: N_("check-in of {time} voided"),
                ev.DOOR_ENTRY: N_("entry of {time} voided"),
                ev.DOOR_EXIT: N_("exit of {time} voided"),
            }.get(target.kind, N_("scan of {time} voided"))
            decision = rules.Decision(
                v.OK, v.UNDONE, _("UNDONE"), ev.VOID, {"station_id": target.station_id, "seq": target.seq},
                (_(what).format(time=self.state.local_time(target.at_ms).strftime("%H:%M:%S")),),
            )
            return decision, attendee.public() if attendee else None, ""

        return self.record(decide, "undo")

    def _trip_since(self, target: Event) -> str:
        """Why `target` cannot be undone: its bus departed or came back since ("" if it can be).

        Undo never reaches past a departure or a return: the trip that left (and the headcount
        the coordinator recorded) is not rewritten by taking back a boarding afterwards.
        """
        if target.kind != ev.BUS_BOARDED:
            return ""
        bus = self.state.buses.get(str(target.data.get("bus", "")))
        if bus is None:
            return ""
        name = bus.label or bus.id
        hhmm = lambda ms: self.state.local_time(ms).strftime("%H:%M")  # noqa: E731
        if bus.returned_ms is not None and bus.returned_ms >= target.at_ms:
            return _("{bus} came back at {time}: the trip is over, its boardings stay on record").format(
                bus=name, time=hhmm(bus.returned_ms))
        if bus.departed_ms is not None and bus.departed_ms >= target.at_ms:
            return _("{bus} left at {time}: a boarding before the departure stays on record").format(
                bus=name, time=hhmm(bus.departed_ms))
        return ""

    def _last_scan(self, since_ms: int) -> Event | None:
        """This station's latest scan event (not voided) at or after `since_ms`."""
        voided = self.state.voided
        for event in reversed(self.state.events_since(since_ms)):
            if event.at_ms < since_ms:
                return None
            if event.station_id != self.config.station_id or event.ident in voided:
                continue
            if event.kind in ev.SCAN_KINDS:
                return event
        return None

    # --- search ----------------------------------------------------------------------------
    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Attendees matching `query` (any script or accent, partial, a typo or two), best
        first, each with their check-in of today if any.

        Call it from a worker thread: the first search after a rebuild of the log builds the
        index (about a second for 100,000 people); new attendees are added to it, not rebuilt.
        """
        hits = self.name_index().search(query, limit)
        state = self.state
        today = state.day_of(self.wall())
        out = []
        for hit in hits:
            first = state.checked_in(hit.attendee.id, today)
            at = state.local_time(first.at_ms).strftime("%H:%M") if first is not None else ""
            out.append(replace(hit, checked_in=first, checked_in_at=at))
        return out

    def name_index(self) -> NameIndex:
        """The name index of the attendees as last folded, built when missing.

        Only copying the attendees takes the station's lock; the build runs outside it, so a
        rebuild never holds up a scan.
        """
        index = self._index
        if index is not None:
            return index
        with self._index_lock:
            if self._index is not None:
                return self._index
            with self._lock:
                people, generation = dict(self.state.attendees), self._index_generation
            index = NameIndex.of(people)
            with self._lock:
                if generation == self._index_generation:
                    self._index = index
            return index

    # --- modes and status ---------------------------------------------------------------------
    def set_exit(self, exit_: bool) -> None:
        """Switch a door between entry and exit scanning.

        Called on the UI's event loop, so it never waits for the lock: the config and the
        status are immutable values, each replaced in one assignment.
        """
        self.config = replace(self.config, exit=exit_)
        status = self._status
        if status is not None:
            self._status = replace(status, exit=exit_)

    def status(self) -> StationStatus:
        """The status as published after the last fold or scan: never waits for the lock.

        `refresh()` (the app polls it every second from a worker) republishes it with the
        current time; call it first when a fresh reading matters more than not waiting.
        """
        status = self._status
        return status if status is not None else self._publish()  # None only inside __init__

    def _publish(self, now: int | None = None) -> StationStatus:
        """Compute the status under the lock and publish it (one attribute assignment)."""
        with self._lock:
            now = self.wall() if now is None else now
            state, config = self.state, self.config
            occupancy = capacity = None
            place_name = ""
            if config.mode == DOOR and config.room:
                room = views.room(state, config.room, now)
                capacity, occupancy, place_name = room.capacity, room.occupancy, room.name
            elif config.mode == BUS and config.bus:
                bus = state.buses.get(config.bus)
                place_name = views.label(bus) if bus else config.bus
            status = StationStatus(
                station_id=config.station_id,
                mode=config.mode,
                place=config.place,
                place_name=place_name,
                exit=config.exit,
                event_name=state.info.name if state.info else "",
                scans_today=state.station_scans.get((config.station_id, state.day_of(now)), 0),
                occupancy=occupancy,
                capacity=capacity,
                now_ms=now,
                tz=state.tz,
            )
            self._status = status
            return status
