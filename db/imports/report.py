"""What an import did (or, in a dry run, would do): the report the command line prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from db.imports.problems import ImportProblems, Problem

#: How many examples a grouped warning line shows.
EXAMPLES = 3


@dataclass
class Tally:
    """Added / updated / unchanged counts for one kind of thing (attendees, rooms, buses...)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def counts(self, before: Mapping[str, Any] | None, data: Mapping[str, Any], missing: Any = "") -> bool:
        """Count one record as added, updated or unchanged; True when it must be written."""
        if before is None:
            self.added += 1
            return True
        if {k: before.get(k, missing) for k in data} != dict(data):
            self.updated += 1
            return True
        self.unchanged += 1
        return False


@dataclass
class ImportReport:
    """The outcome of one import; totals over every kind of thing it touched."""

    kind: str  # attendees, schedule, visits
    source: str
    dry_run: bool = False
    events: int = 0  # events appended (or, in a dry run, that would be)
    warnings: list[str] = field(default_factory=list)
    tallies: dict[str, Tally] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    #: Rows left out by `--skip-invalid`: every one, with its line and reason.
    skipped: list[Problem] = field(default_factory=list)
    #: The kind of each warning (same order as `warnings`), for grouping; a warning added
    #: with `warnings.append` is a kind of its own.
    kinds: list[str] = field(default_factory=list)

    def tally(self, what: str) -> Tally:
        return self.tallies.setdefault(what, Tally())

    def settle(self, problems: list[Problem], skip_invalid: bool) -> None:
        """Refuse the file for its bad rows (ImportProblems, nothing imported), or with
        `--skip-invalid` set them aside, each listed with its line and reason."""
        if not problems:
            return
        if not skip_invalid:
            raise ImportProblems(self.source, problems)
        self.skipped.extend(sorted(problems, key=lambda p: (p.line, p.message)))
        problems.clear()

    def warn(self, kind: str, text: str) -> None:
        """Record a warning of a kind ("not on one of the event's days"); the text names the
        row or thing. A person sees one line per kind, however many rows it concerns."""
        self.kinds.extend(self.warnings[len(self.kinds):])  # texts appended directly
        self.warnings.append(text)
        self.kinds.append(kind)

    def grouped(self) -> list[tuple[str, list[str]]]:
        """`[(kind, [texts])]` in order of first appearance."""
        kinds = [*self.kinds, *self.warnings[len(self.kinds):]]
        groups: dict[str, list[str]] = {}
        for kind, text in zip(kinds, self.warnings, strict=True):
            groups.setdefault(kind, []).append(text)
        return list(groups.items())

    def warning_lines(self) -> list[str]:
        """One line per kind of warning: the count and the first few examples."""
        out: list[str] = []
        for kind, texts in self.grouped():
            if len(texts) == 1:
                out.append(texts[0] if kind == texts[0] else f"{kind}: {texts[0]}")
                continue
            more = len(texts) - EXAMPLES
            tail = f"; and {more} more (--json lists them all)" if more > 0 else ""
            out.append(f"{kind}: {len(texts)} times, e.g. {'; '.join(texts[:EXAMPLES])}{tail}")
        return out

    @property
    def added(self) -> int:
        return sum(t.added for t in self.tallies.values())

    @property
    def updated(self) -> int:
        return sum(t.updated for t in self.tallies.values())

    @property
    def unchanged(self) -> int:
        return sum(t.unchanged for t in self.tallies.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "dry_run": self.dry_run,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "events": self.events,
            "warnings": list(self.warnings),
            "warning_groups": [{"kind": k, "count": len(t), "examples": t[:EXAMPLES]} for k, t in self.grouped()],
            "skipped": [{"line": p.line, "reason": p.message} for p in self.skipped],
            "tallies": {what: asdict(t) for what, t in self.tallies.items()},
            **self.detail,
        }

    def lines(self) -> list[str]:
        """A short human summary, one fact per line."""
        verb = "would append" if self.dry_run else "appended"
        head = f"{self.source}: {self.kind} import{' (dry run, nothing written)' if self.dry_run else ''}"
        out = [head]
        for what, t in self.tallies.items():
            out.append(f"  {what}: {t.added} added, {t.updated} updated, {t.unchanged} unchanged")
        for key, value in self.detail.items():
            if isinstance(value, str | int):
                out.append(f"  {key.replace('_', ' ')}: {value}")
        out.append(f"  {verb} {self.events} event{'s' if self.events != 1 else ''}")
        if self.skipped:
            out.append(f"  skipped {len(self.skipped)} invalid row{'s' if len(self.skipped) != 1 else ''} (--skip-invalid):")
            out.extend(f"    {p}" for p in self.skipped)
        out.extend(f"  warning: {w}" for w in self.warning_lines())
        return out
