"""`eventops demo init`: the demo event with its signing key, ready to scan."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from checkin.badges.keys import create_signing_key, key_path, reissue_badge
from checkin.simulator.plan import REISSUED_ATTENDEE
from checkin.simulator.run import SEED_KEY
from db import signing
from db.connect import connect, set_setting
from db.demo import install_demo
from db.demo.install import setup_clock
from db.demo.programme import TZ
from db.errors import EventOpsError
from db.fold import load_state


@dataclass(frozen=True)
class DemoSetup:
    path: Path
    created: bool
    attendees: int
    events: int
    kid: str
    days: tuple[str, ...] = ()


def today(tz: str = TZ) -> str:
    """Today's date where the demo happens (Brussels): the first day of a demo tried live."""
    return datetime.now(ZoneInfo(tz)).date().isoformat()


def init_demo(path: Path, seed: int = 7, first_day: str | None = None) -> DemoSetup:
    """Create the demo event in `path`; an existing demo is left as it is.

    `first_day` moves the demo's three days to start that day (`today()` for a demo that can be
    tried live); None keeps the fixed days of March 2024.

    Refuses to touch a database that holds another event. The demo is built in a scratch
    file and moved into place at the end, so an interrupted set-up leaves nothing behind.
    """
    if path.exists() and path.stat().st_size > 0:
        db = connect(path, create=False)
        try:
            state = load_state(db)
        finally:
            db.conn.close()
        if state.info is not None and not state.info.demo:
            raise EventOpsError(f"{path} holds another event ({state.info.name}); the demo needs its own database file")
        if state.info is not None:
            return DemoSetup(path, False, len(state.attendees), state.event_count, ",".join(sorted(state.keys)),
                             state.info.days)
        if state.event_count:
            raise EventOpsError(f"{path} already holds events; the demo needs its own database file")
    scratch = path.with_name(f".{path.name}.building")
    for leftover in (scratch, key_path(scratch), Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(signing.keys_dir(scratch), ignore_errors=True)
    db = connect(scratch, create=True)
    try:
        demo = install_demo(db, seed=seed, first_day=first_day)
        # Keys and the reissue happen on the organiser's clock of set-up day, like the rest.
        wall = setup_clock(demo.setup_ms + 60_000)
        kid = create_signing_key(db, scratch, wall=wall)
        # One attendee lost their badge before the event: the old one is revoked.
        reissue_badge(db, scratch, REISSUED_ATTENDEE, reason="lost badge", wall=wall)
        set_setting(db, SEED_KEY, str(seed))
        state = load_state(db, snapshots=False)  # a scratch file about to be moved: nothing saved beside it
    finally:
        db.conn.close()
    os.replace(key_path(scratch), key_path(path))
    signing.move_keys(scratch, path)
    os.replace(scratch, path)
    return DemoSetup(path, True, len(state.attendees), state.event_count, kid, demo.days)
