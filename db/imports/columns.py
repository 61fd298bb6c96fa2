"""Which column holds which field: header aliases (presets) plus the person's `--map`.

Headers are compared in a normal form (accents, case, punctuation and spacing ignored),
so "E-mail", "e_mail" and "Email " are one header, and "Prénom" matches "prenom". When a
file repeats a header (pretix writes "Company" and "City" twice: attendee, then invoice
address), the first one wins.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from db.imports.problems import ImportProblems, Problem
from db.text import fold_text

#: A `--map` target that means "do not read this column".
IGNORE = "ignore"


@functools.lru_cache(maxsize=1 << 16)  # names are normalised several times per import
def normal(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a header or name.

    The letters are folded by `db.text.fold_text`, as the station's name search folds them
    ("Łódź" -> "lodz", "Guðrún" -> "gudrun"); punctuation and spacing count as one space.
    """
    lowered = fold_text(text.replace("\ufeff", ""))
    lowered = re.sub(r"[\s_\-./:()*']+", " ", lowered)
    return lowered.strip()


def parse_mapping(pairs: Iterable[str], fields: Sequence[str]) -> dict[str, str]:
    """`["Column=field", ...]` to `{normal(column): field}`; raises ValueError on a bad pair."""
    out: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        column, target = column.strip(), target.strip().lower()
        if not sep or not column or not target:
            raise ValueError(f"{pair!r} is not COLUMN=FIELD")
        if target in ("-", "skip", "none"):
            target = IGNORE
        if target != IGNORE and target not in fields:
            raise ValueError(f"unknown field {target!r} in {pair!r} (fields: {', '.join(fields)}, or ignore)")
        out[normal(column)] = target
    return out


def resolve(
    source: str,
    header: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    mapping: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """`{field: column index}` for this header. `--map` entries win over aliases; a `--map`
    naming a column the file lacks is refused, listing the columns it has."""
    normals = [normal(h) for h in header]
    first_index: dict[str, int] = {}
    for index, key in enumerate(normals):
        if key:
            first_index.setdefault(key, index)
    found: dict[str, int] = {}
    taken: set[int] = set()
    problems: list[Problem] = []
    for column, target in (mapping or {}).items():
        if column not in first_index:
            shown = ", ".join(repr(h) for h in header if h)
            problems.append(Problem(0, f"--map names column {column!r}, but the columns are {shown}"))
            continue
        index = first_index[column]
        taken.add(index)
        if target != IGNORE:
            found[target] = index
    if problems:
        raise ImportProblems(source, problems)
    for field, names in aliases.items():
        if field in found:
            continue
        for name in names:
            at = first_index.get(normal(name))
            if at is not None and at not in taken:
                found[field] = at
                taken.add(at)
                break
    return found


def missing_message(header: Sequence[str], wanted: str, example: str) -> str:
    shown = ", ".join(repr(h) for h in header if h)
    return f"no {wanted} column among {shown}; name one with --map COLUMN={example}"
