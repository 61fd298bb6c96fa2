"""Commands: the demo event (create it, simulate its days, watch it live)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from eventops.lang import lang_option
from eventops.options import db_option

if TYPE_CHECKING:
    from checkin.simulator.run import Simulation

#: A demo on its fixed days goes live on its second day at this time, after a day and a half.
LIVE_START_TIME = "12:40"
LIVE_START = "2024-03-21T12:40"  # the same moment on the fixed days of March 2024
LIVE_SPEED = 60.0


def default_demo_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("eventops")) / "demo.db"


def _parse_until(value: str, tz: str) -> int:
    from db.errors import EventOpsError
    from db.fold import parse_local

    try:
        return parse_local(value, tz)
    except ValueError:
        raise EventOpsError(f"{value!r} is not a time like 2024-03-20T18:00") from None


@click.group("demo", invoke_without_command=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Demo database (default: in your user data directory).")
@click.option("--speed", default=LIVE_SPEED, show_default=True, type=click.FloatRange(1, 3600),
              help="Simulated seconds per real second (a demo happening today follows the clock).")
@click.option("--fresh", is_flag=True, help="Start over with a new demo database.")
@click.option("--today/--fixed-days", default=True, show_default=True,
              help="Hold the demo's three days from today (live), or on 20-22 March 2024 in accelerated time.")
@lang_option
@click.pass_context
def demo_group(ctx: click.Context, db_path: Path | None, speed: float, fresh: bool, today: bool) -> None:
    """The demo event, Security, Democracy & Cities (Brussels, three days from today).

    With no subcommand: creates the demo (first time only) with its three days starting today,
    plays what already happened today, then keeps simulating the stations on the clock in the
    background while the live dashboard shows it (scan a demo badge with `eventops checkin` and
    it counts today). With --fixed-days: the days of 20-22 March 2024, the first day and a half
    played at once, the rest in accelerated time. Press q to quit; the simulation stops with it.

    \b
    Example:
        eventops demo
        eventops demo --fixed-days --speed 120 --fresh
        eventops demo --lang nl
    """
    if ctx.invoked_subcommand is not None:
        return
    path = db_path or default_demo_path()
    if fresh or (today and _over(path)):
        _remove_demo(path)
    _run_live_demo(path, speed, today)


def _remove_demo(path: Path) -> None:
    import shutil

    from db import signing

    for suffix in ("", "-wal", "-shm", ".signing-key"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(signing.keys_dir(path), ignore_errors=True)


def _over(path: Path) -> bool:
    """Whether `path` holds a demo whose days are all past (a demo tried live another week):
    `eventops demo` then starts a new one for today. Another event is never touched."""
    from checkin.simulator.setup import today as today_date
    from db.connect import connect
    from db.event import event_info

    if not path.exists() or path.stat().st_size == 0:
        return False
    db = connect(path, create=False)
    try:
        info = event_info(db)
    finally:
        db.conn.close()
    if info is None or not info.demo or not info.days or info.days[-1] >= today_date(info.tz):
        return False
    click.echo(f"the demo in {path} was held {info.days[0]} to {info.days[-1]}; starting it again from today")
    return True


def happening_today(days: tuple[str, ...], tz: str) -> bool:
    """Whether today (in the event's zone) is one of the demo's days: it then runs on the clock."""
    from checkin.simulator.setup import today as today_date

    return today_date(tz) in days


def _live_start(sim: Simulation) -> int:
    """Where the live demo starts: now for a demo happening today, else its second day at 12:40."""
    from db.hlc import system_wall_ms

    if happening_today(sim.demo.days, sim.demo.tz):
        return system_wall_ms()
    return _parse_until(f"{sim.demo.days[min(1, len(sim.demo.days) - 1)]}T{LIVE_START_TIME}", sim.demo.tz)


def _run_live_demo(path: Path, speed: float, today: bool = True) -> None:
    from checkin.simulator.run import Simulation
    from checkin.simulator.setup import init_demo
    from checkin.simulator.setup import today as today_date
    from db.connect import connect
    from db.demo.programme import TZ

    setup = init_demo(path, first_day=today_date(TZ) if today else None)
    if setup.created:
        click.echo(f"created the demo event in {path} ({setup.attendees} attendees, {setup.days[0]} to {setup.days[-1]})")
    db = connect(path, create=False)
    sim = Simulation(db, path)
    start = _live_start(sim)
    done = sim.done_until
    todo = sum(1 for step in sim.steps() if done < step.at_ms <= start and not step.offline)
    if todo:
        live_now = happening_today(sim.demo.days, sim.demo.tz)
        click.echo("playing what happened so far today..." if live_now else
                   "playing the first day and a half (arrivals, sessions, a desk offline)...")
        progress = Progress(todo)
        sim.run_until(start, on_step=lambda step, verdict: progress.step())
        progress.done()
    elif done < start:
        sim.run_until(start)
    db.conn.close()
    live = subprocess.Popen(
        [sys.executable, "-m", "eventops", "demo", "simulate", "--db", str(path), "--live", "--speed", str(speed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from dashboard.run import run_dashboard

        run_dashboard(path)
    finally:
        live.terminate()
        try:
            live.wait(timeout=5)
        except subprocess.TimeoutExpired:
            live.kill()


@demo_group.command("init")
@db_option
@click.option("--seed", default=7, show_default=True, help="Random seed of the generated event.")
@click.option("--today", is_flag=True, help="Hold the demo's three days from today (default: 20-22 March 2024).")
def demo_init(db_path: Path, seed: int, today: bool) -> None:
    """Create the demo event in a new database, with its badge signing key.

    Refuses to touch a database that holds another event. With --today its three days start
    today (sessions, visits, buses and the simulated scans with them), so a demo badge scanned
    now counts today.

    \b
    Example:
        eventops demo init --db demo.db
        eventops demo init --db demo.db --today
    """
    from checkin.simulator.setup import init_demo
    from checkin.simulator.setup import today as today_date
    from db.demo.programme import TZ

    setup = init_demo(db_path, seed, first_day=today_date(TZ) if today else None)
    if setup.created:
        click.echo(f"created the demo event in {db_path}: {setup.attendees} attendees, {setup.events} events, "
                   f"{setup.days[0]} to {setup.days[-1]}, signing key {setup.kid}")
    else:
        click.echo(f"{db_path} already holds the demo event ({setup.events} events); nothing changed")


@demo_group.command("simulate")
@db_option
@click.option("--until", "until", default=None,
              help="Simulate up to this local time, e.g. 2024-03-20T18:00 (default: the end of the event; now for a demo happening today).")
@click.option("--seed", default=None, type=int, help="Random seed (default: the one the demo was made with).")
@click.option("--live", is_flag=True, help="Keep simulating in accelerated time until stopped.")
@click.option("--speed", default=LIVE_SPEED, show_default=True, type=click.FloatRange(1, 3600), help="With --live: simulated seconds per real second.")
def demo_simulate(db_path: Path, until: str | None, seed: int | None, live: bool, speed: float) -> None:
    """Play the demo's days through the stations, from where the last run stopped.

    Desks check people in, doors fill the rooms (one too small), a desk goes offline and
    admits a badge already used, forged and revoked badges are refused, buses board, leave
    with someone missing and come back.

    \b
    Example:
        eventops demo simulate --db demo.db --until 2024-03-20T18:00
        eventops demo simulate --db demo.db --live --speed 60
    """
    import signal

    from checkin.simulator.run import Simulation
    from db.connect import connect
    from db.fold import load_state
    from db.hlc import system_wall_ms

    db = connect(db_path, create=False)
    sim = Simulation(db, db_path, seed=seed)
    on_the_clock = happening_today(sim.demo.days, sim.demo.tz)
    if live:
        stopping = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
        start = max(sim.done_until, _live_start(sim))
        with contextlib.suppress(KeyboardInterrupt):
            sim.run_live(start, speed, stop=lambda: stopping["now"], wall=system_wall_ms if on_the_clock else None)
        return
    last = max(s.at_ms for s in sim.steps())
    # A demo happening today is not played into the future: a scan made by hand now must come after.
    end = _parse_until(until, sim.demo.tz) if until else (min(last, system_wall_ms()) if on_the_clock else last)
    started = time.monotonic()
    summary = sim.run_until(end)
    for line in summary.lines(load_state(db)):
        click.echo(line)
    click.echo(f"  ({time.monotonic() - started:.1f} s)")


class Progress:
    """The first run's progress on stderr, counted in simulated steps (it once stayed at 0 %: it
    was measured from a start that a first run does not have): a bar on a terminal, a line
    every 10 % otherwise (a log, a test reading stderr)."""

    def __init__(self, total: int) -> None:
        self.total, self.count, self.shown = max(1, total), 0, 0
        self.bar = click.progressbar(length=self.total, label="simulating", file=sys.stderr) if sys.stderr.isatty() else None
        if self.bar is not None:
            self.bar.__enter__()
        else:
            click.echo("simulating:   0%", err=True)

    def step(self) -> None:
        self.count = min(self.total, self.count + 1)
        if self.bar is not None:
            self.bar.update(1)
            return
        percent = 100 * self.count // self.total
        if percent >= self.shown + 10:
            self.shown = percent - percent % 10
            click.echo(f"simulating: {self.shown:3d}%", err=True)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.update(self.total - self.count)
            self.bar.__exit__(None, None, None)
        elif self.shown < 100:
            click.echo("simulating: 100%", err=True)


commands: list[click.Command] = [demo_group]
