"""The gate every remote event passes before it joins the log: whose key signed it, and may
that station write this kind of event?

Keys are bound to stations by `node.key` events: the organiser announces its own key in its
first event (the root of trust, accepted while the log knows no organiser); the organiser
vouches for the hubs it adds, the organiser or one of its hubs for every other station it
enrols (db/permissions.py). `authors` is a node-local index of those bindings, kept in step
with the log by `record`, so the gate never reads the whole log.

The gate runs inside the merge's transaction (db/log.py) on every path: a hub's push, a
station's pull, a relay, a bundle, a station-to-station sync. A batch with one forged or
forbidden event is refused whole with a reason (`Refused`); events whose author's key has not
arrived yet wait in `pending` and are merged by `release` when it does; a second event validly
signed for an id already held is evidence of a stolen key (`evidence`, and a `key.misused`
incident where this node may write one), never a reason to drop the genuine one.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from db import events as ev
from db import permissions as perm
from db import signing
from db.errors import EventOpsError, LogGap
from db.events import Event
from db.hlc import WallClock, system_wall_ms
from db.node import ORGANISER, local_station

logger = logging.getLogger("eventops.trust")

# Reasons a batch is refused (stable machine words, also used by the hub's answers).
FORGED = "forged"
NOT_PERMITTED = "not_permitted"


class Refused(EventOpsError):
    """A batch carries an event that is forged or that its author may not write."""

    def __init__(self, reason: str, event: Event, message: str) -> None:
        super().__init__(f"event {event.station_id}#{event.seq} refused: {message}")
        self.reason = reason
        self.event = event


@dataclass(frozen=True, slots=True)
class Author:
    """A station whose key the log binds: what it is, and who vouched for it."""

    station_id: str
    kind: str
    public_key: bytes
    voucher: str
    #: The last seq of this station's that counts, once an authority revoked it.
    revoked_after: int | None = None


_AUTHOR_COLUMNS = "authors.station_id, kind, public_key, voucher, up_to"


def authors(db: Database, station_ids: Iterable[str] | None = None) -> dict[str, Author]:
    """The bound stations (all, or those named)."""
    sql = f"SELECT {_AUTHOR_COLUMNS} FROM authors LEFT JOIN revocations USING (station_id)"
    params: list[str] = []
    if station_ids is not None:
        params = sorted(set(station_ids))
        if not params:
            return {}
        sql += f" WHERE authors.station_id IN ({','.join('?' * len(params))})"
    return {row[0]: Author(row[0], row[1], bytes(row[2]), row[3], row[4]) for row in db.execute(sql, params)}


def author(db: Database, station_id: str) -> Author | None:
    return authors(db, [station_id]).get(station_id)


def organiser(db: Database) -> Author | None:
    row = db.execute(
        f"SELECT {_AUTHOR_COLUMNS} FROM authors LEFT JOIN revocations USING (station_id) WHERE kind = ? LIMIT 1", [perm.ORGANISER]
    ).fetchone()
    return None if row is None else Author(row[0], row[1], bytes(row[2]), row[3], row[4])


def revoked(db: Database) -> dict[str, int]:
    """Stations an authority revoked, with the last seq of theirs that still counts."""
    return {row[0]: int(row[1]) for row in db.execute("SELECT station_id, up_to FROM revocations")}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


# --- bindings ---------------------------------------------------------------------------
def binding_of(event: Event) -> tuple[str, str, bytes] | None:
    """(station, kind, public key) that a `node.key` event binds, or None if malformed."""
    data = event.data
    station, kind, key = data.get("station"), data.get("kind"), data.get("public_key")
    if not isinstance(station, str) or not station or kind not in perm.STATION_KINDS or not isinstance(key, str):
        return None
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return None
    return (station, str(kind), raw) if len(raw) == 32 else None


def node_key_data(station_id: str, kind: str, public_key: bytes, badge_key: bytes | None = None) -> dict[str, str]:
    """A `node.key` binding; a walk-in desk's also publishes its badge-signing key (`badge_key`)."""
    data = {"station": station_id, "kind": kind, "public_key": base64.b64encode(public_key).decode()}
    if badge_key is not None and kind == perm.WALK_IN_DESK:
        data["badge_key"] = base64.b64encode(badge_key).decode()
    return data


def record(db: Database, events: Sequence[Event], known: dict[str, Author]) -> list[str]:
    """Keep `authors` in step with events just written (inside the caller's transaction).

    `known` holds the bindings the caller has seen (updated in place). Returns the stations
    newly bound, so events waiting for their keys can be released.
    """
    bound: list[str] = []
    for event in events:
        if event.kind == ev.NODE_KEY:
            binding = binding_of(event)
            if binding is None:
                continue
            station, kind, key = binding
            if station in known or not _may_bind(db, known, event, kind, station):
                continue
            db.execute(
                "INSERT OR IGNORE INTO authors (station_id, kind, public_key, voucher) VALUES (?, ?, ?, ?)",
                [station, kind, key, event.station_id],
            )
            known[station] = Author(station, kind, key, event.station_id)
            bound.append(station)
        elif event.kind == ev.STATION_REVOKED:
            target, up_to = event.data.get("id"), event.data.get("up_to")
            revoker = known.get(event.station_id)
            if not isinstance(target, str) or not _may_revoke(db, known, revoker, event, target):
                continue
            if type(up_to) is not int:
                up_to = _held_seq(db, target)
            db.execute(
                "INSERT INTO revocations (station_id, up_to) VALUES (?, ?) "
                "ON CONFLICT(station_id) DO UPDATE SET up_to = MIN(up_to, excluded.up_to)",
                [target, up_to],
            )
            if target in known:
                old = known[target]
                cut = up_to if old.revoked_after is None else min(up_to, old.revoked_after)
                known[target] = Author(old.station_id, old.kind, old.public_key, old.voucher, cut)
    return bound


def _may_bind(db: Database, known: Mapping[str, Author], event: Event, kind: str, station: str) -> bool:
    if station == event.station_id:
        # The root of trust: the organiser announces its own key while the log knows none.
        return kind == perm.ORGANISER and not any(a.kind == perm.ORGANISER for a in known.values()) and organiser(db) is None
    voucher = known.get(event.station_id)
    return voucher is not None and _counts(voucher, event) and perm.may_vouch(voucher.kind, kind)


def _counts(author: Author, event: Event) -> bool:
    """Whether `author`'s `event` still speaks for it: written before its revocation's position.

    By seq, not by what this node happened to learn first, so every node agrees: a hub's
    enrolments made before it was revoked stay bound everywhere, its later ones nowhere.
    """
    return author.revoked_after is None or event.seq <= author.revoked_after


def _may_revoke(db: Database, known: Mapping[str, Author], revoker: Author | None, event: Event, target: str) -> bool:
    """Who may vouch for a station may revoke it (db/permissions.py `may_vouch`): the organiser
    any station but itself, a hub the stations it may enrol, never the organiser nor a hub."""
    if revoker is None or not perm.may_write(revoker.kind, event.kind) or not _counts(revoker, event):
        return False
    bound = known.get(target) or author(db, target)
    return perm.may_vouch(revoker.kind, perm.UNDESCRIBED if bound is None else bound.kind)


def _held_seq(db: Database, station_id: str) -> int:
    row = db.execute("SELECT MAX(seq) FROM events WHERE station_id = ?", [station_id]).fetchone()
    return int(row[0] or 0)


def held_link(db: Database, station_id: str, seq: int) -> signing.Link:
    """What a station's `seq + 1` chains to: the digest and signature of its event `seq` here."""
    if seq <= 0:
        return signing.GENESIS
    row = db.execute("SELECT chain, sig FROM events WHERE station_id = ? AND seq = ?", [station_id, seq]).fetchone()
    return signing.GENESIS if row is None else link_of(row[0], row[1])


def link_of(chain: bytes | None, sig: bytes | None) -> signing.Link:
    """A stored event's link (an event written before signatures has none: it chains from nothing)."""
    if chain is None or sig is None:
        return signing.GENESIS
    return signing.Link(bytes(chain), bytes(sig))


# --- the gate -----------------------------------------------------------------------------
@dataclass
class Admission:
    """What the gate made of a batch: events to insert, events to wait, evidence of misuse."""

    accepted: list[Event] = field(default_factory=list)
    waiting: list[Event] = field(default_factory=list)
    misused: list[tuple[Event, Event]] = field(default_factory=list)  # (held, other)
    duplicates: int = 0
    bound: list[str] = field(default_factory=list)
    #: Each accepted event's digest (stored beside it: the next one chains to it).
    chains: dict[tuple[str, int], bytes] = field(default_factory=dict)


def admit(
    db: Database, runs: Mapping[str, list[Event]], conflicts: Sequence[tuple[Event, Event]], held: Mapping[str, int]
) -> Admission:
    """Check new events, one run per station (beyond the seq `held` for it), inside a transaction.

    `conflicts` are (held, received) pairs with one id and different content. Raises `Refused`
    for a forged or forbidden event and LogGap for a run of a known station that does not
    continue what is held; a station whose key is unknown waits whole, gaps and all (what waits
    is not the log: `pending` is merged in order once the key comes). Nothing is written by this
    function except `authors`.
    """
    outcome = Admission()
    known = authors(db, list(runs) + [e.station_id for _, e in conflicts] + [e.station_id for run in runs.values() for e in run if e.kind == ev.NODE_KEY])
    root = organiser(db)
    if root is not None:
        known.setdefault(root.station_id, root)
    for ours, other in conflicts:
        key = known.get(other.station_id)
        prev = held_link(db, other.station_id, other.seq - 1)
        if key is not None and signing.verifies(key.public_key, other.sig, signing.digest(prev, other)):
            outcome.misused.append((ours, other))
        else:
            raise Refused(FORGED, other, f"it differs from the event already held and {other.station_id}'s key did not sign it")
    remaining = dict(runs)
    progress = True
    while remaining and progress:
        progress = False
        for station_id in sorted(remaining):
            run = remaining[station_id]
            key = known.get(station_id) or _self_announced(db, known, run)
            if key is None:
                continue
            del remaining[station_id]
            progress = True
            have = held.get(station_id, 0)
            if _continues_pending(db, station_id, have, run):
                # Its earlier events wait aside for this very key (bound in this batch): the run joins
                # them and all are merged in order by the release that follows (log._release).
                outcome.waiting.extend(run)
                if station_id not in outcome.bound:
                    outcome.bound.append(station_id)
                continue
            if any(event.seq != have + 1 + i for i, event in enumerate(run)):
                seqs = [event.seq for event in run]
                raise LogGap(f"station {station_id}: got seq {seqs[0]}..{seqs[-1]} with a gap, or beyond {have}, the last held")
            outcome.chains.update(_check_run(db, key, run))
            for event in run:
                if not perm.may_write(key.kind, event.kind):
                    raise Refused(NOT_PERMITTED, event, perm.refusal(station_id, key.kind, event.kind))
            outcome.accepted.extend(run)
            outcome.bound += record(db, run, known)
    for run in remaining.values():
        outcome.waiting.extend(run)
    return outcome


def _continues_pending(db: Database, station_id: str, have: int, run: Sequence[Event]) -> bool:
    """True when `run` starts beyond `have` and every seq in between waits in `pending`, and the
    run itself has no gap: what arrived before its author's key, then the rest with the key."""
    first = run[0].seq
    if first <= have + 1 or any(event.seq != first + i for i, event in enumerate(run)):
        return False
    between = db.execute(
        "SELECT COUNT(DISTINCT seq) FROM pending WHERE station_id = ? AND seq > ? AND seq < ?", [station_id, have, first]
    ).fetchone()[0]
    return int(between) == first - 1 - have


def _self_announced(db: Database, known: Mapping[str, Author], run: Sequence[Event]) -> Author | None:
    """The organiser's own first event, `node.key` about itself, while no organiser is known."""
    first = run[0]
    if first.seq != 1 or first.kind != ev.NODE_KEY:
        return None
    binding = binding_of(first)
    if binding is None or binding[0] != first.station_id or binding[1] != perm.ORGANISER:
        return None
    if any(a.kind == perm.ORGANISER for a in known.values()) or organiser(db) is not None:
        return None
    return Author(first.station_id, perm.ORGANISER, binding[2], first.station_id)


def _check_run(db: Database, key: Author, run: Sequence[Event]) -> dict[tuple[str, int], bytes]:
    """One signature check for the whole run: each digest commits to the previous digest and
    signature, so the last event's signature vouches for every event and signature before it.
    Returns each event's digest; names the first bad event when the run does not verify."""
    prev = held_link(db, key.station_id, run[0].seq - 1)
    chains: dict[tuple[str, int], bytes] = {}
    for event in run:
        message = signing.digest(prev, event)
        chains[event.ident] = message
        prev = signing.Link(message, event.sig)
    if signing.verifies(key.public_key, run[-1].sig, prev.chain):
        return chains
    for event in run:
        if not signing.verifies(key.public_key, event.sig, chains[event.ident]):
            raise Refused(FORGED, event, f"{key.station_id}'s key did not sign it (forged or altered)")
    raise Refused(FORGED, run[-1], "the signatures do not chain")  # pragma: no cover - the last one failed


def keep_evidence(db: Database, pairs: Sequence[tuple[Event, Event]]) -> None:
    now = _now_ms()
    db.conn.executemany(
        "INSERT OR IGNORE INTO evidence (station_id, seq, sig, hlc, kind, data, found_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(o.station_id, o.seq, o.sig, o.hlc, o.kind, o.data_text(), now) for _, o in pairs],
    )


def misuse_data(held: Event, other: Event) -> dict[str, object]:
    """A `key.misused` incident: both events, so any node can check the proof itself."""
    return {
        "station_id": held.station_id,
        "seq": held.seq,
        "held": {"hlc": held.hlc, "kind": held.kind, "data": dict(held.data), "sig": held.sig.hex()},
        "other": {"hlc": other.hlc, "kind": other.kind, "data": dict(other.data), "sig": other.sig.hex()},
    }


def wait(db: Database, events: Sequence[Event]) -> None:
    """Keep events whose author's key is unknown until it arrives."""
    now = _now_ms()
    db.conn.executemany(
        "INSERT OR IGNORE INTO pending (station_id, seq, sig, hlc, kind, data, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(e.station_id, e.seq, e.sig, e.hlc, e.kind, e.data_text(), now) for e in events],
    )


def waiting_count(db: Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM pending").fetchone()[0])


def pending_for(db: Database, station_id: str, seq: int) -> list[Event]:
    """Waiting candidates for one id (a forged one may wait beside the genuine one)."""
    rows = db.execute(
        "SELECT station_id, seq, hlc, kind, data, sig FROM pending WHERE station_id = ? AND seq = ?", [station_id, seq]
    ).fetchall()
    return [Event.from_row(tuple(r)) for r in rows]


def drop_pending(db: Database, station_id: str, upto: int) -> None:
    db.execute("DELETE FROM pending WHERE station_id = ? AND seq <= ?", [station_id, upto])


# --- writing our own events ----------------------------------------------------------------
def signer(db: Database, station_id: str) -> tuple[Ed25519PrivateKey, Author | None]:
    """The key this node signs `station_id`'s events with, and the binding the log holds for it.

    A bound station whose private key is not beside this database (a copied file) cannot
    write: its events would not verify anywhere.
    """
    bound = author(db, station_id)
    key = signing.private_key(db, station_id, create=bound is None)
    if key is None or (bound is not None and signing.public_raw(key) != bound.public_key):
        raise signing.KeyProblem(
            f"this database writes as {station_id}, but {station_id}'s private key is not beside it "
            f"({signing.keys_dir(signing.database_path(db) or 'memory')}); was the database copied without its keys?"
        )
    return key, bound


def announce_drafts(db: Database, station_id: str, bound: Author | None, kinds: Iterable[str]) -> list[tuple[str, str, dict[str, str]]]:
    """`node.key` events to write before `station_id`'s first events: (author, kind, data).

    The organiser announces itself (the root); any other station new to this log is vouched for
    by this node when it is an authority (the organiser's laptop running the simulator or a
    dashboard); otherwise nothing (a station's hub vouched for it at enrolment).
    """
    if bound is not None:
        return []
    key = signing.private_key(db, station_id, create=True)
    assert key is not None
    public = signing.public_raw(key)
    root = organiser(db)
    if root is None and (station_id == ORGANISER or ev.EVENT_CREATED in set(kinds)):
        return [(station_id, ev.NODE_KEY, node_key_data(station_id, perm.ORGANISER, public))]
    me = local_station(db)
    mine = author(db, me)
    if mine is None or me == station_id or mine.kind not in perm.AUTHORITIES:
        return []
    kind = _described_kind(db, station_id)
    if not perm.may_vouch(mine.kind, kind):
        return []
    return [(me, ev.NODE_KEY, node_key_data(station_id, kind, public))]


def _described_kind(db: Database, station_id: str) -> str:
    """The kind `station.added` gave a station, if any (UNDESCRIBED otherwise)."""
    row = db.execute(
        "SELECT json_extract(data, '$.kind') FROM events WHERE kind = ? AND json_extract(data, '$.id') = ? ORDER BY hlc DESC LIMIT 1",
        [ev.STATION_ADDED, station_id],
    ).fetchone()
    kind = str(row[0]) if row and row[0] else perm.UNDESCRIBED
    return kind if kind in perm.STATION_KINDS and kind != perm.ORGANISER else perm.UNDESCRIBED


def vouch(
    db: Database, station_id: str, kind: str, public_key: bytes, *, badge_key: bytes | None = None, wall: WallClock = system_wall_ms
) -> None:
    """Bind `station_id`'s key as this node (an authority enrolling it), in one transaction.

    A station already bound to this key is left as it is; bound to another key, it is refused:
    a new laptop takes a new station id, so no two keys ever speak for one station. A walk-in
    desk's `badge_key` is published in the same binding, under the same authority.
    """
    from db import log

    bound = author(db, station_id)
    if bound is not None:
        if bound.public_key != public_key:
            raise EventOpsError(f"station {station_id} already has another key: enrol the new laptop under a new station id")
        return
    me = local_station(db)
    mine = author(db, me)
    if mine is None or not perm.may_vouch(mine.kind, kind):
        raise EventOpsError(f"this node ({me}) may not vouch for a {kind} station's key: enrol it at the organiser's hub")
    log.append(db, me, ev.NODE_KEY, node_key_data(station_id, kind, public_key, badge_key), wall=wall)


def pin_organiser(db: Database, announced: object) -> None:
    """Trust the organiser the enrolling hub names, before pulling anything from it: then no
    other self-announced "organiser" that a first sync might carry can take its place.

    `announced` is the hub's `{"station", "public_key"}` (None from a hub with no event yet).
    """
    if not isinstance(announced, Mapping):
        return
    station, key = announced.get("station"), announced.get("public_key")
    try:
        raw = base64.b64decode(str(key), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not isinstance(station, str) or not station or len(raw) != 32:
        raise EventOpsError("the hub named no valid organiser key: is it an eventops hub?")
    held = organiser(db)
    if held is not None:
        if (held.station_id, held.public_key) != (station, raw):
            raise EventOpsError(f"this database trusts organiser {held.station_id}, not the hub's {station}: enrol a fresh database")
        return
    db.execute("INSERT OR IGNORE INTO authors (station_id, kind, public_key, voucher) VALUES (?, ?, ?, ?)",
               [station, perm.ORGANISER, raw, "enrolment"])


def may_vouch_here(db: Database, kind: str) -> bool:
    """Whether this node is an authority that may bind a `kind` station's key."""
    mine = author(db, local_station(db))
    return mine is not None and mine.revoked_after is None and perm.may_vouch(mine.kind, kind)


def public_key_of(db: Database, station_id: str) -> bytes:
    """This node's public key for `station_id` (made when it has none yet)."""
    key = signing.private_key(db, station_id, create=True)
    assert key is not None
    return signing.public_raw(key)
