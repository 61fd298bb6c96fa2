"""`eventops status`: the folded state as one JSON-able summary, and its text rendering.

The dashboard's panels show the same numbers, computed from the same `EventState` queries.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from db.fold import EventState
from db.state import BUS, ROOM, VENUE, aboard_elsewhere


def reference_now(state: EventState, wall_ms: int) -> int:
    """The moment to report on: now during the event, else the log's last scan (a replay view).

    A database of a past or future event (the demo, a debrief) would otherwise always look
    empty; its last scan is the latest moment the log knows about.
    """
    info = state.info
    if info is None or not info.days:
        return wall_ms
    first = state.day_start_ms(info.days[0])
    last = state.day_start_ms(info.days[-1]) + 86_400_000
    if first <= wall_ms < last:
        return wall_ms
    return state.last_scan_ms or wall_ms


def iso_local(state: EventState, ms: int | None) -> str | None:
    if ms is None:
        return None
    return state.local_time(ms).isoformat(timespec="seconds")


def status(state: EventState, now_ms: int, *, vector: dict[str, int] | None = None) -> dict[str, Any]:
    """Everything `eventops status --json` prints, at the moment `now_ms`."""
    info = state.info
    days = list(info.days) if info else []
    checked_in: Counter[str] = Counter(day for day, _ in state.checkins)
    places = state.where_is_everyone(now_ms)
    return {
        "event": None if info is None else {"id": info.id, "name": info.name, "days": days, "tz": info.tz, "demo": info.demo},
        "as_of": iso_local(state, now_ms),
        "attendees": len(state.attendees),
        "checked_in": {day: checked_in.get(day, 0) for day in sorted(set(days) | set(checked_in))},
        "present": {
            "venue": sum(1 for p in places.values() if p.kind == VENUE),
            "rooms": sum(1 for p in places.values() if p.kind == ROOM),
            "buses": sum(1 for p in places.values() if p.kind == BUS),
        },
        "rooms": [
            {
                "id": room.id,
                "name": room.name,
                "capacity": room.capacity,
                "occupancy": state.occupancy(room.id, now_ms),
                "session": _session_title(state, room.id, now_ms),
            }
            for room in sorted(state.rooms.values(), key=lambda r: r.id)
        ],
        "sessions": len(state.sessions),
        "visits": [
            {
                "id": visit.id,
                "title": visit.title,
                "day": visit.day,
                "buses": [_bus(state, bus_id) for bus_id in sorted(b.id for b in state.buses.values() if b.visit == visit.id)],
            }
            for visit in sorted(state.visits.values(), key=lambda v: v.id)
        ],
        "stations": [
            {
                "id": station.id,
                "kind": station.kind,
                "place": station.place,
                "revoked": station.revoked,
                "last_event": iso_local(state, state.station_last_ms.get(station.id)),
                **_health(state, station.id),
            }
            for station in sorted(state.stations.values(), key=lambda s: s.id)
        ],
        "incidents": [
            {
                "id": incident.id,
                "kind": incident.kind,
                "at": iso_local(state, incident.at_ms),
                "station": incident.station,
                "detail": incident.detail,
                "acknowledged": incident.id in state.acked,
            }
            for incident in sorted(state.incidents.values(), key=lambda i: (-i.at_ms, i.id))
        ],
        "rejected": dict(sorted(state.rejected.items())),
        "events": state.event_count,
        "vector": dict(sorted((vector or {}).items())),
    }


def _health(state: EventState, station_id: str) -> dict[str, Any]:
    """What the station last reported of its sync (nothing yet: null)."""
    health = state.station_health.get(station_id)
    if health is None:
        return {"last_sync": None, "waiting": None}
    return {"last_sync": iso_local(state, health.last_sync_ms), "waiting": health.waiting}


def _session_title(state: EventState, room_id: str, now_ms: int) -> str | None:
    session = state.session_in(room_id, now_ms)
    return session.title if session else None


def _bus(state: EventState, bus_id: str) -> dict[str, Any]:
    bus = state.buses[bus_id]
    if bus.state == "boarding":
        missing = sorted(bus.assigned - bus.aboard - aboard_elsewhere(state.buses, bus))
    else:
        missing = list(bus.missing)
    return {
        "id": bus.id,
        "label": bus.label,
        "capacity": bus.capacity,
        "assigned": len(bus.assigned),
        "boarded": len(bus.aboard),
        "missing": missing,
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
    lines.append(f"as of {report['as_of']}   {report['events']} events in the log")
    lines.append("")
    lines.append(f"Attendees: {report['attendees']} registered")
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
                    f" {len(bus['missing'])} missing"
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
