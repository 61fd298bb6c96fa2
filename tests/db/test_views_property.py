"""Every view of who is where agrees, for any log: `eventops status`, every dashboard panel and
drill-down, every bus manifest and the roll call count the same people in every room and bus.

The logs mix what a day throws at the fold in any order: desk check-ins, door entries and exits
in two rooms, boardings of two buses of one visit (and of a bus of the next day's visit),
departures, returns and undos, from stations whose clocks differ.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.panels import arrivals as arrivals_panel
from dashboard.panels import incidents as incidents_panel
from dashboard.panels import rooms as rooms_panel
from dashboard.panels import visits as visits_panel
from db import events as ev
from db import views
from db.events import Event
from db.fold import EventState, fold_events
from db.status import status
from tests.db.factory import Log, at, reference

STATIONS = ["desk-1", "desk-2", "door-R1", "door-R2", "bus-V1-B1", "bus-V1-B2", "bus-V2-B1"]
ATTENDEES = [f"A{i:03d}" for i in range(1, 9)]
BUSES = {"bus-V1-B1": ("V1", "V1-B1"), "bus-V1-B2": ("V1", "V1-B2"), "bus-V2-B1": ("V2", "V2-B1")}
DAY2 = "2024-03-21"
#: Minutes after 08:00 on 20 March: both event days.
LAST_MINUTE = 1440 + 600

action = st.tuples(
    st.sampled_from(STATIONS),
    st.one_of(st.floats(min_value=0, max_value=600), st.floats(min_value=1440, max_value=LAST_MINUTE)),
    st.sampled_from(["desk", "entry", "entry", "exit", "board", "board", "board", "depart", "depart", "return", "void"]),
    st.sampled_from(ATTENDEES),
)



@st.composite
def trip(draw: st.DrawFn) -> list[tuple[str, float, str, str]]:
    """One bus's trip in a row: boardings, the departure, scans elsewhere, the return (maybe)."""
    station = draw(st.sampled_from(list(BUSES)))
    start = 1440 + 240 if station == "bus-V2-B1" else 240
    people = draw(st.lists(st.sampled_from(ATTENDEES), min_size=1, max_size=5))
    steps = [(station, start + i, "board", a) for i, a in enumerate(people)]
    steps.append((station, start + 10, "depart", people[0]))
    for i, (where, who) in enumerate(draw(st.lists(st.tuples(st.sampled_from(STATIONS), st.sampled_from(people)), max_size=3))):
        steps.append((where, start + 20 + i, draw(st.sampled_from(["entry", "desk", "board", "void"])), who))
    if draw(st.booleans()):
        steps.append((station, start + 60, "return", people[0]))
        steps.append((station, start + 61, "unboard", people[0]))  # an undo after the return changes nothing
    return steps


#: Loose actions and whole trips, interleaved.
script = st.lists(st.one_of(action.map(lambda a: [a]), trip()), max_size=25).map(lambda parts: [a for p in parts for a in p])


def build(actions: list[tuple[str, float, str, str]]) -> list[Event]:
    """The factory's event (visit V1 on 20 March, buses V1-B1 and V1-B2) plus a visit V2 on 21 March."""
    log = Log()
    reference(log, attendees=len(ATTENDEES), capacity=3)
    log.add("org", -390, ev.VISIT_ADDED, id="V2", title="Port", day=DAY2,
            depart="2024-03-21T13:00:00+01:00", **{"return": "2024-03-21T17:00:00+01:00"})
    log.add("org", -389, ev.BUS_ADDED, id="V2-B1", visit="V2", capacity=6, label="Bus 1")
    for attendee in ATTENDEES[4:]:
        log.add("org", -388, ev.BUS_ASSIGNED, visit="V2", bus="V2-B1", attendee=attendee)
    clocks: dict[str, float] = {}
    boardings: dict[str, int] = {}  # each bus station's last boarding (seq)
    for station, minutes, what, attendee in actions:
        minutes = max(minutes, clocks.get(station, 0) + 0.01)  # each station's clock goes forward
        clocks[station] = minutes
        on_bus = BUSES.get(station)
        if what == "desk" or (on_bus is None and what in ("board", "depart", "return")):
            log.add("desk-1" if on_bus else station, minutes, ev.DESK_CHECKIN, attendee=attendee, first=True)
        elif what in ("entry", "exit"):
            room = "R2" if station == "door-R2" else "R1"
            door = station if station.startswith("door") else f"door-{room}"
            log.add(door, minutes, ev.DOOR_ENTRY if what == "entry" else ev.DOOR_EXIT, attendee=attendee, room=room)
        elif what == "board" and on_bus:
            boardings[station] = log.add(station, minutes, ev.BUS_BOARDED, attendee=attendee, visit=on_bus[0], bus=on_bus[1]).seq
        elif what == "depart" and on_bus:
            log.add(station, minutes, ev.BUS_DEPARTED, visit=on_bus[0], bus=on_bus[1])
        elif what == "return" and on_bus:
            log.add(station, minutes, ev.BUS_RETURNED, visit=on_bus[0], bus=on_bus[1])
        elif what == "unboard" and station in boardings:
            log.add(station, minutes, ev.VOID, station_id=station, seq=boardings[station])
        elif what == "void" and log.seqs.get(station):
            log.add(station, minutes, ev.VOID, station_id=station, seq=log.seqs[station])
    return log.events


def assert_every_view_agrees(state: EventState, now: int) -> None:
    report = status(state, now)
    roll = views.roll_call(state, now)
    called = {(p.kind, p.ref): {person.id for person in p.people} for p in roll.places}
    assert sum(len(p) for p in called.values()) == roll.total  # nobody is in two places

    # Rooms: status, the rooms panel, the drill-down and the roll call.
    panel_rooms = {r.id: r for r in rooms_panel.fetch(state, now).rooms}
    for room in report["rooms"]:
        listed = views.room_people(state, room["id"], now)
        people = {p.id for p in listed.people}
        assert room["occupancy"] == panel_rooms[room["id"]].occupancy == len(people)
        assert people == called.get(("room", room["id"]), set())
    assert report["present"] == {
        "venue": len(called.get(("venue", ""), set())),
        "rooms": sum(len(p) for (kind, _), p in called.items() if kind == "room"),
        "buses": sum(len(p) for (kind, _), p in called.items() if kind == "bus"),
    }

    # Arrivals and incidents: status and their panels.
    day = state.day_of(now)
    assert arrivals_panel.fetch(state, now).checked_in == report["checked_in"].get(day, 0)
    open_ids = [i["id"] for i in report["incidents"] if not i["acknowledged"]]
    shown = incidents_panel.fetch(state, now, limit=len(open_ids) + 1)
    assert [i.id for i in shown.open] == open_ids and shown.open_count == len(open_ids)

    # Buses: status, the visits panel, the drill-down, the manifest and the roll call.
    panel_buses = {b.id: b for b in visits_panel.fetch(state, now).buses}
    reported = {b["id"]: b for visit in report["visits"] for b in visit["buses"]}
    assert set(panel_buses) == set(reported)
    if state.info is not None and day in state.info.days:
        assert {visit["day"] for visit in report["visits"]} <= {day}  # a visit shows on its own day only
    for bus_id in state.buses:
        view = views.bus(state, bus_id, now)
        sheet = views.manifest(state, bus_id, now)
        listed = views.bus_people(state, bus_id, now)
        groups = [set(view.aboard), set(view.missing), set(view.elsewhere), set(view.left)]
        assert sum(len(g) for g in groups) == len(set().union(*groups))  # each person in one group only
        assert set(view.missing) | set(view.elsewhere) <= set(view.assigned)
        assert {p.attendee for p in sheet.people if p.boarded} == set(view.aboard) == {p.id for p in listed.people}
        assert sheet.boarded == len(view.aboard)
        assert [p.attendee for p in sheet.missing] == sorted(view.missing, key=lambda a: views.name_key(state.attendees.get(a), a))
        assert {p.id for p in listed.missing} == {p.attendee for p in sheet.missing}
        assert {p.attendee for p in sheet.left} == {p.id for p in listed.left} == set(view.left)
        assert called.get(("bus", bus_id), set()) == set(view.on_board)
        if bus_id in reported:
            line, panel = reported[bus_id], panel_buses[bus_id]
            assert line["boarded"] == panel.boarded == sheet.boarded
            assert line["assigned"] == panel.assigned == sheet.assigned
            assert line["missing"] == list(panel.missing) == sorted(view.missing)
            assert line["left"] == list(panel.left) == list(view.left)
            assert line["state"] == panel.state == sheet.state


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=script, data=st.data())
def test_status_panels_manifests_and_roll_call_agree_on_every_room_and_bus(actions, data) -> None:
    """At any moment, as the log stood then (what `--at` shows, and what a live node holds)."""
    events = build(actions)
    state = EventState()
    state.CHECKPOINT_EVERY = data.draw(st.sampled_from([3, 1000]))
    state.apply(data.draw(st.permutations(events)))
    assert state.fingerprint() == fold_events(events).fingerprint()
    last = max(e.at_ms for e in events)
    assert_every_view_agrees(state, last)
    for minutes in data.draw(st.lists(st.floats(min_value=0, max_value=LAST_MINUTE + 120), max_size=2)):
        now = at(minutes)
        assert_every_view_agrees(fold_events(e for e in events if e.at_ms <= now), now)
