"""Commands: the demo event (create it, simulate its days, watch it live)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import click

from eventops.lang import lang_option
from eventops.options import db_option

#: Where `eventops demo` keeps its database when no --db is given.
LIVE_START = "2024-03-21T12:40"
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
@click.option("--speed", default=LIVE_SPEED, show_default=True, type=click.FloatRange(1, 3600), help="Simulated seconds per real second.")
@click.option("--fresh", is_flag=True, help="Start over with a new demo database.")
@lang_option
@click.pass_context
def demo_group(ctx: click.Context, db_path: Path | None, speed: float, fresh: bool) -> None:
    """The demo event, Security, Democracy & Cities (Brussels, 20-22 March 2024).

    With no subcommand: creates the demo (first time only), plays the first day and a half,
    then keeps simulating stations in accelerated time in the background while the live
    dashboard shows it. Press q to quit; the simulation stops with it.

    \b
    Example:
        eventops demo
        eventops demo --speed 120 --fresh
        eventops demo --lang nl
    """
    if ctx.invoked_subcommand is not None:
        return
    path = db_path or default_demo_path()
    if fresh:
        for suffix in ("", "-wal", "-shm", ".signing-key"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    _run_live_demo(path, speed)


def _run_live_demo(path: Path, speed: float) -> None:
    from checkin.simulator.run import Simulation
    from checkin.simulator.setup import init_demo
    from db.connect import connect

    setup = init_demo(path)
    if setup.created:
        click.echo(f"created the demo event in {path} ({setup.attendees} attendees)")
    db = connect(path, create=False)
    sim = Simulation(db, path)
    start = _parse_until(LIVE_START, sim.demo.tz)
    if sim.done_until < start:
        click.echo("playing the first day and a half (arrivals, sessions, a desk offline)...")
        with click.progressbar(length=start - sim.done_until if sim.done_until else 100, label="simulating") as bar:
            origin = sim.done_until
            last = [origin]

            def advance(step, verdict) -> None:  # type: ignore[no-untyped-def]
                if origin:
                    bar.update(step.at_ms - last[0])
                    last[0] = step.at_ms

            sim.run_until(start, on_step=advance)
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
def demo_init(db_path: Path, seed: int) -> None:
    """Create the demo event in a new database, with its badge signing key.

    Refuses to touch a database that holds another event.

    \b
    Example:
        eventops demo init --db demo.db
    """
    from checkin.simulator.setup import init_demo

    setup = init_demo(db_path, seed)
    if setup.created:
        click.echo(f"created the demo event in {db_path}: {setup.attendees} attendees, {setup.events} events, signing key {setup.kid}")
    else:
        click.echo(f"{db_path} already holds the demo event ({setup.events} events); nothing changed")


@demo_group.command("simulate")
@db_option
@click.option("--until", "until", default=None, help="Simulate up to this local time, e.g. 2024-03-20T18:00 (default: the end of the event).")
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

    db = connect(db_path, create=False)
    sim = Simulation(db, db_path, seed=seed)
    if live:
        stopping = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
        start = max(sim.done_until, _parse_until(LIVE_START, sim.demo.tz))
        with contextlib.suppress(KeyboardInterrupt):
            sim.run_live(start, speed, stop=lambda: stopping["now"])
        return
    end = _parse_until(until, sim.demo.tz) if until else max(s.at_ms for s in sim.steps())
    started = time.monotonic()
    summary = sim.run_until(end)
    for line in summary.lines(load_state(db)):
        click.echo(line)
    click.echo(f"  ({time.monotonic() - started:.1f} s)")


commands: list[click.Command] = [demo_group]
