"""What an import did (or, in a dry run, would do): the report the command line prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


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

    def tally(self, what: str) -> Tally:
        return self.tallies.setdefault(what, Tally())

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
        out.extend(f"  warning: {w}" for w in self.warnings)
        return out
