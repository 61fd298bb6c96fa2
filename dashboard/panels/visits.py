"""Field visits: every bus of today's visits, boarded against assigned, and who is missing."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.panels.clock import hhmm
from db.fold import EventState
from db.state import Bus

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


@dataclass(frozen=True, slots=True)
class VisitsData:
    day: str
    buses: tuple[BusLine, ...]  # boarding first, then departed, then returned

    @property
    def missing(self) -> int:
        """People left behind by buses that have left (boarding buses are still waiting)."""
        return sum(len(b.missing) for b in self.buses if b.state != "boarding")


def missing_of(bus: Bus) -> tuple[str, ...]:
    """Assigned but not aboard: the manifest frozen at departure, else as it stands now."""
    if bus.state != "boarding":
        return bus.missing
    return tuple(sorted(bus.assigned - bus.aboard))


def fetch(state: EventState, now_ms: int) -> VisitsData:
    """The buses of the visits on the day of `now_ms` (every visit if the day has none)."""
    day = state.day_of(now_ms)
    visits = state.visits
    todays = {v.id for v in visits.values() if v.day == day}
    attendees = state.attendees
    lines = []
    for bus in state.buses.values():
        if todays and bus.visit not in todays:
            continue
        if bus.state == "departed":
            label = f"departed {hhmm(state, bus.departed_ms)}"
        elif bus.state == "returned":
            label = f"returned {hhmm(state, bus.returned_ms)}"
        else:
            visit = visits.get(bus.visit)
            departs = f" · {visit.depart[11:16]}" if visit and len(visit.depart) >= 16 else ""
            label = ("boarding" if bus.aboard else "waiting") + departs
        missing = missing_of(bus)
        visit = visits.get(bus.visit)
        lines.append(
            BusLine(
                id=bus.id,
                label=bus.label or bus.id,
                visit=bus.visit,
                visit_title=visit.title if visit else bus.visit,
                state=bus.state,
                state_label=label,
                boarded=len(bus.aboard),
                assigned=len(bus.assigned),
                capacity=bus.capacity,
                missing=missing,
                missing_names=tuple(attendees[m].name if m in attendees else m for m in missing),
            )
        )
    lines.sort(key=lambda b: (_STATE_ORDER.get(b.state, 3), b.visit, b.label, b.id))
    return VisitsData(day, tuple(lines))
