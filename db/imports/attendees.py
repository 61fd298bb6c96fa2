"""Importing attendees from the CSV exports organisers really have (pretix, Eventbrite,
hand-made sheets), so that re-importing an updated export updates and never duplicates.

Each attendee's id comes from the file's id column when it fits on a badge (at most 8 of
0-9 and A-Z without Q, W, Y; upper-cased); otherwise it is random (`db.imports.ids`) and a
file id that did not fit is kept as the reference. People already registered are found again
by the file's id, the registration reference, the e-mail, or the name and organisation,
through the organiser's local `import_keys` (`db.imports.identity`), never by recomputing an
id from personal data. New attendees get `attendee.registered`; changed ones get
`attendee.updated` carrying only the fields that changed; unchanged rows append nothing.
E-mail and phone go only to the local `contacts` table, never into an event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from db import events as ev
from db import revocations
from db.badge_ids import MAX_ID_LEN, fits_badge
from db.connect import write
from db.hlc import WallClock, system_wall_ms
from db.imports import identity, ids, lossy
from db.imports.columns import missing_message, normal, resolve
from db.imports.current import event_facts, reference
from db.imports.presets import (
    AMBIGUOUS_NAME,
    NOT_COMING,
    PENDING,
    PRESETS,
    aliases,
    detect,
    pick_attendee_sheet,
    pretix_orders_sheet,
)
from db.imports.problems import Problem, refuse
from db.imports.report import ImportReport
from db.imports.table import Row, Table, read_table
from db.log import Draft, append_in_transaction
from db.node import local_station

if TYPE_CHECKING:
    from db.fold import EventState

#: Fields of an attendee carried by events (no e-mail, no phone: those are contacts).
EVENT_FIELDS = ("name", "first", "last", "org", "city", "country", "role", "ref", "tags")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TEXT = 200
#: Fields whose letters a lossy re-save can destroy (`db.imports.lossy`).
TEXT_FIELDS = ("name", "first", "last", "org", "city", "country", "role")


@dataclass
class Person:
    """One attendee as a row of the file describes them."""

    line: int
    record: dict[str, Any]  # event fields present in the file
    email: str | None = None  # None: the file has no e-mail column
    phone: str | None = None
    explicit_id: str = ""  # as the file writes it
    key: str = ""  # rows with the same key are one person
    keys: identity.Keys | None = None
    id: str = ""  # resolved against the database (`_resolve_ids`)
    skipped: bool = False  # cancelled, expired, refunded: not coming
    status: str = ""  # the row's order or attendee status, as the file writes it
    suspect: dict[str, str] = field(default_factory=dict)  # fields that may have lost letters
    lines: list[int] = field(default_factory=list)


def import_attendees(
    db: Database,
    source: Path | bytes,
    *,
    mapping: Mapping[str, str] | None = None,
    preset: str = "auto",
    dry_run: bool = False,
    skip_invalid: bool = False,
    revoke_missing: bool = False,
    name: str | None = None,
    db_label: str | Path = "the database",
    wall: WallClock = system_wall_ms,
    new_id: ids.NewId = ids.new_attendee_id,
) -> ImportReport:
    """Import attendees from a CSV file or spreadsheet into `db`, in one transaction (or not
    at all).

    `skip_invalid` imports the good rows and lists the others (`report.skipped`) instead of
    refusing the file; `revoke_missing` revokes the badge of everyone registered who is
    cancelled in the file or not in it. `new_id` makes the id of each new attendee."""
    event_facts(db, db_label)
    table = read_table(source, name, pick=pick_attendee_sheet)
    if preset not in PRESETS:
        raise refuse(table.source, f"unknown preset {preset!r} (one of {', '.join(PRESETS)})")
    if preset in ("auto", "pretix") and pretix_orders_sheet(table.header):
        where = f"sheet {table.sheet!r} of " if table.sheet else ""
        raise refuse(
            table.source,
            f"{where}this is pretix's Orders list (one row per order, named after the buyer), not its attendees: "
            "export 'Order data' and import the 'Order positions' sheet (or the whole .xlsx)",
        )
    used = detect(table.header) if preset == "auto" else preset
    people, report = _read_people(table, used, mapping, skip_invalid)
    plan = lambda: _plan(db, people, report, new_id, skip_invalid, revoke_missing)  # noqa: E731
    if dry_run:
        drafts, contacts, _ = plan()
        report.dry_run = True
        report.events = len(drafts)
        report.detail["contacts_changed"] = len(contacts)
        return report
    with write(db):
        drafts, contacts, book = plan()
        appended = append_in_transaction(db, local_station(db), drafts, wall=wall)
        _save_contacts(db, contacts)
        book.save(db, ((key, p.id) for p in people if p.id and p.keys for key in p.keys.stored))
    report.events = len(appended)
    report.detail["contacts_changed"] = len(contacts)
    return report


def _read_people(
    table: Table, preset: str, mapping: Mapping[str, str] | None, skip_invalid: bool
) -> tuple[list[Person], ImportReport]:
    columns = resolve(table.source, table.header, aliases(preset), mapping)
    user_mapped = set((mapping or {}).values())
    if (
        "first" in columns
        and "last" not in columns
        and "name" in columns
        and "name" not in user_mapped
        and normal(table.header[columns["name"]]) in AMBIGUOUS_NAME
    ):
        columns["last"] = columns.pop("name")  # "Prénom" + "Nom": Nom is the family name
    if not ({"name", "first", "last"} & columns.keys()):
        raise refuse(table.source, missing_message(table.header, "name", "name"))
    report = ImportReport("attendees", table.source)
    if table.sheet:
        report.detail.update(preset=preset, spreadsheet=table.encoding, sheet=table.sheet, rows=len(table.rows))
    else:
        report.detail.update(preset=preset, encoding=table.encoding, separator=_sep_name(table.delimiter), rows=len(table.rows))
    if table.preamble:
        report.warnings.append(f"{table.preamble} title line(s) above the header skipped")
    problems: list[Problem] = list(table.problems)
    people: list[Person] = []
    for row in table.rows:
        person = _person(row, columns, problems)
        if person is None:
            continue
        if person.skipped:
            report.warn(
                "cancelled, expired or refunded rows skipped",
                f"line {row.line}: {person.record['name']} (status {person.status}), not imported",
            )
        elif person.status and normal(person.status) in PENDING:
            report.warn("order not paid yet, imported", f"line {row.line}: {person.record['name']} (status {person.status}), imported")
        people.append(person)
    _assign_keys(people)
    report.settle(problems, skip_invalid)
    replaced = [p.line for p in people if p.explicit_id and ids.badge_ready(p.explicit_id) is None]
    if replaced:
        report.warnings.append(
            f"{len(replaced)} id(s) of the file do not fit on a badge (at most {MAX_ID_LEN} of 0-9 and A-Z without Q, W, Y): "
            f"those attendees get ids of their own, the file's id kept as their reference (line {_lines(replaced)})"
        )
    for person in people:
        if person.email and not _EMAIL.match(person.email):
            report.warnings.append(f"line {person.line}: {person.email!r} is not an e-mail address; kept as written")
    return _merge_duplicates(people, problems, report, skip_invalid), report


def _lines(lines: list[int]) -> str:
    return ", ".join(map(str, lines[:10])) + ("..." if len(lines) > 10 else "")


def _sep_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, delimiter)


def _cell(row: Row, columns: Mapping[str, int], name: str) -> str | None:
    index = columns.get(name)
    return None if index is None else " ".join(row.cells[index].split())


def _person(row: Row, columns: Mapping[str, int], problems: list[Problem]) -> Person | None:
    get = lambda name: _cell(row, columns, name)  # noqa: E731
    record: dict[str, Any] = {}
    for name in ("first", "last", "org", "city", "country", "role"):
        value = get(name)
        if value is not None:
            record[name] = value
    full = get("name") or " ".join(p for p in (record.get("first", ""), record.get("last", "")) if p)
    if not full:
        product = get("tag")
        why = f"; product {product!r}: an add-on such as a dinner ticket?" if product else ""
        problems.append(Problem(row.line, f"no name (the name columns are empty{why})"))
        return None
    record["name"] = full
    for key, value in record.items():
        if len(value) > MAX_TEXT:
            problems.append(Problem(row.line, f"{key} is longer than {MAX_TEXT} characters"))
            return None
    ref = get("ref")
    position = get("position")
    if ref is not None:
        record["ref"] = f"{ref}-{position}" if ref and position else ref
    tag = get("tag")
    if tag is not None:
        record["tags"] = [tag] if tag else []
    if len(record.get("ref", "")) > MAX_TEXT or len(tag or "") > MAX_TEXT:
        problems.append(Problem(row.line, f"the reference or ticket type is longer than {MAX_TEXT} characters"))
        return None
    email = get("email")
    if email is not None and not email:
        email = get("buyer_email") or ""
    if email is not None:
        email = email.lower() if _EMAIL.match(email) else email
    person = Person(row.line, record, email=email, phone=get("phone"), lines=[row.line])
    explicit = get("id") or ""
    if explicit:
        try:
            person.explicit_id = ids.check(explicit)
        except ValueError as error:
            problems.append(Problem(row.line, str(error)))
            return None
        if ids.badge_ready(explicit) is None and not record.get("ref"):
            record["ref"] = explicit  # the attendee gets an id that fits a badge; the file's stays findable
    for key in TEXT_FIELDS:
        value = record.get(key)
        if value and (lossy.unmangled(value) is not None or lossy.has_lost_letters(value)):
            person.suspect[key] = value
    person.status = get("status") or ""
    if person.status and normal(person.status) in NOT_COMING:
        person.skipped = True
    return person


def _assign_keys(people: list[Person]) -> None:
    """The keys each person is known by (`db.imports.identity`): id column, reference, e-mail,
    name + organisation. An e-mail shared by people of different names (one assistant
    registering three colleagues) identifies nobody by itself: those rows are keyed by e-mail
    and name."""
    names_by_email: dict[str, set[str]] = {}
    for p in people:
        if p.email:
            names_by_email.setdefault(p.email.casefold(), set()).add(normal(p.record["name"]))
    for p in people:
        p.keys = identity.keys_for(
            explicit=(ids.badge_ready(p.explicit_id) or p.explicit_id) if p.explicit_id else "",
            ref=str(p.record.get("ref") or ""),
            email=p.email,
            name=p.record["name"],
            org=str(p.record.get("org") or ""),
            shared_email=bool(p.email) and len(names_by_email.get((p.email or "").casefold(), ())) > 1,
        )
        p.key = p.keys.main


def _resolve_ids(db: Database, people: list[Person], known: dict[str, dict[str, Any]], new_id: ids.NewId) -> identity.KeyBook:
    """Each person's attendee id: the file's own if it fits a badge (or the log already has it),
    else the attendee their keys find, else a new random one. Never derived from the person."""
    book = identity.KeyBook(db, known)
    claimed: set[str] = set()
    for p in people:
        if p.explicit_id:
            ident = p.explicit_id if p.explicit_id in known else ids.badge_ready(p.explicit_id)
            if ident is not None:
                p.id = ident
                claimed.add(ident)
    for find in (book.find_primary, book.find_secondary):
        for p in people:
            if not p.id and p.keys is not None:
                p.id = find(p.keys, claimed) or ""
                if p.id:
                    claimed.add(p.id)
    taken = set(known) | claimed
    for p in people:
        if not p.id and not p.skipped:
            p.id = _fresh(new_id, taken)
    return book


def _fresh(new_id: ids.NewId, taken: set[str]) -> str:
    for _ in range(100):
        ident = new_id()
        if ident not in taken:
            if not fits_badge(ident):
                raise ValueError(f"new attendee id {ident!r} does not fit on a badge")
            taken.add(ident)
            return ident
    raise RuntimeError("no new attendee id after 100 tries: the id generator repeats itself")


def _merge_duplicates(people: list[Person], problems: list[Problem], report: ImportReport, skip_invalid: bool) -> list[Person]:
    """One person per key: identical repeats are folded with a warning, conflicting ones refused."""
    by_key: dict[str, Person] = {}
    for p in sorted(people, key=lambda p: p.line):
        first = by_key.get(p.key)
        if first is None:
            by_key[p.key] = p
            continue
        if (first.record, first.email, first.phone, first.skipped) == (p.record, p.email, p.phone, p.skipped):
            first.lines.append(p.line)
            report.warn("repeated rows, imported once", f"line {p.line} repeats line {first.line}; imported once")
        else:
            problems.append(
                Problem(p.line, f"same attendee as line {first.line} ({_key_words(p.key)}) but different details")
            )
    report.settle(problems, skip_invalid)
    return list(by_key.values())


def _key_words(key: str) -> str:
    kind = key.split(":", 1)[0]
    return {"id": "same id", "ref": "same reference", "email": "same e-mail", "name": "same name and organisation"}[kind]


def _plan(
    db: Database,
    people: list[Person],
    report: ImportReport,
    new_id: ids.NewId,
    skip_invalid: bool = False,
    revoke_missing: bool = False,
) -> tuple[list[Draft], dict[str, tuple[str | None, str | None]], identity.KeyBook]:
    """The events and contact changes that bring the log in line with the file, and the keys
    that found (or will find) its people."""
    from db.fold import load_state

    state = load_state(db)  # once: the file is compared with it, revocations are read from it
    known = reference(db, state).attendees
    book = _resolve_ids(db, people, known, new_id)
    people[:] = _without_garbled(people, known, report, skip_invalid)
    drafts: list[Draft] = []
    tally = report.tally("attendees")
    seen: set[str] = set()
    cancelled: list[tuple[str, str]] = []  # registered attendees the file marks cancelled
    for p in people:
        seen.add(p.id)
        before = known.get(p.id)
        if p.skipped:
            if before is not None:
                cancelled.append((p.id, f"line {p.line}: cancelled in the file"))
            continue
        if before is None:
            data: dict[str, Any] = {"id": p.id, **dict.fromkeys(EVENT_FIELDS[:-1], ""), "tags": []}
            data.update(p.record)
            drafts.append(Draft(ev.ATTENDEE_REGISTERED, data))
            tally.added += 1
            continue
        changed = {k: v for k, v in p.record.items() if before.get(k, [] if k == "tags" else "") != v}
        if changed:
            drafts.append(Draft(ev.ATTENDEE_UPDATED, {"id": p.id, **changed}))
            tally.updated += 1
        else:
            tally.unchanged += 1
    _still_revoked(state, known, [p for p in people if not p.skipped and p.id in known], report)
    absent = sorted(known.keys() - seen)
    leaving = cancelled + [(ident, "not in the file") for ident in absent]
    if revoke_missing:
        drafts += _revocations(state, known, leaving, report)
    else:
        for ident, why in cancelled:
            report.warn(
                "cancelled in the file but registered: kept, badge still valid (--revoke-missing revokes it)",
                f"{known[ident].get('name', ident)} ({ident}, {why})",
            )
        if absent:
            report.warnings.append(
                f"{len(absent)} attendee(s) already registered are not in this file; kept (imports never remove anyone; "
                "--revoke-missing revokes their badges)"
            )
    contacts = _contact_changes(db, [p for p in people if not p.skipped])
    return drafts, contacts, book


def _without_garbled(
    people: list[Person], known: Mapping[str, Mapping[str, Any]], report: ImportReport, skip_invalid: bool
) -> list[Person]:
    """Refuse (or, with `skip_invalid`, leave out) rows whose names lost letters in a re-save
    (`????` over `Γεώργιος`) or are mojibake (`Ã©`): never written over good data."""
    problems: list[Problem] = []
    bad: set[int] = set()
    for p in people:
        if p.skipped:
            continue
        before = known.get(p.id) or {}
        for key, value in p.suspect.items():
            why = lossy.garbled(key, value, str(before[key]) if key in before else None)
            if why is not None:
                problems.append(Problem(p.line, why))
                bad.add(id(p))
                break
    report.settle(problems, skip_invalid)
    return [p for p in people if id(p) not in bad]


def _still_revoked(state: EventState, known: Mapping[str, Mapping[str, Any]], back: list[Person], report: ImportReport) -> None:
    """Warn about everyone the file lists as coming whose badge is revoked (cancelled earlier and
    revoked by `--revoke-missing`, or `badges revoke`): the import leaves the badge revoked, since
    it cannot know why it was revoked (a ban is not undone by a paid order) and only the signing
    key makes a new badge, so it names them and the command that does (`badges reissue`)."""
    for p in back:
        if revocations.is_revoked(state, p.id):
            report.warn(
                "registered again, but their badge stays revoked: issue a new one with `eventops badges reissue ID`",
                f"{known[p.id].get('name', p.id)} ({p.id}, line {p.line}): eventops badges reissue {p.id}",
            )


def _revocations(
    state: EventState, known: Mapping[str, Mapping[str, Any]], leaving: list[tuple[str, str]], report: ImportReport
) -> list[Draft]:
    """`badge.revoked` for each registered attendee who is cancelled or gone from the file,
    whose badge is not revoked already (`db.revocations`, the one place that writes them)."""
    if not leaving:
        return []
    drafts: list[Draft] = []
    for ident, why in leaving:
        person = state.attendees.get(ident)
        if person is not None and person.walk_in and why == "not in the file":
            continue  # registered at a desk on the day: never in the organiser's export
        draft = revocations.revoke_current(state, ident, f"import: {why}")
        if draft is None:
            continue
        drafts.append(draft)
        report.warn("badge revoked (--revoke-missing)", f"{known[ident].get('name', ident)} ({ident}, {why})")
    report.detail["badges_revoked"] = len(drafts)
    return drafts


def _contact_changes(db: Database, people: Iterable[Person]) -> dict[str, tuple[str | None, str | None]]:
    """`{attendee id: (email, phone)}` for contacts the file changes (None: column absent)."""
    rows = {r[0]: (r[1], r[2]) for r in db.execute("SELECT attendee_id, email, phone FROM contacts")}
    out: dict[str, tuple[str | None, str | None]] = {}
    for p in people:
        if p.email is None and p.phone is None:
            continue
        old_email, old_phone = rows.get(p.id, ("", ""))
        new_email = old_email if p.email is None else p.email
        new_phone = old_phone if p.phone is None else p.phone
        if p.id not in rows and not (new_email or new_phone):
            continue
        if (new_email, new_phone) != (old_email, old_phone):
            out[p.id] = (new_email, new_phone)
    return out


def _save_contacts(db: Database, contacts: Mapping[str, tuple[str | None, str | None]]) -> None:
    db.conn.executemany(
        "INSERT INTO contacts (attendee_id, email, phone) VALUES (?, ?, ?) "
        "ON CONFLICT(attendee_id) DO UPDATE SET email = excluded.email, phone = excluded.phone",
        [(ident, email or "", phone or "") for ident, (email, phone) in contacts.items()],
    )
