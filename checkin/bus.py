"""Bus mode: a visit coordinator boards a bus from its manifest, departs, and returns.

Three things, all headless so the TUI, `eventops scan --mode bus`, `eventops bus ...` and the
tests share them:

- `bus_rule`, the scan rule of stations in bus mode (registered with `rules.register_mode`
  when this module is imported): boarding, already aboard, assigned to another bus of the
  visit, not registered for the visit (unless a free seat and the coordinator's override),
  bus full, bus already gone.
- `manifest(state, bus_id, now_ms)`: who is assigned, who is aboard, and for each missing
  person where the log last saw them ("checked in at 08:55", "in room Plenary since 10:02");
  the read model's (`db.views.manifest`), the one every other view of a bus reads.
- `depart` and `return_`: the two operations that freeze and close a bus's trip, each one
  event committed in one write transaction before its verdict is returned.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from checkin import rules
from checkin import verdict as v
from checkin.config import BUS as BUS_MODE
from checkin.config import StationConfig
from checkin.i18n import _, ngettext
from db import events as ev
from db import views
from db.errors import EventOpsError
from db.fold import EventState
from db.state import BUS, Bus
from db.views import Manifest, ManifestLine, last_seen

if TYPE_CHECKING:
    from checkin.station import Station

# Stable reasons (machine words) of bus verdicts.
BOARDED = "boarded"
ALREADY_ABOARD = "already_aboard"
OTHER_BUS = "other_bus"
NOT_REGISTERED = "not_registered"
NOT_REGISTERED_OVERRIDE = "not_registered_override"
BUS_FULL = "bus_full"
BUS_GONE = "bus_departed"
BUS_BACK = "bus_returned"
DEPARTED = "departed"
DEPARTED_MISSING = "departed_missing"
CONFIRM_MISSING = "confirm_missing"
ALREADY_DEPARTED = "already_departed"
RETURNED = "returned"
ALREADY_RETURNED = "already_returned"
NOT_DEPARTED = "not_departed"

BOARDING = "boarding"
DEPARTED_STATE = "departed"
RETURNED_STATE = "returned"


class BusNotReady(EventOpsError):
    """The station is not set up for a bus this event knows (no bus, wrong visit, wrong mode)."""


# --- set-up ------------------------------------------------------------------------------------
def bus_of(state: EventState, config: StationConfig) -> Bus:
    """The bus a bus-mode station loads; raises BusNotReady with the fix in plain words."""
    buses = sorted(state.buses.values(), key=lambda b: b.id)
    buses_of_visit = [b for b in buses if b.visit == config.visit] if config.visit else buses
    known = ", ".join(f"{b.id} ({b.label or b.id}, visit {b.visit})" for b in buses_of_visit) or "none"
    if config.mode != BUS_MODE:
        raise BusNotReady(f"station {config.station_id} is in {config.mode} mode, not bus mode")
    if not config.bus:
        raise BusNotReady(f"bus mode needs a bus: add --bus BUS (buses: {known})")
    bus = state.buses.get(config.bus)
    if bus is None:
        raise BusNotReady(f"no bus {config.bus!r} in this event (buses: {known})")
    if config.visit and bus.visit != config.visit:
        raise BusNotReady(f"bus {bus.id} belongs to visit {bus.visit}, not {config.visit}")
    if bus.visit and bus.visit not in state.visits:
        raise BusNotReady(f"bus {bus.id} belongs to visit {bus.visit}, which this event does not know")
    return bus


def label(bus: Bus) -> str:
    return views.label(bus)


def seats_free(bus: Bus) -> int:
    """Seats neither taken by someone aboard nor kept for someone assigned (a bus with no
    capacity recorded has no limit)."""
    if bus.capacity <= 0:
        return 1 << 30
    return max(0, bus.capacity - len(bus.assigned | bus.aboard))


def assigned_bus(state: EventState, visit: str, attendee_id: str) -> Bus | None:
    """The bus of `visit` that `attendee_id` is assigned to, if any."""
    return views.assigned_bus(state.buses, visit, attendee_id)


def aboard_bus(state: EventState, visit: str, attendee_id: str, besides: str = "") -> Bus | None:
    """The bus of `visit` (other than `besides`) that `attendee_id` is aboard, if any."""
    return views.aboard_other_bus(state.buses, visit, attendee_id, besides)


# --- the scan rule -------------------------------------------------------------------------------
def counts_line(bus: Bus, boarded: int) -> str:
    seats = _(", {n} seats").format(n=bus.capacity) if bus.capacity > 0 else ""
    return _("{bus}: {boarded} aboard / {assigned} assigned").format(
        bus=label(bus), boarded=boarded, assigned=len(bus.assigned)) + seats


def _counts(bus: Bus, boarded: int) -> dict[str, Any]:
    return {
        "visit": bus.visit,
        "bus": bus.id,
        "boarded": boarded,
        "assigned": len(bus.assigned),
        "seats": bus.capacity,
    }


def _rejected(ctx: rules.ScanContext, bus: Bus, reason: str) -> dict[str, Any]:
    data: dict[str, Any] = {"reason": reason, "mode": BUS_MODE, "place": bus.id, "attendee": ctx.attendee.id}
    if ctx.serial is not None:
        data["badge"] = ctx.serial
    return data


def _boarded(ctx: rules.ScanContext, bus: Bus, *, override: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"attendee": ctx.attendee.id, "visit": bus.visit, "bus": bus.id, "via": ctx.via}
    if override:
        data["override"] = True
    if ctx.serial is not None:
        data["badge"] = ctx.serial
    return data


def bus_rule(ctx: rules.ScanContext) -> rules.Decision:
    """Decide one scan at the bus door (see the module docstring for the cases)."""
    state, attendee = ctx.state, ctx.attendee
    bus = bus_of(state, ctx.config)
    aboard = attendee.id in bus.aboard
    n = len(bus.aboard)
    if bus.state == RETURNED_STATE:
        return rules.Decision(
            v.REFUSED, BUS_BACK, _("TRIP IS OVER"), ev.SCAN_REJECTED, _rejected(ctx, bus, BUS_BACK),
            (_("{bus} came back at {time}: nothing to board").format(bus=label(bus), time=_hhmm(ctx, bus.returned_ms)),),
            extra=_counts(bus, n),
        )
    if bus.state == DEPARTED_STATE:
        if aboard:
            # A head count at the site before the way back: recorded, nothing changes.
            return rules.Decision(
                v.WARNING, ALREADY_ABOARD, _("ALREADY ABOARD"), ev.BUS_BOARDED, _boarded(ctx, bus),
                (_("aboard since the departure at {time}").format(time=_hhmm(ctx, bus.departed_ms)), counts_line(bus, n)),
                extra=_counts(bus, n),
            )
        return rules.Decision(
            v.REFUSED, BUS_GONE, _("BUS HAS LEFT"), ev.SCAN_REJECTED, _rejected(ctx, bus, BUS_GONE),
            (_("{bus} left at {time} and was not boarded: call the visit coordinator").format(
                bus=label(bus), time=_hhmm(ctx, bus.departed_ms)),),
            extra=_counts(bus, n),
        )
    if aboard:
        place = state.place_at(attendee.id, ctx.now_ms)
        since = _hhmm(ctx, place.since_ms) if place is not None and place.kind == BUS else "?"
        return rules.Decision(
            v.WARNING, ALREADY_ABOARD, _("ALREADY ABOARD"), ev.BUS_BOARDED, _boarded(ctx, bus),
            (_("boarded at {time}").format(time=since), counts_line(bus, n)), extra=_counts(bus, n),
        )
    moved = aboard_bus(state, bus.visit, attendee.id, besides=bus.id)
    moved_line = (
        (_("was aboard {bus}: moved to this bus").format(bus=label(moved)),) if moved and moved.state == BOARDING else ()
    )
    if bus.capacity > 0 and n >= bus.capacity:
        return rules.Decision(
            v.REFUSED, BUS_FULL, _("BUS FULL"), ev.SCAN_REJECTED, _rejected(ctx, bus, BUS_FULL),
            (_("all {seats} seats taken: {n} aboard").format(seats=bus.capacity, n=n),
             _("find a seat on another bus of the visit")),
            extra=_counts(bus, n),
        )
    if attendee.id in bus.assigned:
        return rules.Decision(
            v.OK, BOARDED, _("WELCOME ABOARD"), ev.BUS_BOARDED, _boarded(ctx, bus),
            (*moved_line, counts_line(bus, n + 1)), extra=_counts(bus, n + 1),
        )
    theirs = assigned_bus(state, bus.visit, attendee.id)
    if theirs is not None:
        extra = _counts(bus, n + 1) | {"assigned_bus": theirs.id}
        return rules.Decision(
            v.WARNING, OTHER_BUS, _("ASSIGNED TO {bus}").format(bus=label(theirs).upper()), ev.BUS_BOARDED,
            _boarded(ctx, bus),
            (_("on the list of {bus} ({id}): boarding here recorded").format(bus=label(theirs), id=theirs.id), *moved_line,
             counts_line(bus, n + 1)),
            extra=extra,
        )
    free = seats_free(bus)
    visit = state.visits.get(bus.visit)
    title = visit.title if visit and visit.title else bus.visit
    if free > 0 and ctx.override:
        return rules.Decision(
            v.WARNING, NOT_REGISTERED_OVERRIDE, _("BOARDED: NOT ON THE LIST"), ev.BUS_BOARDED,
            _boarded(ctx, bus, override=True),
            (_("not registered for {visit}: boarding confirmed by the coordinator").format(visit=title),
             counts_line(bus, n + 1)),
            extra=_counts(bus, n + 1),
        )
    if free > 0:
        why = ngettext("{n} seat free: the coordinator may confirm boarding",
                       "{n} seats free: the coordinator may confirm boarding", free).format(n=free)
    else:
        why = _("no free seat: every seat is taken or kept for someone on the list")
    return rules.Decision(
        v.REFUSED, NOT_REGISTERED, _("NOT ON THIS VISIT"), ev.SCAN_REJECTED, _rejected(ctx, bus, NOT_REGISTERED),
        (_("not registered for {visit}").format(visit=title), why),
        extra=_counts(bus, n) | {"can_override": free > 0},
    )


def _hhmm(ctx: rules.ScanContext, ms: int | None) -> str:
    return "?" if ms is None else ctx.hhmm(ms)


rules.register_mode(BUS_MODE, bus_rule)


# --- the manifest --------------------------------------------------------------------------------
def manifest(state: EventState, bus_id: str, now_ms: int) -> Manifest:
    """The manifest of bus `bus_id` at `now_ms` (`db.views.manifest`; BusNotReady for an unknown bus)."""
    try:
        return views.manifest(state, bus_id, now_ms)
    except views.UnknownBus as error:
        raise BusNotReady(str(error)) from None


def manifest_text(sheet: Manifest, state: EventState) -> list[str]:
    """The manifest as lines for a terminal: boarded ticked, the missing with where last seen."""
    hhmm = lambda ms: state.local_time(ms).strftime("%H:%M")  # noqa: E731
    when = ""
    if sheet.state == DEPARTED_STATE and sheet.departed_ms is not None:
        when = f" at {hhmm(sheet.departed_ms)}"
    elif sheet.state == RETURNED_STATE and sheet.returned_ms is not None:
        when = f" at {hhmm(sheet.returned_ms)}"
    lines = [f"{sheet.label} ({sheet.bus}) · {sheet.visit_title} · {sheet.state}{when}", f"  {sheet.counts}", ""]
    for person in sheet.people:
        tick = "[x]" if person.boarded else "[ ]"
        note = ""
        if person.boarded and not person.assigned:
            note = f"on the list of {person.other_label}" if person.other_bus else "not on the list"
        elif person.boarded and person.boarded_ms is not None:
            note = hhmm(person.boarded_ms)
        elif person.left:
            note = f"off the bus: {person.last_seen}"
        elif person.other_bus:
            note = f"aboard {person.other_label}"
        lines.append(f"  {tick} {person.name[:28]:<28} {person.org[:24]:<24} {note}".rstrip())
    if sheet.missing:
        lines += ["", f"Missing ({len(sheet.missing)}):"]
        lines += [f"  {p.name}: {p.last_seen}" for p in sheet.missing]
    if sheet.left:
        lines += ["", f"Off the bus since the departure ({len(sheet.left)}):"]
        lines += [f"  {p.name}: {p.last_seen}" for p in sheet.left]
    return lines


# --- departure and return ----------------------------------------------------------------------
#: What a `Station.record` decision returns: a decision to record, or a verdict recording nothing.
_Outcome = tuple[rules.Decision, None, str] | v.Verdict


def station_manifest(station: Station) -> Manifest:
    """The manifest of the station's bus now, read under the station's lock (TUI workers)."""
    lock = getattr(station, "_lock", None)  # Station keeps its lock private; scans hold it too
    with lock if lock is not None else contextlib.nullcontext():
        bus = bus_of(station.state, station.config)
        return manifest(station.state, bus.id, int(station.wall()))


def _missing_lines(missing: tuple[ManifestLine, ...]) -> tuple[str, ...]:
    return tuple(f"{p.name}: {p.last_seen}" for p in missing)


def _unrecorded(bus: Bus, status: str, reason: str, headline: str, detail: tuple[str, ...], now: int,
                extra: dict[str, Any]) -> v.Verdict:
    """A coordinator's verdict that records nothing (asking first, or nothing to do)."""
    return v.Verdict(status=status, reason=reason, headline=headline, detail=detail, mode=BUS_MODE,
                     place=bus.id, via="coordinator", at_ms=now, extra={"visit": bus.visit, "bus": bus.id, **extra})


def aboard_since(state: EventState, bus: Bus) -> dict[str, int]:
    """Who is aboard and since when (their boarding), as a departure or return records it."""
    out = {}
    for attendee_id in sorted(bus.aboard):
        place = state.places.get(attendee_id)
        out[attendee_id] = place.since_ms if place is not None and place.kind == BUS and place.ref == bus.id else 0
    return out


def depart(station: Station, *, confirm_missing: bool) -> v.Verdict:
    """Record the bus's departure with its headcount and who is missing (`bus.departed`).

    With people missing and `confirm_missing` False nothing is recorded: the verdict lists the
    missing and asks for confirmation (reason `confirm_missing`). Decided and recorded in one
    write transaction through `Station.record`, like a scan.
    """

    def decide(now: int) -> _Outcome:
        state = station.state
        bus = bus_of(state, station.config)
        sheet = manifest(state, bus.id, now)
        missing = [p.to_json() for p in sheet.missing]
        headcount = len(bus.aboard)
        if bus.state != BOARDING:
            when = state.local_time(bus.departed_ms or now).strftime("%H:%M")
            return _unrecorded(bus, v.WARNING, ALREADY_DEPARTED, _("ALREADY DEPARTED"),
                               (_("{bus} left at {time}: nothing recorded").format(bus=label(bus), time=when),), now,
                               {"missing": missing, "headcount": bus.headcount, "state": bus.state})
        counts = _("{boarded} aboard / {assigned} assigned").format(boarded=headcount, assigned=sheet.assigned)
        if sheet.missing and not confirm_missing:
            return _unrecorded(bus, v.WARNING, CONFIRM_MISSING,
                               _("{n} MISSING: CONFIRM DEPARTURE?").format(n=len(missing)),
                               (counts, *_missing_lines(sheet.missing)), now,
                               {"missing": missing, "headcount": headcount, "needs_confirmation": True,
                                "state": bus.state})
        if sheet.missing:
            status, reason, headline = v.WARNING, DEPARTED_MISSING, _("DEPARTED: {n} MISSING").format(n=len(missing))
        else:
            status, reason, headline = v.OK, DEPARTED, _("DEPARTED: EVERYONE ABOARD")
        # Who is aboard travels with the departure: no later undo of a boarding can unboard the trip.
        data = {"visit": bus.visit, "bus": bus.id, "headcount": headcount, "missing": [p.attendee for p in sheet.missing],
                "aboard": aboard_since(state, bus)}
        extra = {"visit": bus.visit, "bus": bus.id, "missing": missing, "headcount": headcount, "state": DEPARTED_STATE}
        decision = rules.Decision(status, reason, headline, ev.BUS_DEPARTED, data,
                                  (counts, *_missing_lines(sheet.missing)), extra)
        return decision, None, ""

    return station.record(decide, "coordinator")


def return_(station: Station) -> v.Verdict:
    """Record the bus's return (`bus.returned`): everyone aboard is back at the venue."""

    def decide(now: int) -> _Outcome:
        state = station.state
        bus = bus_of(state, station.config)
        headcount = len(bus.aboard)
        if bus.state == RETURNED_STATE:
            when = state.local_time(bus.returned_ms or now).strftime("%H:%M")
            return _unrecorded(bus, v.WARNING, ALREADY_RETURNED, _("ALREADY BACK"),
                               (_("{bus} came back at {time}: nothing recorded").format(bus=label(bus), time=when),), now,
                               {"headcount": headcount, "state": bus.state})
        if bus.state != DEPARTED_STATE:
            return _unrecorded(bus, v.REFUSED, NOT_DEPARTED, _("NOT DEPARTED YET"),
                               (_("{bus} has no recorded departure: record the departure first").format(bus=label(bus)),),
                               now,
                               {"headcount": headcount, "state": bus.state})
        data = {"visit": bus.visit, "bus": bus.id, "headcount": headcount, "aboard": aboard_since(state, bus)}
        extra = {"visit": bus.visit, "bus": bus.id, "headcount": headcount, "state": RETURNED_STATE}
        decision = rules.Decision(v.OK, RETURNED, _("BACK AT THE VENUE"), ev.BUS_RETURNED, data,
                                  (_("{n} people back at the venue from {bus}").format(n=headcount, bus=label(bus)),),
                                  extra)
        return decision, None, ""

    return station.record(decide, "coordinator")


__all__ = [
    "BusNotReady",
    "Manifest",
    "ManifestLine",
    "bus_of",
    "bus_rule",
    "depart",
    "last_seen",
    "manifest",
    "manifest_text",
    "return_",
    "seats_free",
    "station_manifest",
]

