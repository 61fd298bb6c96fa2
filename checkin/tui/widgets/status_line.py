"""The status line: station, mode, place, today's scans, room occupancy, sync state, time."""

from __future__ import annotations

from dataclasses import replace

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from checkin.i18n import _, ngettext
from checkin.station import StationStatus


def status_text(status: StationStatus, sync: str, clock: str) -> str:
    """One line a steward reads at a glance (kept short enough for 80 columns)."""
    mode = status.mode
    if mode == "door":
        mode = _("door exit") if status.exit else _("door entry")
    else:
        mode = {"desk": _("desk"), "bus": _("bus")}.get(mode, mode)
    parts = [status.station_id, mode]
    if status.place_name:
        parts.append(status.place_name)
    parts.append(ngettext("{n} scan today", "{n} scans today", status.scans_today).format(n=status.scans_today))
    if status.occupancy is not None:
        cap = f"/{status.capacity}" if status.capacity else ""
        parts.append(_("in room {n}").format(n=status.occupancy) + cap)
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
        self.status: StationStatus | None = None
        self.sync = ""
        self.clock = ""

    @property
    def line(self) -> str:
        """The whole line, however wide the screen."""
        return status_text(self.status, self.sync, self.clock) if self.status is not None else ""

    def show(self, status: StationStatus, sync: str, clock: str) -> None:
        self.status, self.sync, self.clock = status, sync, clock
        self.refresh()
        full = status.capacity and status.occupancy is not None and status.occupancy >= status.capacity
        near = status.capacity and status.occupancy is not None and status.occupancy >= 0.8 * status.capacity
        self.set_class(bool(full), "-full")
        self.set_class(bool(near) and not full, "-near-full")

    def render(self) -> Text:
        """The line, made to fit: a long place name is shortened first, then the station's part,
        never the sync state nor the clock (at 80 columns the clock was cut to `13`, `:31` on a
        hidden second line)."""
        status, width = self.status, self.content_region.width or self.size.width
        line = self.line
        if status is None or width <= 0 or cell_len(line) <= width:
            return Text(line, no_wrap=True, overflow="ellipsis")
        over = cell_len(line) - width
        if status.place_name and len(status.place_name) > over + 4:
            shorter = replace(status, place_name=status.place_name[: len(status.place_name) - over - 1] + "…")
            line = status_text(shorter, self.sync, self.clock)
            if cell_len(line) <= width:
                return Text(line, no_wrap=True)
        tail = f" · {self.sync} · {self.clock}"
        if cell_len(tail) >= width - 2:  # even the sync state is too long: keep the clock
            sync = Text(self.sync, no_wrap=True, overflow="ellipsis")
            sync.truncate(max(1, width - cell_len(self.clock) - 3), overflow="ellipsis")
            return sync + f" · {self.clock}"
        head = Text(line[: -len(tail)], no_wrap=True, overflow="ellipsis")
        head.truncate(width - cell_len(tail), overflow="ellipsis")
        return head + tail
