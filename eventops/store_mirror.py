"""A command given `--store URL` runs on a local SQLite mirror of the store (sync/pg/mirror.py):
the mirror's folder, its links to the store's side files, the write-back at the end, a dashboard's
follower, and the files a command leaves beside its database. `Where.local` is the way in."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from db.errors import EventOpsError
from eventops.store_option import Where


@contextlib.contextmanager
def mirrored(url: str, *, writes: bool, follow: bool = False) -> Iterator[Path]:
    """An SQLite mirror of the store at `url` (sync/pg/mirror.py) in a private folder beside the
    store's side files, which it sees through links (the organiser's keys, the badge key); files a
    command leaves beside it (a roll call, a log) move beside the store; the rest is removed."""
    from db import signing
    from sync.pg import mirror as pg_mirror
    from sync.pg.store import connect, side_path

    side = side_path(url)
    store = Where(url=url).open()
    folder = Path(tempfile.mkdtemp(prefix=".mirror-", dir=side.parent))
    path = folder / side.name
    try:
        for entry in side.parent.glob(f"{glob.escape(side.name)}.*"):
            (folder / entry.name).symlink_to(entry)
        from eventops.options import open_db

        local = open_db(path, create=True)
        try:
            mirror = pg_mirror.copy_down(store, local)
            if not mirror.events:
                name = Where(url=url).name
                raise EventOpsError(f"the store {name} holds no event: move one in with `eventops hub migrate --from hub.db --to {name}`")
            pg_mirror.bring_local(local, side)
            if follow:
                with _following(url, path, mirror, writes=writes):
                    yield path
            else:
                yield path
        finally:
            local.conn.close()
            signing.forget(path)
        if writes:
            local = open_db(path)
            try:
                mirror.local = local
                store.conn.close()
                store = connect(url)
                pg_mirror.push_up(mirror, store)
                pg_mirror.keep_local(local, side)
            finally:
                local.conn.close()
    finally:
        store.conn.close()
        _keep_outputs(folder, side)
        shutil.rmtree(folder, ignore_errors=True)


#: How often a following mirror (a dashboard on a store) sends its writes up and reads the news.
FOLLOW_S = 1.0


@contextlib.contextmanager
def _following(url: str, path: Path, mirror: Any, *, writes: bool) -> Iterator[None]:
    """A thread that keeps the mirror at `path` in step with the store until the block ends; a
    store out of reach is logged and tried again (the screen keeps its last state meanwhile)."""
    import logging
    import threading

    from sync.pg import mirror as pg_mirror
    from sync.pg.store import connect

    logger = logging.getLogger("eventops.cli")
    stop = threading.Event()

    def follow() -> None:
        from eventops.options import open_db

        local, store = open_db(path), None
        mirror.local = local
        try:
            while not stop.wait(FOLLOW_S):
                try:
                    store = store or connect(url)
                    if writes:
                        pg_mirror.push_up(mirror, store)
                    pg_mirror.pull(mirror, store)
                except Exception as error:  # noqa: BLE001 - the follower must outlive a bad moment
                    logger.warning("following the store %s failed (%s): trying again", Where(url=url).name, error)
                    if store is not None:
                        store.conn.close()
                    store = None
        finally:
            local.conn.close()
            if store is not None:
                store.conn.close()

    thread = threading.Thread(target=follow, name="store-follower", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _keep_outputs(folder: Path, side: Path) -> None:
    """Move what a command wrote beside its mirror to beside the store (a log grows, never lost)."""
    mirror_files = {side.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    for entry in folder.iterdir():
        if entry.name in mirror_files or entry.is_symlink():
            continue
        target = side.parent / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, dirs_exist_ok=True)
        elif target.exists() and entry.suffix == ".log":
            with target.open("ab") as out:
                out.write(entry.read_bytes())
        else:
            os.replace(entry, target)
