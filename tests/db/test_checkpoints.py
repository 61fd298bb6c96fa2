"""Checkpoints and rewinds are exact: late events at any position, any number of rewinds, in
checkpoints as close as one event apart and thinned as they grow, give the rebuild's state.

The journal that makes a checkpoint cost what changed (db/checkpoints.py) is checked where it is
easiest to get wrong: rooms whose slots change in place (people in, out, slots expiring), buses
replaced by changed copies (boardings on two buses of a visit, departures, returns, undos, the
organiser moving people between buses during the day), and an older state rebuilt from the
journal without touching the live one (`state_at`, what a node persists for late events).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import checkpoints
from db import events as ev
from db.events import Event
from db.fold import EventState, fold_events, void_target
from db.hlc import pack
from tests.db.factory import at
from tests.db.test_views_property import ATTENDEES, build, script

#: The organiser moving someone between the two buses of visit V1 (or off them) during the day.
assignment = st.tuples(
    st.floats(min_value=0, max_value=600), st.sampled_from(["V1-B1", "V1-B2"]), st.sampled_from(ATTENDEES), st.booleans()
)


def with_assignments(events: list[Event], changes: list[tuple[float, str, str, bool]]) -> list[Event]:
    """`events` and the organiser's bus assignments during the day, in its own order."""
    seq = max(e.seq for e in events if e.station_id == "org")
    out = list(events)
    for minutes, bus, attendee, assigned in sorted(changes):
        seq += 1
        kind = ev.BUS_ASSIGNED if assigned else ev.BUS_UNASSIGNED
        out.append(Event("org", seq, pack(at(minutes), seq % 5), kind, {"visit": "V1", "bus": bus, "attendee": attendee}))
    return out


def comparable(tables: dict[str, object]) -> dict[str, object]:
    """Tables to compare: derived ones left out, room slots without their empty sets."""
    out = {k: v for k, v in tables.items() if k not in checkpoints.DERIVED}
    slots = out["room_slots"]
    assert isinstance(slots, dict)
    out["room_slots"] = {room: {u: p for u, p in by_until.items() if p} for room, by_until in slots.items()}
    return out


def prefix_tables(events: list[Event], count: int) -> dict[str, object]:
    """The tables of a fresh fold of the first `count` of `events` (fold order), with the voids
    of all of them honoured, as the live state's checkpoint after `count` events holds them."""
    ordered = sorted(events, key=lambda e: e.key)
    fresh = EventState()
    fresh.expect_voids(t for e in ordered if e.kind in (ev.VOID, ev.KEY_MISUSED) and (t := void_target(e)) is not None)
    fresh.apply(ordered[:count])
    return comparable(checkpoints.current(fresh.core))


def assert_every_checkpoint_exact(state: EventState, arrived: list[Event]) -> None:
    journal = state._journal
    for checkpoint in state._checkpoints:
        at_checkpoint = comparable(checkpoints.state_at(state.core, journal, checkpoint))
        assert at_checkpoint == prefix_tables(arrived, checkpoint.count)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=script, changes=st.lists(assignment, max_size=6), data=st.data())
def test_late_events_at_any_position_and_any_number_of_rewinds_equal_the_rebuild(actions, changes, data) -> None:
    events = with_assignments(build(actions), changes)
    truth = fold_events(sorted(events, key=lambda e: e.key)).fingerprint()
    arrival = data.draw(st.permutations(events))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(arrival)), max_size=12)))
    state = EventState()
    state.CHECKPOINT_EVERY = data.draw(st.sampled_from([1, 2, 3, 7]))
    state.MAX_CHECKPOINTS = data.draw(st.sampled_from([3, 6, 48]))  # small: thinned all along
    previous = 0
    for cut in [*cuts, len(arrival)]:
        state.apply(arrival[previous:cut])
        previous = max(previous, cut)
        arrived = arrival[:previous]
        assert state.fingerprint() == fold_events(arrived).fingerprint()
        assert_every_checkpoint_exact(state, arrived)
    assert state.fingerprint() == truth


def test_a_rewind_puts_back_rooms_and_buses_changed_in_place() -> None:
    """Someone enters a room, boards a bus that leaves and comes back, then a door scan an hour
    earlier arrives late: the rewind restores the room's slots and the bus as they were."""
    events = build([
        ("door-R1", 60, "entry", "A001"), ("door-R1", 61, "entry", "A002"), ("bus-V1-B1", 240, "board", "A001"),
        ("bus-V1-B1", 241, "board", "A002"), ("bus-V1-B1", 250, "depart", "A001"), ("door-R2", 260, "entry", "A002"),
        ("bus-V1-B1", 400, "return", "A001"),
    ])
    late = Event("door-late", 1, pack(at(200)), ev.DOOR_ENTRY, {"attendee": "A003", "room": "R1"})
    state = EventState()
    state.CHECKPOINT_EVERY = 2
    state.apply(events)
    assert_every_checkpoint_exact(state, events)
    state.apply([late])
    assert state.rebuilds == 1
    rebuilt = fold_events([*events, late])
    assert (state.room_slots, state.buses) == (rebuilt.room_slots, rebuilt.buses)
    assert state.fingerprint() == rebuilt.fingerprint()
    assert_every_checkpoint_exact(state, [*events, late])


def test_a_state_let_go_is_freed_at_once_without_the_cyclic_collector() -> None:
    """A node drops whole states (a restart from an older snapshot, a fold `--at` a moment, the
    replay screen); after a large fold the state is frozen out of the cyclic collector's sight
    (db/fold.py `no_gc`), so a reference cycle among its tables would never be freed: each
    dropped state would stay in memory. The journal names tables by number, not by themselves."""
    import gc

    events = build([
        ("door-R1", 60, "entry", "A001"), ("door-R1", 61, "entry", "A002"), ("bus-V1-B1", 240, "board", "A001"),
        ("bus-V1-B1", 250, "depart", "A001"), ("door-R2", 260, "entry", "A002"), ("bus-V1-B1", 400, "return", "A001"),
    ])
    state = EventState()
    state.CHECKPOINT_EVERY = 2
    for event in events:
        state.apply([event])
    state.apply([Event("door-late", 1, pack(at(200)), ev.DOOR_ENTRY, {"attendee": "A003", "room": "R1"})])
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del state
        assert gc.collect() == 0  # nothing of it was left for the cyclic collector to find
    finally:
        if was_enabled:
            gc.enable()
