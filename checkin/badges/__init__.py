"""Signed badges: the token in the QR code, the event's signing key, printable badges."""
