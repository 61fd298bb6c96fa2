"""Importing field visits, their buses (with seats) and who rides which bus, from CSV.

One row per attendee on a bus (rows without an attendee describe a visit or a bus):

    visit_id;visit_title;day;depart;return;bus;bus_capacity;attendee
    V1;Safe consumption room;2024-03-21;13:30;17:00;1;50;jan.peeters@gent.be

The attendee cell may hold an attendee id, a registration reference, an e-mail (looked
up in the local contacts) or a name that is unique. A re-import is the full manifest of
each visit it names: new assignments are appended, moved attendees are unassigned from
their old bus and assigned to the new one, and attendees no longer listed are unassigned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db import events as ev
from db.connect import write
from db.hlc import WallClock, system_wall_ms
from db.imports import ids
from db.imports.columns import missing_message, normal, resolve
from db.imports.current import EventFacts, Reference, event_facts, reference
from db.imports.problems import ImportProblems, Problem, refuse
from db.imports.programme import capacity_of, check_title
from db.imports.report import ImportReport
from db.imports.table import Table, read_table
from db.imports.times import iso, parse_day, parse_moment
from db.log import Draft, append_in_transaction
from db.node import local_station

VISIT_FIELDS = ("visit_id", "visit_title", "day", "depart", "return", "bus", "bus_capacity", "attendee")
DEFAULT_BUS_CAPACITY = 50

VISIT_ALIASES: dict[str, tuple[str, ...]] = {
    "visit_id": ("visit id", "visit", "visite id", "id visite", "bezoek id", "excursion id", "besuch id"),
    "visit_title": ("visit title", "title", "visite", "titre", "titre visite", "bezoek", "excursion", "field visit", "besuch", "titel"),
    "day": ("day", "date", "jour", "dag", "datum", "tag"),
    "depart": ("depart", "departure", "leaves", "vertrek", "abfahrt", "depart time", "heure de depart"),
    "return": ("return", "back", "retour", "terugkeer", "ruckkehr", "ruckfahrt", "return time", "heure de retour"),
    "bus": ("bus", "bus id", "bus label", "coach", "car", "autocar"),
    "bus_capacity": ("bus capacity", "bus seats", "capacity", "seats", "places", "capacite", "zitplaatsen", "platze", "sitzplatze"),
    "attendee": (
        "attendee", "attendee id", "participant", "deelnemer", "teilnehmer", "email", "e mail",
        "name", "nom", "naam",
    ),
}


@dataclass
class _Visit:
    id: str
    line: int
    title: str = ""
    day: str = ""
    depart: str = ""
    back: str = ""
    texts: dict[str, tuple[str, int]] = field(default_factory=dict)  # field -> (raw value, line)


@dataclass
class _Bus:
    id: str
    visit: str
    label: str
    line: int
    capacity: int | None = None


def import_visits(
    db: Database,
    source: Path | bytes,
    *,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    name: str | None = None,
    db_label: str | Path = "the database",
    wall: WallClock = system_wall_ms,
) -> ImportReport:
    """Import field visits, buses and bus assignments into `db`, in one transaction."""
    facts = event_facts(db, db_label)
    table = read_table(source, name)
    report = ImportReport("visits", table.source, dry_run=dry_run)
    if dry_run:
        report.events = len(_plan(db, table, facts, mapping, report))
        return report
    with write(db):
        drafts = _plan(db, table, facts, mapping, report)
        report.events = len(append_in_transaction(db, local_station(db), drafts, wall=wall))
    return report


def _plan(db: Database, table: Table, facts: EventFacts, mapping: Mapping[str, str] | None, report: ImportReport) -> list[Draft]:
    columns = resolve(table.source, table.header, VISIT_ALIASES, mapping)
    if "visit_id" not in columns and "visit_title" not in columns:
        raise refuse(table.source, missing_message(table.header, "visit", "visit_id"))
    known = reference(db)
    finder = _AttendeeFinder(db, known)
    problems: list[Problem] = list(table.problems)
    visits: dict[str, _Visit] = {}
    buses: dict[str, _Bus] = {}
    seats: dict[tuple[str, str], tuple[str, int]] = {}  # (visit, attendee) -> (bus, line)
    title_ids = {normal(str(v.get("title", ""))): vid for vid, v in known.visits.items()}
    numbers = [int(m.group(1)) for vid in known.visits if (m := re.fullmatch(r"V(\d+)", vid))]
    next_number = [max(numbers, default=0) + 1]

    def cell(cells: Sequence[str], key: str) -> str:
        index = columns.get(key)
        return "" if index is None else re.sub(r"\s+", " ", cells[index]).strip()

    def visit_id_for(raw_id: str, title: str, line: int) -> str | None:
        if raw_id:
            try:
                return "V" + raw_id if raw_id.isdigit() else ids.check(raw_id)
            except ValueError as error:
                problems.append(Problem(line, str(error)))
                return None
        key = normal(title)
        if key not in title_ids:
            title_ids[key] = f"V{next_number[0]}"
            next_number[0] += 1
        return title_ids[key]

    for row in table.rows:
        c = row.cells
        title, raw_id = cell(c, "visit_title"), cell(c, "visit_id")
        if raw_id and "visit_title" not in columns and " " in raw_id:
            title, raw_id = raw_id, ""  # a "Visit" column holding titles
        if not raw_id and not title:
            problems.append(Problem(row.line, "no visit (both the visit id and title are empty)"))
            continue
        try:
            check_title(title)
        except ValueError as error:
            problems.append(Problem(row.line, str(error)))
            continue
        visit_id = visit_id_for(raw_id, title, row.line)
        if visit_id is None:
            continue
        row_texts = {"visit_title": title} if title and "visit_title" not in columns else {}
        visit = visits.setdefault(visit_id, _Visit(visit_id, row.line))
        for key in ("visit_title", "day", "depart", "return"):
            value = row_texts.get(key) or cell(c, key)
            if not value:
                continue
            seen = visit.texts.get(key)
            if seen is None:
                visit.texts[key] = (value, row.line)
            elif normal(seen[0]) != normal(value):
                problems.append(Problem(row.line, f"visit {visit_id}: {key.replace('_', ' ')} {value!r} here but {seen[0]!r} at line {seen[1]}"))
        bus_text = cell(c, "bus")
        attendee_text = cell(c, "attendee")
        if not bus_text:
            if attendee_text:
                problems.append(Problem(row.line, f"{attendee_text!r} has no bus"))
            continue
        bus_id, label = _bus_id(visit_id, bus_text)
        bus = buses.setdefault(bus_id, _Bus(bus_id, visit_id, label, row.line))
        if cell(c, "bus_capacity"):
            try:
                capacity = capacity_of(cell(c, "bus_capacity"))
            except ValueError as error:
                problems.append(Problem(row.line, str(error)))
                continue
            if bus.capacity is not None and bus.capacity != capacity:
                problems.append(Problem(row.line, f"bus {bus_id} has {capacity} seats here but {bus.capacity} at line {bus.line}"))
                continue
            bus.capacity = capacity
        if not attendee_text:
            continue
        try:
            attendee = finder.find(attendee_text)
        except ValueError as error:
            problems.append(Problem(row.line, str(error)))
            continue
        taken = seats.get((visit_id, attendee))
        if taken is not None:
            if taken[0] != bus_id:
                problems.append(Problem(row.line, f"{attendee_text} is on bus {bus_id} here but on {taken[0]} at line {taken[1]}"))
            else:
                report.warnings.append(f"line {row.line} repeats line {taken[1]}; assigned once")
            continue
        seats[(visit_id, attendee)] = (bus_id, row.line)
    for visit in visits.values():
        _settle_visit(visit, facts, problems, report)
    if problems:
        raise ImportProblems(table.source, problems)
    drafts = _visit_drafts(known, visits, report) + _bus_drafts(known, buses, seats, problems, report)
    drafts += _seat_drafts(known, visits, seats, report)
    if problems:
        raise ImportProblems(table.source, problems)
    return drafts


def _bus_id(visit_id: str, text: str) -> tuple[str, str]:
    """`(bus id, label)`: "2", "B2" and "Bus 2" are bus `<visit>-B2`; "V1-B1" stays."""
    if text.startswith(visit_id + "-"):
        return ids.slug(text), text
    digits = re.fullmatch(r"(?:b|bus|car|coach|autocar)?\s*#?\s*(\d{1,3})", text, re.IGNORECASE)
    if digits:
        number = int(digits.group(1))
        return f"{visit_id}-B{number}", text if not text.isdigit() else f"Bus {number}"
    return f"{visit_id}-{ids.slug(text) or ids.derived('B', text, 4)}", text


def _settle_visit(visit: _Visit, facts: EventFacts, problems: list[Problem], report: ImportReport) -> None:
    """Parse the visit's day and times once all its rows are read."""
    visit.title = visit.texts.get("visit_title", (visit.id, 0))[0]
    day_text, day_line = visit.texts.get("day", ("", visit.line))
    if not day_text:
        problems.append(Problem(visit.line, f"visit {visit.id} has no day"))
        return
    try:
        day = parse_day(day_text, facts.days)
    except ValueError as error:
        problems.append(Problem(day_line, str(error)))
        return
    visit.day = day.isoformat()
    if facts.days and visit.day not in facts.days:
        report.warnings.append(f"visit {visit.id} is on {visit.day}, not one of the event's days")
    for key in ("depart", "return"):
        text, line = visit.texts.get(key, ("", 0))
        if not text:
            continue
        try:
            moment = iso(parse_moment(text, day, facts.zone))
        except ValueError as error:
            problems.append(Problem(line, str(error)))
            continue
        if key == "depart":
            visit.depart = moment
        else:
            visit.back = moment
    if visit.depart and visit.back and visit.back <= visit.depart:
        problems.append(Problem(visit.line, f"visit {visit.id} returns before it departs"))


def _visit_drafts(known: Reference, visits: Mapping[str, _Visit], report: ImportReport) -> list[Draft]:
    tally = report.tally("visits")
    drafts: list[Draft] = []
    for visit in visits.values():
        data = {"id": visit.id, "title": visit.title, "day": visit.day, "depart": visit.depart, "return": visit.back}
        if tally.counts(known.visits.get(visit.id), data):
            drafts.append(Draft(ev.VISIT_ADDED, data))
    return drafts


def _bus_drafts(
    known: Reference,
    buses: Mapping[str, _Bus],
    seats: Mapping[tuple[str, str], tuple[str, int]],
    problems: list[Problem],
    report: ImportReport,
) -> list[Draft]:
    tally = report.tally("buses")
    drafts: list[Draft] = []
    riders: dict[str, int] = {}
    for bus_id, _line in seats.values():
        riders[bus_id] = riders.get(bus_id, 0) + 1
    for bus in buses.values():
        before = known.buses.get(bus.id)
        capacity = bus.capacity
        if capacity is None:
            capacity = int(before["capacity"]) if before and before.get("capacity") else DEFAULT_BUS_CAPACITY
            if before is None:
                report.warnings.append(f"bus {bus.id}: no capacity in the file, {capacity} seats assumed")
        if riders.get(bus.id, 0) > capacity:
            problems.append(Problem(bus.line, f"bus {bus.id} has {riders[bus.id]} attendees assigned but {capacity} seats"))
            continue
        data: dict[str, Any] = {"id": bus.id, "visit": bus.visit, "capacity": capacity, "label": bus.label}
        if tally.counts(before, data):
            drafts.append(Draft(ev.BUS_ADDED, data))
    return drafts


def _seat_drafts(
    known: Reference,
    visits: Mapping[str, _Visit],
    seats: Mapping[tuple[str, str], tuple[str, int]],
    report: ImportReport,
) -> list[Draft]:
    """Assignments: the file is the full manifest of each visit it names."""
    tally = report.tally("assignments")
    drafts: list[Draft] = []
    for (visit, attendee), (bus, _line) in seats.items():
        before = known.assigned.get((visit, attendee))
        if before == bus:
            tally.unchanged += 1
            continue
        if before is not None:
            drafts.append(Draft(ev.BUS_UNASSIGNED, {"visit": visit, "bus": before, "attendee": attendee}))
            tally.updated += 1
        else:
            tally.added += 1
        drafts.append(Draft(ev.BUS_ASSIGNED, {"visit": visit, "bus": bus, "attendee": attendee}))
    dropped = 0
    for (visit, attendee), bus in sorted(known.assigned.items()):
        if visit in visits and (visit, attendee) not in seats:
            drafts.append(Draft(ev.BUS_UNASSIGNED, {"visit": visit, "bus": bus, "attendee": attendee}))
            dropped += 1
    report.detail["unassigned"] = dropped
    if dropped:
        report.warnings.append(f"{dropped} attendee(s) no longer listed for their visit are unassigned from their bus")
    return drafts


class _AttendeeFinder:
    """Finds an attendee by id (or the attendee file's own id), registration reference, e-mail
    (local contacts) or unique name."""

    def __init__(self, db: Database, known: Reference) -> None:
        self.ids = set(known.attendees)
        self.refs: dict[str, str] = {}
        self.names: dict[str, set[str]] = {}
        for ident, data in known.attendees.items():
            if data.get("ref"):
                self.refs.setdefault(str(data["ref"]).casefold(), ident)
            self.names.setdefault(normal(str(data.get("name", ""))), set()).add(ident)
        self.emails = {
            str(r[1]).casefold(): str(r[0]) for r in db.execute("SELECT attendee_id, email FROM contacts WHERE email != ''")
        }
        # The attendee file's own ids, also those that did not fit on a badge and were replaced.
        self.file_ids = {
            str(r[0])[3:]: str(r[1]) for r in db.execute("SELECT source_key, attendee_id FROM import_keys WHERE source_key LIKE 'id:%'")
        }

    def find(self, text: str) -> str:
        for ident in (text, text.upper(), self.file_ids.get(text)):
            if ident in self.ids:
                return str(ident)
        folded = text.casefold()
        if folded in self.refs:
            return self.refs[folded]
        if folded in self.emails and self.emails[folded] in self.ids:
            return self.emails[folded]
        matches = self.names.get(normal(text), set())
        if len(matches) == 1:
            return next(iter(matches))
        if len(matches) > 1:
            raise ValueError(f"{len(matches)} attendees are called {text!r}; use their id or e-mail")
        raise ValueError(f"no attendee {text!r} (import the attendees first, or use an id, e-mail or exact name)")
