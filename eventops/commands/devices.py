"""Commands: `decode` (QR codes in image and video files) and `doctor` (what this machine has)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from db.errors import EventOpsError
from eventops.options import json_option

DECODER_CHOICES = ("auto", "zxing", "pyzbar", "opencv")


@click.command("decode")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--decoder", "decoder_name", type=click.Choice(DECODER_CHOICES), default="auto", show_default=True, help="Which decoder (auto = the measured chain).")
@json_option
def decode_command(files: tuple[Path, ...], decoder_name: str, as_json: bool) -> None:
    """Print the QR payloads found in image or video files.

    For a video, all distinct payloads in order of first appearance. With --json, one
    object per file and line: {"file", "payloads", "decoder", "ms"} (plus "error" when
    the file could not be read; the exit status is then 1).

    \b
    Example:
        eventops decode badge.png desk.avi
        eventops decode --json --decoder zxing photos/*.jpg
    """
    from checkin.scanning import decoders
    from checkin.scanning.files import decode_file

    try:
        decoder = decoders.make(decoder_name)
    except decoders.DecoderMissing as error:
        raise EventOpsError(str(error)) from None
    failed = False
    for path in files:
        result = decode_file(path, decoder)
        failed = failed or bool(result.error)
        if as_json:
            obj: dict[str, object] = {"file": str(path), "payloads": result.payloads, "decoder": decoder_name, "ms": round(result.ms, 2)}
            if result.error:
                obj["error"] = result.error
            click.echo(json.dumps(obj, ensure_ascii=False))
        elif result.error:
            click.echo(f"{path}: {result.error}", err=True)
        elif result.payloads:
            for payload in result.payloads:
                click.echo(f"{path}: {payload}")
        else:
            more = f" ({result.unread} located but unreadable)" if result.unread else ""
            click.echo(f"{path}: no QR code found{more}")
    if failed:
        raise SystemExit(1)


@click.command("doctor")
@json_option
@click.option("--cameras", "max_cameras", default=4, show_default=True, help="How many camera indexes to probe.")
def doctor_command(as_json: bool, max_cameras: int) -> None:
    """Check what this machine offers a station: decoders, cameras, terminal.

    Says what to do about anything missing.

    \b
    Example:
        eventops doctor
        eventops doctor --json
    """
    from checkin.scanning.doctor import examine

    report = examine(max_cameras=max_cameras)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    for line in report.lines():
        click.echo(line)


commands: list[click.Command] = [decode_command, doctor_command]
