"""Incremental folding and a full rebuild agree, whatever order the events arrive in.

Stations scan while offline from each other; their events reach a node in any order and in
batches of any size (a bus syncing hours late). Folding them as they arrive must give exactly
the state of folding the whole log at once.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from db import events as ev
from db.events import Event
from db.fold import EventState, fold_events
from db.hlc import pack
from tests.db.factory import Log, at, reference

YEAR_MS = 365 * 86_400_000
#: Clocks that lie (outside the event's window): a year ahead, never set (1970), before the event existed.
LYING = {"far": lambda minutes: pack(at(minutes) + YEAR_MS), "zero": lambda minutes: 0, "early": lambda minutes: pack(at(minutes) - 30 * 86_400_000)}

STATIONS = ["desk-1", "desk-2", "door-R1", "door-R2", "bus-V1-B1", "ops"]
ATTENDEES = [f"A{i:03d}" for i in range(1, 9)]

action = st.tuples(
    st.sampled_from(STATIONS),
    st.floats(min_value=0, max_value=600, allow_nan=False),
    st.sampled_from(["desk", "entry", "exit", "board", "depart", "return", "reject", "void", "ack", "far", "zero", "early"]),
    st.sampled_from(ATTENDEES),
)


def build(actions: list[tuple[str, float, str, str]]) -> list[Event]:
    log = Log()
    reference(log, attendees=len(ATTENDEES), capacity=3)
    clocks: dict[str, float] = {}
    for station, minutes, what, attendee in actions:
        # Each station's own clock goes forward (HLC), stations differ from each other.
        minutes = max(minutes, clocks.get(station, 0) + 0.01)
        clocks[station] = minutes
        room = "R1" if station != "door-R2" else "R2"
        if what == "desk":
            log.add(station, minutes, ev.DESK_CHECKIN, attendee=attendee, first=True)
        elif what == "entry":
            log.add(station, minutes, ev.DOOR_ENTRY, attendee=attendee, room=room)
        elif what == "exit":
            log.add(station, minutes, ev.DOOR_EXIT, attendee=attendee, room=room)
        elif what == "board":
            log.add(station, minutes, ev.BUS_BOARDED, attendee=attendee, visit="V1", bus="V1-B1")
        elif what == "depart":
            log.add(station, minutes, ev.BUS_DEPARTED, visit="V1", bus="V1-B1")
        elif what == "return":
            log.add(station, minutes, ev.BUS_RETURNED, visit="V1", bus="V1-B1")
        elif what == "reject":
            log.add(station, minutes, ev.SCAN_REJECTED, reason="forged", attendee=attendee)
        elif what == "void" and log.seqs.get(station):
            log.add(station, minutes, ev.VOID, station_id=station, seq=log.seqs[station])
        elif what == "ack":
            log.add(station, minutes, ev.INCIDENT_ACKED, incident=f"forged_badge:{station}:1")
        elif what in LYING:  # a check-in or a door entry stamped by a lying clock
            kind, data = (ev.DESK_CHECKIN, {"first": True}) if station.startswith("desk") else (ev.DOOR_ENTRY, {"room": room})
            log.add_hlc(station, LYING[what](minutes), kind, attendee=attendee, **data)
    return log.events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(action, max_size=60), data=st.data())
def test_any_arrival_order_folds_to_the_same_state(actions, data) -> None:
    events = build(actions)
    truth = fold_events(sorted(events, key=lambda e: e.key))
    arrival = data.draw(st.permutations(events))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(arrival)), max_size=8)))
    state = EventState()
    state.CHECKPOINT_EVERY = data.draw(st.sampled_from([3, 7, 1000]))
    previous = 0
    for cut in [*cuts, len(arrival)]:
        state.apply(arrival[previous:cut])
        previous = cut
    assert state.fingerprint() == truth.fingerprint()
    # Applying everything again changes nothing.
    assert state.apply(arrival) == 0
    assert state.fingerprint() == truth.fingerprint()


@settings(max_examples=60, deadline=None)
@given(actions=st.lists(action, min_size=5, max_size=50), late=st.sampled_from(STATIONS))
# Found by a random seed: a room entry voided by its own station, folded one event at a time
# across a checkpoint, stayed in the room (the old per-checkpoint undo maps lost the void).
@example(
    actions=[*[("desk-1", 0.0, "desk", "A001")] * 4, ("desk-1", 0.0, "entry", "A001"), ("desk-1", 0.0, "void", "A001"),
             ("door-R1", 0.0, "entry", "A002")],
    late="desk-2",
)
def test_an_offline_station_syncing_late_lands_in_its_place(actions, late) -> None:
    """Everything but one station arrives live; that station's events arrive at the end."""
    events = build(actions)
    truth = fold_events(events)
    state = EventState()
    state.CHECKPOINT_EVERY = 5
    for event in sorted(events, key=lambda e: e.key):
        if event.station_id != late:
            state.apply([event])
    state.apply([e for e in events if e.station_id == late])
    assert state.fingerprint() == truth.fingerprint()


def _lies(event: Event) -> bool:
    """Stamped by a lying clock in `build`: far outside 20-21 March 2024."""
    return not at(-3 * 24 * 60) < event.at_ms < at(30 * 24 * 60)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(action, max_size=50), data=st.data())
def test_events_from_lying_clocks_change_nothing_but_incidents(actions, data) -> None:
    """Whatever a lying clock stamps is reported, one incident per event, and changes nothing else.

    Folding the log with them (in any arrival order) gives the state of folding it without them,
    but for their suspect-clock incidents.
    """
    events = build(actions)
    lying = [e for e in events if _lies(e)]
    honest = fold_events([e for e in events if not _lies(e)]).fingerprint()
    state = EventState()
    state.CHECKPOINT_EVERY = data.draw(st.sampled_from([3, 1000]))
    state.apply(data.draw(st.permutations(events)))
    folded = state.fingerprint()
    extra = {k: v for k, v in folded.pop("incidents").items() if k not in honest["incidents"]}
    assert {k: v for k, v in folded.items() if k != "before_created"} == {
        k: v for k, v in honest.items() if k not in ("incidents", "before_created")
    }
    # (an undone scan is not reported: its station took it back)
    assert set(extra) == {f"clock_suspect:{e.station_id}:{e.seq}" for e in lying if e.ident not in state.voided}
    assert all(i.station in i.detail and "1970" not in state.day_of(i.at_ms) for i in extra.values())
