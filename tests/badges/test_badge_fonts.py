"""Fonts: every script's names printable with the fonts found here, a clear warning naming the
scripts a machine without Noto cannot print, and one naming any letter still missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont
from sqlite_utils import Database

from checkin.badges.fonts import FONT_DIRS_ENV, build_chain, font_chain
from checkin.badges.print import BadgeSheets
from checkin.badges.render import raqm_available
from eventops.cli import main
from tests.badges.helpers import SCRIPTS, make_event, register, script_people

needs_noto = pytest.mark.skipif(bool(font_chain().missing_scripts), reason="Noto fonts (fonts-noto-core, fonts-noto-cjk) not installed")


@needs_noto
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_every_letter_of_every_script_is_in_the_font_that_draws_it(script: str) -> None:
    """Checked against each font file's own character map (fontTools), not the chain's copy."""
    chain = font_chain()
    for text in SCRIPTS[script][:3]:
        assert chain.missing(text) == []
        for run in chain.runs(text):
            face = chain.faces[run.face]
            for bold in (False, True):
                cmap = TTFont(str(face.path(bold)), fontNumber=face.face_index(bold), lazy=True).getBestCmap()
                absent = [c for c in run.text if ord(c) not in cmap]
                assert not absent, (script, face.path(bold).name, absent)


@needs_noto
def test_each_script_is_drawn_by_its_own_noto_font() -> None:
    chain = font_chain()
    keys = {script: {chain.faces[run.face].key for run in chain.runs(SCRIPTS[script][0])} for script in SCRIPTS}
    assert keys["latin"] == keys["greek"] == keys["cyrillic"] == {"sans"}
    assert keys["chinese"] == keys["japanese"] == keys["korean"] == {"cjk"}
    assert keys["arabic"] == {"arabic"} and keys["hebrew"] == {"hebrew"}


def test_without_noto_dejavu_prints_and_the_warning_names_what_is_missing(tmp_path: Path) -> None:
    chain = build_chain([tmp_path])
    assert [face.key for face in chain.faces] == ["dejavu"]
    assert "Chinese/Japanese (CJK)" in chain.missing_scripts and "Greek" not in chain.missing_scripts
    assert chain.warning is not None
    assert "bundled DejaVu Sans" in chain.warning and "CJK" in chain.warning and "fonts-noto-cjk" in chain.warning


def test_the_command_warns_once_and_names_each_missing_letter(
    fresh_db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_event(fresh_db, db_path, attendees=2)
    register(fresh_db, script_people())
    monkeypatch.setenv(FONT_DIRS_ENV, str(tmp_path / "no-fonts-here"))  # as on a machine without Noto
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(tmp_path / "png"), "--dpi", "72", "--jobs", "1"])
    assert result.exit_code == 0, result.output  # a missing letter is a warning: the badge is made
    assert result.output.count("bundled DejaVu Sans") == 1
    chinese = next(line for line in result.output.splitlines() if line.startswith("warning: S04 (王小明)"))
    assert "U+738B CJK UNIFIED IDEOGRAPH-738B" in chinese and "empty box" in chinese
    assert "warning: S01" not in result.output  # Latin prints


def test_a_letter_no_font_has_is_named_with_its_attendee(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    make_event(fresh_db, db_path, attendees=0)
    register(fresh_db, [("H0001", "Nefer \N{EGYPTIAN HIEROGLYPH A001}", "Museum", "Cairo", "EG", "speaker")])
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(tmp_path), "--dpi", "72"])
    assert result.exit_code == 0, result.output
    assert "warning: H0001 (Nefer \N{EGYPTIAN HIEROGLYPH A001}): no font here has" in result.output
    assert "U+13000 EGYPTIAN HIEROGLYPH A001" in result.output
    assert (tmp_path / "H0001.png").exists()


def test_arabic_is_shaped_in_the_pdf_and_the_png() -> None:
    """uharfbuzz (fpdf2's text shaping) is a dependency; libraqm comes with Pillow's wheels."""
    assert BadgeSheets().shaping
    assert raqm_available()


@needs_noto
def test_an_arabic_run_is_drawn_right_to_left_after_the_latin_one() -> None:
    chain = font_chain()
    runs = chain.runs("الدار البيضاء, MA")
    assert [run.rtl for run in runs] == [False, True]  # the line reads from the right
    assert runs[0].text == "MA" and runs[1].text.startswith("الدار")
    # The Hebrew font has no comma: the comma, drawn with Noto Sans, stays by the Hebrew words.
    assert [run.shaped_text for run in chain.runs("תל אביב, IL")] == ["IL", " ,", "תל אביב"]
    assert [run.text for run in chain.runs("Zoë (علي) Ångström")] == ["Zoë (", "علي", ") Ångström"]
