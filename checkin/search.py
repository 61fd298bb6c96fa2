"""Name search for people without a badge: any script, any accent, a typo or two, fast.

Every attendee's name, given and family names, organisation and city are folded once by
`db.text.fold_variants` (the folding imports and sorting use: "Müller" -> "muller" and
"mueller", "Παπαδόπουλος" -> "papadopoulos", "Иванова" -> "ivanova") into words. The index
keeps the sorted vocabulary of those words and, per word, the people who carry it, in one flat
array in vocabulary order, people numbered in the one sort order (`db.views.name_key`). A word
prefix is then a range of the vocabulary, so a slice of that array: a keystroke costs a binary
search and a few array operations, not a test per attendee.

Ranking per typed word: the whole word (0), the start of a word (1), inside a word (2), one or
two typos (3, 4: optimal string alignment distance from `rapidfuzz`, against word starts of
about the typed length, so a typo is forgiven while still typing). A person's rank is their
weakest word's, ties in name order. Typos are only looked for when the better ranks do not fill
the list. People registered after the build go to a small side list searched directly; the
station rebuilds once that grows (`NameIndex.updated`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from db.state import Attendee, Checkin
from db.text import fold_text, fold_variants, words
from db.views import name_key

__all__ = ["Hit", "NameIndex", "fold_text", "person_words"]

EXACT, PREFIX, INSIDE, TYPO = 0, 1, 2, 3  # TYPO + n: n typos
_NONE = 255
#: Words shorter than this are only matched at their start (inside a word, "an" is noise).
INSIDE_FROM = 3
#: Word start lengths prepared with the index (a typed word of 4 to 14 letters, give or take
#: one); longer ones are prepared on first use.
PREFIX_LENGTHS = range(3, 16)
#: How many people may join after the build before the station rebuilds the index.
SIDE_LIMIT = 500


def typos_allowed(term: str) -> int:
    """How many typos a typed word may carry: none under 4 letters, one up to 5, then two."""
    return 0 if len(term) < 4 else 1 if len(term) < 6 else 2


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the attendee, how well they matched (lower is better) and, when the
    station knows it, their check-in of today (None: not checked in today)."""

    attendee: Attendee
    rank: int
    checked_in: Checkin | None = None
    checked_in_at: str = ""  # HH:MM of that check-in in the event's zone


def person_words(attendee: Attendee) -> set[str]:
    """The folded words a person is found by (name, organisation, city; umlauts both ways)."""
    out: set[str] = set()
    for text in (attendee.name, attendee.first, attendee.last, attendee.org, attendee.city):
        if text:
            out.update(_text_words(text))
    return out


@lru_cache(maxsize=1 << 17)  # organisations, cities and given names repeat across thousands of people
def _text_words(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for variant in fold_variants(text) for w in words(variant)))


def query_terms(query: str) -> tuple[str, ...]:
    """The words of a query, folded as names are (at most 6: a name, not a paragraph)."""
    return tuple(dict.fromkeys(words(fold_text(query))))[:6]


class _Vocabulary:
    """The sorted words of the people at build time and, per word, a slice of `flat`."""

    def __init__(self, postings: dict[str, list[int]]) -> None:
        self.words = sorted(postings)
        counts = np.fromiter((len(postings[w]) for w in self.words), np.int64, len(self.words))
        self.starts = np.zeros(len(self.words) + 1, np.int64)
        np.cumsum(counts, out=self.starts[1:])
        flat = np.empty(int(self.starts[-1]), np.int32)
        for k, w in enumerate(self.words):
            flat[self.starts[k]:self.starts[k + 1]] = postings[w]
        self.flat = flat
        # One string of all words, for "inside a word": a match's offset finds its word.
        self.joined = "\n".join(self.words)
        lengths = np.fromiter((len(w) + 1 for w in self.words), np.int64, len(self.words))
        self.offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(self.words) else np.zeros(0, np.int64)
        self._prefixes: dict[int, tuple[list[str], np.ndarray, np.ndarray]] = {}

    def span(self, term: str) -> tuple[int, int]:
        """The range of words starting with `term` (words are [a-z0-9]: "{" sorts after them)."""
        return bisect.bisect_left(self.words, term), bisect.bisect_left(self.words, term + "{")

    def people(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Everyone carrying a word in any of the word ranges [lo, hi)."""
        first, last = self.starts[lo], self.starts[hi]
        sizes = last - first
        total = int(sizes.sum())
        if total == 0:
            return np.zeros(0, np.int32)
        # Positions first[k] .. last[k]-1 for every k, without a Python loop.
        shift = np.repeat(first - (np.cumsum(sizes) - sizes), sizes)
        return self.flat[shift + np.arange(total)]

    def inside(self, term: str) -> np.ndarray:
        """Indices of words that contain `term` but do not start with it."""
        hits = [m.start() for m in re.finditer(re.escape(term), self.joined)]
        if not hits:
            return np.zeros(0, np.int64)
        at = np.asarray(hits, np.int64)
        word = np.searchsorted(self.offsets, at, side="right") - 1
        return np.unique(word[self.offsets[word] != at])

    def prefixes(self, length: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The distinct word starts of `length` letters, each with its range of words (built
        once per length, on first use: sorted words sharing a start are contiguous)."""
        known = self._prefixes.get(length)
        if known is not None:
            return known
        texts: list[str] = []
        los: list[int] = []
        his: list[int] = []
        last = ""
        for k, w in enumerate(self.words):
            if len(w) < length:
                continue  # never between two words of one start: those sort together
            start = w[:length]
            if start == last:
                his[-1] = k + 1
            else:
                texts.append(start)
                los.append(k)
                his.append(k + 1)
                last = start
        made = (texts, np.asarray(los, np.int64), np.asarray(his, np.int64))
        self._prefixes[length] = made
        return made


class NameIndex:
    """A precomputed, folded index of attendees' names, organisations and cities.

    Immutable once built: `updated` returns a new index sharing the big arrays, so searches in
    other threads never need a lock.
    """

    def __init__(self, attendees: Iterable[Attendee]) -> None:
        self._people: list[Attendee] = sorted(attendees, key=lambda a: name_key(a, a.id))
        self._position = {a.id: i for i, a in enumerate(self._people)}
        postings: dict[str, list[int]] = {}
        for i, attendee in enumerate(self._people):
            for word in person_words(attendee):
                postings.setdefault(word, []).append(i)
        self._vocab = _Vocabulary(postings)
        for length in PREFIX_LENGTHS:  # the word starts typos are looked for in, built now
            self._vocab.prefixes(length)  # rather than on someone's keystroke
        self._gone = np.zeros(len(self._people), bool)  # superseded by a newer version in _side
        self._side: dict[str, tuple[Attendee, frozenset[str]]] = {}

    @classmethod
    def of(cls, attendees: Mapping[str, Attendee]) -> NameIndex:
        return cls(attendees.values())

    def __len__(self) -> int:
        return len(self._people) - int(self._gone.sum()) + len(self._side)

    @property
    def side(self) -> int:
        """How many people were added or changed since the build (searched one by one)."""
        return len(self._side)

    def updated(self, attendees: Iterable[Attendee]) -> NameIndex:
        """This index with `attendees` added or replaced (new walk-ins, corrected names).

        Cheap: the new index shares this one's arrays; the people go to a side list.
        """
        changed = list(attendees)
        if not changed:
            return self
        new = object.__new__(NameIndex)
        new._people, new._position, new._vocab = self._people, self._position, self._vocab
        new._gone = self._gone.copy()
        new._side = dict(self._side)
        for attendee in changed:
            at = self._position.get(attendee.id)
            if at is not None:
                new._gone[at] = True
            new._side[attendee.id] = (attendee, frozenset(person_words(attendee)))
        return new

    def search(self, query: str, limit: int | None = 20) -> list[Hit]:
        """Attendees matching every word of `query`, best first (see the module's ranking);
        `limit=None` for all of them."""
        terms = query_terms(query)
        if not terms:
            return []
        main = self._search_main(terms, limit)
        side = [(rank, a) for a, found_by in self._side.values() if (rank := _rank_person(terms, found_by)) < _NONE]
        if side:
            main = sorted(main + side, key=lambda ra: (ra[0], name_key(ra[1], ra[1].id)))
        if limit is not None:
            main = main[:limit]
        return [Hit(attendee, rank) for rank, attendee in main]

    # --- the big index ----------------------------------------------------------------------
    def _search_main(self, terms: tuple[str, ...], limit: int | None) -> list[tuple[int, Attendee]]:
        n = len(self._people)
        if n == 0:
            return []
        ranks = [self._ranks(term) for term in terms]
        worst = _worst(ranks)
        worst[self._gone] = _NONE
        wanted = limit if limit is not None else n
        if int(np.count_nonzero(worst < _NONE)) < wanted:
            fuzzy = [typos_allowed(t) for t in terms]
            if any(fuzzy):
                for term, rank, k in zip(terms, ranks, fuzzy, strict=True):
                    if k:
                        self._typos(term, k, rank)
                worst = _worst(ranks)
                worst[self._gone] = _NONE
        found = np.flatnonzero(worst < _NONE)
        if not len(found):
            return []
        total: np.ndarray = np.zeros(len(found), np.int64)  # the sum of ranks (one word: its rank is `worst`)
        if len(ranks) > 1:
            for rank in ranks:
                total += rank[found]
        # worst rank first, then the sum of ranks, then name order (positions are name order)
        order = (worst[found].astype(np.int64) * 64 + total) << 32 | found
        if len(order) > wanted:
            order = np.partition(order, wanted - 1)[:wanted]
        order.sort()
        people, mask = self._people, (1 << 32) - 1
        return [(int(o >> 32) // 64, people[int(o & mask)]) for o in order]

    def _ranks(self, term: str) -> np.ndarray:
        """Per person, the best rank of `term` among their words without typos (255: none)."""
        vocab = self._vocab
        rank = np.full(len(self._people), _NONE, np.uint8)
        if len(term) >= INSIDE_FROM:
            inside = vocab.inside(term)
            if len(inside):
                rank[vocab.people(inside, inside + 1)] = INSIDE
        lo, hi = vocab.span(term)
        if lo < hi:
            rank[vocab.flat[vocab.starts[lo]:vocab.starts[hi]]] = PREFIX
            if vocab.words[lo] == term:
                rank[vocab.flat[vocab.starts[lo]:vocab.starts[lo + 1]]] = EXACT
        return rank

    def _typos(self, term: str, k: int, rank: np.ndarray) -> None:
        """Lower `rank` to TYPO + d for people with a word starting within d <= k typos of
        `term`: word starts one letter shorter, as long and one longer than `term` (one C call
        each; a second letter dropped or added as well is rare, and would double the cost)."""
        vocab = self._vocab
        by_distance: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        for length in _typo_lengths(term):
            texts, los, his = vocab.prefixes(length)
            if not texts:
                continue
            scores = process.cdist([term], texts, scorer=OSA.distance, score_cutoff=k, dtype=np.uint8, workers=1)[0]
            for d in range(1, k + 1):
                near = np.flatnonzero(scores == d)
                if len(near):
                    by_distance.setdefault(d, []).append((los[near], his[near]))
        for d in sorted(by_distance, reverse=True):
            for los, his in by_distance[d]:
                people = vocab.people(los, his)
                rank[people] = np.minimum(rank[people], TYPO + d - 1)


def _typo_lengths(term: str) -> range:
    """The lengths of the word starts a typed word is compared with, for typos."""
    return range(max(1, len(term) - 1), len(term) + 2)


def _worst(ranks: Sequence[np.ndarray]) -> np.ndarray:
    """Per person, the weakest of the terms' ranks (a copy)."""
    worst = ranks[0].copy()
    for rank in ranks[1:]:
        np.maximum(worst, rank, out=worst)
    return worst


def _rank_person(terms: tuple[str, ...], found_by: frozenset[str]) -> int:
    """One person's rank for `terms`, word by word (for the few people added since the build)."""
    worst = 0
    for term in terms:
        best = _NONE
        k = typos_allowed(term)
        for word in found_by:
            if word == term:
                best = EXACT
                break
            if word.startswith(term):
                best = min(best, PREFIX)
            elif len(term) >= INSIDE_FROM and term in word:
                best = min(best, INSIDE)
            elif k and best > INSIDE:
                for length in _typo_lengths(term):
                    if length > len(word):
                        break
                    d = OSA.distance(term, word[:length], score_cutoff=k)
                    if 0 < d <= k:
                        best = min(best, TYPO + d - 1)
        if best == _NONE:
            return _NONE
        worst = max(worst, best)
    return worst
