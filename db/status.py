"""`eventops status`: the folded state as one JSON-able summary, and its text rendering.

Every number comes from `db.views`, the read model the dashboard's panels, the bus manifest
and the roll call read too.
"""

from __future__ import annotations

from typing import Any

from db import views
from db.fold import EventState
from db.views import iso_local

__all__ = ["iso_local", "reference_now", "render_text", "status"]


def reference_now(state: EventState, wall_ms: int) -> int:
    """The moment to report on: now during the event, else the log's last activity (a replay view).

    A database of a past or future event (the demo, a debrief) would otherwise always look
    empty; its last scan, or a bus's departure or return after it, is the latest moment the log
    knows about (scans alone froze the clock while buses kept coming back, and overnight).
    """
    info = state.info
    if info is None or not info.days:
        return wall_ms
    first = state.day_start_ms(info.days[0])
    last = state.day_start_ms(info.days[-1]) + 86_400_000
    if first <= wall_ms < last:
        return wall_ms
    trips = [ms for bus in state.buses.values() for ms in (bus.departed_ms, bus.returned_ms) if ms is not None]
    return max(state.last_scan_ms, *trips) if trips else state.last_scan_ms or wall_ms


def status(state: EventState, now_ms: int, *, vector: dict[str, int] | None = None) -> dict[str, Any]:
    """Everything `eventops status --json` prints, at the moment `now_ms`.

    Visits are those of the day of `now_ms` (a visit shows on its own day only).
    """
    info = state.info
    day = state.day_of(now_ms)
    present = views.present_at(state, now_ms)
    return {
        "event": None if info is None else {"id": info.id, "name": info.name, "days": list(info.days), "tz": info.tz, "demo": info.demo},
        "as_of": iso_local(state, now_ms),
        "attendees": len(state.attendees),
        "walk_ins": sum(1 for a in state.attendees.values() if a.walk_in),  # registered at a desk on the day
        "checked_in": views.checked_in(state),
        "present": {"venue": present.venue, "rooms": present.rooms, "buses": present.buses},
        "rooms": [
            {
                "id": room.id,
                "name": room.name,
                "capacity": room.capacity,
                "occupancy": room.occupancy,
                "session": room.session.title if room.session else None,
            }
            for room in views.rooms(state, now_ms)
        ],
        "sessions": len(state.sessions),
        "visits": [
            {
                "id": visit.id,
                "title": visit.title,
                "day": visit.day,
                "buses": [_bus(state, views.bus(state, bus.id, now_ms)) for bus in views.buses_on(state, day) if bus.visit == visit.id],
            }
            for visit in views.visits_on(state, day)
        ],
        "stations": [
            {
                "id": station.id,
                "kind": station.kind,
                "place": station.place,
                "revoked": station.revoked,
                "last_event": iso_local(state, station.last_ms),
                "last_sync": iso_local(state, station.last_sync_ms),
                "waiting": station.waiting,
            }
            for station in views.stations(state)
        ],
        "incidents": [
            {
                "id": seen.incident.id,
                "kind": seen.incident.kind,
                "at": iso_local(state, seen.incident.at_ms),
                "station": seen.incident.station,
                "detail": seen.incident.detail,
                "acknowledged": seen.acknowledged,
            }
            for seen in views.incidents(state)
        ],
        "rejected": dict(sorted(state.rejected.items())),
        "events": state.event_count,
        #: Malformed events refused whole by the fold (db/payloads.py); the log names the first few.
        "refused_events": state.refused,
        "vector": dict(sorted((vector or {}).items())),
    }


def _bus(state: EventState, bus: views.BusView) -> dict[str, Any]:
    return {
        "id": bus.id,
        "label": bus.label,
        "capacity": bus.capacity,
        "assigned": len(bus.assigned),
        "boarded": len(bus.aboard),
        "missing": list(bus.missing),
        "left": list(bus.left),
        "state": bus.state,
        "departed_at": iso_local(state, bus.departed_ms),
        "returned_at": iso_local(state, bus.returned_ms),
    }


def render_text(report: dict[str, Any]) -> str:
    """The same report for a person: a few aligned lines per section."""
    lines: list[str] = []
    event = report["event"]
    if event is None:
        return "This database holds no event yet (eventops init or eventops demo init)."
    lines.append(f"{event['name']}  ({event['days'][0]} to {event['days'][-1]}, {event['tz']})")
    refused = report.get("refused_events", 0)
    malformed = f", {refused} malformed refused" if refused else ""
    lines.append(f"as of {report['as_of']}   {report['events']} events in the log{malformed}")
    lines.append("")
    walk_ins = f" ({report['walk_ins']} walk-ins registered at desks)" if report.get("walk_ins") else ""
    lines.append(f"Attendees: {report['attendees']} registered{walk_ins}")
    for day, count in report["checked_in"].items():
        lines.append(f"  {day}: {count:>5} checked in")
    present = report["present"]
    lines.append(f"  now: {present['venue'] + present['rooms'] + present['buses']} on site ({present['rooms']} in rooms, {present['buses']} on buses)")
    lines.append("")
    lines.append(f"Rooms ({report['sessions']} sessions):")
    for room in report["rooms"]:
        pct = 100 * room["occupancy"] // room["capacity"] if room["capacity"] else 0
        flag = "  FULL" if pct >= 100 else ("  nearly full" if pct >= 80 else "")
        lines.append(f"  {room['name'][:24]:<24} {room['occupancy']:>4}/{room['capacity']:<4} {pct:>3}%{flag}  {room['session'] or ''}")
    if report["visits"]:
        lines.append("")
        lines.append("Field visits:")
        for visit in report["visits"]:
            lines.append(f"  {visit['title']}")
            for bus in visit["buses"]:
                when = f" at {bus['departed_at'][11:16]}" if bus["state"] == "departed" and bus["departed_at"] else ""
                lines.append(
                    f"    {bus['label'] or bus['id']:<12} {bus['state']}{when}: {bus['boarded']}/{bus['assigned']} aboard,"
                    f" {len(bus['missing'])} missing" + (f", {len(bus['left'])} left the bus" if bus["left"] else "")
                )
    lines.append("")
    open_incidents = [i for i in report["incidents"] if not i["acknowledged"]]
    lines.append(f"Incidents: {len(open_incidents)} open, {len(report['incidents']) - len(open_incidents)} acknowledged")
    for incident in open_incidents[:15]:
        lines.append(f"  {incident['at'][11:16]}  {incident['kind']:<17} {incident['detail']}")
    if len(open_incidents) > 15:
        lines.append(f"  ... and {len(open_incidents) - 15} more")
    lines.append("")
    lines.append(f"Stations: {len(report['stations'])}")
    return "\n".join(lines)
