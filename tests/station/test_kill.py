"""Every verdict a person saw survives a crash: the real app in a terminal (tmux), a badge typed,
the verdict read off the screen, then SIGKILL; many times over; every shown scan is in the log."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db import events as ev
from db.connect import connect
from db.log import all_events
from tests.station.world import around_today, build

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

BUDGET_S = 10.0


class Terminal:
    """One tmux server with one pane running the station app."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10).stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-x", "100", "-y", "30", f"exec {command}")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.02)
        raise AssertionError(f"{text!r} never showed on screen:\n{self.screen()}")

    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "#{pane_pid}").strip())

    def close(self) -> None:
        self.tmux("kill-server")


def test_sigkill_right_after_each_verdict_loses_no_shown_scan(tmp_path: Path) -> None:
    world = build(tmp_path / "event.db", extra_attendees=40, days=around_today())  # its scans run on the real clock
    people = [f"B{i:05d}" for i in range(40)]
    tokens = {p: world.token(p) for p in people}
    command = (
        f"{sys.executable} -m eventops checkin --db {world.path} --station desk-1 --mode desk --no-sound"
    )
    terminal = Terminal(f"eventops-kill-{os.getpid()}")
    shown: list[str] = []
    rounds = 0
    started = time.monotonic()
    try:
        while rounds < 3 or (time.monotonic() - started < BUDGET_S and rounds < 8):
            terminal.start(command)
            terminal.wait_for("scans today")
            for _ in range(2):
                person = people[len(shown)]
                terminal.tmux("send-keys", "-l", tokens[person])
                terminal.tmux("send-keys", "Enter")
                terminal.wait_for(f"({person})")
                shown.append(person)
            os.kill(terminal.pid(), signal.SIGKILL)  # right after the verdict showed
            rounds += 1
            time.sleep(0.05)
            terminal.close()
    finally:
        terminal.close()
    held = {e.data["attendee"] for e in all_events(connect(world.path)) if e.kind == ev.DESK_CHECKIN}
    assert rounds >= 3
    assert set(shown) <= held, f"shown but lost: {sorted(set(shown) - held)}"
