"""This node's own identity: which station id it authors events as."""

from __future__ import annotations

from sqlite_utils import Database

from db.connect import get_setting, set_setting

#: The station id of the organiser's node (imports, keys, demo set-up) when none is set.
ORGANISER = "org"
STATION_KEY = "station_id"


def local_station(db: Database) -> str:
    """The station id this database authors events as (`org` on the organiser's node)."""
    return get_setting(db, STATION_KEY) or ORGANISER


def set_local_station(db: Database, station_id: str) -> None:
    set_setting(db, STATION_KEY, station_id)
