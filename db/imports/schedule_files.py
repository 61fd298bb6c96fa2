"""Reading schedules: CSV sheets, frab schedule XML and the frab/pretalx schedule JSON.

frab XML: `schedule > day[date] > room[name] > event[id, guid]` with `date` (ISO with
offset), `start` (HH:MM), `duration` (HH:MM), `room`, `title`. pretalx/frab JSON:
`schedule.conference.days[].rooms{name: [talk]}`, a talk carrying `id`, `guid`, `date`,
`start`, `duration`, `room`, `title`; pretalx lists rooms with their `capacity` in
`schedule.conference.rooms`.
"""

from __future__ import annotations

import json
import xml.parsers.expat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.imports import ids
from db.imports.columns import missing_message, resolve
from db.imports.current import EventFacts
from db.imports.problems import Problem, refuse
from db.imports.programme import Programme, RoomSpec, SessionSpec, capacity_of, check_title
from db.imports.table import decode, read_bytes, read_table
from db.imports.times import has_offset, parse_day, parse_duration, parse_moment

SCHEDULE_FIELDS = ("id", "title", "room", "room_id", "capacity", "date", "start", "end", "duration")
FORMATS = ("auto", "csv", "xml", "json")

SCHEDULE_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "session id", "talk id", "code", "ref", "reference"),
    "title": ("title", "session title", "titre", "titel", "intitule", "session", "talk", "name", "nom", "sessie", "onderwerp", "thema"),
    "room": ("room", "room name", "salle", "zaal", "raum", "lokaal", "location", "lieu", "locatie", "ort"),
    "room_id": ("room id",),
    "capacity": ("capacity", "room capacity", "capacite", "capaciteit", "kapazitat", "places", "seats", "plaatsen", "platze"),
    "date": ("date", "day", "jour", "dag", "tag", "datum", "start date", "session date"),
    "start": (
        "start", "begin", "start time", "time start", "starts", "starts at", "starting time", "begin time",
        "time begin", "start datetime", "debut", "heure de debut", "beginn", "aanvang", "begintijd", "from", "de", "van", "von",
    ),
    "end": (
        "end", "end time", "time end", "ends", "ends at", "finish", "finish time", "end datetime",
        "fin", "heure de fin", "einde", "eindtijd", "ende", "to", "a", "tot", "bis",
    ),
    "duration": ("duration", "duree", "duur", "dauer", "length", "minutes"),
}


def read_programme(
    source: Path | bytes,
    facts: EventFacts,
    *,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    name: str | None = None,
    room: str | None = None,
) -> Programme:
    """Read a schedule file of any supported format; `room` is the room of every session of
    a sheet that has no room column (or an empty cell)."""
    label, data = read_bytes(source, name)
    if fmt not in FORMATS:
        raise refuse(label, f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt == "auto":
        fmt = _sniff(label, data)
    if fmt == "xml":
        return _frab_xml(label, data, facts)
    if fmt == "json":
        return _frab_json(label, data, facts)
    return _csv(label, data, facts, mapping, (room or "").strip())


def _sniff(label: str, data: bytes) -> str:
    text, _ = decode(data[:4096])
    head = text.lstrip()
    if head.startswith("<"):
        return "xml"
    if head.startswith(("{", "[")):
        return "json"
    suffix = Path(label).suffix.lower()
    return {".xml": "xml", ".json": "json"}.get(suffix, "csv")


# --- CSV ------------------------------------------------------------------------------


def _csv(label: str, data: bytes, facts: EventFacts, mapping: Mapping[str, str] | None, default_room: str) -> Programme:
    table = read_table(data, label)
    columns = resolve(label, table.header, SCHEDULE_ALIASES, mapping)
    if "room" not in columns and "room_id" not in columns and not default_room:
        raise refuse(label, missing_message(table.header, "room", "room") + ", or give every session one room with --room NAME")
    if "start" not in columns and "title" in columns:
        raise refuse(label, missing_message(table.header, "start time", "start") + " (headers read as the start: Start, Start time, Time Start, Begin, Début, Aanvang, Beginn)")
    prog = Programme(label, "csv", problems=list(table.problems))
    zone = facts.zone

    def cell(cells: Sequence[str], key: str) -> str:
        index = columns.get(key)
        return "" if index is None else cells[index].strip()

    for row in table.rows:
        c = row.cells
        room = cell(c, "room") or cell(c, "room_id") or default_room
        title = cell(c, "title")
        if not room:
            prog.problems.append(Problem(row.line, "no room"))
            continue
        capacity: int | None = None
        if cell(c, "capacity"):
            try:
                capacity = capacity_of(cell(c, "capacity"))
            except ValueError as error:
                prog.problems.append(Problem(row.line, str(error)))
                continue
        room_id = cell(c, "room_id")
        if room_id:
            try:
                ids.check(room_id)
            except ValueError as error:
                prog.problems.append(Problem(row.line, str(error)))
                continue
        prog.rooms.append(RoomSpec(room, capacity, room_id, row.line))
        start_text = cell(c, "start")
        if not title and not start_text:
            continue  # a row that only describes a room
        if not title:
            prog.problems.append(Problem(row.line, "a session without a title"))
            continue
        if not start_text:
            prog.problems.append(Problem(row.line, f"session {title!r} has no start time"))
            continue
        try:
            check_title(title)
            day: date | None = parse_day(cell(c, "date"), facts.days) if cell(c, "date") else None
            start = parse_moment(start_text, day, zone)
            if not has_offset(start_text):
                prog.zone_assumed += 1
            if cell(c, "end"):
                end = parse_moment(cell(c, "end"), start.date(), zone)
            elif cell(c, "duration"):
                end = start + parse_duration(cell(c, "duration"))
            else:
                raise ValueError(f"session {title!r} has neither an end nor a duration")
        except ValueError as error:
            prog.problems.append(Problem(row.line, str(error)))
            continue
        if end <= start:
            prog.problems.append(Problem(row.line, f"session {title!r} ends before it starts"))
            continue
        ident = cell(c, "id")
        if ident:
            try:
                ident = session_id(ids.check(ident))
            except ValueError as error:
                prog.problems.append(Problem(row.line, str(error)))
                continue
        prog.sessions.append(SessionSpec(title, room, start, end, ident, row.line))
    return prog


# --- frab XML -------------------------------------------------------------------------


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str) -> str:
        node = self.find(tag)
        return node.text.strip() if node is not None else ""


def _parse_xml(label: str, data: bytes) -> _Node:
    """A small element tree that remembers line numbers (ElementTree does not)."""
    parser = xml.parsers.expat.ParserCreate()
    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def text(chars: str) -> None:
        if stack:
            stack[-1].text += chars

    def no_entities(*args: Any) -> None:
        raise ValueError("the file declares entities, which a schedule never needs")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = no_entities
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise refuse(label, f"invalid XML ({xml.parsers.expat.ErrorString(error.code)})", error.lineno) from None
    except ValueError as error:
        raise refuse(label, str(error)) from None
    return roots[0]


def _known_zone(name: str) -> bool:
    """True when the file names a time zone this machine knows."""
    try:
        return bool(name) and ZoneInfo(name) is not None
    except (ZoneInfoNotFoundError, ValueError):
        return False


def _zone(name: str, fallback: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else fallback
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _frab_xml(label: str, data: bytes, facts: EventFacts) -> Programme:
    root = _parse_xml(label, data)
    if root.tag != "schedule":
        raise refuse(label, f"is XML but not a frab schedule (its root is <{root.tag}>, not <schedule>)", root.line)
    prog = Programme(label, "frab-xml")
    conference = root.find("conference")
    zone_name = conference.child_text("time_zone_name") if conference else ""
    zone = _zone(zone_name, facts.zone)
    named = _known_zone(zone_name)
    days = root.all("day")
    if not days:
        prog.warnings.append("the schedule has no <day>")
    for day in days:
        day_date = day.attrs.get("date", "")
        for room in day.all("room"):
            room_name = room.attrs.get("name", "").strip()
            capacity: int | None = None
            if room.attrs.get("capacity"):
                try:
                    capacity = capacity_of(room.attrs["capacity"])
                except ValueError as error:
                    prog.problems.append(Problem(room.line, str(error)))
                    continue
            if not room_name:
                prog.problems.append(Problem(room.line, "a <room> without a name"))
                continue
            prog.rooms.append(RoomSpec(room_name, capacity, "", room.line))
            for event in room.all("event"):
                talk = {tag: event.child_text(tag) for tag in ("date", "start", "duration", "room", "title")}
                _add_talk(prog, event.attrs, talk, room_name, day_date, zone, facts, event.line, "", named)
    return prog


# --- frab / pretalx JSON --------------------------------------------------------------


def _frab_json(label: str, data: bytes, facts: EventFacts) -> Programme:
    text, _ = decode(data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise refuse(label, f"invalid JSON ({error.msg})", error.lineno) from None
    try:
        conference = doc["schedule"]["conference"]
        days = conference["days"]
        if not isinstance(days, list):
            raise TypeError
    except (KeyError, TypeError):
        raise refuse(label, "is JSON but not a frab/pretalx schedule (no schedule.conference.days)") from None
    prog = Programme(label, "frab-json")
    zone_name = str(conference.get("time_zone_name") or "")
    zone = _zone(zone_name, facts.zone)
    named = _known_zone(zone_name)
    for index, room in enumerate(conference.get("rooms") or []):
        if not isinstance(room, Mapping) or not str(room.get("name") or "").strip():
            continue
        capacity = None
        if room.get("capacity") not in (None, ""):
            try:
                capacity = capacity_of(room["capacity"])
            except ValueError as error:
                prog.problems.append(Problem(0, f"conference room {index + 1} ({room.get('name')}): {error}"))
                continue
        prog.rooms.append(RoomSpec(str(room["name"]).strip(), capacity))
    for day in days:
        if not isinstance(day, Mapping):
            prog.problems.append(Problem(0, "a day that is not an object"))
            continue
        rooms = day.get("rooms") or {}
        if not isinstance(rooms, Mapping):
            prog.problems.append(Problem(0, f"day {day.get('date')}: rooms is not an object"))
            continue
        for room_name, talks in rooms.items():
            prog.rooms.append(RoomSpec(str(room_name).strip()))
            for talk in talks if isinstance(talks, list) else []:
                if not isinstance(talk, Mapping):
                    continue
                fields = {k: str(talk.get(k) or "") for k in ("date", "start", "duration", "room", "title")}
                attrs = {"id": str(talk.get("id") or ""), "guid": str(talk.get("guid") or "")}
                where = f"day {day.get('date')}, room {room_name!r}, talk {attrs['id'] or fields['title']!r}"
                _add_talk(prog, attrs, fields, str(room_name), str(day.get("date") or ""), zone, facts, 0, where, named)
    return prog


def _add_talk(
    prog: Programme,
    attrs: Mapping[str, str],
    talk: Mapping[str, str],
    room_name: str,
    day_date: str,
    zone: ZoneInfo,
    facts: EventFacts,
    line: int,
    where: str,
    zone_named: bool = True,
) -> None:
    """One frab event/talk (XML or JSON) into a session, or a problem. `zone_named`: the file
    names its time zone (else a time without an offset is counted in `zone_assumed`)."""
    title = talk.get("title", "").strip()
    here = where or f"line {line}"
    if not title:
        prog.problems.append(Problem(line, f"{where + ': ' if where else ''}a session without a title"))
        return
    try:
        check_title(title)
        day = datetime.fromisoformat(day_date).date() if day_date else None
        when = talk.get("date") or talk.get("start", "")
        if not when:
            raise ValueError("no date or start")
        start = parse_moment(when, day, zone).astimezone(facts.zone)
        if not zone_named and not has_offset(when):
            prog.zone_assumed += 1
        end = start + parse_duration(talk.get("duration") or "0", frab=True)
        if end <= start:
            raise ValueError("it has no duration")
    except ValueError as error:
        prog.problems.append(Problem(line, f"{where + ': ' if where else ''}{title!r}: {error}"))
        return
    ident = attrs.get("id", "").strip()
    guid = attrs.get("guid", "").strip()
    ident = session_id(ids.slug(ident)) if ids.slug(ident) else (ids.derived("S", "guid:" + guid, 8) if guid else "")
    room = room_name.strip() or talk.get("room", "").strip()
    prog.sessions.append(SessionSpec(title, room, start, end, ident, line, "" if line else here))


def session_id(ident: str) -> str:
    """A file's own session number as our id: "12" becomes "S12"; "S01" or "KEY-1" stay."""
    return "S" + ident if ident.isdigit() else ident
