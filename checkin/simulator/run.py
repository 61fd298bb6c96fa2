"""Running the demo plan through the real headless stations, as the stations would.

Every step goes through `checkin.station.Station` (the same decision and the same durable
append as the TUI and `eventops scan`), with the station's wall clock set to the step's time.
The offline desk really works on a database of its own and merges back at reconnection, so
its double admission is discovered the way it would be at the venue.
"""

from __future__ import annotations

import bisect
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from checkin.badges.keys import SigningKey, load_signing_key, token_for
from checkin.badges.token import encode_token
from checkin.config import BUS, DESK, DOOR, StationConfig
from checkin.simulator import plan as p
from checkin.station import Station
from checkin.verdict import Verdict
from db import log, signing, trust
from db.connect import connect_memory, get_setting, set_setting
from db.demo import DemoEvent, build_demo
from db.errors import EventOpsError
from db.fold import EventState, load_state

PROGRESS_KEY = "demo.simulated_until"
#: An accelerated live run skips a gap this long between two steps (the night)...
NIGHT_GAP_MS = 3 * 3_600_000
#: ...to this long before the next morning's first step.
MORNING_LEAD_MS = 10 * 60_000
SEED_KEY = "demo.seed"

try:  # bus mode registers itself when the field-visit module is there
    import checkin.bus as bus_mode
except ImportError:  # pragma: no cover - only before the bus module exists
    bus_mode = None  # type: ignore[assignment]


@dataclass
class Summary:
    """What a simulation run did, for the person who ran it."""

    steps: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    start_ms: int = 0
    end_ms: int = 0

    def lines(self, state: EventState) -> list[str]:
        if not self.steps:
            return ["nothing to simulate: the demo is already simulated up to that time"]
        span = f"{state.local_time(self.start_ms):%Y-%m-%d %H:%M} to {state.local_time(self.end_ms):%Y-%m-%d %H:%M}"
        out = [f"simulated {span}: {self.steps} steps"]
        out.append("  verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(self.verdicts.items())))
        out.append("  reasons:  " + ", ".join(f"{k} {v}" for k, v in self.reasons.most_common()))
        out.extend(f"  {note}" for note in self.notes)
        return out


class Simulation:
    """Plays the demo plan into `db` from where the last run stopped."""

    def __init__(self, db: Database, db_path: str | Path, *, seed: int | None = None) -> None:
        self.db = db
        self.db_path = Path(db_path)
        state = load_state(db)
        if state.info is None or not state.info.demo:
            raise EventOpsError(f"{db_path} does not hold the demo event: create it with `eventops demo init --db {db_path}`")
        stored_seed = get_setting(db, SEED_KEY)
        self.seed = seed if seed is not None else int(stored_seed or 7)
        self.demo: DemoEvent = build_demo(self.seed, state.info.days[0] if state.info.days else None)
        self.key: SigningKey = load_signing_key(self.db_path)
        self._reference = state
        # A demo, not a venue: skip the fsync per scan that real stations pay for.
        db.execute("PRAGMA synchronous = NORMAL")
        self._tokens: dict[str, str] = {}
        self._stations: dict[tuple[str, bool], Station] = {}
        self.now = 0
        self._forger = Ed25519PrivateKey.from_private_bytes(random.Random(self.seed).randbytes(32))

    # --- progress -------------------------------------------------------------------------
    @property
    def done_until(self) -> int:
        return int(get_setting(self.db, PROGRESS_KEY) or 0)

    def steps(self) -> list[p.Step]:
        return [step for index in range(len(self.demo.days)) for step in p.day_plan(self.demo, index, self.seed)]

    def run_until(self, until_ms: int, *, on_step: Callable[[p.Step, Verdict | None], None] | None = None) -> Summary:
        """Play every step after the last run's end up to `until_ms`."""
        summary = Summary()
        done = self.done_until
        for step in self.steps():
            if step.at_ms <= done or step.offline:
                continue
            if step.at_ms > until_ms:
                break
            self._play(step, summary, on_step)
        set_setting(self.db, PROGRESS_KEY, str(max(done, until_ms)))
        return summary

    def run_live(
        self,
        start_ms: int,
        speed: float,
        *,
        stop: Callable[[], bool],
        tick_s: float = 0.2,
        wall: Callable[[], int] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Summary:
        """Play the plan in accelerated time from `start_ms` until the last day ends or `stop()`.

        Overnight (hours without a step) the accelerated clock jumps to a little before the next
        morning's first step, so a watcher sees the next day begin instead of a clock stopped for
        a quarter of an hour. With `wall` (a demo happening today) the plan follows that clock
        instead, `speed` aside: a scan made by hand at a station lands among the simulated ones.
        """
        summary = Summary()
        self.run_until(start_ms)
        started = monotonic()
        times = sorted(step.at_ms for step in self.steps())
        end = times[-1]
        origin = start_ms
        while not stop():
            if wall is not None:
                sim_now = wall()
            else:
                sim_now = origin + int((monotonic() - started) * speed * 1000)
                following = times[bisect.bisect_right(times, sim_now)] if sim_now < end else end
                if following - sim_now > NIGHT_GAP_MS:  # nothing to play for hours: skip the night
                    origin += following - MORNING_LEAD_MS - sim_now
                    sim_now = following - MORNING_LEAD_MS
            part = self.run_until(min(sim_now, end))
            summary.steps += part.steps
            summary.verdicts.update(part.verdicts)
            if sim_now >= end:
                break
            sleep(tick_s)
        return summary

    # --- one step -----------------------------------------------------------------------------
    def _play(self, step: p.Step, summary: Summary, on_step: Callable[[p.Step, Verdict | None], None] | None) -> None:
        self.now = step.at_ms
        summary.start_ms = summary.start_ms or step.at_ms
        summary.end_ms = step.at_ms
        summary.steps += 1
        verdict = self._verdict_of(step, summary)
        if verdict is not None:
            summary.verdicts[verdict.status] += 1
            summary.reasons[verdict.reason] += 1
        if on_step is not None:
            on_step(step, verdict)

    def _verdict_of(self, step: p.Step, summary: Summary) -> Verdict | None:
        if step.action == p.RECONNECT:
            summary.notes.append(self._reconnect(step))
            return None
        if step.action in (p.DEPART, p.RETURN):
            if bus_mode is None:
                return None
            station = self.station(step.station)
            if step.action == p.DEPART:
                return bus_mode.depart(station, confirm_missing=True)
            return bus_mode.return_(station)
        station = self.station(step.station, exit_=step.action == p.EXIT)
        if station.config.mode == BUS and bus_mode is None:
            return None
        if step.action == p.SEARCH:
            return station.check_in_by_search(step.attendee)
        verdict = station.scan(self.payload(step))
        if verdict.reason == "room_full":
            verdict = self._room_full(step, verdict)
        return verdict

    def _room_full(self, step: p.Step, refused: Verdict) -> Verdict:
        """A full room: now and then the steward lets one more in; otherwise try another room."""
        chooser = random.Random(f"{self.seed}:{step.at_ms}:{step.attendee}")
        if chooser.random() < 0.03:
            return self.station(step.station).scan(self.payload(step), override=True)
        for room in step.extra.get("fallback", []):
            verdict = self.station(f"door-{room}").scan(self.payload(step))
            if verdict.status != "refused":
                return verdict
        return refused

    def _reconnect(self, step: p.Step) -> str:
        """The offline desk's scans, made on its own copy of the log, reach everyone else."""
        offline = [s for s in self.steps() if s.offline and s.station == step.station]
        if not offline:
            return f"{step.station} reconnected with nothing to deliver"
        cutoff = int(step.extra.get("since", min(s.at_ms for s in offline)))
        config = self.station(step.station).config
        if trust.author(self.db, step.station) is None:  # bound before it goes: as if enrolled
            trust.vouch(self.db, step.station, config.mode, trust.public_key_of(self.db, step.station), wall=lambda: self.now)
        local = connect_memory()
        signing.use_keys_of(local, signing.database_path(self.db))  # the same laptop's keys
        organiser = load_state(self.db).organiser
        log.merge(local, [e for e in log.all_events(self.db) if e.at_ms < cutoff or e.station_id == organiser])
        clock = {"now": cutoff}
        desk = Station(local, config, wall=lambda: clock["now"])
        summary = Counter[str]()
        for offline_step in offline:
            clock["now"] = offline_step.at_ms
            if offline_step.action == p.SEARCH:
                verdict = desk.check_in_by_search(offline_step.attendee)
            else:
                verdict = desk.scan(self.payload(offline_step))
            summary[verdict.reason] += 1
        held = log.vector(self.db).get(step.station, 0)
        delivered = [e for e in log.lacking(local, {step.station: held}, limit=100_000) if e.station_id == step.station]
        log.merge(self.db, delivered)
        local.conn.close()
        return f"{step.station} was offline and delivered {len(delivered)} scans on reconnection"

    # --- stations and badges ---------------------------------------------------------------
    def station(self, station_id: str, exit_: bool = False) -> Station:
        key = (station_id, exit_)
        if key not in self._stations:
            self._stations[key] = Station(self.db, self._config(station_id, exit_), wall=lambda: self.now)
        return self._stations[key]

    def _config(self, station_id: str, exit_: bool) -> StationConfig:
        known = self._reference.stations.get(station_id)
        if known is None:
            raise EventOpsError(f"the demo has no station {station_id!r}")
        if known.kind == "door":
            return StationConfig(station_id, DOOR, room=known.place, exit=exit_)
        if known.kind == "bus":
            bus = self._reference.buses[known.place]
            return StationConfig(station_id, BUS, visit=bus.visit, bus=bus.id)
        return StationConfig(station_id, DESK)

    def payload(self, step: p.Step) -> str:
        info = self._reference.info
        assert info is not None
        if step.action == p.FORGED:
            return encode_token(info.id, self.key.kid, step.attendee, 1, self._forger.sign)
        if step.action == p.REVOKED:
            return encode_token(info.id, self.key.kid, step.attendee, 1, self.key.private_key.sign)
        if step.action == p.JUNK:
            return str(step.extra.get("payload", "JUNK"))
        if step.attendee not in self._tokens:
            self._tokens[step.attendee] = token_for(self._reference, self.key, step.attendee)
        return self._tokens[step.attendee]
