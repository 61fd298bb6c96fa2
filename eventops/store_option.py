"""`--db PATH` or `--store URL`: where the hub's event lives, for the commands that work on it.

`--db` names an SQLite file (the default, one laptop); `--store postgresql://USER@HOST/DB` (or
the EVENTOPS_STORE environment variable) names a PostgreSQL store that several hubs share
(sync/stores.py). An explicit `--db` wins over EVENTOPS_STORE; both given explicitly is a mistake.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from db.errors import EventOpsError

F = TypeVar("F", bound=Callable[..., Any])
STORE_ENV = "EVENTOPS_STORE"


@dataclass(frozen=True)
class Where:
    """A hub's event: an SQLite file (`path`) or a PostgreSQL store (`url`)."""

    path: Path | None = None
    url: str | None = None

    @property
    def spec(self) -> str | Path:
        """What `sync.stores.open_store` and `sync.hub.serve` take."""
        return self.url if self.url else self.path  # type: ignore[return-value]

    @property
    def side_path(self) -> Path:
        """Where files beside the store live: the SQLite file itself, or the store's home."""
        if self.url:
            from sync.pg.store import side_path

            return side_path(self.url)
        assert self.path is not None
        return self.path

    @property
    def name(self) -> str:
        if self.url:
            from sync.pg.store import describe

            return describe(self.url)
        return str(self.path)

    @contextlib.contextmanager
    def local(self, *, writes: bool = False, follow: bool = False) -> Iterator[Path]:
        """An SQLite file holding this event: the file itself, or a mirror of the store for the
        length of the block (its new events merged into the store at the end when `writes`; with
        `follow`, both ways every `FOLLOW_S` seconds meanwhile)."""
        if not self.url:
            assert self.path is not None
            yield self.path
            return
        from eventops.store_mirror import mirrored

        with mirrored(self.url, writes=writes, follow=follow) as path:
            yield path

    def open(self) -> Any:
        """A connection: a `Database` for a file, its PostgreSQL twin for a store."""
        if self.url:
            from sync.stores import open_store

            open_store(self.url).close()  # psycopg missing, a bad URL, an unreachable server: one line
            from sync.pg.store import connect

            return connect(self.url)
        from eventops.options import open_db

        assert self.path is not None
        return open_db(self.path)


def store_option(func: F) -> F:
    """`--db PATH` or `--store URL` (env EVENTOPS_STORE), one of them required; the command gets
    `where: Where`."""
    return _store_option(func, required=True)


def optional_store_option(func: F) -> F:
    """`--db PATH` or `--store URL` for a group whose subcommands need neither (`where` may be None)."""
    return _store_option(func, required=False)


def _store_option(func: F, *, required: bool) -> F:
    @click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Path of the event database (an SQLite file); or --store.")
    @click.option("--store", "store_url", envvar=STORE_ENV, default=None, metavar="URL",
                  help="The hub's store on PostgreSQL, e.g. postgresql://hub@db.example/event (or EVENTOPS_STORE).")
    @functools.wraps(func)
    def wrapper(*args: Any, db_path: Path | None, store_url: str | None, **kwargs: Any) -> Any:
        where = resolve(db_path, store_url) if required or db_path or store_url else None
        return func(*args, where=where, **kwargs)

    return wrapper  # type: ignore[return-value]


def resolve(db_path: Path | None, store_url: str | None) -> Where:
    """The one place `--db`, `--store` and EVENTOPS_STORE are reconciled."""
    ctx = click.get_current_context(silent=True)
    from_env = ctx is not None and ctx.get_parameter_source("store_url") == click.core.ParameterSource.ENVIRONMENT
    if db_path is not None and store_url and not from_env:
        raise click.UsageError("give --db PATH or --store URL, not both")
    if db_path is not None:
        return Where(path=db_path)
    if store_url:
        from sync.stores import is_postgres

        if not is_postgres(store_url):
            raise EventOpsError(f"--store takes a postgresql:// URL, not {store_url!r} (an SQLite file goes with --db)")
        return Where(url=store_url)
    raise click.UsageError("--db PATH (an SQLite file) or --store URL (PostgreSQL) is required")


def event_option(*, writes: bool = False, follow: bool = False) -> Callable[[F], F]:
    """`--db PATH` or `--store URL` for a command written against an SQLite file: with `--store`,
    it runs on a local mirror of the store (`Where.local`) and gets the mirror's path as `db_path`.
    `writes`: the events it writes there go up to the store through the gate, all or nothing;
    `follow`: the mirror follows the store while the command runs (a dashboard)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, where: Where, **kwargs: Any) -> Any:
            with where.local(writes=writes, follow=follow) as db_path:
                return func(*args, db_path=db_path, **kwargs)

        return store_option(wrapper)  # type: ignore[return-value]

    return decorate
