"""Pinned pictures: a rendered image compared with a stored reference within a small tolerance
(the badge sheet, the badge, the certificate pages), so that other font versions moving letters
by a pixel or two pass while a moved block, a lost line or a missing script does not.

EVENTOPS_UPDATE_SNAPSHOTS=1 writes the references afresh: look at them before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

#: Pixels whose grey level differs by more than this count as different.
LEVEL = 96
#: At most this share of the pixels may differ (antialiasing, hinting; a badge without its event
#: name differs by 0.3 %).
SHARE = 0.001


def compare_image(name: str, image: Image.Image, references: Path, out: Path) -> None:
    """Fail unless `image` looks like `references/name`; on failure the image and a map of the
    differing pixels are saved in `out` and named."""
    grey = image.convert("L")
    reference = references / name
    if os.environ.get("EVENTOPS_UPDATE_SNAPSHOTS") == "1":
        grey.save(reference)
        return
    expected = np.asarray(Image.open(reference).convert("L")).astype(int)
    got = np.asarray(grey).astype(int)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    differ = np.abs(got - expected) > LEVEL
    if differ.mean() > SHARE:
        grey.save(out / name)
        Image.fromarray(np.where(differ, 0, 255).astype(np.uint8)).save(out / f"diff-{name}")
        pytest.fail(f"{name}: {differ.mean():.2%} of the pixels differ (allowed {SHARE:.2%}); see {out / name} and {out / ('diff-' + name)}")
