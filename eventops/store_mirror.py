"""A command given `--store URL` runs on a local SQLite mirror of the store (sync/pg/mirror.py):
the mirror's folder, its links to the store's side files, the write-back at the end, a dashboard's
follower, and the files a command leaves beside its database. `Where.local` is the way in."""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from db.errors import EventOpsError
from eventops.store_option import Where

logger = logging.getLogger("eventops.cli")

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
    cache = pg_mirror.cache_path(side)
    try:
        for entry in side.parent.glob(f"{glob.escape(side.name)}.*"):
            if not entry.name.startswith(cache.name):  # the cache is copied, never shared
                (folder / entry.name).symlink_to(entry)
        mirror = _copy(store, path, side, url)
        local = mirror.local
        try:
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
            _flush_snapshots()  # the fold's snapshots land in the mirror (kept in the cache) before it goes
            local.conn.close()
            signing.forget(path)
        from eventops.options import open_db

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
        try:  # reached only when all the command wrote is in the store
            pg_mirror.save_cache(path, side, mirror.pos)
        except (OSError, sqlite3.Error) as error:  # a cache not kept costs the next command time, nothing else
            logger.warning("the mirror of %s was not kept for the next command: %s", Where(url=url).name, error)
    finally:
        store.conn.close()
        _keep_outputs(folder, side)
        shutil.rmtree(folder, ignore_errors=True)


def _copy(store: Any, path: Path, side: Path, url: str) -> Any:
    """The command's mirror at `path`: from the cached last mirror and the store's news since, or
    (no cache, or one that does not match the store) a copy of the whole log."""
    from eventops.options import open_db
    from sync.pg import mirror as pg_mirror

    after = pg_mirror.seed(side, path)
    if after is not None:
        try:
            local = open_db(path)
        except EventOpsError:  # an SQLite file, not an event's: a full copy instead
            pg_mirror.drop_copy(path)
        else:
            try:
                return pg_mirror.copy_down(store, local, after=after)
            except (pg_mirror.CopyMismatch, sqlite3.DatabaseError) as error:  # another store's, or damaged
                logger.info("the cached mirror of %s is not used (%s): copying the whole log", Where(url=url).name, error)
                local.conn.close()
                pg_mirror.drop_copy(path)
            except BaseException:
                local.conn.close()
                raise
    local = open_db(path, create=True)
    try:
        return pg_mirror.copy_down(store, local)
    except BaseException:
        local.conn.close()
        raise


def _flush_snapshots() -> None:
    """Wait for the snapshots the command's fold is writing in the background (if it folded)."""
    import sys

    snapshots = sys.modules.get("db.snapshots")
    if snapshots is not None:
        snapshots.flush()


#: How often a following mirror (a dashboard on a store) sends its writes up and reads the news.
FOLLOW_S = 1.0


@contextlib.contextmanager
def _following(url: str, path: Path, mirror: Any, *, writes: bool) -> Iterator[None]:
    """A thread that keeps the mirror at `path` in step with the store until the block ends; a
    store out of reach is logged and tried again (the screen keeps its last state meanwhile)."""
    import threading

    from sync.pg import mirror as pg_mirror
    from sync.pg.store import connect

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
