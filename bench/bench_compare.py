"""Benchmark of the comparison core: speed of scoring one frame, how well scores recognise poses.

Run:  python bench/bench_compare.py [path/to/yoga_dev_landmarks.npz] [--draws 300]

Data: MediaPipe landmarks of 410 real yoga photos, 14 poses (../shared/eval, see its README).
Quality, for each score:
  accuracy  "one reference per pose": draw one photo per pose as the target, label every other
            photo with the pose whose target gives the highest score, average over the draws
  AUC       ROC-AUC of the score separating same-pose pairs from different-pose pairs (all
            ordered pairs of distinct photos)
Scores: the two seed metrics (coordinate_score, angle_score), a plain mirror-aware cosine of the
hip-centred world landmarks, and the trainer score (compare(...).score, sides="either").
Split: photos are halved per pose at random (the file has no person ids); the trainer score's
one width TAU is chosen on the tune half and both halves are reported.
Timings are medians on a shared machine: expect noise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from tui_trainer.core.body.bones import BONE_LENGTH
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.comparison.scoring import PERFECT_SCORE, compare
from tui_trainer.core.comparison.trainer_score import TAU, base_weights, bone_errors

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TUI_TRAINER_SHARED", REPO.parent / "shared"))
TAU_GRID = (15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 50.0)


def load(path: Path) -> tuple[list[Pose], np.ndarray]:
    with np.load(path) as d:
        poses = [
            Pose.from_arrays(d["image"][i], d["world"][i], d["visibility"][i], d["image_size"][i])
            for i in range(len(d["label"]))
        ]
        labels = np.unique(d["label"], return_inverse=True)[1]
    return poses, labels


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """ROC-AUC (Mann-Whitney), ties counted half."""
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = (ends - (counts - 1) / 2.0)[inverse]  # average rank of each tie group
    n_pos = int(positive.sum())
    n_neg = len(scores) - n_pos
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def quality(
    s: np.ndarray, labels: np.ndarray, idx: np.ndarray, draws: int, seed: int = 0
) -> tuple[float, float]:
    """(accuracy, AUC) of score matrix s[target, actual] restricted to the photos idx."""
    s = s[np.ix_(idx, idx)]
    y = labels[idx]
    classes = np.unique(y)
    members = [np.flatnonzero(y == c) for c in classes]
    rng = np.random.default_rng(seed)
    accs = []
    for _ in range(draws):
        targets = np.array([rng.choice(m) for m in members])
        rest = np.ones(len(y), dtype=bool)
        rest[targets] = False
        predicted = classes[np.argmax(s[targets][:, rest], axis=0)]
        accs.append(np.mean(predicted == y[rest]))
    off = ~np.eye(len(y), dtype=bool)
    return float(np.mean(accs)), auc(s[off], (y[:, None] == y[None, :])[off])


def time_one_frame(poses: list[Pose], frames: int = 2000) -> tuple[float, float]:
    """Median ms of compare() on a fresh actual pose (its angles and bones computed inside)."""
    target = poses[0]
    compare(target, poses[1])  # the target's caches are built once per session
    rng = np.random.default_rng(1)
    times = []
    fresh_times = []
    for i in rng.integers(0, len(poses), frames):
        p = poses[i]
        t0 = time.perf_counter()
        fresh = Pose.from_arrays(p.image, p.world, p.visibility, p.image_size)
        t1 = time.perf_counter()
        compare(target, fresh, sides="either")
        t2 = time.perf_counter()
        fresh_times.append(t1 - t0)
        times.append(t2 - t1)
    return 1e3 * float(np.median(times)), 1e3 * float(np.median(fresh_times))


def world_cosine(poses: list[Pose]) -> np.ndarray:
    """Plain mirror-aware cosine similarity of the (hip-centred) 99-d world landmark vectors."""
    w = np.stack([p.world.ravel() for p in poses])
    wm = np.stack([p.mirror.world.ravel() for p in poses])
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    wm /= np.linalg.norm(wm, axis=1, keepdims=True)
    return np.asarray(np.maximum(w @ w.T, wm @ w.T))


def bone_error_tensors(poses: list[Pose]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair, per side: bone errors (2, n, n, 3, B), weights and raw visibilities (2, n, n, B),
    for TAU tuning and ablations."""
    n = len(poses)
    b = len(poses[0].bones.confidence)
    errs = np.zeros((2, n, n, 3, b), dtype=np.float32)
    wts = np.zeros((2, n, n, b), dtype=np.float32)
    vis = np.zeros((2, n, n, b), dtype=np.float32)
    for i, t in enumerate(poses):
        sides = [t, t.mirror]
        for j, a in enumerate(poses):
            w = base_weights(sides, a)
            errs[:, i, j] = bone_errors([s.bones for s in sides], a.bones, w)
            wts[:, i, j] = w
            vis[:, i, j] = np.minimum([s.bones.confidence for s in sides], a.bones.confidence)
    return errs, wts, vis


def scores_for_tau(
    errs: np.ndarray, wts: np.ndarray, tau: float, views: str = "both", soft: bool = True
) -> np.ndarray:
    """Vectorised trainer score (no library weights, sides="either") for another TAU; views
    "3d"/"2d" and soft=False (linear error instead of the Gaussian) are ablations."""
    per_bone = np.exp(-0.5 * (errs / tau) ** 2) if soft else 1.0 - errs / 180.0
    sims = np.einsum("mijvb,mijb->mijv", per_bone, wts)
    sims /= np.maximum(wts.sum(axis=-1), 1e-12)[..., None]
    sim2 = np.maximum(sims[..., 1], sims[..., 2])
    per_side = {"3d": sims[..., 0], "2d": sim2, "both": 0.5 * (sims[..., 0] + sim2)}[views]
    return np.asarray(100.0 * per_side.max(axis=0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("npz", nargs="?", default=SHARED / "eval" / "yoga_dev_landmarks.npz")
    parser.add_argument("--draws", type=int, default=300)
    args = parser.parse_args()
    path = Path(args.npz)
    if not path.is_file():
        print(f"bench_compare: {path} not found (set TUI_TRAINER_SHARED)", file=sys.stderr)
        return 2
    poses, labels = load(path)
    n = len(poses)
    print(f"{n} photos, {labels.max() + 1} poses, {args.draws} draws per accuracy")

    ms, ms_pose = time_one_frame(poses)
    print(f"compare() per frame (angles + bones + seeds + both sides): median {ms:.3f} ms")
    print(f"  (building the Pose from arrays, not included: median {ms_pose:.3f} ms)")

    t0 = time.perf_counter()
    mats = {k: np.zeros((n, n)) for k in ("coord", "angle", "trainer")}
    for i, t in enumerate(poses):
        for j, a in enumerate(poses):
            c = compare(t, a)
            mats["coord"][i, j] = c.coordinate_score
            mats["angle"][i, j] = c.angle_score
            mats["trainer"][i, j] = c.score
    print(f"all {n * n} pairs compared in {time.perf_counter() - t0:.1f} s")
    rows = [
        ("coordinate_score (seed)", mats["coord"]),
        ("angle_score (seed)", mats["angle"]),
        ("world cosine, mirror-aware", world_cosine(poses)),
        ("trainer score", mats["trainer"]),
    ]
    everyone = np.arange(n)
    print(f"\n{'score':<28} {'accuracy':>9} {'AUC':>7}")
    for name, s in rows:
        acc, roc = quality(s, labels, everyone, args.draws)
        print(f"{name:<28} {acc:>9.3f} {roc:>7.3f}")

    same = (labels[:, None] == labels[None, :]) & ~np.eye(n, dtype=bool)
    diff = labels[:, None] != labels[None, :]
    tr = mats["trainer"]
    p_same, p_diff = np.mean(tr[same] >= PERFECT_SCORE), np.mean(tr[diff] >= PERFECT_SCORE)
    print(
        f"\ntrainer score >= PERFECT ({PERFECT_SCORE:.0f}): {p_same:.1%} of same-pose pairs, "
        f"{p_diff:.2%} of different-pose pairs; "
        f"median same {np.median(tr[same]):.1f}, different {np.median(tr[diff]):.1f}"
    )

    # Split: half the photos of each pose to tune TAU, the other half to test it.
    rng = np.random.default_rng(2026)
    tune_mask = np.zeros(n, dtype=bool)
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        tune_mask[members[: len(members) // 2]] = True
    tune, test = np.flatnonzero(tune_mask), np.flatnonzero(~tune_mask)
    errs, wts, vis = bone_error_tensors(poses)
    by_tau = {tau: scores_for_tau(errs, wts, tau) for tau in TAU_GRID}
    print(f"\nsplit: {len(tune)} photos to tune TAU, {len(test)} to test (per pose, at random)")
    print(f"{'TAU':>5} {'tune acc':>9} {'tune AUC':>9} {'test acc':>9} {'test AUC':>9}")
    tuned = {}
    for tau, s in by_tau.items():
        qa, qb = quality(s, labels, tune, args.draws), quality(s, labels, test, args.draws)
        tuned[tau] = qa[0] + qa[1]
        mark = "  <- module default" if tau == TAU else ""
        print(f"{tau:>5.0f} {qa[0]:>9.3f} {qa[1]:>9.3f} {qb[0]:>9.3f} {qb[1]:>9.3f}{mark}")
    best = max(tuned, key=lambda k: tuned[k])
    qb = quality(by_tau[best], labels, test, args.draws)
    print(
        f"TAU chosen on the tune half: {best:.0f} -> "
        f"test half accuracy {qb[0]:.3f}, AUC {qb[1]:.3f}"
    )
    for name, s in rows[:3]:
        qa = quality(s, labels, test, args.draws)
        print(f"  test half, {name}: accuracy {qa[0]:.3f}, AUC {qa[1]:.3f}")

    unit = wts / BONE_LENGTH.astype(np.float32)  # visibility only, every bone counted alike
    ablations = [
        ("3D bones only", scores_for_tau(errs, wts, TAU, views="3d")),
        ("2D bones only", scores_for_tau(errs, wts, TAU, views="2d")),
        ("no length weights", scores_for_tau(errs, unit, TAU)),
        ("plain visibility weights", scores_for_tau(errs, vis * BONE_LENGTH, TAU)),
        (
            "no visibility weights",
            scores_for_tau(errs, np.broadcast_to(BONE_LENGTH, wts.shape), TAU),
        ),
        ("linear, not soft, error", scores_for_tau(errs, wts, TAU, soft=False)),
    ]
    print(
        f"\nablations of the trainer score (all photos)\n{'variant':<28} {'accuracy':>9} {'AUC':>7}"
    )
    for name, s in ablations:
        acc, roc = quality(s, labels, everyone, args.draws)
        print(f"{name:<28} {acc:>9.3f} {roc:>7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
