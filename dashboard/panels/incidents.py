"""Incidents: the open ones, newest first, each acknowledgeable by an `incident.acked` event."""

from __future__ import annotations

from dataclasses import dataclass

from checkin.i18n import N_, short_date
from dashboard.panels.clock import hhmm
from db import views
from db.fold import EventState
from db.state import (
    BUS_LEFT_MISSING,
    CLOCK_SUSPECT,
    DOUBLE_ADMISSION,
    FORGED_BADGE,
    LEFT_BUS,
    OVER_CAPACITY,
    REVOKED_BADGE,
    REVOKED_STATION,
    STATION_SILENT,
    UNKNOWN_BADGE,
)

KIND_LABELS = {
    DOUBLE_ADMISSION: N_("double admission"),
    REVOKED_BADGE: N_("revoked badge"),
    FORGED_BADGE: N_("forged badge"),
    UNKNOWN_BADGE: N_("unknown badge"),
    OVER_CAPACITY: N_("over capacity"),
    BUS_LEFT_MISSING: N_("bus left, missing"),
    LEFT_BUS: N_("off a bus"),
    CLOCK_SUSPECT: N_("suspect clock"),
    STATION_SILENT: N_("station silent"),
    REVOKED_STATION: N_("revoked station"),
}


@dataclass(frozen=True, slots=True)
class IncidentLine:
    id: str
    kind: str
    kind_label: str
    at_ms: int
    at_label: str  # HH:MM
    day_label: str  # "Wed 20 Mar" for an incident of an earlier day, "" for today's
    station: str
    detail: str


#: How many of the newest open incidents are listed (all of them are counted).
LISTED = 40


@dataclass(frozen=True, slots=True)
class IncidentsData:
    open: tuple[IncidentLine, ...]  # the newest `LISTED` open incidents, newest first
    open_count: int
    acked: int


def fetch(state: EventState, now_ms: int, limit: int = LISTED) -> IncidentsData:
    every = [seen.incident for seen in views.incidents(state) if not seen.acknowledged]
    today = state.day_of(now_ms)
    lines = tuple(
        IncidentLine(
            id=i.id,
            kind=i.kind,
            kind_label=KIND_LABELS.get(i.kind, i.kind.replace("_", " ")),
            at_ms=i.at_ms,
            at_label=hhmm(state, i.at_ms),
            day_label="" if state.day_of(i.at_ms) == today else short_date(state.local_time(i.at_ms)),
            station=i.station,
            detail=i.detail,
        )
        for i in every[:limit]
    )
    return IncidentsData(lines, len(every), sum(1 for seen in views.incidents(state) if seen.acknowledged))
