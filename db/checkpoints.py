"""Checkpoints that cost what changed, not the whole state: copy-on-write per record.

The fold takes a checkpoint every thousand events so that a late event rewinds a little and
replays. Copying every table at each checkpoint made the fold's cost events × attendees (69.5 s
for a million events). Here a checkpoint copies only the small tables (rooms, stations,
counters: sizes that do not grow with the attendance) and opens an *undo* map for each large
one (`Records`): the first time a record changes after the checkpoint, its old value is saved.
A checkpoint is then O(small tables); a rewind puts back what changed since, newest first.

Chosen by benchmark (bench/checkpoints.py) over `immutables.Map`: both make a checkpoint cheap,
but a persistent map costs a path copy on every write and a slower read on every read, and
would change every table's type for every reader; a dict that journals its writes keeps the
fold's reads at dict speed and every reader's code as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, TypeVar, cast

from db.state import Bus

_K = TypeVar("_K")
_V = TypeVar("_V")


class _Missing:
    """The old value of a record that did not exist."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Records(dict[_K, _V]):
    """A table of immutable records that saves each record's old value, once per checkpoint
    interval, before it changes (`undo`, None while no checkpoint is open)."""

    __slots__ = ("undo",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.undo: dict[Any, Any] | None = None

    def _save(self, key: Any) -> None:
        undo = self.undo
        if undo is not None and key not in undo:
            undo[key] = dict.get(self, key, MISSING)

    def __setitem__(self, key: _K, value: _V) -> None:
        undo = self.undo
        if undo is not None and key not in undo:
            undo[key] = dict.get(self, key, MISSING)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: _K) -> None:
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
    """Each room's people by the moment they leave: the fold changes these sets in place, so a
    room's slots are saved whole (a deep copy of one room) the first time the fold reaches for
    them after a checkpoint, through `get` or `setdefault` (the fold's two ways in).

    Readers outside the fold use `occupancy`/`occupants` (plain `dict.get`, no saving).
    """

    __slots__ = ()

    def _save(self, key: Any) -> None:
        undo = self.undo
        if undo is not None and key not in undo:
            old = dict.get(self, key, MISSING)
            undo[key] = old if old is MISSING else {until: set(people) for until, people in old.items()}

    def __setitem__(self, key: str, value: dict[int, set[str]]) -> None:
        self._save(key)
        dict.__setitem__(self, key, value)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self._save(key)
        return dict.get(self, key, default)

    def __getitem__(self, key: str) -> dict[int, set[str]]:
        self._save(key)
        return dict.__getitem__(self, key)


def undo_into(table: dict[Any, Any], undo: dict[Any, Any]) -> None:
    """Put back the old values `undo` saved (a record that did not exist is removed)."""
    for key, old in undo.items():
        if old is MISSING:
            dict.pop(table, key, None)
        else:
            dict.__setitem__(table, key, old)


def copy_value(name: str, value: Any) -> Any:
    """An independent copy of a small table (buses change in place: copied one by one)."""
    if name == "buses":
        return {k: b.copy() if isinstance(b, Bus) else b for k, b in value.items()}
    if isinstance(value, dict | list | set):
        return type(value)(value)
    return value


def copy_records(name: str, table: dict[Any, Any]) -> dict[Any, Any]:
    """A plain copy of a large table (room slots deep: their sets change in place)."""
    if name == "room_slots":
        return {room: {until: set(people) for until, people in slots.items()} for room, slots in table.items()}
    return dict(table)


@dataclass(slots=True)
class Checkpoint:
    """The state after `count` events (the last one `key`): the small tables as they were, and
    the old values of the large tables' records changed since (until the next checkpoint)."""

    count: int
    key: tuple[int, str, int] | None
    at_ms: int
    small: dict[str, Any]
    undo: dict[str, dict[Any, Any]]


def large_fields(core: Any) -> list[str]:
    return [f.name for f in fields(core) if isinstance(getattr(core, f.name), Records)]


def take(core: Any, count: int, key: tuple[int, str, int] | None, at_ms: int) -> Checkpoint:
    """Open a checkpoint: copy the small tables, start an undo map for each large one."""
    small: dict[str, Any] = {}
    undo: dict[str, dict[Any, Any]] = {}
    for f in fields(core):
        value = getattr(core, f.name)
        if isinstance(value, Records):
            value.undo = undo[f.name] = {}
        else:
            small[f.name] = copy_value(f.name, value)
    return Checkpoint(count, key, at_ms, small, undo)


def rewind(core: Any, checkpoints: list[Checkpoint], index: int) -> Checkpoint:
    """Bring `core` back to `checkpoints[index]` (later ones are dropped); returns it, open again."""
    for checkpoint in reversed(checkpoints[index:]):
        for name, undo in checkpoint.undo.items():
            undo_into(getattr(core, name), undo)
    target = checkpoints[index]
    del checkpoints[index + 1 :]
    for name, value in target.small.items():
        setattr(core, name, copy_value(name, value))
    for name in target.undo:
        table = getattr(core, name)
        table.undo = target.undo[name] = {}
    return target


def merge_into_previous(core: Any, checkpoints: list[Checkpoint], index: int) -> None:
    """Forget `checkpoints[index]`: its undo joins the previous one's (the older value wins)."""
    older, gone = checkpoints[index - 1], checkpoints[index]
    for name, undo in gone.undo.items():
        target = older.undo.setdefault(name, {})
        for key, old in undo.items():
            if key not in target:
                target[key] = old
    del checkpoints[index]
    if index == len(checkpoints):  # it was the open one: the previous one is open now
        for name, undo in older.undo.items():
            getattr(core, name).undo = undo


def state_at(core: Any, checkpoints: list[Checkpoint], index: int) -> dict[str, Any]:
    """Every table as it was at `checkpoints[index]`, as independent copies (the live core is
    left as it is): for persisting an older position."""
    out: dict[str, Any] = {}
    for f in fields(core):
        value = getattr(core, f.name)
        if isinstance(value, Records):
            table = copy_records(f.name, value)
            for checkpoint in reversed(checkpoints[index:]):
                undo = checkpoint.undo.get(f.name, {})
                if f.name == "room_slots":
                    undo = {k: v if v is MISSING else {u: set(p) for u, p in v.items()} for k, v in undo.items()}
                undo_into(table, undo)
            out[f.name] = table
        else:
            out[f.name] = copy_value(f.name, checkpoints[index].small[f.name])
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
