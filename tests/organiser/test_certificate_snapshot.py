"""What a certificate of attendance looks like, pinned: the PDF's pages rendered with `pdftoppm`
(poppler) and compared with stored reference images within a small tolerance, the way the
badge sheet is (tests/badges/test_badge_snapshot.py).

Look at a difference before updating the references (EVENTOPS_UPDATE_SNAPSHOTS=1 writes them
afresh; look at them before committing). Made with Debian 12's fonts-noto-core and
fonts-noto-cjk.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from checkin.badges.fonts import font_chain
from db.reports import Certificate, CertifiedSession
from organiser.certificate_page import Event, draw
from tests.images import compare_image

SNAPSHOTS = Path(__file__).parent / "snapshots"
DPI = 40

pytestmark = [
    pytest.mark.skipif(bool(font_chain().missing_scripts), reason="the references need fonts-noto-core and fonts-noto-cjk"),
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed"),
]

EVENT = Event("SDC24", "Security, Democracy & Cities", ("2024-03-20", "2024-03-21", "2024-03-22"), "Brussels, Belgium",
              "Europe/Brussels")
TITLES = ("Opening plenary", "Prévention de la radicalisation dans les quartiers : ce que les villes ont appris en dix ans",
          "Городская безопасность и демократия", "Night-time economy", "城市安全与社区警务")


def certificate(sessions: int) -> Certificate:
    rooms = ("Henry Le Bœuf Hall", "Salle M", "Studio")
    return Certificate(
        "S07", "محمد عبد الله الحسيني", "北京市公安局治安管理总队社区警务支队", ("2024-03-20", "2024-03-21"),
        tuple(CertifiedSession(f"X{n}", f"2024-03-2{n % 2}", f"{9 + n % 8:02d}:00", f"{10 + n % 8:02d}:30",
                               rooms[n % 3], TITLES[n % len(TITLES)], 45 + n) for n in range(sessions)),
    )


def compare(name: str, image: Image.Image, out: Path) -> None:
    compare_image(name, image, SNAPSHOTS, out)


@pytest.mark.parametrize("sessions,pages", [(5, 1), (40, 2)])
def test_the_certificate_looks_as_it_did(tmp_path: Path, sessions: int, pages: int) -> None:
    pdf = tmp_path / "certificate.pdf"
    draw(certificate(sessions), EVENT).output(str(pdf))
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == pages
    for number, page in enumerate(rendered, start=1):
        compare(f"certificate-{sessions}-page{number}.png", Image.open(page), tmp_path)


def test_the_batch_with_its_cut_down_fonts_draws_the_same_page(tmp_path: Path) -> None:
    from organiser.certificates import write_all

    assert write_all([certificate(5)], EVENT, tmp_path, jobs=1) == {}
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(tmp_path / "S07.pdf"), str(tmp_path / "page")], check=True)
    compare("certificate-5-page1.png", Image.open(tmp_path / "page-1.png"), tmp_path)
