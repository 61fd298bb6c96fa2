"""Bus mode's scan rules, where `checkin.rules.has_mode("bus")` looks for them.

The rules live in `checkin.bus` (with the manifest, departure and return); importing it
registers `bus_rule`, so `eventops scan --mode bus` and the station app find bus mode
without any other module naming it.
"""

from __future__ import annotations

from checkin.bus import bus_rule

__all__ = ["bus_rule"]
