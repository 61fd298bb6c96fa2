"""Finding the people of an import file among those already registered.

Attendee ids are random, so a re-import cannot recompute them: it recognises people by the
keys their row gives, which the organiser's node keeps in `import_keys` (key -> attendee id;
node-local like `contacts`, never in an event, deleted by purge):

- primary keys name one registration: the file's own id (`id:`), the registration reference
  (`ref:`, pretix order-position, Eventbrite attendee number);
- secondary keys name a person: the e-mail (`email:`, with `|name:` as well, and alone only
  when no one else in the file shares it), else the name and organisation (`name:..|org:..`).

A person is looked up by their primary keys first (for everyone in the file), then by their
secondary keys; an attendee matched once is not matched again in the same import. An e-mail
never turns one registration into another: someone with a reference is not matched to an
attendee holding a different reference. Databases imported before `import_keys` existed are
read the same way from the log (references, names) and `contacts` (e-mails).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.imports.columns import normal

TABLE = "import_keys"


@dataclass(frozen=True, slots=True)
class Keys:
    """What one row of a file says about who it is."""

    primary: tuple[str, ...]
    secondary: tuple[str, ...]  # in the order they are tried
    stored: tuple[str, ...]  # everything remembered once the person is registered
    ref: str = ""

    @property
    def main(self) -> str:
        """The key that decides whether two rows of one file are the same person."""
        return (self.primary or self.secondary or self.stored)[0]


def keys_for(*, explicit: str, ref: str, email: str | None, name: str, org: str, shared_email: bool) -> Keys:
    """The keys of one row; `shared_email`: other people in the file have this e-mail."""
    primary = tuple(k for k in (f"id:{explicit}" if explicit else "", f"ref:{ref}" if ref else "") if k)
    person = f"name:{normal(name)}"
    by_name = f"{person}|org:{normal(org)}"
    mail = email.casefold() if email else ""
    by_mail: tuple[str, ...] = ()
    if mail:
        by_mail = (f"email:{mail}|{person}",) if shared_email else (f"email:{mail}|{person}", f"email:{mail}")
    if by_mail:
        secondary: tuple[str, ...] = by_mail
    elif not primary:
        secondary = (by_name,)
    else:
        secondary = ()
    stored = tuple(dict.fromkeys((*primary, *by_mail, by_name)))
    return Keys(primary, secondary, stored, ref)


class KeyBook:
    """The keys this node remembers, and the ones an older database implies."""

    def __init__(self, db: Database, known: Mapping[str, Mapping[str, Any]]) -> None:
        self.db = db
        self.known = known
        self.saved: dict[str, str] = {str(k): str(v) for k, v in db.execute(f"SELECT source_key, attendee_id FROM {TABLE}")}

    @functools.cached_property
    def implied(self) -> dict[str, str]:
        """Read only when a key is not saved: new people, and databases older than the table."""
        return _implied(self.db, self.known)

    def lookup(self, key: str) -> str | None:
        found = self.saved.get(key) or self.implied.get(key)
        return found if found in self.known else None

    def find_primary(self, keys: Keys, claimed: set[str]) -> str | None:
        for key in keys.primary:
            found = self.lookup(key)
            if found is not None and found not in claimed:
                return found
        return None

    def find_secondary(self, keys: Keys, claimed: set[str]) -> str | None:
        for key in keys.secondary:
            found = self.lookup(key)
            if found is None or found in claimed:
                continue
            theirs = str(self.known[found].get("ref") or "")
            if keys.ref and theirs and theirs != keys.ref:
                continue  # another registration of the same e-mail: another badge
            return found
        return None

    def save(self, db: Database, entries: Iterable[tuple[str, str]]) -> None:
        """Remember `(key, attendee id)` pairs; a key seen again points at its newest attendee.
        A key two attendees of this import share (same name and organisation) names neither."""
        out, ambiguous = _unambiguous(entries)
        db.conn.executemany(
            f"INSERT INTO {TABLE} (source_key, attendee_id) VALUES (?, ?) "
            "ON CONFLICT(source_key) DO UPDATE SET attendee_id = excluded.attendee_id",
            [(key, ident) for key, ident in out.items() if self.saved.get(key) != ident],
        )
        db.conn.executemany(f"DELETE FROM {TABLE} WHERE source_key = ?", [(key,) for key in ambiguous if key in self.saved])


def _implied(db: Database, known: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Keys read from the log and `contacts`; a key two attendees would share is left out."""
    pairs: list[tuple[str, str]] = []
    for ident, data in known.items():
        name = normal(str(data.get("name", "")))
        if data.get("ref"):
            pairs.append((f"ref:{data['ref']}", ident))
        pairs.append((f"name:{name}|org:{normal(str(data.get('org', '')))}", ident))
    for ident, email in db.execute("SELECT attendee_id, email FROM contacts WHERE email != ''"):
        person = known.get(str(ident))
        if person is None:
            continue
        mail = str(email).casefold()
        pairs += [(f"email:{mail}", str(ident)), (f"email:{mail}|name:{normal(str(person.get('name', '')))}", str(ident))]
    return _unambiguous(pairs)[0]




def _unambiguous(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], set[str]]:
    """`{key: attendee id}` for keys that name one attendee, and the keys that name several."""
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for key, ident in pairs:
        if out.setdefault(key, ident) != ident:
            ambiguous.add(key)
    for key in ambiguous:
        del out[key]
    return out, ambiguous
