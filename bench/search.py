"""Benchmark of the desk's name search (checkin/search.py) at 100,000 attendees: prints JSON.

In one run, on the same people:
- `index`: ms to build the index, and to add one walk-in to it (`NameIndex.updated`);
- `per_keystroke_ms` (wall) and `_cpu_ms` (this thread's CPU: steadier on a shared
  machine): ms per keystroke (p50/p95/max) typing whole queries letter by letter:
  plain names, umlauts spelled out, Greek and Cyrillic names in Latin letters, typos,
  two-word queries, a one-letter query;
- `raw_rapidfuzz`: the same keystrokes through a bare `rapidfuzz.process.extract` (its
  default scorer, limit 20) over the same people's folded full names: the anchor;
- two populations: `registrations` (given and family names of 27 countries from
  db/demo/names.py, Greek and Bulgarian partly in their own script) and `wide` (the same
  plus one invented family name in three, so the vocabulary is ~10x larger: the worst case
  for typo matching).
Target: <= 10 ms per keystroke (p95).

    .venv/bin/python bench/search.py [--attendees 100000] [--raw-every 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import process  # noqa: E402

from checkin.search import NameIndex, _text_words, person_words  # noqa: E402
from db.demo.names import NAMES, NATIVE_NAMES, family_name, split  # noqa: E402
from db.state import Attendee  # noqa: E402
from db.text import fold_text  # noqa: E402

QUERIES = ["muller", "mueller", "papadopoulos", "ivanova", "van den", "peeters", "gonçalves", "dupont j",
           "maria gonz", "papadopolous", "ivnaova", "kowalsky", "e", "liege", "anna muller", "zzzq"]
CITIES = ["Liège", "Köln", "Kraków", "Lisboa", "Malmö", "Gent", "Zürich", "Łódź", "Αθήνα", "София", "Bruxelles"]
ORGS = ["City of", "Ville de", "Stadt", "Police of", "Université de", "Gemeente"]
SYLLABLES = ["ka", "lo", "mi", "ne", "sto", "va", "ri", "dan", "vel", "or", "ti", "bra", "gu", "sen", "ha", "pol"]


def people(count: int, seed: int, wide: bool) -> list[Attendee]:
    rng = random.Random(seed)
    countries = sorted(NAMES)
    out = []
    for i in range(count):
        country = rng.choice(countries)
        lists = NATIVE_NAMES[country] if country in NATIVE_NAMES and rng.random() < 0.5 else NAMES[country]
        female = rng.random() < 0.5
        first = rng.choice(split(lists[0] if female else lists[1]))
        last = family_name(rng.choice(split(lists[2])), female)
        if wide and i % 3 == 0:
            last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        city = rng.choice(CITIES)
        out.append(Attendee(f"P{i:06d}", f"{first} {last}", first, last, f"{rng.choice(ORGS)} {city}", city))
    return out


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(ordered[len(ordered) // 2], 3),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 3),
        "max": round(ordered[-1], 3),
        "mean": round(statistics.fmean(ordered), 3),
        "n": len(ordered),
    }


def keystrokes() -> list[str]:
    return [query[:end] for query in QUERIES for end in range(1, len(query) + 1)]


def run(count: int, seed: int, wide: bool, raw_every: int) -> dict[str, Any]:
    crowd = people(count, seed, wide)
    fold_text.cache_clear()
    _text_words.cache_clear()
    started = time.perf_counter()
    index = NameIndex(crowd)
    build_ms = (time.perf_counter() - started) * 1000
    walk_in = Attendee("W000001", "Zoë Walkin-Bauer", "Zoë", "Walkin-Bauer", "Stadt Köln", "Köln")
    started = time.perf_counter()
    with_walk_in = index.updated([walk_in])
    update_ms = (time.perf_counter() - started) * 1000
    typed = keystrokes()
    for text in typed:  # the first look at each word length builds its list of word starts
        index.search(text)
    ours: list[float] = []
    ours_cpu: list[float] = []
    found: dict[str, int] = {}
    for text in typed:
        cpu, started = time.thread_time(), time.perf_counter()
        hits = index.search(text)
        ours.append((time.perf_counter() - started) * 1000)
        ours_cpu.append((time.thread_time() - cpu) * 1000)
        found[text] = len(hits)
    names = [fold_text(a.name) for a in crowd]
    raw: list[float] = []
    raw_cpu: list[float] = []
    for text in typed[::raw_every]:
        folded = fold_text(text)
        cpu, started = time.thread_time(), time.perf_counter()
        process.extract(folded, names, limit=20)
        raw.append((time.perf_counter() - started) * 1000)
        raw_cpu.append((time.thread_time() - cpu) * 1000)
    vocabulary = len({w for a in crowd for w in person_words(a)})
    return {
        "attendees": count,
        "vocabulary_words": vocabulary,
        "index": {"build_ms": round(build_ms, 1), "add_one_walk_in_ms": round(update_ms, 3),
                  "walk_in_found": with_walk_in.search("walkin bauer")[0].attendee.id == walk_in.id},
        "per_keystroke_ms": stats(ours),
        "per_keystroke_cpu_ms": stats(ours_cpu),
        "raw_rapidfuzz_extract_ms": stats(raw),
        "raw_rapidfuzz_extract_cpu_ms": stats(raw_cpu),
        "found": {q: found[q] for q in QUERIES},
        "first_hit": {q: (h[0].attendee.name, h[0].rank) if (h := index.search(q, 1)) else None for q in QUERIES},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--raw-every", type=int, default=1, help="time the raw rapidfuzz on every Nth keystroke")
    args = parser.parse_args()
    result = {
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                    "cores": os.cpu_count(), "load_before": os.getloadavg()[0]},
        "keystrokes": len(keystrokes()),
        "registrations": run(args.attendees, args.seed, False, args.raw_every),
        "wide": run(args.attendees, args.seed, True, args.raw_every),
    }
    result["machine"]["load_after"] = os.getloadavg()[0]
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
