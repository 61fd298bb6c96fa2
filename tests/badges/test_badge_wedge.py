"""A US-layout scanner typing into AZERTY and QWERTZ laptops: every token character comes back."""

from __future__ import annotations

import pytest

from checkin.badges import wedge
from checkin.badges.token import ALPHABET, REPAIR

LAYOUTS = ["us", "azerty-be", "azerty-fr", "qwertz-de"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("char", list(ALPHABET))
def test_every_alphabet_character_survives_every_layout(layout: str, char: str) -> None:
    received = wedge.mangle(char, layout)
    assert received, f"{char!r} types nothing on {layout}"
    assert wedge.repair(received, REPAIR) == char


def test_the_mangling_is_real() -> None:
    # what a desk volunteer would actually see typed on their screen
    assert wedge.mangle("A1Z", "azerty-be") == "Q&W"
    assert wedge.mangle("A1Z", "azerty-fr") == "Q&W"
    assert wedge.mangle("A1Z", "qwertz-de") == "A1Y"
    assert wedge.mangle("M6", "azerty-be") == "?§"
    assert wedge.mangle("M6", "azerty-fr") == "?-"


def test_caps_lock_is_repaired_too() -> None:
    # Caps Lock on: shifted letters arrive in lower case
    assert wedge.repair("q&wb", REPAIR) == "A1ZB"


def test_an_alphabet_with_q_would_be_ambiguous() -> None:
    with pytest.raises(ValueError):
        wedge.repair_map(ALPHABET + "Q")
