"""How far any "one joint far off" gate can go on real photos: recall against caught.

    python bench/bench_gate_frontier.py [--npz ../shared/eval/yoga_dev_landmarks.npz]

The coach's verdict rests on a gate: no important joint (weight >= GATE_WEIGHT, seen well
enough, not a weak angle) may be off by `limit` or more. This sweeps the limit, in the pose's
own tolerances and in plain degrees, on the 3 folds of bench/bench_coach.py (templates built
on two thirds, measured on the rest), and prints for each limit:
  recall   held-out photos whose best form has no joint over the limit
  caught   of those, the share whose 35-degree perturbation in the joint's plane (as in
           bench_coach.py) puts a joint over the limit, the best form chosen afresh
The gate alone, without the score: it shows the trade-off any threshold on per-joint
deviations faces with these people, not the coach's own numbers (bench_coach.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_coach import (  # noqa: E402
    IMPORTANT,
    LIMBS,
    SHARED,
    _builder,
    _played_joint,
    load_photos,
    perturb,
    splits,
)

from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_NAMES, WEAK_ANGLES  # noqa: E402
from tui_trainer.core.body.pose import Pose  # noqa: E402
from tui_trainer.core.coaching.evidence import GATE_WEIGHT, MIN_CONFIDENCE  # noqa: E402
from tui_trainer.core.coaching.judging import PoseJudge  # noqa: E402

LIMITS_TOL = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0)  # in tolerances
LIMITS_DEG = (15.0, 20.0, 25.0, 30.0, 35.0, 40.0)  # in degrees
_GATED_NAMES = np.array([n not in WEAK_ANGLES for n in ANGLE_NAMES])


def row_table(judge: PoseJudge) -> tuple[np.ndarray, np.ndarray]:
    """(S, K) tolerances (NaN: no target) and weights of the judge's rows."""
    tol = np.full((len(judge.rows), len(ANGLE_NAMES)), np.nan)
    weight = np.zeros_like(tol)
    for i, row in enumerate(judge.rows):
        for name, t in row.targets.items():
            tol[i, ANGLE_INDEX[name]], weight[i, ANGLE_INDEX[name]] = t.tolerance, t.weight
    return tol, weight


def worst(judge: PoseJudge, weight: np.ndarray, pose: Pose, unit: np.ndarray) -> float:
    """The smallest, over the forms (and sides), of the largest gated deviation in `unit`s."""
    dev = judge.deviations(pose)
    conf = pose.body_angles.confidence
    gated = (weight >= GATE_WEIGHT) & (conf >= MIN_CONFIDENCE) & _GATED_NAMES
    gated &= np.isfinite(dev)
    z = np.where(gated, np.abs(np.where(np.isfinite(dev), dev, 0.0)) / unit, 0.0)
    return float(z.max(axis=1).min())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--npz", type=Path, default=SHARED / "eval/yoga_dev_landmarks.npz")
    args = ap.parse_args()
    if not args.npz.is_file():
        print(f"bench_gate_frontier: no eval data at {args.npz}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    photos = load_photos(args.npz)
    build = _builder()
    rng = np.random.default_rng(0)
    genuine: dict[str, list[float]] = {"tol": [], "deg": []}
    moved: dict[str, list[tuple[float, float]]] = {"tol": [], "deg": []}  # (before, after)
    for train, test in splits(photos, "folds"):
        by_label: dict[str, list[Pose]] = defaultdict(list)
        for p in train:
            by_label[p.label].append(p.pose)
        specs = build(dict(by_label))
        judges = {pid: PoseJudge(spec, "either") for pid, spec in specs.items()}
        tables = {pid: row_table(judge) for pid, judge in judges.items()}
        for photo in test:
            spec, judge = specs[photo.label], judges[photo.label]
            tol, weight = tables[photo.label]
            units = {"tol": tol, "deg": np.ones_like(tol)}
            before = {k: worst(judge, weight, photo.pose, u) for k, u in units.items()}
            for k in units:
                genuine[k].append(before[k])
            for angle, target in spec.angles.items():
                if angle not in LIMBS or target.weight < IMPORTANT:
                    continue
                after = perturb(
                    photo.pose, _played_joint(spec, photo.pose, angle), 35.0, "plane", rng
                )
                if after is None:
                    continue
                for k, u in units.items():
                    moved[k].append((before[k], worst(judge, weight, after, u)))
    for k, limits, label in (("tol", LIMITS_TOL, "tolerances"), ("deg", LIMITS_DEG, "degrees")):
        g, m = np.array(genuine[k]), np.array(moved[k])
        print(f"\nlimit ({label})   recall   caught 35 in plane")
        for c in limits:
            passing = m[:, 0] < c
            caught = float((m[passing, 1] >= c).mean()) if passing.any() else float("nan")
            print(f"{c:>16.1f}   {float((g < c).mean()):.3f}   {caught:.3f}")
    print(f"\n({len(genuine['tol'])} photos, {len(moved['tol'])} perturbations, "
          f"{time.perf_counter() - t0:.0f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
