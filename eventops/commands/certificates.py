"""Command: `eventops certificates`, one PDF certificate of attendance per attendee who attended.

Thin wiring: the figures are `db.reports.certificates` (the numbers of `export attendance`),
the drawing is `organiser.certificates`. Every input is checked before anything is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from db.errors import EventOpsError
from eventops.options import folded_at
from eventops.store_option import event_option

#: Left-out attendees named per reason in the summary; the rest are counted.
NAMED = 20


@click.command("certificates")
@event_option()
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), metavar="DIR",
              help="Directory for the PDFs, one per attendee, named by attendee id (made if missing).")
@click.option("--only", "only", multiple=True, metavar="ID", help="Only this attendee (repeatable).")
@click.option("--min-minutes", "min_minutes", default=0, show_default=True, type=click.IntRange(0, 24 * 60), metavar="N",
              help="A session counts only with N minutes present or more; attendees with none get no certificate.")
@click.option("--at", "at", default=None, metavar="TIME",
              help="As the log stood at this moment (2024-03-20T17:00, or HH:MM on the event's first day).")
@click.option("--place", "place", default=None, metavar="TEXT",
              help="Where the event took place, as printed (default: the city of the event's time zone).")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 64), help="Processes drawing the PDFs.")
def certificates(db_path: Path, out_dir: Path, only: tuple[str, ...], min_minutes: int, at: str | None,
                 place: str | None, jobs: int) -> None:
    """Certificates of attendance: one PDF per attendee who attended, for training credits.

    Each states the event's name, dates and place, the person's name and organisation, each
    day present, each session attended (day, time, room, title, minutes present) and the total
    hours, with a line for the organiser's signature. The minutes are those of `eventops
    export attendance`. An attendee is certified for a day checked in at a desk or a session
    attended; with --min-minutes, only for sessions of N minutes or more. Those left out are
    listed with the reason.

    \b
    Example:
        eventops certificates --db hub.db --out certificates/ --place "Brussels, Belgium"
        eventops certificates --db hub.db --out certificates/ --only A0001 --min-minutes 30
        eventops certificates --store postgresql://hub@db.example/event --out certificates/ --place "Brussels, Belgium"
    """
    from db import reports
    from organiser.certificate_page import Event, place_of
    from organiser.certificates import write_all

    if out_dir.exists() and not out_dir.is_dir():
        raise EventOpsError(f"--out {out_dir} is a file, not a directory: give a directory for the PDFs")
    state, _ = folded_at(db_path, at, "no certificates to make")
    unknown = [ident for ident in dict.fromkeys(only) if ident not in state.attendees]
    if unknown:
        raise EventOpsError(f"--only: no attendee {', '.join(repr(i) for i in unknown)} in this event; nothing written")
    made, left = reports.certificates(state, tuple(dict.fromkeys(only)), min_minutes)
    info = state.info
    event = Event(info.id, info.name, tuple(info.days), (place or "").strip() or place_of(info.tz), info.tz)
    failed: dict[str, str] = {}
    if made:
        with click.progressbar(length=len(made), label="certificates", file=sys.stderr) as bar:
            failed = write_all(made, event, out_dir, jobs=jobs, advance=bar.update)
    count = len(made) - len(failed)
    click.echo(f"{count} certificate{'s' if count != 1 else ''} of attendance in {out_dir}")
    if left:
        click.echo(f"no certificate for {len(left)} attendee{'s' if len(left) != 1 else ''}:")
        by_reason: dict[str, list[reports.NoCertificate]] = {}
        for one in left:
            by_reason.setdefault(one.reason, []).append(one)
        for reason, people in by_reason.items():
            named = ", ".join(f"{p.attendee} ({p.name})" for p in people[:NAMED])
            more = f" and {len(people) - NAMED} more" if len(people) > NAMED else ""
            click.echo(f"  {reason} ({len(people)}): {named}{more}")
    if failed:
        click.echo(f"could not make {len(failed)} certificate{'s' if len(failed) != 1 else ''}:", err=True)
        for ident, why in sorted(failed.items()):
            click.echo(f"  {ident}: {why}", err=True)
        raise SystemExit(1)


commands: list[click.Command] = [certificates]
