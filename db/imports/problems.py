"""Problems found in an import file, collected so a person sees all of them at once.

An import never stops at the first bad row: it reads the whole file, collects every
problem with its line number, and only then refuses the file (changing nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from db.errors import ImportProblem

#: How many problems the one-line message names before saying "and N more".
SHOWN = 8


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a file cannot be imported; `line` is 0 when it is about the file as a whole."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ImportProblems(ImportProblem):
    """The file was refused; `problems` lists every reason, the message names the first few."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda p: (p.line, p.message))
        shown = "; ".join(str(p) for p in self.problems[:SHOWN])
        more = len(self.problems) - SHOWN
        tail = f"; and {more} more (--json lists them all)" if more > 0 else ""
        count = "1 problem" if len(self.problems) == 1 else f"{len(self.problems)} problems"
        super().__init__(f"{source}: nothing imported, {count}: {shown}{tail}")


    def to_json(self) -> dict[str, object]:
        return {
            "error": str(self),
            "source": self.source,
            "problems": [{"line": p.line, "message": p.message} for p in self.problems],
        }


def refuse(source: str, message: str, line: int = 0) -> ImportProblems:
    """A file-level problem, ready to raise."""
    return ImportProblems(source, [Problem(line, message)])
