"""Ids an import gives to things the file does not number itself.

Derived ids are a hash of what identifies the thing (a registration reference, an e-mail,
a name), so importing the same or an updated export again finds the same ids: it
updates, never duplicates, on any node, in any row order.
"""

from __future__ import annotations

import base64
import hashlib
import re

_VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")


def derived(prefix: str, key: str, length: int = 10) -> str:
    """`prefix` + `length` base32 characters of SHA-256(key): 50 bits, no collisions in practice."""
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
