"""Checkpoints that cost what changed, not the whole state: one journal of every change.

The fold takes a checkpoint every thousand events so that a late event rewinds a little and
replays. Every table that can grow with the attendance or the log is journaled: a change first
appends `(container, key, old)` to one journal the whole state shares (`Journal`), and a
checkpoint is only a position in that journal plus copies of a few small counters (sizes that do
not grow with the attendance). A rewind walks the journal back to the position, newest first;
forgetting or thinning checkpoints only drops positions. Every cost is O(changes):

- `Records`: tables of immutable records (attendees, places, check-ins, incidents, reference
  data, buses: a `Bus` is replaced by a changed copy, never changed in place, see db/presence.py);
- `RoomSlots`: each room's people by the moment they leave, changed in place through `enter` and
  `leave`, which journal one entry per person moved (copying a room of 450 at each checkpoint made
  checkpoints cost the attendance again);
- `permits` is derived from the tables (who may write what): emptied on a rewind, not copied.

Chosen by benchmark (bench/checkpoints.py) over `immutables.Map`: both make a checkpoint cheap,
but a persistent map costs a path copy on every write and a slower read on every read, and
would change every table's type for every reader; a dict that journals its writes keeps the
fold's reads at dict speed and every reader's code as it is. One journal rather than an undo map
per checkpoint: thinning checkpoints no longer merges maps (1.5 s of a million-event fold).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, TypeVar, cast

_K = TypeVar("_K")
_V = TypeVar("_V")

#: One change: (the dict or set changed, the key or member, the old value or whether it was a member).
#: A journaled table is named by its number in `Journal.tables`, not by itself: the table holds
#: the entries, and an entry holding the table would make a reference cycle that only the cyclic
#: collector frees (never, once the fold froze the state out of its sight: db/fold.py `no_gc`).
Entry = tuple[Any, Any, Any]


class _Missing:
    """The old value of a record that did not exist."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

#: Small tables copied at each checkpoint (their size does not grow with the attendance).
#: Derived tables, rebuilt by the fold on demand: emptied on a rewind, never copied.
DERIVED = frozenset({"permits"})


class Journal:
    """Every change to the journaled tables since the oldest checkpoint, in order.

    `entries` is shared with every table (they append to it); a position (`mark`) counts from
    the journal's beginning, so dropping its oldest entries moves no position. `tables` are the
    journaled tables, which entries name by their index.
    """

    __slots__ = ("entries", "tables", "_base", "_dead")

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.tables: list[Records[Any, Any]] = []
        self._base = 0  # the position of entries[0]
        self._dead = 0  # entries at the front no checkpoint needs any more (dropped in bulk)

    def enlist(self, table: Records[Any, Any]) -> None:
        """Make `table` write its changes into this journal (once per table)."""
        if table.journal is not self.entries:
            table.number = len(self.tables)
            self.tables.append(table)
            table.journal = self.entries

    def container(self, named: Any) -> Any:
        """The dict or set an entry names (a journaled table by its number)."""
        return self.tables[named] if type(named) is int else named

    def mark(self) -> int:
        return self._base + len(self.entries)

    def since(self, mark: int) -> list[Entry]:
        """The changes after `mark`, oldest first."""
        return self.entries[mark - self._base :]

    def undo_to(self, mark: int) -> None:
        """Put every journaled table back as it was at `mark` (newest change first)."""
        entries, tables = self.entries, self.tables
        stop = mark - self._base
        for named, key, old in reversed(entries[stop:]):
            put_back(tables[named] if type(named) is int else named, key, old)
        del entries[stop:]

    def forget_before(self, mark: int) -> None:
        """No checkpoint before `mark` remains: its changes need not be kept (dropped in bulk, in
        place: every table holds this list)."""
        self._dead = max(self._dead, mark - self._base)
        if self._dead > 4096 and 2 * self._dead > len(self.entries):
            del self.entries[: self._dead]
            self._base += self._dead
            self._dead = 0


def put_back(container: Any, key: Any, old: Any) -> None:
    """Undo one journaled change in `container` (a journaled table written as a plain dict, so
    the undo is not journaled itself): a member added or removed again, a value put back, a key
    that did not exist removed."""
    if type(container) is set:
        if old:
            container.add(key)
        else:
            container.discard(key)
    elif old is MISSING:
        dict.pop(container, key, None)
    else:
        dict.__setitem__(container, key, old)


class Records(dict[_K, _V]):
    """A table of immutable records that journals each change (`journal`: the shared
    `Journal.entries`, None while no checkpoint is open; `number`: its index in the journal's
    tables) before it makes it."""

    __slots__ = ("journal", "number")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.journal: list[Entry] | None = None
        self.number = -1

    def _save(self, key: Any) -> None:
        journal = self.journal
        if journal is not None:
            journal.append((self.number, key, dict.get(self, key, MISSING)))

    def __setitem__(self, key: _K, value: _V) -> None:
        journal = self.journal
        if journal is not None:
            journal.append((self.number, key, dict.get(self, key, MISSING)))
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: _K) -> None:
        if key in self:
            self._save(key)
        dict.__delitem__(self, key)

    def pop(self, key: _K, *default: Any) -> Any:
        if key in self:
            self._save(key)
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[_K, _V]:
        key = next(reversed(self))
        return key, self.pop(key)

    def setdefault(self, key: _K, default: Any = None) -> Any:
        if key not in self:
            self._save(key)
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> Records[_K, _V]:  # type: ignore[override,misc]
        self.update(other)
        return self

    def clear(self) -> None:
        for key in list(self):
            self._save(key)
        dict.clear(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


class RoomSlots(Records[str, dict[int, set[str]]]):
    """Each room's people by the moment they leave. The fold changes them only through `enter`
    and `leave`, which journal each person moved; readers use `occupancy`/`occupants`."""

    __slots__ = ()

    def enter(self, room: str, until: int, attendee: str, at_ms: int) -> int:
        """`attendee` is in `room` until `until` (later than `at_ms`); the room's slots that
        ended by `at_ms` (their people left with their session's end) or are empty are dropped.
        Returns the room's occupancy at `at_ms` (every slot left ends after it)."""
        journal = self.journal
        slots = dict.get(self, room)
        if slots is None:
            slots = {}
            self[room] = slots
        for expired in [u for u, people in slots.items() if u <= at_ms or not people]:
            if journal is not None:
                journal.append((slots, expired, slots[expired]))
            del slots[expired]
        people = slots.get(until)
        if people is None:
            people = slots[until] = set()
            if journal is not None:
                journal.append((slots, until, MISSING))
        if attendee not in people:
            people.add(attendee)
            if journal is not None:
                journal.append((people, attendee, False))
        return sum(map(len, slots.values()))

    def leave(self, room: str, until: int, attendee: str) -> None:
        """`attendee` is no longer in `room`'s slot ending at `until`."""
        slots = dict.get(self, room)
        people = slots.get(until) if slots is not None else None
        if people is not None and attendee in people:
            people.discard(attendee)
            if self.journal is not None:
                self.journal.append((people, attendee, True))


def copy_value(name: str, value: Any) -> Any:
    """An independent copy of a small table (values are immutable)."""
    if isinstance(value, dict | list | set):
        return type(value)(value)
    return value


def copy_records(name: str, table: dict[Any, Any]) -> dict[Any, Any]:
    """A plain copy of a journaled table (room slots deep: their sets change in place)."""
    if isinstance(table, RoomSlots):
        return {room: {until: set(people) for until, people in slots.items()} for room, slots in table.items()}
    return dict(table)


@dataclass(slots=True)
class Checkpoint:
    """The state after `count` events (the last one `key`): the small tables as they were, and
    where the journal stood."""

    count: int
    key: tuple[int, str, int] | None
    at_ms: int
    small: dict[str, Any]
    mark: int


def take(core: Any, journal: Journal, count: int, key: tuple[int, str, int] | None, at_ms: int) -> Checkpoint:
    """A checkpoint: copies of the small tables, the journal's position (every journaled table
    of `core` is made to write into `journal`)."""
    small: dict[str, Any] = {}
    for f in fields(core):
        value = getattr(core, f.name)
        if isinstance(value, Records):
            journal.enlist(value)
        elif f.name not in DERIVED:
            small[f.name] = copy_value(f.name, value)
    return Checkpoint(count, key, at_ms, small, journal.mark())


def rewind(core: Any, journal: Journal, checkpoints: list[Checkpoint], index: int) -> Checkpoint:
    """Bring `core` back to `checkpoints[index]` (later ones are dropped); returns it."""
    target = checkpoints[index]
    journal.undo_to(target.mark)
    del checkpoints[index + 1 :]
    for name, value in target.small.items():
        setattr(core, name, copy_value(name, value))
    for name in DERIVED:
        getattr(core, name).clear()
    return target


def state_at(core: Any, journal: Journal, checkpoint: Checkpoint) -> dict[str, Any]:
    """Every table as it was at `checkpoint`, as independent copies (the live core is left as it
    is): for persisting an older position. The journal's changes since are undone on copies; a
    container the journal names is copied as it is now the first time it is met."""
    copies: dict[int, Any] = {}

    def mapped(obj: Any) -> Any:
        """The copy of a live container (made now, as it is now), or `obj` if it is immutable."""
        kind = type(obj)
        if kind is not set and kind is not dict:
            return obj
        copy = copies.get(id(obj))
        if copy is None:
            copy = set(obj) if kind is set else {k: mapped(v) for k, v in obj.items()}
            copies[id(obj)] = copy
        return copy

    out: dict[str, Any] = {}
    for f in fields(core):
        value = getattr(core, f.name)
        if isinstance(value, RoomSlots):
            out[f.name] = copies[id(value)] = {room: mapped(slots) for room, slots in value.items()}
        elif isinstance(value, Records):
            out[f.name] = copies[id(value)] = dict(value)
        else:
            out[f.name] = copy_value(f.name, checkpoint.small.get(f.name, value))
    for named, key, old in reversed(journal.since(checkpoint.mark)):
        container = journal.container(named)
        target = copies.get(id(container))
        if target is None:
            target = mapped(container)
        put_back(target, key, mapped(old))  # a flag, MISSING or a record: `mapped` leaves them as they are
    for name in DERIVED:
        out[name] = {}
    return out


def current(core: Any) -> dict[str, Any]:
    """Every table as it is now, as independent copies (shallow where records are immutable)."""
    out: dict[str, Any] = {}
    for f in fields(core):
        value = getattr(core, f.name)
        out[f.name] = copy_records(f.name, value) if isinstance(value, Records) else copy_value(f.name, value)
    return out


class Folded:
    """Which events a state holds: per station every seq up to `vector[station]`, and the few
    above it that arrived out of order (`extra`). A log holds each station's events without gaps,
    so `extra` stays empty for a state folded from a database."""

    __slots__ = ("vector", "extra")

    def __init__(self, vector: dict[str, int] | None = None) -> None:
        self.vector: dict[str, int] = dict(vector or {})
        self.extra: dict[str, set[int]] = {}

    def add(self, station_id: str, seq: int) -> bool:
        """Record (station_id, seq); False if it was held already."""
        have = self.vector.get(station_id, 0)
        if seq <= have:
            return False
        if seq == have + 1:
            more = self.extra.get(station_id)
            if more:
                while seq + 1 in more:
                    seq += 1
                    more.discard(seq)
                if not more:
                    del self.extra[station_id]
            self.vector[station_id] = seq
            return True
        more = self.extra.setdefault(station_id, set())
        if seq in more:
            return False
        more.add(seq)
        return True

    def new(self, events: Iterable[Any]) -> list[Any]:
        """Record each of `events` (sorted in fold order); returns those not held already. The
        common case, each station's next seq, is done here without a call per event."""
        vector, extra, add, out = self.vector, self.extra, self.add, []
        for event in events:
            station_id, seq = event.station_id, event.seq
            if seq == vector.get(station_id, 0) + 1 and station_id not in extra:
                vector[station_id] = seq
                out.append(event)
            elif add(station_id, seq):
                out.append(event)
        return out

    def __contains__(self, ident: object) -> bool:
        station_id, seq = cast(tuple[str, int], ident)
        if seq <= self.vector.get(station_id, 0):
            return True
        more = self.extra.get(station_id)
        return more is not None and seq in more

    def copy(self) -> Folded:
        other = Folded(self.vector)
        other.extra = {s: set(q) for s, q in self.extra.items()}
        return other

    @property
    def contiguous(self) -> bool:
        return not self.extra

    def without(self, events: Iterable[Any]) -> Folded | None:
        """These holdings minus `events` (each station's latest ones), or None when what is
        left would not be a prefix of every station's sequence."""
        if self.extra:
            return None
        taken: dict[str, list[int]] = {}
        for event in events:
            taken.setdefault(event.station_id, []).append(event.seq)
        vector = dict(self.vector)
        for station_id, seqs in taken.items():
            top = vector.get(station_id, 0)
            if sorted(seqs) != list(range(top - len(seqs) + 1, top + 1)):
                return None
            vector[station_id] = top - len(seqs)
            if not vector[station_id]:
                del vector[station_id]
        return Folded(vector)
