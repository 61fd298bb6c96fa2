"""What a printed sheet looks like, pinned: the PDF page rendered with `pdftoppm` (poppler) and
the PNG badge, each compared with a stored reference image within a small tolerance.

Look at a difference before updating the references (EVENTOPS_UPDATE_SNAPSHOTS=1 writes them
afresh; look at them before committing). The references were made with Debian 12's
fonts-noto-core and fonts-noto-cjk; other font versions move letters by a pixel or two, which
the tolerance allows, while a moved block, a lost line or a missing script does not pass.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlite_utils import Database

from checkin.badges.fonts import font_chain
from checkin.badges.print import BadgeSheets, badge_faces
from checkin.badges.render import BadgeFace, render_image
from tests.badges.helpers import make_event, register, script_people
from tests.images import compare_image

SNAPSHOTS = Path(__file__).parent / "snapshots"
DPI = 40

pytestmark = pytest.mark.skipif(bool(font_chain().missing_scripts), reason="the references need fonts-noto-core and fonts-noto-cjk")


def compare(name: str, image: Image.Image, out: Path) -> None:
    compare_image(name, image, SNAPSHOTS, out)


def faces(db: Database, db_path: Path) -> list[BadgeFace]:
    make_event(db, db_path, attendees=1)
    register(db, script_people())
    return badge_faces(db, db_path, ["S02", "S04", "S07", "A0001"])  # Greek, Chinese, Arabic, Latin


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_the_printed_sheet_looks_as_it_did(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    sheets = BadgeSheets()
    for face in faces(fresh_db, db_path):
        sheets.add(face)
    pdf = sheets.save(tmp_path / "sheet.pdf")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    compare("sheet.png", Image.open(tmp_path / "page.png"), tmp_path)


def test_the_png_badge_looks_as_it_did(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    for face in faces(fresh_db, db_path)[:3]:  # Greek, Chinese, Arabic
        compare(f"badge-{face.attendee_id}.png", render_image(face, DPI * 2), tmp_path)
