"""Purge: remove personal data from a station's database after the event.

The log is append-only, so this is the one place that rewrites it: inside one transaction it
drops the append-only triggers, blanks the personal fields of attendee events, deletes the
node-local tables that hold people (contacts, import keys, quarantined events), and puts the
very same triggers back. A purged database never syncs again (its events no longer equal
everyone else's), and the command says what it removed.

Blanking a value in SQL leaves its old bytes behind unless the build's `secure_delete` is on
(it is off by default in SQLite): in freed cells, free pages, and the WAL's older frames. So
the purge runs with `secure_delete` on, then checkpoints the WAL into the file and truncates
it, rebuilds the file (VACUUM, which leaves no free page), and truncates the WAL again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from db.connect import set_setting, write
from db.errors import EventOpsError
from db.events import ATTENDEE_REGISTERED, ATTENDEE_UPDATED, encode_data
from db.node import ORGANISER, local_station
from sync.client import PURGED

#: Fields of attendee events that name a person or say where they come from.
PERSONAL_FIELDS = ("name", "first", "last", "org", "city", "email", "phone")
#: Node-local tables that hold people (e-mails, import keys, whole quarantined events): emptied.
#: (`snapshot_parts` and `snapshots`: saved folded states, db/snapshots.py, hold every name.)
PERSONAL_TABLES = ("import_keys", "sync_quarantine", "pending", "evidence", "snapshot_parts", "snapshots")


class PurgeIncomplete(EventOpsError):
    """The purge is done but old copies are still in the WAL: another program holds the file."""


@dataclass
class PurgeReport:
    attendees: int = 0
    events: int = 0
    fields: dict[str, int] = field(default_factory=dict)
    contacts: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"attendees": self.attendees, "events": self.events, "fields": self.fields, "contacts": self.contacts}

    def lines(self) -> list[str]:
        if not self.events and not self.contacts:
            return ["nothing personal left to remove"]
        out = [f"removed personal data of {self.attendees} attendees from {self.events} events"]
        out += [f"  {name}: {count} values blanked" for name, count in sorted(self.fields.items())]
        if self.contacts:
            out.append(f"  contacts: {self.contacts} rows deleted")
        out.append("this database no longer syncs")
        return out


def purge(db: Database, *, force: bool = False) -> PurgeReport:
    """Blank names, organisations and cities in the log, delete contacts; all or nothing.
    Then wipe the old copies from the file (`wipe`), even if there was nothing left to blank."""
    if local_station(db) == ORGANISER and not force:
        raise EventOpsError("this is the organiser's database (station 'org'): purge a station's database, or pass --force")
    before = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        report = _blank(db)
        wipe(db)
    finally:
        db.execute(f"PRAGMA secure_delete = {int(before)}")
    return report


def _blank(db: Database) -> PurgeReport:
    report = PurgeReport()
    attendees: set[str] = set()
    with write(db):
        triggers = [
            (name, sql)
            for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")
        ]
        for name, _ in triggers:
            db.execute(f'DROP TRIGGER "{name}"')
        rows = db.execute(
            "SELECT rowid, data FROM events WHERE kind IN (?, ?)", [ATTENDEE_REGISTERED, ATTENDEE_UPDATED]
        ).fetchall()
        for rowid, raw in rows:
            data = json.loads(raw)
            blanked = [f for f in PERSONAL_FIELDS if data.get(f)]
            if not blanked:
                continue
            for name in blanked:
                data[name] = ""
                report.fields[name] = report.fields.get(name, 0) + 1
            db.execute("UPDATE events SET data = ? WHERE rowid = ?", [encode_data(data), rowid])
            report.events += 1
            attendees.add(str(data.get("id", rowid)))
        if "contacts" in db.table_names():
            report.contacts = db.execute("DELETE FROM contacts").rowcount
        for _, sql in triggers:
            db.execute(sql)
        tables = set(db.table_names())
        for table in PERSONAL_TABLES:
            if table in tables:
                db.execute(f'DELETE FROM "{table}"')
        # In the same transaction: a purged log never exists without its "no longer syncs" mark.
        set_setting(db, PURGED, "1")
    report.attendees = len(attendees)
    return report


def wipe(db: Database) -> None:
    """Leave no old copy of a deleted value in the file, its free pages or its WAL.

    The checkpoint before VACUUM moves every page into the file (VACUUM then rewrites them
    all, leaving no free page); the one after moves the rebuilt pages in and empties the WAL.
    """
    _checkpoint(db)
    db.execute("VACUUM")
    _checkpoint(db)


def _checkpoint(db: Database) -> None:
    busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy:
        raise PurgeIncomplete(
            "personal data removed, but another program has this database open, so old copies stay in its "
            "WAL file: close the station app (and any other program using it) and run `eventops purge` again"
        )
