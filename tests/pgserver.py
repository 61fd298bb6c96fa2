"""A throwaway PostgreSQL server for tests and benchmarks: `initdb` in a temporary directory,
`pg_ctl start` on a free port of 127.0.0.1 (TCP only, trust authentication, fsync off: nothing
in it outlives the run), `stop` removes it all.

initdb refuses to run as root: as root, the server runs as `nobody` (setpriv), in a directory
that user owns. The server is started without this pytest process's marks (tests/processes.py),
so the autouse guard does not count it as a test's leftover: the session fixture that starts
it stops it (tests/sync/conftest.py `pg_server`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests import processes

#: Where a PostgreSQL store keeps its side files (sync/pg/store.py HOME_ENV), set per test.
HOME_ENV = "EVENTOPS_PG_HOME"


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (Debian keeps them off PATH), or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def why_unavailable() -> str | None:
    """Why no server can be started here (None when one can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install -e '.[dev]' (the `postgres` extra)"
    if binaries() is None:
        return "PostgreSQL is not installed (initdb/pg_ctl not found): `scripts/setup-system.sh test` installs it"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "running as root without setpriv: initdb refuses root"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One PostgreSQL server; `database()` makes a fresh database on it and returns its URL."""

    def __init__(self) -> None:
        bindir = binaries()
        if bindir is None:
            raise RuntimeError(why_unavailable() or "no PostgreSQL")
        self.bindir = bindir
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="eventops-pg-"))
        self.data = self.dir / "data"
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
            self._prefix = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
        self.started = False

    def _run(self, *args: str) -> None:
        # Without this pytest process's marks: the server is the session's, not a test's.
        env = {k: v for k, v in os.environ.items() if k not in (processes.OWNER, processes.MARK)}
        env["LC_ALL"] = "C"
        result = subprocess.run([*self._prefix, *args], capture_output=True, text=True, env=env, cwd=self.dir, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {result.stdout}{result.stderr}")

    def start(self) -> PgServer:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' -c fsync=off -c max_connections=200"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-o", options, "start")
        self.started = True
        return self

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database(self) -> str:
        """A fresh, empty database's URL."""
        import psycopg

        name = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)
