"""A private CUPS server for the printing tests: its own cupsd, config, spool and socket, with a
CUPS-PDF queue, so a badge goes through real CUPS (lp, filters, backend) and comes out as a PDF.

Nothing of the machine's own CUPS is touched: cupsd is started with `-c`/`-s` pointing at files
written here, listens only on a Unix socket in a temporary directory, and keeps its state, cache,
logs, printcap and PPDs there. What it cannot be told is where the cups-pdf backend writes: that
is compiled in (/etc/cups/cups-pdf.conf, `Out`), so the tests read it there, find the file by its
CUPS job number (made unique per server: it starts at a random number) and delete it.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests import processes

CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
QUEUE = "eventops-pdf"
PAUSED = "eventops-paused"
START_S = 20.0


@dataclass(frozen=True)
class Cups:
    """A running private CUPS: `server` is what CUPS_SERVER (or PrintQueue's `server`) takes."""

    server: str
    root: Path
    out: Path  # where cups-pdf writes the PDFs of this user's jobs

    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": self.server, "LC_ALL": "C"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), env=self.env(), capture_output=True, text=True, timeout=30, check=False)

    def output_of(self, cups_id: str) -> Path | None:
        """The PDF cups-pdf wrote for CUPS job `cups_id` (e.g. eventops-pdf-812345), if any."""
        number = cups_id.rsplit("-", 1)[-1]
        found = sorted(self.out.glob(f"*job_{number}.pdf")) if self.out.is_dir() else []
        return found[0] if found else None


def why_not() -> str | None:
    """Why a private CUPS with the CUPS-PDF printer cannot run here (None: it can)."""
    if os.geteuid() != 0:
        return "the cups-pdf backend runs only under a cupsd started as root; these tests need root"
    for tool in ("cupsd", "lpadmin", "lpinfo", "lp", "lpstat", "cupsdisable", "pdftoppm"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (scripts/setup-system.sh test installs cups, printer-driver-cups-pdf, poppler-utils)"
    if not CUPS_PDF_BACKEND.exists() or not CUPS_PDF_CONF.exists():
        return "printer-driver-cups-pdf not installed (scripts/setup-system.sh test installs it)"
    return None


def output_dir(user: str | None = None) -> Path:
    """Where cups-pdf puts `user`'s PDFs, read from its config (`Out`; its default otherwise)."""
    entry = pwd.getpwuid(os.geteuid()) if user is None else pwd.getpwnam(user)
    out = "/var/spool/cups-pdf/${USER}"
    for line in CUPS_PDF_CONF.read_text(errors="replace").splitlines():
        words = line.split(None, 1)
        if len(words) == 2 and words[0] == "Out":
            out = words[1].strip()
    return Path(out.replace("${HOME}", entry.pw_dir).replace("${USER}", entry.pw_name))


CUPSD_CONF = """\
Listen {socket}
LogLevel warn
WebInterface No
Browsing No
DefaultAuthType None
MaxJobs 0
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

FILES_CONF = """\
ServerRoot {root}/etc
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
Printcap {root}/printcap
SystemGroup root
Sandboxing relaxed
"""


def ppd_of_cups_pdf(env: dict[str, str]) -> str:
    """The CUPS-PDF driver's model name as this CUPS lists it (lpinfo -m)."""
    listed = subprocess.run(["lpinfo", "-m"], env=env, capture_output=True, text=True, timeout=60, check=False).stdout
    models = [line.split()[0] for line in listed.splitlines() if "CUPS-PDF" in line]
    preferred = [model for model in models if model.endswith("CUPS-PDF_opt.ppd")]
    return (preferred or models or ["lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"])[0]


@contextmanager
def private_cups() -> Iterator[Cups]:
    """Start a private cupsd with two CUPS-PDF queues (one paused, "out of labels"); stop it after."""
    root = Path(tempfile.mkdtemp(prefix="eventops-cups-"))
    root.chmod(0o755)  # filters run as the lp user and must reach the spool and temp files
    for sub in ("etc", "spool", "cache", "state", "log"):
        (root / sub).mkdir()
    (root / "tmp").mkdir(mode=0o1777)
    (root / "tmp").chmod(0o1777)
    socket = root / "cups.sock"
    (root / "etc" / "cupsd.conf").write_text(CUPSD_CONF.format(socket=socket))
    (root / "etc" / "cups-files.conf").write_text(FILES_CONF.format(root=root))
    # Job numbers start anywhere in a million, so two servers (xdist workers, earlier runs) never
    # give cups-pdf the same output file name.
    (root / "cache" / "job.cache").write_text(f"# Job cache file for CUPS\nNextJobId {random.randrange(100_000, 999_999)}\n")
    log = (root / "log" / "cupsd.out").open("wb")
    proc = processes.start(
        ["cupsd", "-f", "-c", str(root / "etc" / "cupsd.conf"), "-s", str(root / "etc" / "cups-files.conf")],
        stdout=log, stderr=subprocess.STDOUT,
    )
    cups = Cups(str(socket), root, output_dir())
    try:
        deadline = time.monotonic() + START_S
        while cups.run("lpstat", "-r").stdout.strip() != "scheduler is running":
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private cupsd did not start: {(root / 'log' / 'cupsd.out').read_text(errors='replace')[-500:]}")
            time.sleep(0.05)
        model = ppd_of_cups_pdf(cups.env())
        for queue in (QUEUE, PAUSED):
            added = cups.run("lpadmin", "-p", queue, "-v", "cups-pdf:/", "-m", model, "-E")
            if added.returncode != 0:
                raise RuntimeError(f"lpadmin {queue}: {added.stderr.strip()}")
        paused = cups.run("cupsdisable", "-r", "out of labels", PAUSED)
        if paused.returncode != 0:
            raise RuntimeError(f"cupsdisable: {paused.stderr.strip()}")
        yield cups
    finally:
        processes.stop(proc)
        log.close()
        processes.remove_tree(root)
