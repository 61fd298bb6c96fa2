"""Dedupe, keyboard-wedge input, frame sources and decoders: the parts of the scanning pipeline."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from checkin.badges import token as tokens
from checkin.badges import wedge
from checkin.badges.keys import issue_token
from checkin.badges.token import verify_badge
from checkin.scanning import decoders, synth
from checkin.scanning.dedupe import ScanDeduper
from checkin.scanning.sources import CameraUnavailable, FrameSource, parse_source
from checkin.scanning.wedge_input import WedgeAssembler
from db.fold import load_state
from tests.badges.helpers import make_event

TOKEN = tokens.encode_token("SDC24X", "AB", "A0001", 1, Ed25519PrivateKey.from_private_bytes(bytes(range(32))).sign)


# --- dedupe -------------------------------------------------------------------------------


def test_a_badge_held_still_is_one_scan_even_if_some_frames_miss_it() -> None:
    dedupe = ScanDeduper(gone_after=5)
    seen = [dedupe.feed(i, ["B1"] if i % 3 else []) for i in range(30)]
    assert sum(len(s) for s in seen) == 1


def test_a_badge_shown_again_after_leaving_is_a_new_scan() -> None:
    dedupe = ScanDeduper(gone_after=5)
    scans = []
    for i in range(40):
        shown = i < 10 or 20 <= i < 25  # shown, taken away for 10 frames, shown again
        scans += dedupe.feed(i, ["B1"] if shown else [])
    assert scans == ["B1", "B1"]


def test_two_badges_in_view_are_two_scans() -> None:
    dedupe = ScanDeduper()
    assert dedupe.feed(0, ["B1", "B2", "B1"]) == ["B1", "B2"]
    assert dedupe.feed(1, ["B2", "B1"]) == []


# --- keyboard wedge -------------------------------------------------------------------------


def _type(assembler: WedgeAssembler, text: str, start: float, gap: float) -> tuple[list, float]:
    out = []
    t = start
    for char in text:
        out += assembler.feed(char, t)
        t += gap
    return out, t


def test_scanner_ending_with_enter() -> None:
    assembler = WedgeAssembler()
    out, t = _type(assembler, TOKEN + "\r", 0, 4)
    assert [(i.kind, i.text, i.ended_by) for i in out] == [("scan", TOKEN, "enter")]


def test_scanner_without_enter_is_recognised_by_shape_and_timing() -> None:
    assembler = WedgeAssembler()
    out, t = _type(assembler, TOKEN, 0, 4)
    assert out == [] and assembler.poll(t + 10) == []  # not yet: more keys may come
    done = assembler.poll(t + assembler.settle_ms + 1)
    assert [(i.kind, i.text, i.ended_by) for i in done] == [("scan", TOKEN, "shape")]


def test_junk_burst_without_enter_still_comes_out_to_be_refused() -> None:
    assembler = WedgeAssembler()
    _, t = _type(assembler, "HTTPS://EXAMPLE.ORG", 0, 4)
    assert assembler.poll(t + 50) == []
    done = assembler.poll(t + assembler.idle_ms + 1)
    assert [(i.kind, i.ended_by) for i in done] == [("scan", "idle")]


def test_a_person_typing_a_name_is_not_a_scan() -> None:
    assembler = WedgeAssembler()
    _, t = _type(assembler, "Dupont", 0, 180)
    assert assembler.poll(t + 5000) == []
    out = assembler.feed("\r", t + 5000)
    assert [(i.kind, i.text) for i in out] == [("typed", "Dupont")]


def test_scan_after_a_person_typed_something() -> None:
    assembler = WedgeAssembler()
    _, t = _type(assembler, "Du", 0, 200)
    out, t = _type(assembler, TOKEN + "\n", t + 300, 3)
    assert [(i.kind, i.text) for i in out] == [("scan", TOKEN)]
    assert assembler.pending == "Du"


@pytest.mark.parametrize("layout", ["us", "azerty-be", "azerty-fr", "qwertz-de"])
@pytest.mark.parametrize("enter", [True, False])
def test_wedge_scans_in_every_layout_verify(fresh_db: Database, db_path: Path, layout: str, enter: bool) -> None:
    ids = make_event(fresh_db, db_path, attendees=2)
    state = load_state(fresh_db)
    assembler = WedgeAssembler()
    token = issue_token(fresh_db, db_path, ids[1])
    typed = wedge.mangle(token, layout) + ("\r" if enter else "")
    out, t = _type(assembler, typed, 1000, 5)
    out += assembler.poll(t + 200)
    assert len(out) == 1 and out[0].kind == "scan"
    check = verify_badge(out[0].text, state)
    assert check.ok and check.attendee_id == ids[1]


# --- frame sources -------------------------------------------------------------------------


def test_source_specs() -> None:
    assert parse_source("0").kind == "device" and parse_source(2).target == 2
    assert parse_source("rtsp://cam.local/stream").kind == "url"
    assert parse_source("desk.avi").kind == "file"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable, match="does not exist"):
        list(FrameSource(str(tmp_path / "nope.avi")).frames())


def test_missing_camera_is_reported_and_retried_never_a_crash() -> None:
    statuses: list[str] = []
    sleeps: list[float] = []
    source = FrameSource(97, retry_s=1.5, retry_max_s=4.0, max_retries=4, on_status=statuses.append,
                         sleep=sleeps.append, rng=random.Random(7))
    assert list(source.frames()) == []
    # db/retry.py's backoff: growing, jittered, capped (each in the upper half of its step)
    assert len(sleeps) == 4 and 0.75 <= sleeps[0] <= 1.5 and 1.5 <= sleeps[1] <= 3.0 and all(2.0 <= s <= 4.0 for s in sleeps[2:])
    assert "camera 97 not found" in statuses[0] and f"retrying in {sleeps[0]:.1f} s" in statuses[0]
    assert "gave up" in statuses[-1]


def test_unplugged_camera_is_reopened(tmp_path: Path) -> None:
    frames = [synth.compose(synth.scene((160, 120)), None, synth.CONDITIONS["clean"], random.Random(1)) for _ in range(3)]
    video = synth.write_video(tmp_path / "cam.avi", frames)
    statuses: list[str] = []

    def unplug(_seconds: float) -> None:
        video.unlink(missing_ok=True)  # the camera is gone for good after the first drop

    source = FrameSource(str(video), retry_s=0.5, max_retries=2, on_status=statuses.append, sleep=unplug)
    source.spec = source.spec.__class__("url", str(video))  # behave like a live stream
    got = list(source.frames())
    assert len(got) == 3
    assert any("stopped delivering frames" in s for s in statuses)
    assert "gave up" in statuses[-1]


# --- decoders ---------------------------------------------------------------------------------


def test_decoders_available_here_read_a_badge() -> None:
    status = decoders.available()
    assert set(status) == {"zxing", "pyzbar", "opencv"}
    gray = cv2.cvtColor(synth.compose(synth.scene((640, 480)), synth.qr_card(TOKEN, 6), synth.CONDITIONS["clean"], random.Random(2), 6.0), cv2.COLOR_BGR2GRAY)
    for name, state in status.items():
        if state == "ok":
            assert TOKEN in decoders.make(name).decode(gray).texts, name
    with pytest.raises(decoders.DecoderMissing, match="unknown decoder"):
        decoders.make("tesseract")


def test_the_chain_rescues_a_blurred_badge_that_zxing_only_located() -> None:
    frame = synth.compose(synth.scene((640, 480)), synth.qr_card(TOKEN, 6), synth.CONDITIONS["blur"], random.Random(5), 6.0)
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    zxing = decoders.make("zxing").decode(gray)
    assert not zxing.found and zxing.unread  # located, not read
    chain = decoders.DecoderChain.default()
    result = chain.decode(gray)
    assert result.texts == [TOKEN]
    assert chain.rescued["sharpen"] >= 1


def test_an_empty_frame_costs_only_the_first_decoder() -> None:
    gray = cv2.cvtColor(synth.scene((1280, 720)), cv2.COLOR_BGR2GRAY)
    result = decoders.DecoderChain.default().decode(gray)
    assert result.found == [] and result.tried == ["zxing"]
