"""What serving the hub on a socket needs besides its app: the listening socket, and a log of refusals.

`listen` binds before anything else happens, so a bad, busy or forbidden port is one clear
line. `RefusalLog` wraps the app and writes one log line per refused request, so a station
turned away on event day leaves a trace: it reads only the answer's status and reason word
(`revoked`, `unauthorised`, `gap`...), the caller's address and the path, never a request
body, so no name or e-mail can reach the log.
"""

from __future__ import annotations

import errno
import json
import logging
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from db.errors import EventOpsError

logger = logging.getLogger("eventops.hub")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port`, or one EventOpsError saying what is wrong with the port."""
    if not 1 <= port <= 65535:
        raise EventOpsError(f"--port must be between 1 and 65535, not {port}")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (OSError, UnicodeError) as error:
        raise EventOpsError(f"the hub cannot listen on {host!r}: {getattr(error, 'strerror', None) or error}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restarted hub gets its port back at once
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise EventOpsError(f"the hub cannot listen on {host}:{port}: {_why(error, host)}") from None
    return sock


def _why(error: OSError, host: str) -> str:
    if error.errno == errno.EADDRINUSE:
        return "the port is in use (another hub or another program: pick another --port)"
    if error.errno == errno.EACCES:
        return "permission denied (ports below 1024 need root: use e.g. --port 8765)"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"this machine has no address {host} (use one of its addresses, or --host 0.0.0.0)"
    return error.strerror or str(error)


#: Enough of an error answer to read its `error` word; the rest is not kept.
KEEP_BYTES = 512


class RefusalLog:
    """Logs every HTTP answer of 400 and above as `refused <status> <reason> <method> <path> from <peer>`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        body = bytearray()

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and status >= 400:
                if len(body) < KEEP_BYTES:
                    body.extend(message.get("body", b"")[: KEEP_BYTES - len(body)])
                if not message.get("more_body", False):
                    _log_refusal(scope, status, bytes(body))
            await send(message)

        await self.app(scope, receive, watching)


def _log_refusal(scope: Scope, status: int, body: bytes) -> None:
    try:
        answer = json.loads(body)
        reason = str(answer.get("error", "http")) if isinstance(answer, dict) else "http"
    except ValueError:
        reason = "http"
    client = scope.get("client") or ("?", 0)
    level = logging.ERROR if status >= 500 else logging.WARNING
    logger.log(level, "refused %d %s %s %s from %s", status, reason[:40], scope.get("method", "?"), scope.get("path", "?"), client[0])
