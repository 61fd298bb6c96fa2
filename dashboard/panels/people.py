"""Who is where: the drill-down of one room or bus, and the roll call of the whole venue.

The lists themselves are `db.views`'s: the same people `eventops status`, the manifest and
`eventops rollcall` count.
"""

from __future__ import annotations

from db.views import (
    VENUE_LABEL,
    PersonLine,
    PlaceList,
    RollCall,
    bus_people,
    roll_call,
    room_people,
)

__all__ = ["VENUE_LABEL", "PersonLine", "PlaceList", "RollCall", "bus_people", "roll_call", "room_people"]
