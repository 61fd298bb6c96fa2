"""How should the fold's checkpoints be made? Copies, a persistent map, or copy-on-write per record.

The fold writes one or two records per event into tables as large as the attendance
(`places`, `checkins`) and reads a few; it takes a checkpoint every 1,000 events so that a late
event rewinds a little and replays. This compares, on tables of 100,000 and 300,000 records:

- `copy`: today's `dict(...)` of every table at each checkpoint (O(state) per checkpoint);
- `immutables`: `immutables.Map` (a HAMT): a checkpoint keeps a reference, a write copies a path;
- `cow_journal`: a plain dict whose writes first save the record's old value once per checkpoint
  interval (copy-on-write per record): a checkpoint is O(1), a rewind undoes what changed since.
- `journal`: one list of every change (table, key, old value) shared by the tables, a checkpoint
  a position in it (what db/checkpoints.py does): no map per checkpoint to merge when thinning.

Prints JSON: microseconds per event (fold-like mix of reads and writes, checkpoints included),
the cost of one rewind of 30 checkpoints, and the figure without any checkpoint as the anchor.
`immutables` is measured only if importable (`pip install immutables`, or PYTHONPATH to it).
"""

from __future__ import annotations

import gc
import json
import random
import time
from collections.abc import Callable

PLACES, CHECKINS = 100_000, 300_000
EVENTS, EVERY = 200_000, 1000
_MISSING = object()


def workload(seed: int = 1) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    return [(f"A{rng.randrange(PLACES):06d}", f"2024-03-2{rng.randrange(3)}", n) for n in range(EVENTS)]


def fill() -> tuple[dict[str, object], dict[tuple[str, str], object]]:
    places = {f"A{i:06d}": ("venue", i) for i in range(PLACES)}
    checkins = {(f"A{i % PLACES:06d}", f"2024-03-2{i // PLACES}"): ("desk", i) for i in range(CHECKINS)}
    return places, checkins


def plain(work: list[tuple[str, str, int]]) -> float:
    places, checkins = fill()
    started = time.perf_counter()
    for a, day, n in work:
        places.get(a)
        places[a] = ("room", n)
        if (a, day) not in checkins:
            checkins[(a, day)] = ("door", n)
    return time.perf_counter() - started


def copy(work: list[tuple[str, str, int]]) -> tuple[float, float]:
    places, checkins = fill()
    checkpoints = []
    started = time.perf_counter()
    for a, day, n in work:
        places.get(a)
        places[a] = ("room", n)
        if (a, day) not in checkins:
            checkins[(a, day)] = ("door", n)
        if not n % EVERY:
            checkpoints.append((dict(places), dict(checkins)))
            del checkpoints[:-24]
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    places, checkins = dict(checkpoints[-30 % 24][0]), dict(checkpoints[-30 % 24][1])
    return elapsed, time.perf_counter() - started


def persistent(work: list[tuple[str, str, int]]) -> tuple[float, float]:
    import immutables

    p, c = fill()
    places, checkins = immutables.Map(p), immutables.Map(c)
    checkpoints = []
    started = time.perf_counter()
    for a, day, n in work:
        places.get(a)
        places = places.set(a, ("room", n))
        if (a, day) not in checkins:
            checkins = checkins.set((a, day), ("door", n))
        if not n % EVERY:
            checkpoints.append((places, checkins))
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    places, checkins = checkpoints[-30]
    return elapsed, time.perf_counter() - started


class Journaled(dict):  # type: ignore[type-arg]
    __slots__ = ("undo",)

    def __setitem__(self, key: object, value: object) -> None:
        undo = self.undo
        if key not in undo:
            undo[key] = dict.get(self, key, _MISSING)
        dict.__setitem__(self, key, value)


def cow(work: list[tuple[str, str, int]]) -> tuple[float, float]:
    p, c = fill()
    places, checkins = Journaled(p), Journaled(c)
    places.undo, checkins.undo = {}, {}
    epochs: list[tuple[dict[object, object], dict[object, object]]] = [(places.undo, checkins.undo)]
    started = time.perf_counter()
    for a, day, n in work:
        places.get(a)
        places[a] = ("room", n)
        if (a, day) not in checkins:
            checkins[(a, day)] = ("door", n)
        if not n % EVERY:
            places.undo, checkins.undo = {}, {}
            epochs.append((places.undo, checkins.undo))
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    for undo_p, undo_c in reversed(epochs[-30:]):
        for table, undo in ((places, undo_p), (checkins, undo_c)):
            for key, old in undo.items():
                if old is _MISSING:
                    dict.pop(table, key, None)
                else:
                    dict.__setitem__(table, key, old)
    return elapsed, time.perf_counter() - started


class Logged(dict):  # type: ignore[type-arg]
    __slots__ = ("log",)

    def __setitem__(self, key: object, value: object) -> None:
        self.log.append((self, key, dict.get(self, key, _MISSING)))
        dict.__setitem__(self, key, value)


def journal(work: list[tuple[str, str, int]]) -> tuple[float, float]:
    """One journal of every change shared by the tables (db/checkpoints.py): a checkpoint is a
    position in it; thinning checkpoints drops positions, never merges maps."""
    p, c = fill()
    places, checkins = Logged(p), Logged(c)
    log: list[tuple[dict[object, object], object, object]] = []
    places.log = checkins.log = log
    marks = [0]
    started = time.perf_counter()
    for a, day, n in work:
        places.get(a)
        places[a] = ("room", n)
        if (a, day) not in checkins:
            checkins[(a, day)] = ("door", n)
        if not n % EVERY:
            marks.append(len(log))
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    for table, key, old in reversed(log[marks[-30]:]):
        if old is _MISSING:
            dict.pop(table, key, None)
        else:
            dict.__setitem__(table, key, old)
    del log[marks[-30]:]
    return elapsed, time.perf_counter() - started


def best(func: Callable[[list[tuple[str, str, int]]], object], work: list[tuple[str, str, int]], runs: int = 3) -> object:
    results = [func(work) for _ in range(runs)]
    return min(results, key=lambda r: r if isinstance(r, float) else r[0])  # type: ignore[index]


def main() -> None:
    gc.disable()  # as the fold runs (db.fold.no_gc)
    work = workload()
    us = lambda s: round(s / EVENTS * 1e6, 3)  # noqa: E731
    out: dict[str, object] = {"events": EVENTS, "checkpoint_every": EVERY, "records": PLACES + CHECKINS}
    out["no_checkpoints_us_per_event"] = us(best(plain, work))  # type: ignore[arg-type]
    for name, func in (("copy", copy), ("cow_journal", cow), ("journal", journal), ("immutables", persistent)):
        try:
            elapsed, rewind = best(func, work)  # type: ignore[misc]
        except ImportError:
            out[name] = "not installed"
            continue
        out[name] = {"us_per_event": us(elapsed), "rewind_30_checkpoints_ms": round(rewind * 1000, 2)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
