"""100,000 random and mutated payloads: no exception escapes, nothing invalid is accepted."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.badges import token as tokens
from checkin.badges import wedge
from checkin.badges.keys import issue_token, reissue_badge
from db.fold import load_state
from tests.badges.helpers import make_event

ROUNDS = 100_000
SHARDS = 4  # separate tests, so `pytest -n 2` spreads them
JUNK_CHARS = tokens.ALPHABET + "QWYqwyaz0&é\"'(§è!çà-_?,;:=+/\\ \t\n\x00Ωßü€😀"


def _mutate(rng: random.Random, token: str) -> str:
    kind = rng.randrange(9)
    chars = list(token)
    if kind == 0:  # one character replaced
        chars[rng.randrange(len(chars))] = rng.choice(JUNK_CHARS)
    elif kind == 1:  # one character replaced within the alphabet
        i = rng.randrange(len(chars))
        chars[i] = rng.choice(tokens.ALPHABET.replace(chars[i], ""))
    elif kind == 2:  # inserted
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(JUNK_CHARS))
    elif kind == 3:  # deleted
        del chars[rng.randrange(len(chars))]
    elif kind == 4:  # truncated
        chars = chars[: rng.randrange(len(chars))]
    elif kind == 5:  # two swapped
        i, j = rng.randrange(len(chars)), rng.randrange(len(chars))
        chars[i], chars[j] = chars[j], chars[i]
    elif kind == 6:  # a slice duplicated
        i = rng.randrange(len(chars))
        chars = chars[:i] + chars[i : i + rng.randrange(1, 8)] + chars[i:]
    elif kind == 7:  # typed on another layout, then one character replaced
        chars = list(wedge.mangle(token, rng.choice(list(wedge.MANGLE))))
        chars[rng.randrange(len(chars))] = rng.choice(JUNK_CHARS)
    else:  # random junk of any length
        return "".join(rng.choice(JUNK_CHARS) for _ in range(rng.randrange(0, 140)))
    return "".join(chars)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_fuzz_never_raises_and_accepts_nothing_invalid(fresh_db: Database, db_path: Path, shard: int) -> None:
    ids = make_event(fresh_db, db_path)
    valid = {issue_token(fresh_db, db_path, ident) for ident in ids}
    revoked = issue_token(fresh_db, db_path, ids[0])
    valid.discard(revoked)
    valid.add(reissue_badge(fresh_db, db_path, ids[0]))
    state = load_state(fresh_db)
    seeds = sorted(valid) + [revoked]
    rng = random.Random(20240320 + shard)
    reasons: Counter[str] = Counter()
    for _ in range(ROUNDS // SHARDS):
        payload = _mutate(rng, rng.choice(seeds))
        check = tokens._verify(payload, state)  # the unguarded path: no exception may escape it
        reasons[check.reason] += 1
        if check.ok:
            assert check.token in valid, payload
    assert sum(reasons.values()) == ROUNDS // SHARDS
    assert reasons["malformed"] > 0 and reasons["forged"] > 0
    assert set(reasons) <= {"ok", *tokens.REASONS}
    assert tokens.verify_badge(None, state).reason == "malformed"  # type: ignore[arg-type]
