"""`eventops decode` and `eventops doctor`, as a person (or a script) runs them."""

from __future__ import annotations

import json
import random
from pathlib import Path

import cv2
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checkin.badges import token as tokens
from checkin.scanning import synth
from eventops.cli import main

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # the same frames on every run
T1 = tokens.encode_token("SDC24X", "AB", "A0001", 1, KEY.sign)
T2 = tokens.encode_token("SDC24X", "AB", "A0002", 1, KEY.sign)


def test_decode_images_and_a_video_as_json(tmp_path: Path) -> None:
    image = tmp_path / "badge.png"
    cv2.imwrite(str(image), synth.qr_card(T1, 5))
    cards = [(T2, synth.qr_card(T2, 6), 6.0), (T1, synth.qr_card(T1, 6), 6.0), (T2, synth.qr_card(T2, 6), 6.0)]
    frames, _ = synth.parade(cards, (640, 480), frames_per_badge=2, gap_frames=1)
    video = synth.write_video(tmp_path / "desk.avi", frames)
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), synth.scene((320, 240)))
    junk = tmp_path / "notes.txt"
    junk.write_text("not an image")
    result = CliRunner().invoke(main, ["decode", "--json", str(image), str(video), str(empty), str(junk)])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["file"] for line in lines] == [str(image), str(video), str(empty), str(junk)]
    assert lines[0]["payloads"] == [T1]
    assert lines[1]["payloads"] == [T2, T1]  # distinct, in order of first appearance
    assert lines[2]["payloads"] == [] and "error" not in lines[2]
    assert "error" in lines[3]
    assert all(line["decoder"] == "auto" and isinstance(line["ms"], float | int) for line in lines)
    assert result.exit_code == 1  # one file could not be read


def test_decode_with_each_decoder_in_text(tmp_path: Path) -> None:
    image = tmp_path / "badge.png"
    frame = synth.compose(synth.scene((640, 480)), synth.qr_card(T1, 6), synth.CONDITIONS["clean"], random.Random(4), 6.0)
    cv2.imwrite(str(image), frame)
    for name in ("zxing", "pyzbar", "opencv"):
        result = CliRunner().invoke(main, ["decode", "--decoder", name, str(image)])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"{image}: {T1}"


def test_doctor_reports_decoders_cameras_and_terminal() -> None:
    result = CliRunner().invoke(main, ["doctor", "--json", "--cameras", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["decoders"]["zxing"]["status"] == "ok"
    assert set(report["decoders"]) == {"zxing", "pyzbar", "opencv"}
    assert "columns" in report["terminal"]
    if not report["cameras"]:
        assert any("no camera" in line for line in report["advice"])
    text = CliRunner().invoke(main, ["doctor", "--cameras", "1"])
    assert "decoders:" in text.output and "cameras:" in text.output
