"""Just enough of the Chrome DevTools Protocol to load a page in headless Chromium and read
what its web sockets receive (textual-serve draws the terminal on a canvas, so the text of
the dashboard travels in the socket frames, not in the DOM)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp

from tests import processes

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def web_dashboard(db_path: Path, at: str, log_path: Path, *options: str) -> Iterator[int]:
    """`eventops dashboard --web` on 127.0.0.1 as a real process (with `options`), once it listens:
    its port. Stopped at the end of the block, with the app process it started for a page."""
    port = free_port()
    with log_path.open("wb") as log:
        server = processes.start(
            [sys.executable, "-m", "eventops", "dashboard", "--db", str(db_path), "--at", at,
             "--web", "--host", "127.0.0.1", "--port", str(port), *options],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        if not wait_for_port(port, 30):
            raise AssertionError(f"the web dashboard did not start listening: {log_path.read_text()[-2000:]}")
        yield port
    finally:
        processes.stop(server)


@contextlib.asynccontextmanager
async def headless(chromium: str, workdir: Path) -> AsyncIterator[tuple[aiohttp.ClientSession, Any]]:
    """Start headless Chromium on about:blank; yields an HTTP session and the page's CDP socket.

    Its profile, and the home its crash handler and dconf write into, live in `workdir`/chromium.
    On the way out every Chromium process is stopped and waited for (the crash handler too,
    which leaves the process group), and only then is the profile removed."""
    port = free_port()
    home = workdir / "chromium"
    profile = home / "profile"
    profile.mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache"), "XDG_DATA_HOME": str(home / "data")}
    proc = processes.start(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
         # No reaching out to Google's services from a closed network (each attempt slows the start).
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
         f"--remote-debugging-port={port}", "--window-size=1600,1000", "about:blank"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with aiohttp.ClientSession() as http:
            targets: list[dict[str, Any]] = []
            deadline = time.monotonic() + 60  # a loaded machine starts Chromium slowly; a dead one is told at once
            while time.monotonic() < deadline and proc.poll() is None:
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{port}/json") as response:
                        targets = [t for t in await response.json() if t.get("type") == "page"]
                if targets:
                    break
                await asyncio.sleep(0.1)
            if not targets:
                exited = proc.poll()
                raise RuntimeError("headless Chromium did not open its debugging port"
                                   + (f" (it exited with {exited})" if exited is not None else " within 60 s"))
            async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as page:
                yield http, page
    finally:
        await asyncio.to_thread(processes.stop, proc)
        processes.remove_tree(home)


async def socket_text(page: Any, url: str, wanted: list[str], timeout: float) -> str:
    """Navigate `page` to `url` and collect the text its web sockets receive until every string
    in `wanted` has been seen (or `timeout` passes); returns all the text received."""
    ids = iter(range(1, 1_000_000))
    await page.send_json({"id": next(ids), "method": "Network.enable"})
    await page.send_json({"id": next(ids), "method": "Page.navigate", "params": {"url": url}})
    received: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            message = await asyncio.wait_for(page.receive(), timeout=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            break
        if message.type != aiohttp.WSMsgType.TEXT:
            continue
        event = json.loads(message.data)
        if event.get("method") != "Network.webSocketFrameReceived":
            continue
        frame = event["params"]["response"]
        data = frame.get("payloadData", "")
        if frame.get("opcode") == 2:
            data = base64.b64decode(data).decode("utf-8", "replace")
        received.append(data)
        text = "".join(received)
        if all(w in text for w in wanted):
            break
    return "".join(received)
