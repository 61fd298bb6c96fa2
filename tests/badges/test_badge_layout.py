"""The badge's layout: names shrunk, then wrapped, then cut, the same in every script; the
event's name on every badge; nothing printed within the safe margin of a card's edge."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from sqlite_utils import Database

from checkin.badges.fonts import font_chain
from checkin.badges.render import (
    ELLIPSIS,
    EVENT_TOP_MM,
    HEIGHT_MM,
    MARGIN_MM,
    NAME_FIT,
    WIDTH_MM,
    BadgeFace,
    Fit,
    fit_text,
    layout,
    render_image,
    text_width_mm,
)
from eventops.cli import main
from tests.badges.helpers import SCRIPTS, make_event, register, script_people

EVENT = "Security, Democracy & Cities"
TOKEN = "1AB" + "A0001" + "X" * 80  # any text of the right length makes a version-5 QR code
SAFE_MM = 5.0  # what the issue asks: nothing closer than this to a card's edge
USABLE = WIDTH_MM - 2 * MARGIN_MM
needs_noto = pytest.mark.skipif(bool(font_chain().missing_scripts), reason="Noto fonts (fonts-noto-core, fonts-noto-cjk) not installed")


def face(name: str, org: str = "", place: str = "", role: str = "participant", event: str = EVENT) -> BadgeFace:
    return BadgeFace("A0001", name, org, place, role, TOKEN, event)


def monospace(text: str, size_pt: float, bold: bool) -> float:
    """A measure where every character is 0.6 em wide: the rule, without any font."""
    return len(text) * 0.6 * size_pt * 25.4 / 72


def test_fit_shrinks_before_it_wraps_and_wraps_before_it_cuts() -> None:
    fit = Fit(24.0, 14.0, lines=2, two_line_largest=19.0)
    assert fit_text("Ana Lee", 93.0, fit, True, monospace) == [("Ana Lee", 24.0)]
    # 20 characters are 93 mm at ~22 pt: shrunk to the largest size that fits, one line.
    shrunk = fit_text("Anna-Maria Kowalczyk", 93.0, fit, True, monospace)
    assert len(shrunk) == 1 and 14.0 <= shrunk[0][1] < 24.0 and monospace(shrunk[0][0], shrunk[0][1], True) <= 93.0
    # Too long for one line at 14 pt: two lines, cut at the space, nothing lost.
    long = "Maximiliane Wilhelmina Oberhollenzer"
    wrapped = fit_text(long, 93.0, fit, True, monospace)
    assert [text for text, _ in wrapped] == ["Maximiliane Wilhelmina", "Oberhollenzer"]
    assert all(monospace(text, size, True) <= 93.0 and size >= 14.0 for text, size in wrapped)
    # Too long even for two lines at the smallest size: only then an ellipsis, on the second line.
    huge = " ".join(["Oberhollenzer"] * 8)
    cut = fit_text(huge, 93.0, fit, True, monospace)
    assert len(cut) == 2 and cut[1][0].endswith(ELLIPSIS) and not cut[0][0].endswith(ELLIPSIS)
    assert all(size == 14.0 and monospace(text, size, True) <= 93.0 for text, size in cut)


def test_a_cut_at_a_space_wins_over_one_after_a_hyphen() -> None:
    fit = Fit(24.0, 14.0, lines=2, two_line_largest=19.0)
    lines = fit_text("Γεώργιος Παπαδόπουλος-Καραγιάννης", 93.0, fit, True, monospace)
    assert [text for text, _ in lines] == ["Γεώργιος", "Παπαδόπουλος-Καραγιάννης"]
    # One word longer than a line: cut after a hyphen (the most even cut), which stays on the first line.
    lines = fit_text("Παπαδόπουλος-Καραγιάννης-Οικονόμου", 93.0, fit, True, monospace)
    assert [text for text, _ in lines] == ["Παπαδόπουλος-", "Καραγιάννης-Οικονόμου"]


def test_cjk_wraps_between_characters_without_spaces() -> None:
    org = "北京市公安局治安管理总队社区警务支队" * 4
    lines = fit_text(org, 93.0, Fit(12.0, 8.0, lines=2, two_line_largest=11.0), False, monospace)
    assert len(lines) == 2 and "".join(text for text, _ in lines) == org


@needs_noto
def test_greek_and_cyrillic_names_of_one_length_are_fitted_alike() -> None:
    greek, cyrillic = SCRIPTS["greek"][0], SCRIPTS["cyrillic"][0]
    assert len(greek) == len(cyrillic)
    for name in (greek, cyrillic):
        lines = fit_text(name, USABLE, NAME_FIT, True, text_width_mm)
        assert ELLIPSIS not in "".join(text for text, _ in lines), lines
        assert " ".join(text for text, _ in lines) == name  # every letter printed, cut at the space
        assert all(text_width_mm(text, size, True) <= USABLE and size >= NAME_FIT.smallest for text, size in lines)


@needs_noto
def test_no_name_in_any_script_is_cut_short() -> None:
    for name, org, city, country, role in SCRIPTS.values():
        lines = layout(face(name, org, f"{city}, {country}", role))
        assert not any(ELLIPSIS in line.text for line in lines), lines
        assert EVENT in [line.text for line in lines]


def test_the_event_name_is_the_first_line_of_every_badge() -> None:
    lines = layout(face("Zoë Ångström", "Ville de Genève", "Genève, CH"))
    assert lines[0].text == EVENT and lines[0].baseline_mm < 12.0
    assert lines[0].baseline_mm - lines[0].size_pt * 25.4 / 72 >= EVENT_TOP_MM - 0.5


def test_the_event_name_is_painted_at_the_top_of_the_png() -> None:
    with_event = np.asarray(render_image(face("Zoë Ångström"), 100).convert("L")).astype(int)
    without = np.asarray(render_image(face("Zoë Ångström", event=""), 100).convert("L")).astype(int)
    rows = np.nonzero(np.abs(with_event - without).max(axis=1) > 80)[0]
    px = 100 / 25.4
    assert rows.size and rows.min() >= SAFE_MM * px and rows.max() <= 11.5 * px  # above the role band


def ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of everything that is not white."""
    grey = np.asarray(image.convert("L"))
    rows, cols = np.nonzero(grey < 250)
    return int(cols.min()), int(rows.min()), int(cols.max()), int(rows.max())


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_nothing_is_printed_within_5_mm_of_the_png_edge(script: str) -> None:
    name, org, city, country, role = SCRIPTS[script]
    dpi = 150
    px = dpi / 25.4
    long = face(name + " " + name, org + " " + org, f"{city}, {country}", "a very long role name")
    for badge in (face(name, org, f"{city}, {country}", role), long):
        image = render_image(badge, dpi)
        left, top, right, bottom = ink_box(image)
        assert left >= SAFE_MM * px and top >= SAFE_MM * px, (left, top)
        assert image.width - 1 - right >= SAFE_MM * px and image.height - 1 - bottom >= SAFE_MM * px, (right, bottom)


@pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_keeps_the_margin_and_prints_the_event_name(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    make_event(fresh_db, db_path, attendees=0)
    register(fresh_db, script_people())
    pdf = tmp_path / "badges.pdf"
    result = CliRunner().invoke(main, ["badges", "--db", str(db_path), "--out", str(tmp_path / "png"), "--pdf", str(pdf), "--dpi", "72"])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count(EVENT) == len(SCRIPTS)
    dpi = 100
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
    px = dpi / 25.4
    for page in sorted(tmp_path.glob("page-*.png")):
        grey = np.asarray(Image.open(page).convert("L"))
        ink = grey < 200
        for col in range(2):
            for row in range(2):
                x0, y0 = col * WIDTH_MM * px, (0.5 + row * HEIGHT_MM) * px
                card = ink[round(y0) : round(y0 + HEIGHT_MM * px), round(x0) : round(x0 + WIDTH_MM * px)]
                if not card.any():
                    continue  # an empty slot on the last page
                rows, cols = np.nonzero(_without_crop_marks(card, px))
                assert rows.min() >= SAFE_MM * px - 1 and cols.min() >= SAFE_MM * px - 1, (page.name, col, row)
                assert card.shape[0] - rows.max() >= SAFE_MM * px - 1 and card.shape[1] - cols.max() >= SAFE_MM * px - 1, (page.name, col, row)


def _without_crop_marks(card: np.ndarray, px: float) -> np.ndarray:
    """The card's ink without the crop marks, which lie on the cut lines (4 mm long, at the
    sheet's edges and its centre) and are cut away with the paper around the card."""
    out = card.copy()
    mark = round(4.5 * px)
    edge = round(0.8 * px)
    out[:edge, :], out[-edge:, :] = False, False  # marks along the horizontal cut lines
    out[:, :edge], out[:, -edge:] = False, False  # and the vertical one
    out[:mark, :mark] = out[:mark, -mark:] = out[-mark:, :mark] = out[-mark:, -mark:] = False
    return out
