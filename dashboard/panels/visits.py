"""Field visits: every bus of today's visits, boarded against assigned, and who is missing (`db.views`)."""

from __future__ import annotations

from dataclasses import dataclass

from checkin.i18n import _
from dashboard.panels.clock import hhmm
from db import views
from db.fold import EventState

_STATE_ORDER = {"boarding": 0, "departed": 1, "returned": 2}


@dataclass(frozen=True, slots=True)
class BusLine:
    id: str
    label: str
    visit: str
    visit_title: str
    state: str  # boarding, departed, returned
    state_label: str  # "waiting · 13:30", "boarding · 13:30", "departed 13:05", "returned 17:20"
    boarded: int
    assigned: int
    capacity: int
    missing: tuple[str, ...]  # attendee ids: assigned but not aboard (frozen at departure)
    missing_names: tuple[str, ...]
    left: tuple[str, ...] = ()  # attendee ids: aboard at departure, since scanned elsewhere


@dataclass(frozen=True, slots=True)
class VisitsData:
    day: str
    buses: tuple[BusLine, ...]  # boarding first, then departed, then returned

    @property
    def missing(self) -> int:
        """People left behind by buses that have left (boarding buses are still waiting)."""
        return sum(len(b.missing) for b in self.buses if b.state != "boarding")


def fetch(state: EventState, now_ms: int) -> VisitsData:
    """The buses of the visits on the day of `now_ms` (a visit shows on its own day only)."""
    day = state.day_of(now_ms)
    attendees = state.attendees
    lines = []
    for bus in views.buses(state, now_ms):
        if bus.state == "departed":
            label = _("departed {time}").format(time=hhmm(state, bus.departed_ms))
        elif bus.state == "returned":
            label = _("returned {time}").format(time=hhmm(state, bus.returned_ms))
        else:
            departs = f" · {bus.depart[11:16]}" if len(bus.depart) >= 16 else ""
            label = (_("boarding") if bus.aboard else _("waiting")) + departs
        lines.append(
            BusLine(
                id=bus.id,
                label=bus.label,
                visit=bus.visit,
                visit_title=bus.visit_title,
                state=bus.state,
                state_label=label,
                boarded=len(bus.aboard),
                assigned=len(bus.assigned),
                capacity=bus.capacity,
                missing=bus.missing,
                missing_names=tuple(attendees[m].name if m in attendees else m for m in bus.missing),
                left=bus.left,
            )
        )
    lines.sort(key=lambda b: (_STATE_ORDER.get(b.state, 3), b.visit, b.label, b.id))
    return VisitsData(day, tuple(lines))
