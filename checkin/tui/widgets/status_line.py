"""The status line: station, mode, place, today's scans, room occupancy, sync state, time."""

from __future__ import annotations

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

    def show(self, status: StationStatus, sync: str, clock: str) -> None:
        self.update(status_text(status, sync, clock))
        full = status.capacity and status.occupancy is not None and status.occupancy >= status.capacity
        near = status.capacity and status.occupancy is not None and status.occupancy >= 0.8 * status.capacity
        self.set_class(bool(full), "-full")
        self.set_class(bool(near) and not full, "-near-full")
