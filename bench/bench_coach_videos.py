"""Does the coach tell the truth on real videos? Share of each labelled stretch that is PERFECT.

    python bench/bench_coach_videos.py [--media ../shared/media] [--list bench/coach_videos.toml]

The stretches are listed in bench/coach_videos.toml: holds by competent people (goal: PERFECT
for >= 80 % of the hold) and stretches that are not the pose (goal: PERFECT <= 5 %, against
every library pose unless the file names some). Landmarks are extracted once per video (tracking
mode, as live) and cached like `follow` caches a teacher's video ($TUI_TRAINER_CACHE_DIR).
Each stretch is fed to a fresh `FrameScorer(spec, "either")` from its start, as the live session
and `analyze` do (One Euro smoothing, hysteresis).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tui_trainer.core.coaching.coach import PERFECT, FrameScorer  # noqa: E402
from tui_trainer.core.library import PoseLibrary  # noqa: E402
from tui_trainer.core.library.spec import PoseSpec  # noqa: E402
from tui_trainer.core.motion.compare import LandmarkTrack  # noqa: E402
from tui_trainer.core.tomlcompat import tomllib  # noqa: E402

SHARED = Path(os.environ.get("TUI_TRAINER_SHARED", REPO.parent / "shared"))


def perfect_share(track: LandmarkTrack, spec: PoseSpec, t0: float, t1: float) -> float:
    """Share of the frames in [t0, t1] that are PERFECT (frames without a person count as not)."""
    scorer = FrameScorer(spec, "either")
    hits = total = 0
    for t, pose in track.frames():
        if t < t0 or t > t1:
            continue
        result = scorer.update(pose, t)
        total += 1
        hits += result.verdict == PERFECT
    return hits / total if total else float("nan")


def load_tracks(media: Path, names: set[str]) -> dict[str, LandmarkTrack]:
    from tui_trainer.io.teacher import load_teacher_track

    out = {}
    for name in sorted(names):
        path = media / name
        if not path.is_file():
            print(f"bench_coach_videos: skipped {path}: not found", file=sys.stderr)
            continue
        out[name] = load_teacher_track(path, progress=True)[0]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", type=Path, default=SHARED / "media")
    ap.add_argument("--list", type=Path, default=REPO / "bench/coach_videos.toml")
    args = ap.parse_args()
    if not args.media.is_dir():
        print(f"bench_coach_videos: no media at {args.media}", file=sys.stderr)
        return 1
    spec_list: dict[str, Any] = tomllib.loads(args.list.read_text("utf-8"))
    holds, others = spec_list.get("hold", []), spec_list.get("other", [])
    lib = PoseLibrary.load()
    t_start = time.perf_counter()
    tracks = load_tracks(args.media, {r["video"] for r in holds + others})
    print(f"\n{'hold':58s} {'pose':12s} {'PERFECT':>8s}")
    shares, durations, easy = [], [], []
    for r in holds:
        if r["video"] not in tracks:
            continue
        share = perfect_share(tracks[r["video"]], lib.get(r["pose"]), r["from"], r["to"])
        label = f"{Path(r['video']).stem} {r['from']:g}-{r['to']:g}s" + (
            " (hard)" if r.get("hard") else ""
        )
        print(f"{label:58s} {r['pose']:12s} {share:8.0%}   {r.get('note', '')}")
        shares.append(share)
        durations.append(r["to"] - r["from"])
        easy.append(not r.get("hard", False))
    s, d, e = np.array(shares), np.array(durations), np.array(easy)
    if len(s):
        print(
            f"\nholds: PERFECT {np.average(s, weights=d):.0%} of the held time "
            f"({np.average(s[e], weights=d[e]):.0%} without the hard ones); "
            f"{np.mean(s >= 0.8):.0%} of the holds reach 80 %"
        )
    print(f"\n{'not the pose':58s} {'worst pose':12s} {'PERFECT':>8s}")
    worst_all = []
    for r in others:
        if r["video"] not in tracks:
            continue
        ids = r.get("poses") or lib.ids()
        shares_o = {pid: perfect_share(tracks[r["video"]], lib.get(pid), r["from"], r["to"])
                    for pid in ids}  # fmt: skip
        worst = max(shares_o, key=lambda k: shares_o[k])
        worst_all.append(shares_o[worst])
        label = f"{Path(r['video']).stem} {r['from']:g}-{r['to']:g}s"
        print(f"{label:58s} {worst:12s} {shares_o[worst]:8.0%}   {r.get('note', '')}")
    if worst_all:
        print(f"\nnot the pose: PERFECT at most {max(worst_all):.0%} (mean of the worst poses "
              f"{np.mean(worst_all):.1%})")  # fmt: skip
    print(f"({time.perf_counter() - t_start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
