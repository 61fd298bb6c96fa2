"""What an attendee id must look like to fit on a badge, where imports (in `db/`) can see it.

The badge token (`checkin.badges.token`) carries an attendee id verbatim when every character
is in `ALPHABET` (digits and upper-case letters without Q, W, Y: what keyboard-wedge scanners
on AZERTY and QWERTZ laptops can be repaired from). The token is at most 120 characters, and
its fixed parts take 1 (format) + 2 (event tag) + 2 (key id) + up to 4 (serial) + 103
(signature), which leaves `MAX_ID_LEN` characters for the id whatever the badge's serial.
"""

from __future__ import annotations

#: Every character a badge token may contain (the token module imports it from here).
ALPHABET = "0123456789ABCDEFGHIJKLMNOPRSTUVXZ"
#: The longest attendee id that fits a token at any serial: 120 - (1 + 2 + 2 + 4 + 103).
MAX_ID_LEN = 8

_ALPHABET_SET = frozenset(ALPHABET)


def fits_badge(ident: str) -> bool:
    """True if `ident` goes into a badge token as it is, at any serial."""
    return 0 < len(ident) <= MAX_ID_LEN and all(c in _ALPHABET_SET for c in ident)
