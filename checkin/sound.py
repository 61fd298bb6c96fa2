"""A sound per verdict, so a desk volunteer hears the answer without looking.

Three short tones, distinct by pitch and rhythm (ok: one high beep; warning: two middle
beeps; refused: a low long buzz), written once as WAV files with the standard library and
played with whatever player the machine has (`paplay`, `pw-play`, `aplay`, `afplay`) in a
background thread. Without a player the terminal bell rings instead.
"""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable
from pathlib import Path

RATE = 22_050
PLAYERS = ("paplay", "pw-play", "aplay", "afplay")

#: verdict status -> [(frequency Hz, duration s, pause after s), ...]
TONES: dict[str, list[tuple[float, float, float]]] = {
    "ok": [(1320.0, 0.12, 0.0)],
    "warning": [(660.0, 0.12, 0.08), (660.0, 0.12, 0.0)],
    "refused": [(220.0, 0.45, 0.0)],
}


def write_wav(path: Path, tones: list[tuple[float, float, float]]) -> Path:
    """Write `tones` as a mono 16-bit WAV (with a short fade so it does not click)."""
    frames = bytearray()
    for freq, duration, pause in tones:
        n = int(RATE * duration)
        fade = max(1, int(RATE * 0.01))
        for i in range(n):
            envelope = min(1.0, i / fade, (n - i) / fade)
            frames += struct.pack("<h", int(12_000 * envelope * math.sin(2 * math.pi * freq * i / RATE)))
        frames += b"\x00\x00" * int(RATE * pause)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return path


class Sounds:
    """Plays the sound of a verdict status without ever blocking the caller."""

    def __init__(self, bell: Callable[[], None] | None = None, enabled: bool = True) -> None:
        self.bell = bell
        self.enabled = enabled
        self.player = next((p for p in PLAYERS if shutil.which(p)), None) if enabled else None
        self._files: dict[str, Path] = {}

    def _file(self, status: str) -> Path:
        if status not in self._files:
            folder = Path(tempfile.gettempdir()) / "eventops-sounds"
            folder.mkdir(exist_ok=True)
            self._files[status] = write_wav(folder / f"{status}.wav", TONES.get(status, TONES["refused"]))
        return self._files[status]

    def play(self, status: str) -> None:
        """Sound for `status` (ok, warning, refused): a real sound if possible, else the bell."""
        if not self.enabled:
            return
        if self.player is None:
            if self.bell is not None:
                self.bell()
            return
        threading.Thread(target=self._play, args=(status,), name="verdict-sound", daemon=True).start()

    def _play(self, status: str) -> None:
        try:
            subprocess.run([str(self.player), str(self._file(status))], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=3, check=True)
        except (OSError, subprocess.SubprocessError):
            # No sound device after all (a headless laptop): fall back to the bell from now on.
            self.player = None
            if self.bell is not None:
                self.bell()
