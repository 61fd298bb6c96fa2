"""Walk-ins, lost badges and name fixes at a desk the organiser allowed to register people.

The headless half of the desk's F4 (register), reprint and name fix, shared by the TUI and
`eventops register`. Each is ONE transaction of the station (`Station.record_drafts`): a
walk-in's `attendee.registered` and its `checkin.desk`; a reprint's `badge.revoked` and
`badge.issued`; a name fix's `attendee.updated`. New badges are signed with the desk's own
badge key (db/badge_keys.py), published in the log when the desk was enrolled, so every station
accepts them and revoking the desk flags them. What such a desk may write is db/permissions.py
(`walk-in-desk`); what its events may change (new attendees, names only) is db/presence.py.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checkin import rules
from checkin import verdict as v
from checkin.badges import token as tokens
from checkin.config import DESK
from checkin.i18n import _
from checkin.station import Station
from db import events as ev
from db import permissions as perm
from db import signing
from db.badge_ids import ALPHABET, MAX_ID_LEN
from db.badge_keys import badge_private_key
from db.errors import EventOpsError
from db.log import Draft
from db.revocations import current_serial, revocation_draft

#: Walk-in ids: "X" (no W in the badge alphabet) and random characters of the badge alphabet (no desk needs to ask another).
WALK_IN_PREFIX = "X"
MAX_FIELD = 200
IdMaker = Callable[[], str]
#: Verdict reasons of the desk's other operations (stable machine words).
REPRINTED = "reprinted"
NAME_FIXED = "name_fixed"
NOT_POSSIBLE = "walk_in_refused"


class WalkInRefused(EventOpsError):
    """This station may not register walk-ins (or reprint, or fix names), or the input is unusable."""


@dataclass(frozen=True, slots=True)
class Person:
    """What the desk asks a walk-in: a name, and what goes on the badge besides it."""

    name: str
    org: str = ""
    city: str = ""
    country: str = ""
    role: str = ""

    def cleaned(self) -> Person:
        fields = {k: " ".join(str(getattr(self, k) or "").split()) for k in ("name", "org", "city", "country", "role")}
        if not fields["name"]:
            raise WalkInRefused(_("a walk-in needs a name"))
        for key, value in fields.items():
            if len(value) > MAX_FIELD:
                raise WalkInRefused(_("{field} is longer than {limit} characters").format(field=key, limit=MAX_FIELD))
        return Person(**fields)


@dataclass(frozen=True, slots=True)
class NewBadge:
    """A badge just made at the desk: what a printer (checkin/printing.py) or the screen needs."""

    attendee: dict[str, Any]
    payload: str
    serial: int
    signed_by: str

    def to_json(self) -> dict[str, Any]:
        return {"payload": self.payload, "attendee": self.attendee["id"], "serial": self.serial, "signed_by": self.signed_by}


def random_id() -> str:
    """A fresh walk-in id that fits any badge token (8 characters of the badge alphabet)."""
    return WALK_IN_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(MAX_ID_LEN - len(WALK_IN_PREFIX)))


def walk_in_problem(station: Station) -> str | None:
    """Why this station cannot register walk-ins now, in one line (None: it can)."""
    state, station_id = station.state, station.config.station_id
    if station.config.mode != DESK:
        return _("walk-ins are registered at a desk, not at a {mode} station").format(mode=station.config.mode)
    if state.authors.get(station_id) != perm.WALK_IN_DESK:
        return _(
            "{station} is not allowed to register walk-ins: the organiser adds it with "
            "`eventops station add {station} --kind desk --walk-ins` and enrols it again"
        ).format(station=station_id)
    desk = state.desk_keys.get(station_id)
    if desk is None:
        return _("{station}'s badge key is not in the log: enrol it again with a --walk-ins code").format(station=station_id)
    if desk.revoked or (station_id in state.stations and state.stations[station_id].revoked):
        return _("{station} was revoked: it may no longer register walk-ins").format(station=station_id)
    if _private_key(station) is None:
        return _("{station}'s badge key is not beside this database ({where}): was it copied without its keys?").format(
            station=station_id, where=signing.keys_dir(signing.database_path(station.db) or "memory")
        )
    return None


def walk_ins_allowed(station: Station) -> bool:
    return walk_in_problem(station) is None


def _private_key(station: Station) -> Ed25519PrivateKey | None:
    station_id = station.config.station_id
    desk = station.state.desk_keys.get(station_id)
    key = badge_private_key(station.db, station_id)
    if key is None or desk is None:
        return None
    return key if base64.b64encode(signing.public_raw(key)).decode() == desk.public_key else None


def _check(station: Station) -> Ed25519PrivateKey:
    problem = walk_in_problem(station)
    if problem is not None:
        raise WalkInRefused(problem)
    key = _private_key(station)
    assert key is not None
    return key


def _badge(station: Station, key: Ed25519PrivateKey, attendee_id: str, serial: int) -> str:
    info = station.state.info
    if info is None:
        raise WalkInRefused("this database holds no event yet: sync with the hub first")
    kid = tokens.kid_for(signing.public_raw(key))
    return tokens.encode_token(str(info.id), kid, attendee_id, serial, key.sign)


def register(station: Station, person: Person, *, new_id: IdMaker = random_id) -> v.Verdict:
    """Register a walk-in and check them in, in one transaction; the verdict carries the new
    badge (`extra["badge"]`, and `new_badge(verdict)`). Refuses (WalkInRefused) a station the
    organiser did not allow walk-ins, and a person without a name, writing nothing."""
    person = person.cleaned()
    _check(station)
    made: dict[str, Any] = {}

    def build(now: int) -> list[Draft]:
        key = _check(station)  # again under the write lock: a revocation may just have arrived
        attendee_id = new_id()
        for _attempt in range(20):
            if attendee_id not in station.state.attendees:
                break
            attendee_id = new_id()
        else:
            raise WalkInRefused(_("no free walk-in id: try again"))
        made.update(id=attendee_id, payload=_badge(station, key, attendee_id, 1))
        data = {"id": attendee_id, "name": person.name, "org": person.org, "city": person.city,
                "country": person.country, "role": person.role}
        checkin = {"attendee": attendee_id, "first": True, "via": "walk-in", "badge": 1}
        return [Draft(ev.ATTENDEE_REGISTERED, data), Draft(ev.DESK_CHECKIN, checkin)]

    events = station.record_drafts(build)
    attendee = station.state.attendees[made["id"]]
    badge = NewBadge(attendee.public(), made["payload"], 1, station.config.station_id)
    event = events[-1]
    return v.Verdict(
        v.OK,
        v.CHECKED_IN,
        _("WELCOME"),
        (_("walk-in: registered at {station}").format(station=station.config.station_id), *rules.who_lines(attendee)),
        attendee=attendee.public(),
        event=v.RecordedEvent(event.station_id, event.seq, event.kind),
        mode=DESK,
        via="walk-in",
        at_ms=event.at_ms,
        extra={"badge": badge.to_json()},
    )


def reprint(station: Station, attendee_id: str, reason: str = "lost") -> v.Verdict:
    """A lost badge: revoke the attendee's current badge everywhere and issue the next serial,
    signed with this desk's key, in one transaction; the verdict carries the new badge."""
    _check(station)
    made: dict[str, Any] = {}

    def build(now: int) -> list[Draft]:
        key = _check(station)
        state = station.state
        if attendee_id not in state.attendees:
            raise WalkInRefused(_("no attendee {id} in this event").format(id=attendee_id))
        old = current_serial(state, attendee_id)
        new = max(old, max(state.revoked_serials.get(attendee_id, frozenset()), default=0)) + 1
        made.update(payload=_badge(station, key, attendee_id, new), serial=new, old=old)
        return [revocation_draft(attendee_id, old, reason), Draft(ev.BADGE_ISSUED, {"attendee": attendee_id, "serial": new})]

    events = station.record_drafts(build)
    attendee = station.state.attendees[attendee_id]
    badge = NewBadge(attendee.public(), made["payload"], made["serial"], station.config.station_id)
    return _done(station, events[-1], REPRINTED, _("NEW BADGE"), attendee.public(), (
        _("badge {old} revoked on every station; new badge {new} ready").format(old=made["old"], new=made["serial"]),
        *rules.who_lines(attendee),
    ), badge)


def fix_name(station: Station, attendee_id: str, first: str, last: str) -> v.Verdict:
    """Correct a misspelt name as this desk's own annotation (docs/station.md says why): every
    node shows it, marked with the desk, until the organiser's node changes the name itself."""
    first, last = " ".join(first.split()), " ".join(last.split())
    name = " ".join(p for p in (first, last) if p)
    if not name:
        raise WalkInRefused(_("a name cannot be empty"))
    if len(name) > MAX_FIELD:
        raise WalkInRefused(_("a name is at most {limit} characters").format(limit=MAX_FIELD))
    _check(station)

    def build(now: int) -> list[Draft]:
        _check(station)
        if attendee_id not in station.state.attendees:
            raise WalkInRefused(_("no attendee {id} in this event").format(id=attendee_id))
        return [Draft(ev.ATTENDEE_UPDATED, {"id": attendee_id, "name": name, "first": first, "last": last})]

    events = station.record_drafts(build)
    attendee = station.state.attendees[attendee_id]
    detail = (_("name fixed by {station}: reprint the badge (F6) if it shows the name").format(station=station.config.station_id),)
    return _done(station, events[-1], NAME_FIXED, _("NAME FIXED"), attendee.public(), detail, None)


def _done(
    station: Station, event: Any, reason: str, headline: str, attendee: dict[str, Any], detail: tuple[str, ...], badge: NewBadge | None
) -> v.Verdict:
    return v.Verdict(
        v.OK, reason, headline, detail, attendee=attendee, event=v.RecordedEvent(event.station_id, event.seq, event.kind),
        mode=DESK, via="desk", at_ms=event.at_ms, extra={"badge": badge.to_json()} if badge else {},
    )


def or_refusal(job: Callable[[], v.Verdict]) -> Callable[[], v.Verdict]:
    """`job`, with a refusal (a desk revoked meanwhile, an unknown person) shown as a red card
    saying why, instead of the NOT RECORDED card a failed write gets."""

    def run() -> v.Verdict:
        try:
            return job()
        except WalkInRefused as refused:
            return v.Verdict(v.REFUSED, NOT_POSSIBLE, _("NOT POSSIBLE"), (str(refused),), mode=DESK, via="desk")

    return run


def new_badge(verdict: v.Verdict) -> NewBadge | None:
    """The badge a walk-in's verdict carries (None for any other verdict)."""
    badge = verdict.extra.get("badge")
    if not isinstance(badge, dict) or verdict.attendee is None:
        return None
    return NewBadge(dict(verdict.attendee), str(badge["payload"]), int(badge["serial"]), str(badge["signed_by"]))
