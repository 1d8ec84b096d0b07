"""Top-1 pose recognition of the built-in library on photos it was not built from.

    python bench/bench_library.py [--npz ../shared/eval/yoga_dev_landmarks.npz]

The held-out photos are listed in poses/HOLDOUT.txt. The shipped poses are built from every
photo, so this builds the library the same way (scripts/build_builtin_poses.py) from the others.
Prints the accuracy of PoseLibrary.match and, as a baseline, of a single medoid photo per pose
(the training photo closest to the others after alignment) compared with the plain trainer score
(no per-pose weights or tolerances).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_coach import _builder  # noqa: E402

from tui_trainer.core.body.pose import Pose  # noqa: E402
from tui_trainer.core.comparison.scoring import compare  # noqa: E402
from tui_trainer.core.library import PoseLibrary, builtin_dir  # noqa: E402
from tui_trainer.core.library.templates import _normalise, yaw_align  # noqa: E402


def medoid(poses: list[Pose]) -> Pose:
    pts = [_normalise(p.world) for p in poses]
    cost = [
        sum(min(yaw_align(a, b, p.visibility)[1], yaw_align(a, _mirror(b), p.visibility)[1])
            for b, p in zip(pts, poses))
        for a in pts
    ]  # fmt: skip
    return poses[int(np.argmin(cost))]


def _mirror(pts: np.ndarray) -> np.ndarray:
    from tui_trainer.core.body.landmarks import MIRROR

    out = pts[MIRROR].copy()
    out[:, 0] = -out[:, 0]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description="pose recognition on held-out photos")
    ap.add_argument("--npz", type=Path, default=REPO.parent / "shared/eval/yoga_dev_landmarks.npz")
    args = ap.parse_args()
    if not args.npz.is_file():
        print(f"no eval data at {args.npz}", file=sys.stderr)
        return 1
    held = set()
    for line in (builtin_dir("poses") / "HOLDOUT.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            label, name = line.split("\t")
            held.add((label, name))
    test: list[tuple[str, Pose]] = []
    train: dict[str, list[Pose]] = {}
    with np.load(args.npz) as d:
        for i in range(len(d["name"])):
            label, name = str(d["label"][i]), str(d["name"][i])
            size = (int(d["image_size"][i][0]), int(d["image_size"][i][1]))
            pose = Pose.from_arrays(d["image"][i], d["world"][i], d["visibility"][i], size)
            if (label, name) in held:
                test.append((label, pose))
            else:
                train.setdefault(label, []).append(pose)

    lib = PoseLibrary(list(_builder()(train).values()))

    t0 = time.perf_counter()
    hits, misses = 0, Counter[str]()
    for label, pose in test:
        best = lib.match(pose, top=1)[0].pose_id
        hits += best == label
        if best != label:
            misses[f"{label}->{best}"] += 1
    dt = (time.perf_counter() - t0) / max(len(test), 1)
    weighted = sum(lib.match(p, top=1, weighted=True)[0].pose_id == lab for lab, p in test)

    medoids = {label: medoid(ps) for label, ps in train.items()}
    base = 0
    for label, pose in test:
        scores = {lab: compare(m, pose).score for lab, m in medoids.items()}
        base += max(scores, key=lambda k: scores[k]) == label

    n = len(test)
    print(f"held-out photos: {n} ({len(lib.ids())} poses; templates built from the other photos)")
    print(f"library match top-1:        {hits / n:.3f}  ({hits}/{n})")
    print(f"  (with per-pose weights:  {weighted / n:.3f}  ({weighted}/{n}))")
    print(f"single-medoid baseline:     {base / n:.3f}  ({base}/{n})")
    print(f"match time: {dt * 1000:.1f} ms per photo (noisy: shared 2-core machine)")
    if misses:
        print("confusions:", ", ".join(f"{k} x{v}" for k, v in misses.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
