"""`eventops badges` never stops on one attendee: it makes every badge it can, lists each one
it could not with the reason, and exits 1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image
from sqlite_utils import Database

from checkin.badges.print import png_name
from checkin.badges.token import verify_badge
from db.fold import load_state
from eventops.cli import main
from tests.badges.helpers import make_event, register

TOO_LONG = "ORDER-2024-00012345-XYZ"  # an id a file gave, too long for a badge token


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_attendee_whose_id_does_not_fit_costs_nobody_else_their_badge(
    fresh_db: Database, db_path: Path, tmp_path: Path, jobs: str
) -> None:
    ids = make_event(fresh_db, db_path, attendees=5)
    register(fresh_db, [(TOO_LONG, "Jan Peeters", "Stad Gent", "Gent", "BE", "participant")])
    out, pdf = tmp_path / "out", tmp_path / "badges.pdf"
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(out), "--pdf", str(pdf), "--dpi", "100", "--jobs", jobs])
    assert result.exit_code == 1, result.output
    assert "5 badges" in result.output and "2 A4 pages" in result.output
    assert "could not make 1 badge:" in result.output
    assert re.search(rf"^  {TOO_LONG}: attendee id .* is too long for a badge token", result.output, re.M)
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == [png_name(i) for i in ids]
    assert pages(pdf) == 2  # 5 badges, 4 to a page
    state = load_state(fresh_db)
    for ident in ids:
        texts = [r.text for r in zxingcpp.read_barcodes(Image.open(out / png_name(ident)))]
        assert len(texts) == 1 and verify_badge(texts[0], state).attendee_id == ident


def test_a_badge_that_cannot_be_written_is_listed_and_the_others_are_made(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    """The failure happens in a worker process (the PNG cannot be saved): listed all the same."""
    ids = make_event(fresh_db, db_path, attendees=5)
    out, pdf = tmp_path / "out", tmp_path / "badges.pdf"
    (out / png_name(ids[2])).mkdir(parents=True)  # a directory where the PNG should go
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(out), "--pdf", str(pdf), "--dpi", "100"])
    assert result.exit_code == 1, result.output
    assert "could not make 1 badge:" in result.output
    assert re.search(rf"^  {ids[2]}: PNG: IsADirectoryError", result.output, re.M)
    assert all((out / png_name(i)).is_file() for i in ids if i != ids[2])
    assert pages(pdf) == 2  # the PDF has all five: only the PNG failed


def test_only_an_unknown_attendee_is_listed_and_the_known_ones_made(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    make_event(fresh_db, db_path, attendees=3)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(out), "--only", "A0001", "--only", "NOBODY", "--dpi", "72"])
    assert result.exit_code == 1
    assert "1 badge:" in result.output and "  NOBODY: no attendee 'NOBODY' in this event" in result.output
    assert [p.name for p in out.iterdir()] == ["A0001.png"]


def test_all_made_exits_0_and_lists_nothing(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    make_event(fresh_db, db_path, attendees=3)
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(tmp_path), "--dpi", "72"])
    assert result.exit_code == 0, result.output
    assert "3 badges" in result.output and "could not" not in result.output
