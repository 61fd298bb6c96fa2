"""The status line: station, mode, place, today's scans, room occupancy, sync state, time."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from checkin.station import StationStatus


def status_text(status: StationStatus, sync: str, clock: str) -> str:
    """One line a steward reads at a glance (kept short enough for 80 columns)."""
    mode = status.mode
    if mode == "door":
        mode = "door exit" if status.exit else "door entry"
    parts = [status.station_id, mode]
    if status.place_name:
        parts.append(status.place_name)
    parts.append(f"{status.scans_today} scan{'' if status.scans_today == 1 else 's'} today")
    if status.occupancy is not None:
        cap = f"/{status.capacity}" if status.capacity else ""
        parts.append(f"in room {status.occupancy}{cap}")
    parts.append(sync)
    parts.append(clock)
    return " · ".join(parts)


class StatusLine(Static):
    """Drawn by the app from a `StationStatus` and the sync loop's line."""

    DEFAULT_CSS = """
    StatusLine { height: 1; width: 1fr; padding: 0 1; }
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.line = ""
        self.clock = ""

    def show(self, status: StationStatus, sync: str, clock: str) -> None:
        self.line, self.clock = status_text(status, sync, clock), clock
        self.refresh()
        full = status.capacity and status.occupancy is not None and status.occupancy >= status.capacity
        near = status.capacity and status.occupancy is not None and status.occupancy >= 0.8 * status.capacity
        self.set_class(bool(full), "-full")
        self.set_class(bool(near) and not full, "-near-full")

    def render(self) -> Text:
        """The line, shortened before the clock when it is too long: at 80 columns the clock
        never wraps off the line (it was cut to `13` with `:31` on a hidden second line)."""
        width = self.content_region.width or self.size.width
        if not self.clock or width <= 0 or cell_len(self.line) <= width:
            return Text(self.line, no_wrap=True, overflow="ellipsis")
        tail = f" · {self.clock}"
        head = Text(self.line[: -len(tail)], no_wrap=True, overflow="ellipsis")
        head.truncate(max(1, width - cell_len(tail)), overflow="ellipsis")
        return head + tail
