"""Ids an import gives to things the file does not number itself.

Attendee ids are random (`new_attendee_id`): an id is printed in every QR code and held by
every station, so it must say nothing about the person (a hash of an e-mail can be reversed
by guessing). Re-imports find the same person through the organiser's local `import_keys`
table instead (`db.imports.identity`). Rooms, sessions and buses carry no personal data:
their ids are a hash of what identifies them, so importing the same or an updated file again
finds the same ids on any node, in any row order.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable

from db.badge_ids import ALPHABET, MAX_ID_LEN, fits_badge

_VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")
#: Random attendee ids use the badge alphabet without O (it reads like 0 on a printed list).
RANDOM_DIGITS = ALPHABET.replace("O", "")
#: A letter first, so that spreadsheets never read an id as a number ("1E234567").
ATTENDEE_PREFIX = "A"

#: Makes one new attendee id (passed in, so tests can make them predictable).
NewId = Callable[[], str]


def new_attendee_id() -> str:
    """A fresh random attendee id that fits any badge token: "A" + 7 of 32 digits (35 bits)."""
    return ATTENDEE_PREFIX + "".join(secrets.choice(RANDOM_DIGITS) for _ in range(MAX_ID_LEN - 1))


def badge_ready(explicit: str) -> str | None:
    """A file-supplied attendee id as it goes on a badge (upper-cased), or None if it cannot."""
    upper = explicit.upper()
    return upper if fits_badge(upper) else None


def derived(prefix: str, key: str, length: int = 10) -> str:
    """`prefix` + `length` base32 characters of SHA-256(key): never for anything about a person."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return prefix + base64.b32encode(digest[:10]).decode("ascii")[:length]


def check(value: str) -> str:
    """A file-supplied id, if it is one (letters, digits, . _ -; at most 40 characters)."""
    if not _VALID.match(value):
        raise ValueError(f"{value!r} is not a usable id (letters, digits, '.', '_', '-'; at most 40)")
    return value


def slug(value: str) -> str:
    """Letters and digits of `value`, for ids built from a file's own numbers ("S" + "123")."""
    return re.sub(r"[^A-Za-z0-9._\-]", "", value)[:32]
