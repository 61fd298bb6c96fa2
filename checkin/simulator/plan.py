"""The demo day as a plan: who shows which badge at which station, minute by minute.

A pure function of the demo event, the day and the seed, so that `demo simulate` can stop at
any moment and resume later with the same story: an arrival peak at the desks, rooms filling
(one too small), exits, a double scan or two, a desk that loses its connection and admits a
badge already used, forged and revoked badges, buses boarding with a late attendee on the
wrong bus, a departure with people missing, the return.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from db.demo.model import DemoEvent, DemoSession
from db.demo.programme import DAYS

MINUTE = 60_000

# What a step does.
SCAN = "scan"  # show the attendee's badge at the station
SEARCH = "search"  # no badge: the desk finds the name
EXIT = "exit"  # door in exit mode
FORGED = "forged"  # a badge signed with another key
REVOKED = "revoked"  # a badge that was reissued (the old one)
JUNK = "junk"  # something that is not a badge
DEPART = "depart"
RETURN = "return"
RECONNECT = "reconnect"  # an offline desk comes back: its scans reach the others

#: Share of registered people who come on each day.
TURNOUT = (0.92, 0.86, 0.72)
OFFLINE_DESK = "desk-4"
OFFLINE_FROM, OFFLINE_UNTIL = (8 * 60 + 30), (8 * 60 + 55)  # minutes after midnight, day 1


@dataclass(frozen=True, slots=True)
class Step:
    at_ms: int
    station: str
    action: str
    attendee: str = ""
    offline: bool = False  # recorded on the offline desk, delivered at RECONNECT
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def order(self) -> tuple[int, str, str, str]:
        return (self.at_ms, self.station, self.action, self.attendee)


def day_plan(demo: DemoEvent, day_index: int, seed: int) -> list[Step]:
    """Everything that happens on the event's `day_index`-th day, in time order."""
    day = demo.days[day_index]
    rng = random.Random(f"{seed}:{DAYS[min(day_index, len(DAYS) - 1)]}")  # the same story on moved days
    midnight = _midnight_ms(day, demo.tz)
    steps: list[Step] = []
    desks = [s.id for s in demo.stations_of("desk")]
    arrivals = _arrivals(demo, day_index, rng, midnight)
    offline_window = (midnight + OFFLINE_FROM * MINUTE, midnight + OFFLINE_UNTIL * MINUTE) if day_index == 0 else None
    for attendee_id, at in arrivals.items():
        desk = rng.choice(desks)
        offline = offline_window is not None and desk == OFFLINE_DESK and offline_window[0] <= at < offline_window[1]
        action = SEARCH if rng.random() < 0.02 else SCAN
        steps.append(Step(at, desk, action, attendee_id, offline))
        if rng.random() < 0.04:  # shown twice: "already checked in"
            steps.append(Step(at + rng.randint(4_000, 40_000), desk, SCAN, attendee_id, offline))
    if offline_window is not None:
        steps.extend(_offline_episode(steps, offline_window, rng))
    steps.extend(_badge_trouble(demo, day_index, rng, midnight, desks))
    steps.extend(_sessions(demo, day, arrivals, rng))
    steps.extend(_buses(demo, day, arrivals, rng))
    return sorted(steps, key=lambda s: s.order)


def _midnight_ms(day: str, tz: str) -> int:
    """The start of `day` in the event's zone (a demo moved to a summer day is at +02:00)."""
    return int(datetime.combine(date.fromisoformat(day), time(0, 0), ZoneInfo(tz)).timestamp() * 1000)


def _arrivals(demo: DemoEvent, day_index: int, rng: random.Random, midnight: int) -> dict[str, int]:
    arrivals: dict[str, int] = {}
    turnout = TURNOUT[min(day_index, len(TURNOUT) - 1)]
    for attendee in demo.attendees:
        if attendee.role != "staff" and rng.random() > turnout:
            continue
        if attendee.role == "staff":
            minutes = rng.uniform(7 * 60 + 15, 8 * 60)
        elif rng.random() < 0.08:
            minutes = rng.uniform(10 * 60, 14 * 60 + 30)  # late: a train, a meeting
        else:
            minutes = min(max(rng.gauss(8 * 60 + 50, 22), 7 * 60 + 40), 11 * 60)
        arrivals[attendee.id] = midnight + int(minutes * MINUTE) + rng.randint(0, 59_000)
    return arrivals


def _offline_episode(desk_steps: list[Step], window: tuple[int, int], rng: random.Random) -> list[Step]:
    """While desk-4 is offline, a badge already used at another desk is admitted there too."""
    used = sorted(
        (s.at_ms, s.attendee)
        for s in desk_steps
        if s.station != OFFLINE_DESK and window[0] + MINUTE <= s.at_ms < window[0] + 12 * MINUTE
    )
    steps = []
    for at, attendee_id in used[:2]:
        steps.append(Step(at + rng.randint(3, 8) * MINUTE, OFFLINE_DESK, SCAN, attendee_id, offline=True))
    steps.append(Step(window[1], OFFLINE_DESK, RECONNECT, extra={"since": window[0]}))
    return steps


def _badge_trouble(demo: DemoEvent, day_index: int, rng: random.Random, midnight: int, desks: list[str]) -> list[Step]:
    steps = [
        Step(midnight + (9 * 60 + 12) * MINUTE, desks[1], FORGED, rng.choice(demo.attendees).id),
        Step(midnight + (11 * 60 + 3) * MINUTE, "door-R2", FORGED, rng.choice(demo.attendees).id),
        Step(midnight + (8 * 60 + 47) * MINUTE + day_index * 7 * MINUTE, desks[0], JUNK, extra={"payload": "HTTP://EXAMPLE.ORG/WIFI"}),
    ]
    if day_index == 0:
        steps.append(Step(midnight + (9 * 60 + 41) * MINUTE, desks[2], REVOKED, REISSUED_ATTENDEE))
    return steps


#: The attendee whose badge the demo reissues at set-up ("lost badge"): the old one is revoked.
REISSUED_ATTENDEE = "A0042"


def _sessions(demo: DemoEvent, day: str, arrivals: dict[str, int], rng: random.Random) -> list[Step]:
    slots: dict[str, list[DemoSession]] = defaultdict(list)
    for session in demo.sessions_on(day):
        slots[session.start].append(session)
    steps: list[Step] = []
    for _, sessions in sorted(slots.items()):
        start = sessions[0].start_ms
        # Those on a field visit are on its bus, not at a door (a scan there would take them off it).
        away = {a for v in demo.visits if v.day == day and v.depart_ms - 30 * MINUTE <= start < v.back_ms for a in v.assigned}
        present = [a for a, at in arrivals.items() if at < start + 10 * MINUTE and a not in away]
        rng.shuffle(present)
        capacity = sum(demo.room(s.room).capacity for s in sessions)
        if len(sessions) == 1:
            goers = present[: min(int(len(present) * 0.8), int(capacity * 0.96))]
            choices = [sessions[0]] * len(goers)
        else:
            goers = present[: min(int(len(present) * 0.85), int(capacity * 0.9))]
            # The smallest room is the most popular topic: it fills up and then some.
            weights = [demo.room(s.room).capacity * (4.0 if demo.room(s.room).capacity < 30 else 1.0) for s in sessions]
            choices = rng.choices(sessions, weights=weights, k=len(goers))
        for attendee_id, session in zip(goers, choices, strict=True):
            door = demo.door_of(session.room)
            at = max(start - rng.randint(1, 18) * MINUTE + rng.randint(0, 59_000), arrivals[attendee_id] + 2 * MINUTE)
            others = sorted((s for s in sessions if s.room != session.room), key=lambda s: -demo.room(s.room).capacity)
            alternatives = [s.room for s in others[:2]]
            steps.append(Step(at, door, SCAN, attendee_id, extra={"fallback": alternatives}))
            if rng.random() < 0.06:
                leave = at + rng.randint(20, 60) * MINUTE
                if leave < session.end_ms:
                    steps.append(Step(leave, door, EXIT, attendee_id))
    return steps


def _buses(demo: DemoEvent, day: str, arrivals: dict[str, int], rng: random.Random) -> list[Step]:
    steps: list[Step] = []
    late_done = False
    for visit in demo.visits:
        if visit.day != day:
            continue
        depart = visit.depart_ms
        for index, bus in enumerate(visit.buses):
            for attendee_id in bus.assigned:
                if attendee_id not in arrivals or arrivals[attendee_id] > depart - 30 * MINUTE or rng.random() < 0.04:
                    continue  # not here (yet) today, or lost somewhere: missing at departure
                station = bus.station
                if not late_done and len(visit.buses) > 1 and index == 0:
                    # The late attendee runs to the first bus they see: the wrong one.
                    station = visit.buses[1].station
                    steps.append(Step(depart - 1 * MINUTE, station, SCAN, attendee_id))
                    late_done = True
                    continue
                at = depart - rng.randint(3, 25) * MINUTE + rng.randint(0, 59_000)
                steps.append(Step(at, station, SCAN, attendee_id))
                if rng.random() < 0.03:
                    steps.append(Step(at + rng.randint(5, 30) * 1000, station, SCAN, attendee_id))
            steps.append(Step(depart + rng.randint(0, 4) * MINUTE, bus.station, DEPART))
            steps.append(Step(visit.back_ms + rng.randint(-10, 15) * MINUTE, bus.station, RETURN))
    return steps
