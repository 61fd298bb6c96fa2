"""Name search for people without a badge: accent- and case-insensitive, partial, fast.

Every attendee's first name, last name, full name and organisation are folded once into a
plain lower-case ASCII "haystack" by `db.text.fold_text`, the folding imports and
`eventops attendees --search` use too ("Müller" -> "muller", "Guðrún" -> "gudrun", "Straße" ->
"strasse"), so a keystroke costs one substring test per attendee, and a query that extends
the previous one only re-tests the previous matches. Ranking puts word starts first.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from db.state import Attendee
from db.text import fold_text

__all__ = ["Hit", "NameIndex", "fold_text"]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the attendee and how well they matched (lower is better)."""

    attendee: Attendee
    rank: int


class NameIndex:
    """A precomputed, folded index of attendees' names and organisations."""

    def __init__(self, attendees: Iterable[Attendee]) -> None:
        self._people: list[Attendee] = []
        self._hay: list[str] = []  # " anna muller stadt koln ": words between single spaces
        for attendee in attendees:
            fields = (attendee.first, attendee.last, attendee.name, attendee.org)
            words = dict.fromkeys(w for f in fields if f for w in fold_text(f).replace("-", " ").split())
            self._people.append(attendee)
            self._hay.append(" " + " ".join(words) + " ")
        self._last_terms: tuple[str, ...] = ()
        self._last_matches: list[int] = list(range(len(self._people)))

    @classmethod
    def of(cls, attendees: Mapping[str, Attendee]) -> NameIndex:
        return cls(sorted(attendees.values(), key=lambda a: (fold_text(a.last or a.name), a.id)))

    def __len__(self) -> int:
        return len(self._people)

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Attendees whose names or organisation contain every word of `query`."""
        terms = tuple(t for t in fold_text(query).replace("-", " ").split() if t)
        if not terms:
            return []
        candidates = self._candidates(terms)
        hay = self._hay
        matches = [i for i in candidates if terms[0] in hay[i]]
        for term in terms[1:]:
            matches = [i for i in matches if term in hay[i]]
        self._last_terms, self._last_matches = terms, matches
        return [Hit(self._people[i], rank) for rank, i in self._best(matches, terms, limit)]

    def _best(self, matches: list[int], terms: tuple[str, ...], limit: int) -> list[tuple[int, int]]:
        """The `limit` best (rank, index) pairs: whole words first, then word starts, then inside.

        Staged so that a one-letter query over 10,000 people stops as soon as it has enough
        whole-word or word-start matches instead of ranking everyone.
        """
        hay = self._hay
        if len(terms) == 1:
            whole, start = f" {terms[0]} ", f" {terms[0]}"
            best = [(0, i) for i in matches if whole in hay[i]][:limit]
            if len(best) < limit:
                best += [(1, i) for i in matches if start in hay[i] and whole not in hay[i]][: limit - len(best)]
            if len(best) < limit:
                best += [(3, i) for i in matches if start not in hay[i]][: limit - len(best)]
            return best
        needles = [(f" {t} ", f" {t}") for t in terms]

        def rank(i: int) -> int:
            text = hay[i]
            return sum(0 if whole in text else 1 if start in text else 3 for whole, start in needles)

        return heapq.nsmallest(limit, ((rank(i), i) for i in matches))

    def _candidates(self, terms: tuple[str, ...]) -> list[int]:
        """The previous matches when `terms` only narrows the previous query, else everyone."""
        last = self._last_terms
        if last and len(terms) >= len(last) and all(
            t.startswith(p) if k == len(last) - 1 else t == p for k, (t, p) in enumerate(zip(terms, last, strict=False))
        ):
            return self._last_matches
        return range(len(self._people))  # type: ignore[return-value]
