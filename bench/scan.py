"""Benchmark of the scanning pipeline: prints JSON (or, with --table, the markdown table).

In one run, on the same synthetic camera frames (real badges of a real event database,
warped into 640x480 and 1280x720 scenes with blur, motion, noise, rotation, perspective,
low contrast and glare):

- ms per frame with no badge in view and with one, for the project's pipeline (decoder
  chain + dedupe + verification) and for each raw decoder alone;
- success rate per condition for each (`inverted`: a badge on a phone in dark mode);
- `pipeline_before` / `zxing_before`: the same with zxing-cpp as it ran before inverted codes
  were read (try_invert off, try_downscale on), so the cost of reading them is in the same run;
- frame-to-verified-scan: the processing time of the frame that produced a verified scan
  (p50/p95), and the time from the badge entering the view to its verdict at 30 fps,
  on a video of badges shown one after another, read back through the real capture path.

    .venv/bin/python bench/scan.py [--badges 16] [--table]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from checkin.badges.keys import create_signing_key, load_signing_key, token_for  # noqa: E402
from checkin.badges.render import face_of  # noqa: E402
from checkin.scanning import decoders, synth  # noqa: E402
from checkin.scanning.pipeline import ScanPipeline  # noqa: E402
from checkin.scanning.sources import FrameSource  # noqa: E402
from db.connect import connect  # noqa: E402
from db.events import ATTENDEE_REGISTERED, EVENT_CREATED  # noqa: E402
from db.fold import load_state  # noqa: E402
from db.log import Draft, append_many  # noqa: E402

CARD_DPI = 120
NAMES = ["Zoë Ångström", "Łukasz Żółć", "Αλέξανδρος Παπαδόπουλος", "Жана Иванова", "Siobhán Ó Súilleabháin", "Jean-Pierre Dubois"]


def _event(path: Path, attendees: int) -> Any:
    db = connect(path)
    drafts = [Draft(EVENT_CREATED, {"id": "BENCH1", "name": "Bench", "days": ["2024-03-20"], "tz": "Europe/Brussels", "demo": True})]
    for n in range(1, attendees + 1):
        drafts.append(Draft(ATTENDEE_REGISTERED, {"id": f"A{n:04d}", "name": NAMES[n % len(NAMES)], "org": "City of Brussels", "city": "Bruxelles", "country": "BE", "role": ["participant", "speaker", "press"][n % 3]}))
    append_many(db, "org", drafts)
    create_signing_key(db, path)
    return db


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "mean": round(statistics.fmean(ordered), 2),
        "p50": round(ordered[len(ordered) // 2], 2),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
        "n": len(ordered),
    }


CPU_MS: dict[str, list[float]] = {}


def _timed(fn: Any, *args: Any, label: str = "") -> tuple[Any, float]:
    """Wall-clock ms; the thread's CPU ms also go to CPU_MS[label] (steadier on a busy machine)."""
    cpu = time.thread_time()
    start = time.perf_counter()
    result = fn(*args)
    wall = (time.perf_counter() - start) * 1000
    if label:
        CPU_MS.setdefault(label, []).append((time.thread_time() - cpu) * 1000)
    return result, wall


def run(badges: int, seed: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="eventops-bench-"))
    db_path = tmp / "bench.db"
    db = _event(db_path, badges)
    state = load_state(db)
    key = load_signing_key(db_path)
    ids = sorted(state.attendees)
    tokens = [token_for(state, key, i) for i in ids]
    cards = [synth.card_image(face_of(state.attendees[i], t), CARD_DPI) for i, t in zip(ids, tokens, strict=True)]
    module = synth.card_module_px(CARD_DPI)
    raw = {name: decoders.make(name) for name, status in decoders.available().items() if status == "ok"}
    chain = decoders.DecoderChain.default()
    # The first decoder as it was before inverted codes (try_invert off, try_downscale on), alone
    # and leading the same chain: the comparison in the same run.
    before = decoders.ZxingDecoder(try_invert=False, try_downscale=True)
    raw["zxing_before"] = before
    chain_before = decoders.DecoderChain(before, chain.fallbacks)
    out: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "opencv": cv2.__version__, "load_before": os.getloadavg()[0]},
        "badges_per_condition": badges,
        "decoders": decoders.available(),
        "sizes": {},
    }
    for size_name, size in synth.SIZES.items():
        background = synth.scene(size, seed)
        gray_bg = cv2.cvtColor(background, cv2.COLOR_BGR2GRAY)
        rng = random.Random(seed)
        # an idle desk: the scene with ordinary sensor noise (heavy noise is measured separately)
        empty_frames = [synth.compose(gray_bg, None, synth.CONDITIONS["clean"], rng) for i in range(30)]
        noisy_frames = [synth.compose(gray_bg, None, synth.CONDITIONS["noise"], rng) for i in range(10)]
        chains = {"pipeline": chain, "pipeline_before": chain_before}
        empty: dict[str, list[float]] = {name: [] for name in [*raw, *chains]}
        pipelines = {name: ScanPipeline(state, c) for name, c in chains.items()}
        for frame in empty_frames:
            gray = decoders.to_gray(frame)
            for name, decoder in raw.items():
                empty[name].append(_timed(decoder.decode, gray, label=f"{size_name}/empty/{name}")[1])
            for name, pipeline in pipelines.items():
                empty[name].append(_timed(pipeline.process, frame, label=f"{size_name}/empty/{name}")[1])
        for frame in noisy_frames:
            gray = decoders.to_gray(frame)
            for name, decoder in raw.items():
                _timed(decoder.decode, gray, label=f"{size_name}/empty-noisy/{name}")
            for name, pipeline in pipelines.items():
                _timed(pipeline.process, frame, label=f"{size_name}/empty-noisy/{name}")
        with_badge: dict[str, list[float]] = {name: [] for name in [*raw, *chains]}
        success: dict[str, dict[str, float]] = {}
        totals: dict[str, int] = {name: 0 for name in [*raw, *chains]}
        frames_total = 0
        for cond_name, condition in synth.CONDITIONS.items():
            hits = {name: 0 for name in [*raw, *chains]}
            for i, (token, card) in enumerate(zip(tokens, cards, strict=True)):
                frame = synth.compose(gray_bg, card, condition, random.Random(seed * 1000 + i), module)
                gray = decoders.to_gray(frame)
                for name, decoder in raw.items():
                    result, ms = _timed(decoder.decode, gray, label=f"{size_name}/badge/{name}")
                    with_badge[name].append(ms)
                    hits[name] += token in result.texts
                for name, c in chains.items():
                    fresh = ScanPipeline(state, c)
                    scans, ms = _timed(fresh.process, frame, label=f"{size_name}/badge/{name}")
                    with_badge[name].append(ms)
                    hits[name] += any(s.check.ok and s.payload == token for s in scans)
            success[cond_name] = {name: round(h / len(tokens), 3) for name, h in hits.items()}
            for name, h in hits.items():
                totals[name] += h
            frames_total += len(tokens)
        out["sizes"][size_name] = {
            "empty_ms": {name: _stats(v) for name, v in empty.items()},
            "badge_ms": {name: _stats(v) for name, v in with_badge.items()},
            "success": success,
            "success_overall": {name: round(h / frames_total, 3) for name, h in totals.items()},
        }
    out["cpu_ms"] = {label: _stats(values) for label, values in CPU_MS.items()}
    out["chain_rescues"] = dict(chain.rescued)
    out["frame_to_scan"] = _video_latency(tmp, tokens, cards, module, seed)
    out["machine"]["load_after"] = os.getloadavg()[0]
    return out


def _video_latency(tmp: Path, tokens: list[str], cards: list[np.ndarray], module: float, seed: int) -> dict[str, Any]:
    """Badges shown one after another on a 720p 'webcam' (a video file through VideoCapture)."""
    mixed = [synth.CONDITIONS[name] for name in ("clean", "motion", "blur", "rotation", "perspective", "low_contrast", "glare", "noise")]
    frames: list[np.ndarray] = []
    showings = []
    for i, (token, card) in enumerate(zip(tokens, cards, strict=True)):
        more, shown = synth.parade([(token, card, module)], synth.SIZES["720p"], frames_per_badge=8, gap_frames=4, condition=mixed[i % len(mixed)], seed=seed + i)
        showings.append((token, len(frames)))
        frames.extend(more)
    video = synth.write_video(tmp / "parade.avi", frames)
    pipeline = ScanPipeline(load_state(connect(tmp / "bench.db")))
    scans = list(pipeline.run(FrameSource(str(video)).frames()))
    first = {scan.payload: scan for scan in scans if scan.check.ok}
    processing = [scan.latency_ms for scan in first.values()]
    in_view = [(first[t].frame_index - start) * 1000 / 30 + first[t].latency_ms for t, start in showings if t in first]
    return {
        "badges": len(tokens),
        "verified_scans": len(first),
        "extra_scans": len(scans) - len(first),
        "frame_to_verified_ms": _stats(processing),
        "badge_in_view_to_verdict_ms_at_30fps": _stats(in_view),
    }


def table(result: dict[str, Any]) -> str:
    """The markdown table for docs/scanning.md."""
    lines = []
    names = [n for n in ("pipeline", "pipeline_before", "zxing", "zxing_before", "pyzbar", "opencv") if n in result["sizes"]["720p"]["empty_ms"]]
    for size_name, data in result["sizes"].items():
        lines.append(f"\n**{size_name}** (ms per frame, p50 / p95; success = share of frames whose badge was read)\n")
        lines.append("| | " + " | ".join(names) + " |")
        lines.append("|---|" + "---|" * len(names))
        lines.append("| no badge in view | " + " | ".join(f"{data['empty_ms'][n]['p50']} / {data['empty_ms'][n]['p95']}" for n in names) + " |")
        lines.append("| badge in view | " + " | ".join(f"{data['badge_ms'][n]['p50']} / {data['badge_ms'][n]['p95']}" for n in names) + " |")
        cpu = result.get("cpu_ms", {})
        if cpu:
            lines.append("| no badge, CPU ms | " + " | ".join(f"{cpu[f'{size_name}/empty/{n}']['p50']} / {cpu[f'{size_name}/empty/{n}']['p95']}" for n in names) + " |")
            lines.append("| no badge, heavy sensor noise, CPU ms | " + " | ".join(f"{cpu[f'{size_name}/empty-noisy/{n}']['p50']} / {cpu[f'{size_name}/empty-noisy/{n}']['p95']}" for n in names) + " |")
            lines.append("| badge, CPU ms | " + " | ".join(f"{cpu[f'{size_name}/badge/{n}']['p50']} / {cpu[f'{size_name}/badge/{n}']['p95']}" for n in names) + " |")
        for cond, rates in data["success"].items():
            lines.append(f"| success: {cond} | " + " | ".join(f"{rates[n] * 100:.0f} %" for n in names) + " |")
        lines.append("| **success: all** | " + " | ".join(f"**{data['success_overall'][n] * 100:.1f} %**" for n in names) + " |")
    f2s = result["frame_to_scan"]
    lines.append(
        f"\nFrame to verified scan (720p video, {f2s['badges']} badges, {f2s['verified_scans']} verified scans, "
        f"{f2s['extra_scans']} extra): processing p50 {f2s['frame_to_verified_ms'].get('p50')} ms, p95 {f2s['frame_to_verified_ms'].get('p95')} ms; "
        f"badge in view to verdict at 30 fps p50 {f2s['badge_in_view_to_verdict_ms_at_30fps'].get('p50')} ms, "
        f"p95 {f2s['badge_in_view_to_verdict_ms_at_30fps'].get('p95')} ms. Retries that rescued a code: {result['chain_rescues']}."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=16, help="badges per condition (and in the video)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--table", action="store_true", help="print the markdown table instead of JSON")
    parser.add_argument("--json", action="store_true", help="print JSON (the default)")
    args = parser.parse_args()
    result = run(args.badges, args.seed)
    print(table(result) if args.table else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
