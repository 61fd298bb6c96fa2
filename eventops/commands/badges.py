"""Commands: the event's signing key (`keys init`) and badges (`badges`, `badges reissue`,
`badges revoke`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from eventops.options import db_option, open_db
from eventops.store_option import Where, event_option, optional_store_option


@click.group("keys")
def keys_group() -> None:
    """The event's badge signing key.

    \b
    Example:
        eventops keys init --db event.db
    """


@keys_group.command("init")
@db_option
@click.option("--rotate", is_flag=True, help="Make a new key even if the event has one (old badges stay valid).")
def keys_init(db_path: Path, rotate: bool) -> None:
    """Create the event's Ed25519 signing key.

    The private key is written beside the database (DB.signing-key, readable by you
    only); stations receive only the public key, through the log. Refuses, changing
    nothing, if the event already has a key, unless --rotate.

    \b
    Example:
        eventops keys init --db event.db
        eventops keys init --db event.db --rotate
    """
    from checkin.badges.keys import create_signing_key, key_path

    db = open_db(db_path)
    kid = create_signing_key(db, db_path, rotate=rotate)
    click.echo(f"signing key {kid} {'rotated in' if rotate else 'created'}; private key in {key_path(db_path)} (keep it off the stations)")


@click.group("badges", invoke_without_command=True)
@optional_store_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Directory for one PNG per attendee.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write printable A4 sheets (4 A6 badges each).")
@click.option("--only", "only", multiple=True, metavar="ID", help="Only this attendee (repeatable).")
@click.option("--dpi", default=300, show_default=True, type=click.IntRange(72, 1200), help="Resolution of the PNGs.")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 64), help="Processes drawing the PNGs.")
@click.pass_context
def badges_group(
    ctx: click.Context, where: Where | None, out_dir: Path | None, pdf_path: Path | None, only: tuple[str, ...], dpi: int, jobs: int
) -> None:
    """Make signed badges: a PNG per attendee and a printable PDF.

    Each badge shows the event's name, a role colour band, the name (shrunk, then on two
    lines, to fit), organisation, city and country, and a QR code sized to scan from
    30-50 cm (see docs/badges.md). An attendee whose badge cannot be made is listed with
    the reason and the others are made; the exit status is then 1.

    \b
    Example:
        eventops badges --db event.db --out badges/ --pdf badges.pdf
        eventops badges --db event.db --out badges/ --only A0001 --only A0002
        eventops badges reissue A0001 --db event.db
        eventops badges --store postgresql://hub@db.example/event --out badges/
    """
    if ctx.invoked_subcommand is not None:
        return
    if where is None or out_dir is None:
        raise click.UsageError("--db (or --store) and --out are required to make badges (or use `eventops badges reissue ID --db PATH`)")
    with where.local() as db_path:
        _make_badges(ctx, db_path, out_dir, pdf_path, only, dpi, jobs)


def _make_badges(
    ctx: click.Context, db_path: Path, out_dir: Path, pdf_path: Path | None, only: tuple[str, ...], dpi: int, jobs: int
) -> None:
    """The badges of the event in the SQLite file at `db_path` (the file, or a store's mirror)."""
    from checkin.badges.batch import glyph_warnings, make_badges, shaping_warnings
    from checkin.badges.fonts import font_chain
    from checkin.badges.keys import load_signing_key
    from checkin.badges.print import BadgeSheets, collect_faces
    from db.fold import load_state

    db = open_db(db_path)
    state = load_state(db)
    key = load_signing_key(db_path)
    faces, failures = collect_faces(state, key, list(only) if only else sorted(state.attendees))
    chain = font_chain()
    sheets = BadgeSheets() if pdf_path else None
    for warning in ([chain.warning] if chain.warning else []) + shaping_warnings(faces, sheets) + glyph_warnings(faces, chain):
        click.echo(f"warning: {warning}", err=True)
    with click.progressbar(length=len(faces) * (2 if sheets else 1), label="badges", file=sys.stderr) as bar:
        run = make_badges(faces, out_dir, dpi=dpi, sheets=sheets, jobs=jobs, advance=bar.update)
    made = len(run.made)
    message = f"{made} badge{'s' if made != 1 else ''}: PNG in {out_dir}"
    if sheets is not None and pdf_path is not None:
        sheets.save(pdf_path)
        pages = max(1, run.pages)
        message += f", PDF {pdf_path} ({pages} A4 page{'s' if pages != 1 else ''})"
    click.echo(message)
    failures = sorted(failures + run.failures, key=lambda failure: failure.attendee_id)
    if failures:
        click.echo(f"could not make {len(failures)} badge{'s' if len(failures) != 1 else ''}:", err=True)
        for failure in failures:
            click.echo(f"  {failure.attendee_id}: {failure.reason}", err=True)
        ctx.exit(1)


@badges_group.command("reissue")
@click.argument("attendee_id", metavar="ID")
@event_option(writes=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write the new badge PNG here.")
@click.option("--reason", default="reissued", show_default=True, help="Why (recorded with the revocation).")
def badges_reissue(attendee_id: str, db_path: Path, out_dir: Path | None, reason: str) -> None:
    """Revoke an attendee's badge and issue a new one (lost or damaged badge).

    The revocation is an event: every station refuses the old badge once it has synced.

    \b
    Example:
        eventops badges reissue A0001 --db event.db --out badges/
        eventops badges reissue A0001 --store postgresql://hub@db.example/event --out badges/
    """
    from checkin.badges.keys import reissue_badge
    from checkin.badges.print import badge_faces, png_name
    from checkin.badges.render import render_png
    from checkin.badges.token import parse_token

    db = open_db(db_path)
    token = reissue_badge(db, db_path, attendee_id, reason=reason)
    claim = parse_token(token)
    serial = claim.serial if claim else "?"
    line = f"badge of {attendee_id} reissued: serial {serial}, the old one is revoked"
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        face = badge_faces(db, db_path, [attendee_id])[0]
        path = render_png(face, out_dir / png_name(attendee_id))
        line += f"; new badge {path}"
    click.echo(line)


@badges_group.command("revoke")
@click.argument("attendee_id", metavar="ID")
@event_option(writes=True)
@click.option("--reason", default="revoked", show_default=True, help="Why (recorded with the revocation).")
def badges_revoke(attendee_id: str, db_path: Path, reason: str) -> None:
    """Revoke an attendee's badge without making a new one (cancelled, banned, left).

    Every station refuses the badge once it has synced; `badges reissue` makes a new one
    later if the person comes after all.

    \b
    Example:
        eventops badges revoke A7K3M9PX --db event.db --reason "order cancelled"
        eventops badges revoke A7K3M9PX --store postgresql://hub@db.example/event --reason "order cancelled"
    """
    from db.revocations import revoke_badge

    db = open_db(db_path)
    try:
        serial = revoke_badge(db, attendee_id, reason=reason)
    finally:
        db.conn.close()
    click.echo(f"badge of {attendee_id} (serial {serial}) revoked: {reason}")


commands: list[click.Command] = [keys_group, badges_group]
