"""Does the coach tell the truth? Recall, false PERFECT and the perturbation test on real photos.

    python bench/bench_coach.py [--npz ../shared/eval/yoga_dev_landmarks.npz] [--split holdout]

Templates are built in-process from one part of the photos with the same code as the built-in
library (scripts/build_builtin_poses.py) and measured on the other part:
  --split holdout   build on the photos not in poses/HOLDOUT.txt, measure on the held-out third
  --split folds     3 folds by a hash of the file name: each third measured against templates
                    built on the other two (every photo measured once; slower, less noisy)

Each photo is fed to `FrameScorer(spec, "either")` as a 1.5 s hold at 30 fps:
  recall          the photo of pose P reaches PERFECT against P (per pose and overall)
  false PERFECT   the photo of pose Q reaches PERFECT against a pose P != Q
  perturbation    photos that reach PERFECT get the limb beyond one important joint (elbow,
                  shoulder, hip, knee with weight >= 0.5 in the pose file) rotated about that
                  joint by 20 and 35 degrees, the same rotation applied to the world and the
                  image landmarks. Two kinds of rotation: "plane" (about the normal of the
                  joint's own plane in 3D: the joint angle opens or closes by the full amount)
                  and "camera" (about the camera axis, i.e. in the picture).
                  caught = the hold does not reach PERFECT; right hint = caught and the
                  correction names a joint whose angle moved (> 10 deg) and asks to move it
                  back (share of the trials whose last message is not a framing message).
The same numbers for a fixed 25-degree threshold on the 8 main 3D angles (what most open yoga
correctors do; mirror-aware, the worst angle is the correction) are printed beside.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tui_trainer.core.body.angles import ANGLE_INDEX, MAIN_ANGLES  # noqa: E402
from tui_trainer.core.body.pose import Pose  # noqa: E402
from tui_trainer.core.coaching.coach import PERFECT, FrameScorer  # noqa: E402
from tui_trainer.core.library.spec import PoseSpec  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from perturb import LIMBS, perturb  # noqa: E402

SHARED = Path(os.environ.get("TUI_TRAINER_SHARED", REPO.parent / "shared"))
FPS, HOLD_S = 30.0, 1.5
IMPORTANT = 0.5  # weight from which a joint counts as important for the perturbation test
MOVED_DEG = 10.0


@dataclass(frozen=True)
class Photo:
    label: str
    name: str
    pose: Pose


def load_photos(npz: Path) -> list[Photo]:
    out = []
    with np.load(npz) as d:
        for i in range(len(d["name"])):
            w, h = (int(v) for v in d["image_size"][i])
            pose = Pose.from_arrays(d["image"][i], d["world"][i], d["visibility"][i], (w, h))
            out.append(Photo(str(d["label"][i]), str(d["name"][i]), pose))
    return out


def _builder() -> Callable[[dict[str, list[Pose]]], dict[str, PoseSpec]]:
    spec = importlib.util.spec_from_file_location("bbp", REPO / "scripts/build_builtin_poses.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_library  # type: ignore[no-any-return]


def splits(photos: list[Photo], how: str) -> list[tuple[list[Photo], list[Photo]]]:
    if how == "holdout":
        held = set()
        for line in (REPO / "poses/HOLDOUT.txt").read_text("utf-8").splitlines():
            if line and not line.startswith("#"):
                held.add(tuple(line.split("\t")))
        test = [p for p in photos if (p.label, p.name) in held]
        return [([p for p in photos if (p.label, p.name) not in held], test)]
    fold = [int(hashlib.sha1(f"{p.label}/{p.name}".encode()).hexdigest(), 16) % 3 for p in photos]
    return [
        ([p for p, f in zip(photos, fold) if f != k], [p for p, f in zip(photos, fold) if f == k])
        for k in range(3)
    ]


# ---------------------------------------------------------------------------------------------
# Coaches under test: the real one (FrameScorer) and the fixed-threshold baseline.


@dataclass(frozen=True)
class Outcome:
    perfect: bool
    hint_angle: str | None
    hint_error: float | None  # actual - target of the named angle (its sign says which way)
    framing: bool


def run_coach(spec: PoseSpec, pose: Pose) -> Outcome:
    scorer = FrameScorer(spec, "either")
    perfect = False
    r = None
    for k in range(int(HOLD_S * FPS)):
        r = scorer.update(pose, k / FPS)
        perfect = perfect or r.verdict == PERFECT
    assert r is not None
    err = None
    if r.hint_angle is not None and r.comparison is not None:
        err = r.comparison.errors.get(r.hint_angle)
    return Outcome(perfect, r.hint_angle, err, r.framing is not None)


def baseline_targets(train: Sequence[Photo]) -> dict[str, np.ndarray]:
    """The baseline's reference: per pose, the median 3D main angles of its training photos
    (asymmetric poses put on one side by the pose's own side rule)."""
    from tui_trainer.core.library.builder import resolve_sides
    from tui_trainer.core.tomlcompat import tomllib

    meta = tomllib.loads((REPO / "scripts/pose_hints.toml").read_text("utf-8"))
    by_label: dict[str, list[Pose]] = defaultdict(list)
    for p in train:
        by_label[p.label].append(p.pose)
    out = {}
    for label, poses in by_label.items():
        m = meta.get(label, {})
        sided = resolve_sides(poses, bool(m.get("symmetric", True)), m.get("side_rule"))
        out[label] = np.nanmedian(np.stack([p.angles.values[_MAIN] for p in sided]), axis=0)
    return out


_MAIN = np.array([ANGLE_INDEX[n] for n in MAIN_ANGLES])


def make_baseline(targets: dict[str, np.ndarray], threshold: float = 25.0) -> Coach:
    """PERFECT when each of the 8 main 3D angles is within `threshold` of the reference (the
    reference or its mirror image, whichever fits); the correction is the worst angle."""
    by_spec: dict[str, np.ndarray] = targets

    def run(spec: PoseSpec, pose: Pose) -> Outcome:
        ref = by_spec[spec.id]
        mirrored_ref = ref[[MAIN_ANGLES.index(_mirror(n)) for n in MAIN_ANGLES]]
        best: tuple[float, str, float] | None = None
        for r in (ref, mirrored_ref):
            errs = pose.angles.values[_MAIN] - r
            k = int(np.nanargmax(np.abs(errs)))
            if best is None or abs(errs[k]) < best[0]:
                best = (float(abs(errs[k])), MAIN_ANGLES[k], float(errs[k]))
        assert best is not None
        perfect = best[0] <= threshold
        return Outcome(perfect, None if perfect else best[1], None if perfect else best[2], False)

    return run


Coach = Callable[[PoseSpec, Pose], Outcome]


@dataclass
class Tally:
    recall: dict[str, list[bool]]
    false_perfect: list[bool]
    caught: dict[tuple[str, float], list[bool]]  # (kind, degrees)
    right: dict[tuple[str, float], list[bool]]
    # joint kind -> (caught, right or None with a framing message) at 35 plane
    by_joint: dict[str, list[tuple[bool, bool | None]]]


def new_tally() -> Tally:
    return Tally(defaultdict(list), [], defaultdict(list), defaultdict(list), defaultdict(list))


def evaluate(
    coach: Coach, specs: dict[str, PoseSpec], test: Sequence[Photo], seed: int = 0
) -> Tally:
    rng = np.random.default_rng(seed)
    tally = new_tally()
    for photo in test:
        spec = specs[photo.label]
        ok = coach(spec, photo.pose).perfect
        tally.recall[photo.label].append(ok)
        for other, ospec in specs.items():
            if other != photo.label:
                tally.false_perfect.append(coach(ospec, photo.pose).perfect)
        if not ok:
            continue
        for angle, target in spec.angles.items():
            if angle not in LIMBS or target.weight < IMPORTANT:
                continue
            # Asymmetric poses: the photo may show either side; perturb the trainee's joint
            # that plays this angle's role.
            joint = _played_joint(spec, photo.pose, angle)
            for kind in ("plane", "camera"):
                for deg in (20.0, 35.0):
                    moved = perturb(photo.pose, joint, deg, kind, rng)
                    if moved is None:
                        continue
                    out = coach(spec, moved)
                    caught = not out.perfect
                    tally.caught[(kind, deg)].append(caught)
                    # Share of all trials without a framing message: caught AND told to undo it.
                    right = caught and not out.framing and _right_hint(photo.pose, moved, out)
                    if not out.framing:
                        tally.right[(kind, deg)].append(right)
                    if kind == "plane" and deg == 35.0:
                        kept = None if out.framing else right
                        tally.by_joint[angle.split("_", 1)[1]].append((caught, kept))
    return tally


def _mirror(name: str) -> str:
    side, _, rest = name.partition("_")
    return {"left": "right", "right": "left"}.get(side, side) + "_" + rest if rest else name


def _played_joint(spec: PoseSpec, pose: Pose, angle: str) -> str:
    """The trainee's joint in the role of the spec's `angle` (the mirror one on the other side)."""
    if spec.symmetric:
        return angle
    scorer = FrameScorer(spec, "either")
    r = scorer.update(pose, 0.0)
    return _mirror(angle) if r.comparison is not None and r.comparison.mirrored else angle


def _right_hint(before: Pose, after: Pose, out: Outcome) -> bool:
    if out.hint_angle is None or out.hint_error is None or out.hint_angle not in ANGLE_INDEX:
        return False
    k = ANGLE_INDEX[out.hint_angle]
    delta = float(after.angles.values[k] - before.angles.values[k])
    if not np.isfinite(delta) or abs(delta) < MOVED_DEG:
        return False
    # Undo: an angle that grew must be told to close (error > 0 -> "decrease"), and vice versa.
    return (out.hint_error > 0) == (delta > 0)


def merge(tallies: Sequence[Tally]) -> Tally:
    out = new_tally()
    for t in tallies:
        for k, v in t.recall.items():
            out.recall[k] += v
        out.false_perfect += t.false_perfect
        for k2, v2 in t.caught.items():
            out.caught[k2] += v2
        for k2, v2 in t.right.items():
            out.right[k2] += v2
        for k, v3 in t.by_joint.items():
            out.by_joint[k] += v3
    return out


def _mean(values: Sequence[bool]) -> float:
    return float(np.mean(values)) if values else float("nan")


def report(name: str, t: Tally) -> dict[str, float]:
    recall_all = [v for vs in t.recall.values() for v in vs]
    row = {
        "recall": _mean(recall_all),
        "min pose recall": min(_mean(v) for v in t.recall.values()),
        "false PERFECT": _mean(t.false_perfect),
    }
    for kind in ("plane", "camera"):
        for deg in (20.0, 35.0):
            row[f"caught {kind} {deg:.0f}"] = _mean(t.caught[(kind, deg)])
            row[f"right {kind} {deg:.0f}"] = _mean(t.right[(kind, deg)])
    print(f"\n== {name}")
    print("  per pose recall: " + ", ".join(
        f"{k} {_mean(v):.2f}" for k, v in sorted(t.recall.items())
    ))  # fmt: skip
    print("  by joint (plane 35, caught/right): " + ", ".join(
        f"{k} {_mean([c for c, _ in v]):.2f}/{_mean([r for _, r in v if r is not None]):.2f}"
        for k, v in sorted(t.by_joint.items())
    ))  # fmt: skip
    return row


def time_frames(specs: dict[str, PoseSpec], photos: Sequence[Photo], frames: int = 3000) -> float:
    """Median ms of FrameScorer.update on a fresh pose (its angles and bones computed inside),
    cycling through the photos against their own pose (every variant, both sides)."""
    scorers = {pid: FrameScorer(spec, "either") for pid, spec in specs.items()}
    times = []
    for k in range(frames):
        p = photos[k % len(photos)]
        fresh = Pose.from_arrays(p.pose.image, p.pose.world, p.pose.visibility, p.pose.image_size)
        t0 = time.perf_counter()
        scorers[p.label].update(fresh, k / FPS)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000.0)


def main() -> int:
    ap = argparse.ArgumentParser(description="coach truthfulness on real photos")
    ap.add_argument("--npz", type=Path, default=SHARED / "eval/yoga_dev_landmarks.npz")
    ap.add_argument("--split", choices=("holdout", "folds"), default="holdout")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    if not args.npz.is_file():
        print(f"bench_coach: no eval data at {args.npz}", file=sys.stderr)
        return 1
    photos = load_photos(args.npz)
    build = _builder()
    coach_t, base_t = [], []
    t0 = time.perf_counter()
    for train, test in splits(photos, args.split):
        by_label: dict[str, list[Pose]] = defaultdict(list)
        for p in train:
            by_label[p.label].append(p.pose)
        specs = build(dict(by_label))
        coach_t.append(evaluate(run_coach, specs, test))
        if not args.no_baseline:
            base_t.append(evaluate(make_baseline(baseline_targets(train)), specs, test))
    rows = {"coach": report("coach (FrameScorer)", merge(coach_t))}
    if base_t:
        rows["fixed 25°"] = report("fixed 25° on the 8 main angles", merge(base_t))
    keys = list(rows["coach"])
    print(f"\n{'measure':24s}" + "".join(f"{k:>12s}" for k in rows))
    for key in keys:
        print(f"{key:24s}" + "".join(f"{rows[k][key]:12.3f}" for k in rows))
    print(
        f"\nFrameScorer.update: {time_frames(specs, photos):.3f} ms median per frame (goal <= 0.3)"
    )
    print(f"({args.split} split, {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
