"""Reports after the event: attendance by attendee and by session, no-shows, incidents.

Read from the folded state only (`EventState`), asking the read model (`db.views`) and the
fold for every fact they already answer: check-ins are `state.checkins`, incidents are
`views.incidents`. The one thing the folded state does not keep is the *history* of who was
in which room: `room_stays` rebuilds it by re-folding the log's events one by one through the
real fold and reading where it put each scanned attendee after each scan, so session ends,
permissions, voids and every other presence rule stay the fold's (DESIGN.md), never copied here.

Pure and headless: no Textual, no SQL, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from db import events as ev
from db import views
from db.state import ROOM, Checkin, Place

if TYPE_CHECKING:
    from db.events import Event
    from db.fold import EventState

#: Scans that can move an attendee into or out of a room.
_MOVES = frozenset({ev.DOOR_ENTRY, ev.DOOR_EXIT, ev.DESK_CHECKIN, ev.BUS_BOARDED})


@dataclass(frozen=True, slots=True)
class Stay:
    """One attendee in one room, from a door entry until they left (exit, another scan, or the
    end the fold gave the stay: the session's end plus grace, or the day's close)."""

    attendee: str
    room: str
    entry_ms: int
    exit_ms: int


def room_stays(state: EventState) -> tuple[Stay, ...]:
    """Every room stay of the log, by entry time: the one place that derives room history.

    Voided scans are left out (what a void undoes never happened: the fold is told of them
    beforehand and skips them); the log is folded in order through a fresh `EventState`, and a
    stay opens or closes when
    the fold's place for the scanned attendee changes (a second entry scan into the room one
    is still in continues the same stay).

    The events go to the fold in runs in which no attendee is scanned twice, and each scanned
    attendee's place is read after the run: only a scan of that attendee moves them in or out
    of a room (a session's end is the place's `until_ms`), so the places read are those after
    each scan, for one fold call per run instead of one per event (which cost minutes at
    20,000 attendees).
    """
    from db.fold import EventState, no_gc

    fresh = EventState()
    fresh.expect_voids(state.voided)  # the fold skips them: no gap in what it holds, no rewind
    open_: dict[str, Place] = {}  # the stay each attendee is in (its entry kept when scanned again)
    last: dict[str, Place | None] = {}  # where the fold last put each attendee
    stays: list[Stay] = []

    def close(attendee: str, place: Place, at_ms: int) -> None:
        assert place.until_ms is not None
        stays.append(Stay(attendee, place.ref, place.since_ms, min(at_ms, place.until_ms)))

    def step(attendee: str, event: Event) -> None:
        place = fresh.places.get(attendee)
        if place == last.get(attendee):
            return  # the fold did not take this scan (refused, or voided)
        last[attendee] = place
        before = open_.get(attendee)
        inside = place is not None and place.kind == ROOM and place.until_ms is not None
        if before is not None and inside and place is not None and place.ref == before.ref:
            assert before.until_ms is not None
            if event.at_ms < before.until_ms:  # scanned again at the same door: the same stay
                open_[attendee] = replace(place, since_ms=before.since_ms)
                return
        if before is not None:
            close(attendee, before, event.at_ms)
            del open_[attendee]
        if inside and place is not None:
            open_[attendee] = place

    run: list[Event] = []
    scanned: dict[str, Event] = {}  # attendee -> their scan in this run

    def settle() -> None:
        fresh.apply(run)
        for attendee, event in scanned.items():
            step(attendee, event)
        run.clear()
        scanned.clear()

    with no_gc():
        for event in state.events:
            attendee = event.data.get("attendee") if event.kind in _MOVES else None
            if isinstance(attendee, str) and attendee in scanned:
                settle()
            run.append(event)
            if isinstance(attendee, str):
                scanned[attendee] = event
        settle()
    for attendee, place in open_.items():
        assert place.until_ms is not None
        close(attendee, place, place.until_ms)
    return tuple(sorted(stays, key=lambda s: (s.entry_ms, s.attendee, s.room)))


@dataclass(frozen=True, slots=True)
class Attended:
    """One attendee at one session: entry, exit and minutes present within the session."""

    attendee: str
    session: str
    room: str
    entry_ms: int
    exit_ms: int
    minutes: int


def attendances(state: EventState) -> tuple[Attended, ...]:
    """Every (attendee, session) pair with the time present: a stay counts for each session of
    its room it overlaps (the minutes are those within the session's start and end)."""
    out: list[Attended] = []
    for stay in room_stays(state):
        for session in state.sessions_by_room.get(stay.room, ()):
            overlap = min(stay.exit_ms, session.end_ms) - max(stay.entry_ms, session.start_ms)
            if overlap > 0:
                out.append(Attended(stay.attendee, session.id, stay.room, stay.entry_ms, stay.exit_ms, overlap // 60_000))
    return tuple(out)


def _name(state: EventState, attendee_id: str) -> str:
    attendee = state.attendees.get(attendee_id)
    return attendee.name if attendee else attendee_id


def by_attendee(state: EventState) -> list[dict[str, Any]]:
    """Per person: each day checked in (first time, station) and each session attended."""
    sessions: dict[str, list[Attended]] = {}
    for seen in attendances(state):
        sessions.setdefault(seen.attendee, []).append(seen)
    checkins: dict[str, list[Checkin]] = {}
    for checkin in state.checkins.values():  # one pass: a scan per attendee would be quadratic
        checkins.setdefault(checkin.attendee, []).append(checkin)
    rows = []
    for attendee_id in sorted(state.attendees, key=lambda a: views.name_key(state.attendees.get(a), a)):
        days = sorted(checkins.get(attendee_id, ()), key=lambda c: c.day)
        person = state.attendees[attendee_id]
        rows.append({
            "attendee": attendee_id,
            "name": _name(state, attendee_id),
            "walk_in": person.walk_in,  # registered at a desk (`registered_by`), not by the organiser
            "registered_by": person.registered_by,
            "days": [{"day": c.day, "first": views.iso_local(state, c.at_ms), "station": c.station} for c in days],
            "sessions": [
                {
                    "session": s.session, "title": state.sessions[s.session].title,
                    "room": state.rooms[s.room].name if s.room in state.rooms else s.room,
                    "entry": views.iso_local(state, s.entry_ms), "exit": views.iso_local(state, s.exit_ms),
                    "minutes": s.minutes,
                }
                for s in sessions.get(attendee_id, [])
            ],
        })
    return rows


def _peak(stays: list[Attended], start_ms: int, end_ms: int) -> tuple[int, int | None]:
    """The most people present at once within [start, end) and the first moment it was reached."""
    steps = sorted(
        [(max(s.entry_ms, start_ms), 1) for s in stays] + [(min(s.exit_ms, end_ms), -1) for s in stays]
    )  # at one moment, leaving (-1) sorts before entering
    count = peak = 0
    peak_ms: int | None = None
    for moment, step in steps:
        count += step
        if count > peak:
            peak, peak_ms = count, moment
    return peak, peak_ms


def by_session(state: EventState) -> list[dict[str, Any]]:
    """Per session: the people who attended, their count, the peak occupancy and when."""
    seen: dict[str, list[Attended]] = {}
    for one in attendances(state):
        seen.setdefault(one.session, []).append(one)
    rows = []
    for session in sorted(state.sessions.values(), key=lambda s: (s.start_ms, s.id)):
        present = seen.get(session.id, [])
        people = sorted({a.attendee for a in present}, key=lambda a: views.name_key(state.attendees.get(a), a))
        peak, peak_ms = _peak(present, session.start_ms, session.end_ms)
        rows.append({
            "session": session.id, "title": session.title,
            "room": state.rooms[session.room].name if session.room in state.rooms else session.room,
            "start": views.iso_local(state, session.start_ms), "end": views.iso_local(state, session.end_ms),
            "count": len(people), "peak": peak, "peak_at": views.iso_local(state, peak_ms),
            "people": [{"attendee": a, "name": _name(state, a)} for a in people],
        })
    return rows


def no_shows(state: EventState) -> list[dict[str, Any]]:
    """Registered attendees never checked in on any event day."""
    arrived = {a for _, a in state.checkins}
    return [
        {"attendee": a.id, "name": a.name, "organisation": a.org, "email": a.email, "walk_in": a.walk_in}
        for a in sorted(state.attendees.values(), key=lambda a: views.name_key(a, a.id))
        if a.id not in arrived
    ]


def incidents(state: EventState) -> list[dict[str, Any]]:
    """Every incident, oldest first, with whether it was acknowledged (`views.incidents`)."""
    return [
        {
            "id": seen.incident.id, "kind": seen.incident.kind, "at": views.iso_local(state, seen.incident.at_ms),
            "station": seen.incident.station, "detail": seen.incident.detail, "acknowledged": seen.acknowledged,
        }
        for seen in reversed(views.incidents(state))
    ]


# --- certificates of attendance ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertifiedSession:
    """One session on a certificate: when and where it was, and the minutes the person was in it."""

    session: str
    day: str
    start: str  # HH:MM, event-local
    end: str
    room: str
    title: str
    minutes: int


@dataclass(frozen=True, slots=True)
class Certificate:
    """What a certificate of attendance states about one attendee: the days present and the
    sessions attended, with the minutes of `attendances` (the same numbers as the export)."""

    attendee: str
    name: str
    org: str
    days: tuple[str, ...]
    sessions: tuple[CertifiedSession, ...]

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sessions)


@dataclass(frozen=True, slots=True)
class NoCertificate:
    """An attendee who gets no certificate, and why (one line, for the summary)."""

    attendee: str
    name: str
    reason: str


def certificates(
    state: EventState, only: tuple[str, ...] = (), min_minutes: int = 0
) -> tuple[list[Certificate], list[NoCertificate]]:
    """The certificates of everyone who attended (or of `only` those), by name, and those left out.

    A session counts when the person was in it at least `min_minutes` (any minute at 0). Days
    present are the days checked in at a desk and the days of a counted session. Without a
    minimum, a day checked in is attendance enough; with one, the organiser asks for presence in
    sessions, so a person with no session left gets no certificate. Attendees never checked in
    and never in a session are left out, each with the reason.
    """
    counted: dict[str, list[Attended]] = {}
    for seen in attendances(state):
        if seen.minutes >= max(min_minutes, 1):
            counted.setdefault(seen.attendee, []).append(seen)
    checked: dict[str, set[str]] = {}
    for checkin in state.checkins.values():
        checked.setdefault(checkin.attendee, set()).add(checkin.day)
    rows: dict[str, CertifiedSession] = {}  # one per session and room, shared by all who attended it
    wanted = only or tuple(sorted(state.attendees, key=lambda a: views.name_key(state.attendees.get(a), a)))
    made: list[Certificate] = []
    left: list[NoCertificate] = []
    for attendee_id in wanted:
        attendee = state.attendees.get(attendee_id)
        name = attendee.name if attendee else attendee_id
        sessions = tuple(sorted((_certified(state, s, rows) for s in counted.get(attendee_id, ())),
                                key=lambda s: (s.day, s.start, s.room, s.session)))
        if min_minutes > 0 and not sessions:
            reason = f"no session attended for {min_minutes} minutes or more"
            left.append(NoCertificate(attendee_id, name, reason if attendee_id in checked or attendee_id in counted
                                      else "never checked in"))
            continue
        days = tuple(sorted(checked.get(attendee_id, set()) | {s.day for s in sessions}))
        if not days:
            left.append(NoCertificate(attendee_id, name, "never checked in"))
            continue
        made.append(Certificate(attendee_id, name, attendee.org if attendee else "", days, sessions))
    return made, left


def _certified(state: EventState, seen: Attended, rows: dict[str, CertifiedSession]) -> CertifiedSession:
    """The certificate's row of one attended session (its times worked out once per session)."""
    row = rows.get(seen.session)
    if row is None:
        session = state.sessions[seen.session]
        row = rows[seen.session] = CertifiedSession(
            session=session.id, day=state.day_of(session.start_ms), start=views.hhmm(state, session.start_ms),
            end=views.hhmm(state, session.end_ms),
            room=state.rooms[seen.room].name if seen.room in state.rooms else seen.room,
            title=session.title, minutes=0,
        )
    return replace(row, minutes=seen.minutes)
