"""The rules of a scan, by station mode: pure decisions over the folded state.

A rule reads a `ScanContext` (the state, the station's set-up, the time, who was scanned)
and returns a `Decision`: the verdict's colour, reason and words, plus the one event to
record. It never touches the database; `checkin.station.Station` commits the decision.
Modes are registered in `MODE_RULES`, so bus mode (issue 7) plugs in with `register_mode`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checkin import verdict as v
from checkin.config import DESK, DOOR, StationConfig
from checkin.i18n import N_, _, ngettext
from db import events as ev
from db.errors import EventOpsError
from db.fold import EventState
from db.revocations import current_serial
from db.state import ROOM, Attendee

#: What the desk must do for attendees with a tag (shown in the green card).
TAG_ACTIONS: dict[str, str] = {
    "speaker": N_("hand over the speaker pack"),
    "moderator": N_("hand over the moderator pack"),
    "press": N_("hand over the press kit"),
    "vip": N_("call the host to welcome them"),
    "staff": N_("hand over the staff lanyard"),
    "volunteer": N_("send them to the volunteer desk"),
    "interpreter": N_("hand over the interpreter headset"),
    "accessibility": N_("offer the accessible route and seating"),
}

#: The event reason recorded in `scan.rejected` for each badge-check refusal.
REJECT_EVENT_REASON: dict[str, str] = {
    "forged": ev.REJECT_FORGED,
    "unknown_key": ev.REJECT_FORGED,
    "revoked": ev.REJECT_REVOKED,
    "unknown_attendee": ev.REJECT_UNKNOWN,
    "malformed": ev.REJECT_MALFORMED,
    "wrong_event": "wrong_event",
    "revoked_desk": ev.REJECT_REVOKED_DESK,
}

#: Headline and plain-words explanation of each badge refusal.
REFUSAL_WORDS: dict[str, tuple[str, str]] = {
    "revoked": (N_("OLD BADGE"), N_("this badge was replaced by a newer one: check ID, then search by name")),
    "revoked_outright": (N_("BADGE REVOKED"), N_("revoked, and no new badge was issued: do not admit; send them to the registration desk")),
    "forged": (N_("FORGED BADGE"), N_("the signature does not match: call the desk supervisor")),
    "unknown_key": (N_("UNKNOWN SIGNATURE"), N_("signed with a key this station does not know: sync, or call the supervisor")),
    "malformed": (N_("NOT A BADGE"), N_("could not read a badge of this event: try again, or search by name")),
    "wrong_event": (N_("OTHER EVENT"), N_("this is a badge of another event")),
    "unknown_attendee": (N_("NOT ON THE LIST"), N_("a valid badge, but the attendee is unknown here: sync, or search by name")),
    "revoked_desk": (N_("REVOKED DESK"), N_("badge from a revoked desk: check ID, then reprint it at a walk-in desk")),
}


@dataclass(frozen=True, slots=True)
class ScanContext:
    """Everything a rule may look at for one scan."""

    state: EventState
    config: StationConfig
    now_ms: int
    attendee: Attendee
    via: str = "scan"  # scan | search
    override: bool = False
    serial: int | None = None  # the badge serial when scanned

    @property
    def day(self) -> str:
        return self.state.day_of(self.now_ms)

    def hhmm(self, ms: int) -> str:
        return self.state.local_time(ms).strftime("%H:%M")


@dataclass(frozen=True, slots=True)
class Decision:
    """A rule's answer: the verdict's words and the event to record (kind + data)."""

    status: str
    reason: str
    headline: str
    kind: str
    data: dict[str, Any]
    detail: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class StationModeMissing(EventOpsError):
    """No rules are installed for this station mode."""


Rule = Callable[[ScanContext], Decision]
MODE_RULES: dict[str, Rule] = {}


def register_mode(mode: str, rule: Rule) -> None:
    """Make `rule` decide the scans of stations in `mode` (how bus mode plugs in)."""
    MODE_RULES[mode] = rule


def has_mode(mode: str) -> bool:
    """Whether `mode` has rules, importing `checkin.<mode>` or `checkin.rules_<mode>` (which
    register themselves) if they exist: how bus mode plugs in without editing this module."""
    import importlib

    for module in (f"checkin.{mode}", f"checkin.rules_{mode}"):
        if mode in MODE_RULES:
            break
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as missing:
            if missing.name != module:
                raise
    return mode in MODE_RULES


def decide(ctx: ScanContext) -> Decision:
    if not has_mode(ctx.config.mode):
        raise StationModeMissing(f"{ctx.config.mode} mode is not available in this version")
    off_day = not_an_event_day(ctx)
    if off_day is not None:
        return off_day
    return MODE_RULES[ctx.config.mode](ctx)


def not_an_event_day(ctx: ScanContext) -> Decision | None:
    """A desk or door scan on a day the event does not have: amber, or red with `strict_days`.

    Either way it is recorded as `scan.rejected` (reason `not_event_day`), so the fold counts it
    as neither an arrival nor a presence and no view gets a day the event does not have; the
    amber card only tells the volunteer that the scan itself worked (a rehearsal on the eve, a
    laptop whose date is wrong). None when the scan is on an event day (or the event has none).
    """
    info = ctx.state.info
    if ctx.config.mode not in (DESK, DOOR) or info is None or not info.days:
        return None
    day = ctx.day
    if day in info.days:
        return None
    span = info.days[0] if len(info.days) == 1 else f"{info.days[0]} to {info.days[-1]}"
    data = _with_badge(ctx, {"reason": v.NOT_EVENT_DAY, "mode": ctx.config.mode, "attendee": ctx.attendee.id,
                             "day": day, "refused": ctx.config.strict_days})
    if ctx.config.place:
        data["place"] = ctx.config.place
    said = _("{day} is not a day of this event ({span})").format(day=day, span=span)
    if ctx.config.strict_days:
        words = _("refused: this station only scans on the event's days")
        return Decision(v.REFUSED, v.NOT_EVENT_DAY, _("NOT AN EVENT DAY"), ev.SCAN_REJECTED, data,
                        (said, words, *who_lines(ctx.attendee)))
    words = _("recorded, but not counted as an arrival or in a room")
    return Decision(v.WARNING, v.NOT_EVENT_DAY, _("NOT AN EVENT DAY"), ev.SCAN_REJECTED, data,
                    (said, words, *who_lines(ctx.attendee)))


def _with_badge(ctx: ScanContext, data: dict[str, Any]) -> dict[str, Any]:
    data["via"] = ctx.via
    if ctx.serial is not None:
        data["badge"] = ctx.serial
    return data


def who_lines(attendee: Attendee) -> list[str]:
    """Organisation and role, the way a desk volunteer reads them."""
    lines = []
    where = ", ".join(p for p in (attendee.org, attendee.city, attendee.country) if p)
    if where:
        lines.append(where)
    if attendee.role:
        lines.append(_("role: {role}").format(role=attendee.role))
    return lines


def tag_lines(attendee: Attendee) -> list[str]:
    """What the desk must do for this attendee's tags ("speaker: hand over the speaker pack")."""
    lines = [f"{tag}: {_(TAG_ACTIONS[tag.lower()])}" for tag in attendee.tags if tag.lower() in TAG_ACTIONS]
    others = [tag for tag in attendee.tags if tag.lower() not in TAG_ACTIONS]
    if others:
        lines.append(_("tags: {tags}").format(tags=", ".join(others)))
    return lines


# --- desk ----------------------------------------------------------------------------------
def desk_rule(ctx: ScanContext) -> Decision:
    """First check-in of the day (green) or a repeat (amber, with when and where)."""
    attendee = ctx.attendee
    earlier = ctx.state.checked_in(attendee.id, ctx.day)
    if earlier is not None:
        how = "" if earlier.via in ("scan", "") else f" ({_('by name search') if earlier.via == 'search' else _('at a door')})"
        return Decision(
            v.WARNING,
            v.ALREADY_CHECKED_IN,
            _("ALREADY CHECKED IN"),
            ev.DESK_CHECKIN,
            _with_badge(ctx, {"attendee": attendee.id, "first": False}),
            (_("already checked in at {time} at {station}").format(time=ctx.hhmm(earlier.at_ms), station=earlier.station) + how,
             *who_lines(attendee)),
        )
    return Decision(
        v.OK,
        v.CHECKED_IN,
        _("WELCOME"),
        ev.DESK_CHECKIN,
        _with_badge(ctx, {"attendee": attendee.id, "first": True}),
        (*who_lines(attendee), *tag_lines(attendee)),
    )


# --- door ----------------------------------------------------------------------------------
def room_line(ctx: ScanContext, room_id: str, occupancy: int) -> str:
    room = ctx.state.rooms.get(room_id)
    name = room.name if room else room_id
    if room is None or room.capacity <= 0:
        return _("{room}: {n} inside").format(room=name, n=occupancy)
    return f"{name}: {occupancy} / {room.capacity}"


def door_rule(ctx: ScanContext) -> Decision:
    """Entry (green), already inside (amber), room full (red, or amber on override),
    not checked in at a desk (amber and admitted, or red if the door requires it), exit."""
    if ctx.config.exit:
        return _door_exit(ctx)
    state, attendee, room_id = ctx.state, ctx.attendee, ctx.config.room or ""
    room = state.rooms.get(room_id)
    capacity = room.capacity if room else 0
    place = state.place_at(attendee.id, ctx.now_ms)
    inside = place is not None and place.kind == ROOM and place.ref == room_id
    occupancy = state.occupancy(room_id, ctx.now_ms)
    checked_in = state.checked_in(attendee.id, ctx.day) is not None
    data = _with_badge(ctx, {"attendee": attendee.id, "room": room_id})
    if not checked_in and ctx.config.door_requires_checkin and not ctx.override:
        return Decision(
            v.REFUSED,
            v.NOT_CHECKED_IN,
            _("NOT CHECKED IN"),
            ev.SCAN_REJECTED,
            {"reason": v.NOT_CHECKED_IN, "mode": DOOR, "place": room_id, "attendee": attendee.id},
            (_("not checked in at a desk today: send them to registration first"),),
        )
    if inside:
        return Decision(
            v.WARNING,
            v.ALREADY_INSIDE,
            _("ALREADY INSIDE"),
            ev.DOOR_ENTRY,
            data,
            (_("already entered at {time}").format(time=ctx.hhmm(place.since_ms) if place else "?"),
             room_line(ctx, room_id, occupancy)),
        )
    if capacity > 0 and occupancy >= capacity:
        if not ctx.override:
            return Decision(
                v.REFUSED,
                v.ROOM_FULL,
                _("ROOM FULL"),
                ev.SCAN_REJECTED,
                {"reason": v.ROOM_FULL, "mode": DOOR, "place": room_id, "attendee": attendee.id},
                (_("capacity {capacity}: {n} inside").format(capacity=capacity, n=occupancy),
                 _("override only if the fire limit allows it")),
            )
        data["override"] = True
        return Decision(
            v.WARNING,
            v.ROOM_FULL_OVERRIDE,
            _("OVERRIDE: OVER CAPACITY"),
            ev.DOOR_ENTRY,
            data,
            (_("admitted over capacity {capacity} (override recorded)").format(capacity=capacity),),
        )
    if not checked_in:
        data["arrival"] = True
        return Decision(
            v.WARNING,
            v.NOT_CHECKED_IN,
            _("ENTER: NOT CHECKED IN"),
            ev.DOOR_ENTRY,
            data,
            (_("admitted, counted as arrival: not checked in at a desk today"),),
        )
    left = capacity - occupancy - 1
    almost = (
        (ngettext("almost full: {n} place left", "almost full: {n} places left", left).format(n=left),)
        if capacity and left < 0.2 * capacity else ()
    )
    if capacity and left <= 0:
        almost = (_("FULL: that was the last place"),)  # never "almost full: 0 places left"
    return Decision(v.OK, v.ENTERED, _("ENTER"), ev.DOOR_ENTRY, data, almost)


def _door_exit(ctx: ScanContext) -> Decision:
    state, attendee, room_id = ctx.state, ctx.attendee, ctx.config.room or ""
    place = state.place_at(attendee.id, ctx.now_ms)
    inside = place is not None and place.kind == ROOM and place.ref == room_id
    data = _with_badge(ctx, {"attendee": attendee.id, "room": room_id})
    if not inside:
        return Decision(
            v.WARNING, v.NOT_INSIDE, _("EXIT: WAS NOT INSIDE"), ev.DOOR_EXIT, data,
            (_("exit recorded, but no entry into this room was recorded"),),
        )
    return Decision(v.OK, v.EXITED, _("GOODBYE"), ev.DOOR_EXIT, data, ())


register_mode(DESK, desk_rule)
register_mode(DOOR, door_rule)


# --- badge refusals ------------------------------------------------------------------------
def refusal(
    config: StationConfig, badge_reason: str, attendee_id: str | None, serial: int | None,
    *, state: EventState | None = None, why: str = "",
) -> Decision:
    """The red verdict and `scan.rejected` event for a badge that failed its check.

    A revoked badge is either an old one (a newer badge was issued: the person may hold it) or
    revoked outright (`badges revoke`, `import --revoke-missing`: no badge is valid); `state`
    tells them apart, and `why` is the reason recorded with the revocation, shown to the desk.
    """
    outright = (badge_reason == "revoked" and state is not None and attendee_id is not None and serial is not None
                and serial >= current_serial(state, attendee_id))
    words_of = "revoked_outright" if outright else badge_reason
    headline, words = REFUSAL_WORDS.get(words_of, (N_("REFUSED"), badge_reason.replace("_", " ")))
    headline, words = _(headline), _(words)
    if outright and why:
        words = _("reason: {why}; {words}").format(why=why, words=words)
    data: dict[str, Any] = {"reason": REJECT_EVENT_REASON.get(badge_reason, badge_reason), "mode": config.mode}
    if config.place:
        data["place"] = config.place
    if attendee_id and badge_reason not in ("malformed", "wrong_event"):
        data["attendee"] = attendee_id
    if serial is not None and badge_reason not in ("malformed", "wrong_event"):
        data["badge"] = serial
    if data["reason"] != badge_reason:
        data["check"] = badge_reason
    return Decision(v.REFUSED, badge_reason, headline, ev.SCAN_REJECTED, data, (words,))
