"""Printed badges: PNGs that scan, A4 sheets of A6 badges, every European script in the font."""

from __future__ import annotations

import re
from pathlib import Path

import zxingcpp
from click.testing import CliRunner
from fontTools.ttLib import TTFont
from PIL import Image
from sqlite_utils import Database

from checkin.badges.keys import issue_token, key_path
from checkin.badges.print import png_name
from checkin.badges.render import FONT_BOLD, FONT_REGULAR, qr_matrix
from checkin.badges.token import verify_badge
from db.fold import load_state
from eventops.cli import main
from tests.badges.helpers import make_event

EUROPEAN = (
    "Zoë Ångström Ærøskøbing Øresund Ðorđe Šćepanović Łukasz Żółć Ţuţea Ştefan Ğüneş İzmir Øystein "
    "Þórunn Eyjólfsdóttir Ľubomír Ťažký Dvořák Ő Ű Ŗīga Ģirts Ķēniņš Ļ Ņ Ėglė Ąžuolas Ūla Ē Ā "
    "Αλέξανδρος Παπαδόπουλος ΐ ΰ Жана Иванова Ґанна Їжак Єва Ђорђе Љубица Њ Ћ Џ Ѓ Ќ Ѕ Ј ß ẞ ŉ Ŀ ŀ Ə ə"
)


def test_the_embedded_fonts_have_every_european_letter() -> None:
    for font_path in (FONT_REGULAR, FONT_BOLD):
        cmap = TTFont(str(font_path)).getBestCmap()
        missing = {c for c in EUROPEAN if not c.isspace() and ord(c) not in cmap}
        assert not missing, (font_path.name, missing)


def test_qr_is_version_5_at_most(fresh_db: Database, db_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    assert len(qr_matrix(issue_token(fresh_db, db_path, ids[0]))) == 37  # version 5: 37 x 37 modules


def test_badges_command_writes_pngs_that_scan_and_a_pdf(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    ids = make_event(fresh_db, db_path, attendees=6)
    out, pdf = tmp_path / "out", tmp_path / "badges.pdf"
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(out), "--pdf", str(pdf), "--dpi", "150"])
    assert result.exit_code == 0, result.output
    assert "6 badges" in result.output and "2 A4 pages" in result.output
    state = load_state(fresh_db)
    for ident in ids:
        image = Image.open(out / png_name(ident))
        assert image.size == (620, 874)  # A6 at 150 dpi
        texts = [r.text for r in zxingcpp.read_barcodes(image)]
        assert len(texts) == 1 and verify_badge(texts[0], state).attendee_id == ident
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 2
    assert b"/FontFile2" in data  # the fonts are embedded


def test_only_some_badges(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    make_event(fresh_db, db_path, attendees=4)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(out), "--only", "A0002", "--only", "A0004", "--dpi", "100"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["A0002.png", "A0004.png"]
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(out), "--only", "B1"])
    assert result.exit_code == 1 and "no attendee 'B1'" in result.output


def test_keys_init_then_again(fresh_db: Database, db_path: Path) -> None:
    make_event(fresh_db, db_path, key=False)
    runner = CliRunner()
    first = runner.invoke(main, ["keys", "init", "--db", str(db_path)])
    assert first.exit_code == 0 and "signing key" in first.output
    before = key_path(db_path).read_bytes()
    again = runner.invoke(main, ["keys", "init", "--db", str(db_path)])
    assert again.exit_code == 1 and "already has signing key" in again.output and "Traceback" not in again.output
    assert key_path(db_path).read_bytes() == before
    rotated = runner.invoke(main, ["keys", "init", "--db", str(db_path), "--rotate"])
    assert rotated.exit_code == 0 and key_path(db_path).read_bytes() != before


def test_reissue_command_revokes_the_old_badge(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    ids = make_event(fresh_db, db_path)
    old = issue_token(fresh_db, db_path, ids[0])
    result = CliRunner().invoke(main, ["badges", "reissue", ids[0], "--db", str(db_path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "serial 2" in result.output
    state = load_state(fresh_db)
    assert verify_badge(old, state).reason == "revoked"
    texts = [r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / f"{ids[0]}.png"))]
    assert verify_badge(texts[0], state).ok
    missing = CliRunner().invoke(main, ["badges", "reissue", "NOBODY", "--db", str(db_path)])
    assert missing.exit_code == 1 and "no attendee" in missing.output
