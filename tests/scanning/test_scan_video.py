"""Badges shown to a simulated webcam (real video files, real capture path) become verified scans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from checkin.badges import token as tokens
from checkin.badges.keys import load_signing_key, reissue_badge, token_for
from checkin.badges.render import face_of
from checkin.scanning import synth
from checkin.scanning.pipeline import ScanPipeline
from checkin.scanning.sources import FrameSource
from db.fold import load_state
from tests.badges.helpers import EVENT_ID, make_event

CARD_DPI = 90


def _cards(db: Database, db_path: Path, ids: list[str]) -> list[tuple[str, np.ndarray, float]]:
    state = load_state(db)
    key = load_signing_key(db_path)
    module = synth.card_module_px(CARD_DPI)
    return [
        (token, synth.card_image(face_of(state.attendees[i], token), CARD_DPI), module)
        for i in ids
        for token in [token_for(state, key, i)]
    ]


def test_fifty_badges_one_after_another_are_fifty_verified_scans(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    ids = make_event(fresh_db, db_path, attendees=50)
    cards = _cards(fresh_db, db_path, ids)
    frames, showings = synth.parade(cards, (640, 480), frames_per_badge=3, gap_frames=1, seed=7)
    video = synth.write_video(tmp_path / "desk.avi", frames)
    pipeline = ScanPipeline(load_state(fresh_db))
    scans = list(pipeline.run(FrameSource(str(video)).frames()))
    assert pipeline.frames == len(frames)
    assert len(scans) == 50
    assert all(scan.check.ok for scan in scans)
    assert [scan.check.attendee_id for scan in scans] == ids
    assert [scan.payload for scan in scans] == [s.token for s in showings]


def test_forged_tampered_revoked_and_junk_are_refused_with_their_reason(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    ids = make_event(fresh_db, db_path, attendees=4)
    state = load_state(fresh_db)
    key = load_signing_key(db_path)
    good = token_for(state, key, ids[0])
    forged = tokens.encode_token(EVENT_ID, key.kid, ids[1], 1, Ed25519PrivateKey.generate().sign)
    honest = token_for(state, key, ids[2])
    i = len(honest) - 40
    tampered = honest[:i] + ("7" if honest[i] != "7" else "8") + honest[i + 1 :]
    revoked = token_for(state, key, ids[3])
    reissue_badge(fresh_db, db_path, ids[3])
    junk = "https://example.org/wifi?password=hunter2"
    expected = {good: "ok", forged: "forged", tampered: "forged", revoked: "revoked", junk: "malformed"}
    cards = [(text, synth.qr_card(text, 6), 6.0) for text in expected]
    frames, _ = synth.parade(cards, (1280, 720), frames_per_badge=3, gap_frames=1, seed=3)
    video = synth.write_video(tmp_path / "door.avi", frames)
    scans = list(ScanPipeline(load_state(fresh_db)).run(FrameSource(str(video)).frames()))
    assert {scan.payload: scan.check.reason for scan in scans} == expected


@pytest.mark.parametrize("size", ["480p", "720p"])
def test_every_camera_condition_reads(fresh_db: Database, db_path: Path, tmp_path: Path, size: str) -> None:
    conditions = [c for name, c in synth.CONDITIONS.items() if name != "hard"]
    ids = make_event(fresh_db, db_path, attendees=len(conditions))
    cards = _cards(fresh_db, db_path, ids)
    frames: list[np.ndarray] = []
    for (token, card, module), condition in zip(cards, conditions, strict=True):
        more, _ = synth.parade([(token, card, module)], synth.SIZES[size], frames_per_badge=3, gap_frames=1, condition=condition, seed=len(frames))
        frames.extend(more)
    video = synth.write_video(tmp_path / f"{size}.avi", frames)
    scans = list(ScanPipeline(load_state(fresh_db)).run(FrameSource(str(video)).frames()))
    assert [scan.check.attendee_id for scan in scans if scan.check.ok] == ids


def test_badges_shown_on_a_phone_in_dark_mode_read_too(fresh_db: Database, db_path: Path, tmp_path: Path) -> None:
    """The project's own badges, inverted (light modules on dark, as a phone in dark mode shows
    them), in a real video file read back through the real OpenCV capture."""
    from checkin.scanning.decoders import DecoderChain, ZxingDecoder

    ids = make_event(fresh_db, db_path, attendees=6)
    cards = _cards(fresh_db, db_path, ids)
    frames, _ = synth.parade(cards, (1280, 720), frames_per_badge=3, gap_frames=1, condition=synth.CONDITIONS["inverted"], seed=11)
    video = synth.write_video(tmp_path / "phones.avi", frames)
    scans = list(ScanPipeline(load_state(fresh_db)).run(FrameSource(str(video)).frames()))
    assert [scan.check.attendee_id for scan in scans if scan.check.ok] == ids
    # Without zxing-cpp's try_invert the same video reads nothing: the test shows what it claims.
    blind = DecoderChain(ZxingDecoder(try_invert=False, try_downscale=True))
    assert list(ScanPipeline(load_state(fresh_db), blind).run(FrameSource(str(video)).frames())) == []
