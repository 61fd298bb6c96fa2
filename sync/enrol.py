"""Enrolling a station: a one-time code from the hub, swapped for a station token.

The code carries the station id, a one-time secret, the hub's TLS fingerprint (so the
station pins the hub's certificate instead of trusting any CA) and, when known, a hint of
the hub's URL. It is short enough for a terminal QR code and survives copy and paste.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db import log, trust
from db.badge_keys import badge_public_key
from db.connect import get_setting, set_setting
from db.errors import EventOpsError
from db.events import STATION_ADDED, STATION_REVOKED
from db.node import local_station, set_local_station
from db.permissions import WALK_IN_DESK
from sync import protocol as p
from sync import store
from sync.client import (
    HUB_CERT,
    HUB_URL,
    HUB_URLS,
    ROLE,
    TOKEN,
    HubClient,
    SyncReport,
    check_hub_url,
    sync_once,
)
from sync.tls import default_paths, fetch_pinned, fingerprint_pem

PREFIX = "EO1-"
KINDS = ("desk", "door", "bus", "hub", "dashboard")


@dataclass(frozen=True, slots=True)
class EnrolCode:
    station: str
    secret: str
    fingerprint: str | None = None
    hub_url: str | None = None
    #: The organiser allows this desk to register walk-ins: it makes a badge key at enrolment.
    walk_ins: bool = False

    def encode(self) -> str:
        obj: dict[str, Any] = {"s": self.station, "k": self.secret}
        if self.walk_ins:
            obj["w"] = 1
        if self.fingerprint:
            obj["f"] = base64.urlsafe_b64encode(bytes.fromhex(self.fingerprint)).decode().rstrip("=")
        if self.hub_url:
            obj["u"] = self.hub_url
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, code: str) -> EnrolCode:
        code = code.strip()
        if not code.startswith(PREFIX):
            raise EventOpsError("this is not an eventops enrolment code (it should start with EO1-)")
        body = code[len(PREFIX) :]
        try:
            obj = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            station, secret = str(obj["s"]), str(obj["k"])
            fingerprint = None
            if obj.get("f"):
                f = str(obj["f"])
                fingerprint = base64.urlsafe_b64decode(f + "=" * (-len(f) % 4)).hex()
        except (ValueError, KeyError, TypeError):
            raise EventOpsError("this enrolment code is damaged: copy it again or scan its QR code") from None
        return cls(station, secret, fingerprint, obj.get("u") or None, obj.get("w") == 1)


TLS_FINGERPRINT = "sync.tls_fingerprint"


def remember_fingerprint(db: Database, fingerprint: str | None) -> None:
    """The hub records the certificate it serves, so the codes made afterwards pin it."""
    set_setting(db, TLS_FINGERPRINT, fingerprint or "")


def hub_fingerprint(db: Database, db_path: Path) -> str | None:
    """The fingerprint of the certificate a hub on this database serves (or last served), if any."""
    recorded = get_setting(db, TLS_FINGERPRINT)
    if recorded is not None:
        return recorded or None
    cert_path, _ = default_paths(db_path)
    return fingerprint_pem(cert_path.read_text()) if cert_path.exists() else None


def add_station(
    db: Database, db_path: Path, station_id: str, kind: str, place: str = "", hub_url: str | None = None, *, walk_ins: bool = False
) -> EnrolCode:
    """Record a station on the hub's database and mint its one-time enrolment code.

    `walk_ins` (desks only): the desk may register walk-ins, reprint badges and fix names; it is
    bound as a walk-in desk (db/permissions.py) with a badge key of its own (db/badge_keys.py).
    """
    if kind not in KINDS:
        raise EventOpsError(f"a station kind is one of {', '.join(KINDS)}, not {kind!r}")
    if walk_ins and kind != "desk":
        raise EventOpsError(f"only a desk may register walk-ins, not a {kind} station: use --kind desk --walk-ins")
    if not station_id or len(station_id) > 64 or any(c.isspace() for c in station_id):
        raise EventOpsError("a station id is 1 to 64 characters without spaces, e.g. desk-1")
    if station_id == local_station(db):
        raise EventOpsError(f"{station_id} is this hub's own station id")
    if station_id in store.revoked_stations(db):
        raise EventOpsError(f"station {station_id} was revoked: give the laptop a new station id, e.g. {station_id}b")
    role = p.ROLE_RELAY if kind == "hub" else p.ROLE_STATION
    secret = store.add_station(db, station_id, WALK_IN_DESK if walk_ins else kind, role)
    added: dict[str, Any] = {"id": station_id, "kind": kind, "place": place}
    if walk_ins:
        added["walk_ins"] = True
    log.append(db, local_station(db), STATION_ADDED, added)
    url = check_hub_url(hub_url) if hub_url else get_setting(db, "sync.serving_url")
    return EnrolCode(station_id, secret, hub_fingerprint(db, db_path), url, walk_ins)


def revoke_station(db: Database, station_id: str) -> None:
    """Make the hub refuse this station's token, and tell every node (a `station.revoked` event)."""
    known = store.revoke(db, station_id)
    if not known:
        raise EventOpsError(f"this hub never enrolled a station {station_id!r} (see `eventops station list`)")
    # Its events up to what this hub holds still count everywhere; later ones count nowhere.
    log.append(db, local_station(db), STATION_REVOKED, {"id": station_id, "up_to": log.vector(db).get(station_id, 0)})


def enrol(db: Database, code_text: str, hub_url: str | None = None) -> tuple[dict[str, Any], SyncReport]:
    """Swap the code for a token, pin the hub, become the station, fetch the reference data."""
    code = EnrolCode.decode(code_text)
    url = (hub_url or code.hub_url or "").strip()
    if not url:
        raise EventOpsError("the code carries no hub address: pass --hub URL")
    url = check_hub_url(url)
    mine = local_station(db)
    if log.vector(db).get(mine) and mine != code.station:
        raise EventOpsError(f"this database already records events as {mine}: enrol a fresh database as {code.station}")
    cert = None
    if url.startswith("https"):
        if code.fingerprint:
            cert = fetch_pinned(url, code.fingerprint)
    elif code.fingerprint:
        raise EventOpsError(f"the hub serves TLS (the code pins its certificate): use https:// instead of {url}")
    hub = HubClient(url, cert_pem=cert)
    try:
        badge_key = badge_public_key(db, code.station) if code.walk_ins else None
        answer = hub.enrol(code.secret, trust.public_key_of(db, code.station), badge_key)
    finally:
        hub.close()
    if answer.get("station") != code.station:
        raise EventOpsError("the hub answered for another station than the code names")
    trust.pin_organiser(db, answer.get("organiser"))
    set_local_station(db, code.station)
    set_setting(db, HUB_URL, url)
    set_setting(db, HUB_URLS, json.dumps(failover_urls(url, answer.get("hubs"))))
    set_setting(db, TOKEN, str(answer["token"]))
    set_setting(db, ROLE, str(answer.get("role", p.ROLE_STATION)))
    if cert:
        set_setting(db, HUB_CERT, cert)
    report = sync_once(db)
    return answer, report


#: At most this many hub addresses are kept from an enrolment answer.
MAX_HUBS = 16


def failover_urls(url: str, named: object) -> list[str]:
    """The hub we enrolled at, then the other hubs of the event its answer named (valid ones)."""
    found = [url]
    for other in named if isinstance(named, list) else []:
        try:
            checked = check_hub_url(str(other))
        except EventOpsError:
            continue
        if checked not in found and len(found) < MAX_HUBS:
            found.append(checked)
    return found


def status_settings(db: Database) -> dict[str, Any]:
    return {"hub": get_setting(db, HUB_URL), "station": local_station(db), "role": get_setting(db, ROLE)}
