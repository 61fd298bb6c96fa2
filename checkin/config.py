"""How one station is set up: its id, its mode and its place.

Plain data shared by the headless station, the rules, the command line and the TUI.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

DESK = "desk"
DOOR = "door"
BUS = "bus"
MODES = (DESK, DOOR, BUS)


@dataclass(frozen=True, slots=True)
class StationConfig:
    """A station's set-up. `room` for doors (defaults to the station's registered place),
    `exit` turns a door into an exit scanner, `visit`/`bus` are for bus mode."""

    station_id: str
    mode: str = DESK
    room: str | None = None
    exit: bool = False
    visit: str | None = None
    bus: str | None = None
    #: Door mode: refuse people not checked in at a desk today (default: admit them, amber).
    door_requires_checkin: bool = False
    #: Desk and door: refuse a scan on a day that is not one of the event's days (default: amber).
    strict_days: bool = False
    #: Undo window in seconds.
    undo_window_s: float = 30.0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")

    @property
    def place(self) -> str:
        """The place this station scans into: room id, bus id, or "" for a desk."""
        if self.mode == DOOR:
            return self.room or ""
        if self.mode == BUS:
            return self.bus or ""
        return ""

    def toggled(self) -> StationConfig:
        """The same door switched between entry and exit."""
        return replace(self, exit=not self.exit)
