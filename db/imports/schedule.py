"""Importing the schedule: rooms with capacities, and sessions with their times in the
event's time zone, from CSV, frab XML or pretalx/frab JSON.

Rooms are matched by name (accents and case ignored) to the rooms the log already has,
so a re-import updates them; a new room gets the next free `R<n>` id. A room's capacity
comes from `--capacity ROOM=N` when given (what the person typed now wins), else from the
file, else from the log, else `DEFAULT_CAPACITY` with a warning. Sessions keep the id the
file gives them ("12" becomes "S12"), else one derived from title, room and start.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db import events as ev
from db.connect import write
from db.errors import EventOpsError
from db.hlc import WallClock, system_wall_ms
from db.imports import ids
from db.imports.columns import normal
from db.imports.current import EventFacts, Reference, event_facts, reference
from db.imports.problems import Problem
from db.imports.programme import Programme, RoomSpec, SessionSpec, capacity_of
from db.imports.report import ImportReport
from db.imports.schedule_files import read_programme
from db.imports.times import iso
from db.log import Draft, append_in_transaction
from db.node import local_station

DEFAULT_CAPACITY = 100


def parse_capacities(pairs: list[str] | tuple[str, ...]) -> dict[str, int]:
    """`["Room A=120", ...]` to `{normal(room): 120}`; raises ValueError on a bad pair."""
    out: dict[str, int] = {}
    for pair in pairs:
        room, sep, number = pair.rpartition("=")
        if not sep or not room.strip():
            raise ValueError(f"{pair!r} is not ROOM=N")
        out[normal(room)] = capacity_of(number)
    return out


def import_schedule(
    db: Database,
    source: Path | bytes,
    *,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    capacities: Mapping[str, int] | None = None,
    default_capacity: int = DEFAULT_CAPACITY,
    dry_run: bool = False,
    skip_invalid: bool = False,
    room: str | None = None,
    name: str | None = None,
    db_label: str | Path = "the database",
    wall: WallClock = system_wall_ms,
) -> ImportReport:
    """Import rooms and sessions into `db`, in one transaction (or not at all).

    `room`: the room of sessions in a sheet without a room column. `skip_invalid` imports
    the good rows and lists the others. A `capacities` key naming no room of the file or
    the event raises `UnknownRoom` (a typo must not pass as a warning)."""
    facts = event_facts(db, db_label)
    prog = read_programme(source, facts, fmt=fmt, mapping=mapping, name=name, room=room)
    report = ImportReport("schedule", prog.source, dry_run=dry_run)
    report.settle(prog.problems, skip_invalid)
    report.detail["format"] = prog.format
    report.warnings.extend(prog.warnings)
    _file_warnings(prog, facts, report)
    plan = lambda: _plan(reference(db), prog, facts, capacities or {}, default_capacity, report, skip_invalid)  # noqa: E731
    if dry_run:
        report.events = len(plan())
        return report
    with write(db):
        report.events = len(append_in_transaction(db, local_station(db), plan(), wall=wall))
    return report


def _file_warnings(prog: Programme, facts: EventFacts, report: ImportReport) -> None:
    """What the file as a whole leaves unsaid: its time zone, its talks."""
    if prog.zone_assumed:
        if prog.format == "csv":
            report.detail["time_zone"] = f"{facts.tz} (the event's; the file names none)"
        else:
            report.warn(
                "no time zone",
                f"the file names no time zone: {prog.zone_assumed} session time(s) read in {facts.tz}, the event's zone "
                "(check one session against the programme)",
            )
    if prog.rooms and not prog.sessions:
        rooms = len({normal(r.name) for r in prog.rooms})
        report.warn("no sessions", f"the file has {rooms} room(s) but no sessions: only the rooms are imported (a filtered or empty export?)")


class UnknownRoom(EventOpsError):
    """`--capacity` names a room that is neither in the file nor in the event (a typo)."""


def _plan(
    known: Reference,
    prog: Programme,
    facts: EventFacts,
    capacities: Mapping[str, int],
    default_capacity: int,
    report: ImportReport,
    skip_invalid: bool = False,
) -> list[Draft]:
    problems: list[Problem] = []
    rooms = _rooms(known, prog, capacities, default_capacity, problems, report)
    sessions = _sessions(known, prog, rooms, facts, problems, report)
    report.settle(problems, skip_invalid)
    return rooms.drafts + sessions


class _Rooms:
    """Room name (normal form) -> room id, and the room events to append."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.drafts: list[Draft] = []


def _rooms(
    known: Reference,
    prog: Programme,
    capacities: Mapping[str, int],
    default_capacity: int,
    problems: list[Problem],
    report: ImportReport,
) -> _Rooms:
    by_name = {normal(str(r.get("name", ""))): rid for rid, r in known.rooms.items()}
    by_id = {normal(rid): rid for rid in known.rooms}
    # One entry per room of the file, in order of first appearance; capacities must agree.
    merged: dict[str, RoomSpec] = {}
    for spec in prog.rooms:
        key = normal(spec.name)
        first = merged.get(key)
        if first is None:
            merged[key] = spec
            continue
        if spec.capacity is not None and first.capacity is not None and spec.capacity != first.capacity:
            earlier = f" at line {first.line}" if first.line else " earlier"
            problems.append(
                Problem(spec.line, f"room {spec.name!r} has capacity {spec.capacity} here but {first.capacity}{earlier}")
            )
        if first.capacity is None and spec.capacity is not None or not first.id and spec.id:
            merged[key] = RoomSpec(first.name, first.capacity or spec.capacity, first.id or spec.id, first.line)
    numbers = [int(m.group(1)) for rid in known.rooms if (m := re.fullmatch(r"R(\d+)", rid))]
    next_number = max(numbers, default=0) + 1
    out = _Rooms()
    tally = report.tally("rooms")
    used_options: set[str] = set()
    for key, spec in merged.items():
        room_id = spec.id or by_name.get(key) or by_id.get(key)
        if not room_id:
            room_id = f"R{next_number}"
            next_number += 1
        out.ids[key] = room_id
        before = known.rooms.get(room_id)
        option = capacities.get(key, capacities.get(normal(room_id)))
        if option is not None:
            used_options.add(key if key in capacities else normal(room_id))
            if spec.capacity is not None and spec.capacity != option:
                report.warnings.append(f"room {spec.name}: capacity {option} from --capacity (the file says {spec.capacity})")
            capacity = option
        elif spec.capacity is not None:
            capacity = spec.capacity
        elif before is not None:
            capacity = int(before.get("capacity") or default_capacity)
        else:
            capacity = default_capacity
            report.warn(
                "rooms without a capacity",
                f"room {spec.name}: no capacity in the file, {default_capacity} assumed (set it with --capacity '{spec.name}=N')",
            )
        data = {"id": room_id, "name": spec.name, "capacity": capacity}
        if before is None:
            out.drafts.append(Draft(ev.ROOM_ADDED, data))
            tally.added += 1
        elif (before.get("name"), before.get("capacity")) != (spec.name, capacity):
            out.drafts.append(Draft(ev.ROOM_ADDED, data))
            tally.updated += 1
        else:
            tally.unchanged += 1
    in_log = {normal(str(r.get("name", ""))) for r in known.rooms.values()} | set(by_id)
    unknown = sorted(capacities.keys() - used_options - in_log)
    if unknown:
        names = sorted({spec.name for spec in merged.values()} | {str(r.get("name", "")) for r in known.rooms.values()})
        raise UnknownRoom(
            f"--capacity names {', '.join(repr(k) for k in unknown)}, which is no room of the file or the event "
            f"(rooms: {', '.join(names) or 'none'}); nothing imported"
        )
    for key in sorted(capacities.keys() - used_options):
        report.warn("--capacity for rooms not in this file", f"--capacity names room {key!r}, which is not in this file; its capacity is unchanged")
    return out


def _sessions(
    known: Reference,
    prog: Programme,
    rooms: _Rooms,
    facts: EventFacts,
    problems: list[Problem],
    report: ImportReport,
) -> list[Draft]:
    slots: dict[str, list[tuple[SessionSpec, dict[str, Any]]]] = {}
    for spec in prog.sessions:
        room_id = rooms.ids.get(normal(spec.room))
        if room_id is None:
            problems.append(Problem(spec.line, f"{_at(spec)}room {spec.room!r} is not in the file"))
            continue
        if spec.end <= spec.start:
            problems.append(Problem(spec.line, f"{_at(spec)}session {spec.title!r} ends before it starts"))
            continue
        start, end = iso(spec.start), iso(spec.end)
        ident = spec.id or ids.derived("S", f"{normal(spec.title)}|{room_id}|{start}", 8)
        data = {"id": ident, "title": spec.title, "room": room_id, "start": start, "end": end}
        group = slots.setdefault(ident, [])
        same = next((item for item in group if item[1] == data), None)
        other = next((item for item in group if item[1]["title"] != data["title"] or (item[1]["room"], item[1]["start"]) == (room_id, start)), None)
        if same is not None:
            report.warn("repeated rows, imported once", f"{spec.place} repeats {same[0].place}; imported once")
        elif other is not None:
            problems.append(Problem(spec.line, f"{_at(spec)}session id {ident} is used twice ({other[0].place} and {spec.place})"))
        else:
            group.append((spec, data))
    wanted = _one_session_per_slot(slots, problems, report)
    for spec, data in wanted.values():
        if facts.days and data["start"][:10] not in facts.days:
            report.warn(
                "sessions outside the event's days",
                f"{spec.place}: session {spec.title!r} is on {data['start'][:10]}, not one of the event's days ({', '.join(facts.days)})",
            )
    _overlaps(wanted, report)
    drafts: list[Draft] = []
    tally = report.tally("sessions")
    for ident, (_spec, data) in wanted.items():
        if tally.counts(known.sessions.get(ident), data, missing=None):
            drafts.append(Draft(ev.SESSION_ADDED, data))
    absent = len(known.sessions.keys() - wanted.keys())
    if absent:
        report.warnings.append(f"{absent} session(s) already in the schedule are not in this file; kept")
    return drafts


def _one_session_per_slot(
    slots: Mapping[str, list[tuple[SessionSpec, dict[str, Any]]]], problems: list[Problem], report: ImportReport
) -> dict[str, tuple[SessionSpec, dict[str, Any]]]:
    """A talk the file schedules in several slots (pretalx: one talk id, two rooms or times)
    becomes one session per slot: the earliest keeps the id, the next are `<id>-2`, `<id>-3`
    in order of time, so a re-import of the same schedule finds the same sessions."""
    wanted: dict[str, tuple[SessionSpec, dict[str, Any]]] = {}
    for ident, group in slots.items():
        group.sort(key=lambda item: (item[1]["start"], item[1]["room"]))
        made = []
        for number, (spec, data) in enumerate(group, start=1):
            slot_id = ident if number == 1 else f"{ident}-{number}"
            if number > 1 and slot_id in slots:
                problems.append(Problem(spec.line, f"{_at(spec)}session {slot_id} of the file clashes with slot {number} of {ident}"))
                continue
            wanted[slot_id] = (spec, {**data, "id": slot_id})
            made.append(slot_id)
        if len(made) > 1:
            title = group[0][1]["title"]
            report.warn("talks in several slots, one session per slot", f"{title!r} is scheduled {len(made)} times: sessions {', '.join(made)}")
    return wanted


def _at(spec: SessionSpec) -> str:
    return "" if spec.line else f"{spec.where}: "


def _overlaps(wanted: Mapping[str, tuple[SessionSpec, dict[str, Any]]], report: ImportReport) -> None:
    """Warn (never refuse) when two sessions share a room at the same time."""
    by_room: dict[str, list[tuple[SessionSpec, dict[str, Any]]]] = {}
    for spec, data in wanted.values():
        by_room.setdefault(data["room"], []).append((spec, data))
    for items in by_room.values():
        items.sort(key=lambda it: (it[0].start, it[1]["id"]))
        for (a, _), (b, _) in zip(items, items[1:], strict=False):
            if b.start < a.end:
                report.warn("sessions overlapping in one room", f"sessions {a.title!r} and {b.title!r} overlap in room {a.room}")
