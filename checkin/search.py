"""Name search for people without a badge: accent- and case-insensitive, partial, fast.

Every attendee's first name, last name, full name and organisation are folded once into a
plain lower-case ASCII "haystack" ("Müller" -> "muller", "Liège" -> "liege", "Straße" ->
"strasse"), so a keystroke costs one substring test per attendee, and a query that extends
the previous one only re-tests the previous matches. Ranking puts word starts first.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from db.state import Attendee

#: Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
        "ı": "i", "ŀ": "l", "’": "'", "‘": "'",
    }
)


def fold_text(text: str) -> str:
    """Lower-case ASCII-ish form of `text`: accents, case and special letters folded away."""
    text = text.casefold().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the attendee and how well they matched (lower is better)."""

    attendee: Attendee
    rank: int


class NameIndex:
    """A precomputed, folded index of attendees' names and organisations."""

    def __init__(self, attendees: Iterable[Attendee]) -> None:
        self._people: list[Attendee] = []
        self._hay: list[str] = []
        self._words: list[tuple[str, ...]] = []
        for attendee in attendees:
            fields = [attendee.first, attendee.last, attendee.name, attendee.org]
            folded = [fold_text(f) for f in fields if f]
            words = tuple(dict.fromkeys(w for f in folded for w in f.replace("-", " ").split()))
            self._people.append(attendee)
            self._hay.append(" " + " \x00 ".join(folded) + " ")
            self._words.append(words)
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
        matches = [i for i in candidates if all(t in hay[i] for t in terms)]
        self._last_terms, self._last_matches = terms, matches
        ranked = heapq.nsmallest(limit, matches, key=lambda i: (self._rank(i, terms), i))
        return [Hit(self._people[i], self._rank(i, terms)) for i in ranked]

    def _candidates(self, terms: tuple[str, ...]) -> list[int]:
        """The previous matches when `terms` only narrows the previous query, else everyone."""
        last = self._last_terms
        if last and len(terms) >= len(last) and all(
            t.startswith(p) if k == len(last) - 1 else t == p for k, (t, p) in enumerate(zip(terms, last, strict=False))
        ):
            return self._last_matches
        return range(len(self._people))  # type: ignore[return-value]

    def _rank(self, index: int, terms: tuple[str, ...]) -> int:
        words = self._words[index]
        rank = 0
        for term in terms:
            if term in words:
                continue
            if any(w.startswith(term) for w in words):
                rank += 1
            else:
                rank += 3
        return rank
