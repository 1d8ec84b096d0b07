"""Comparing two poses: the method's two seed metrics and the trainer score built on top.

Seed metrics (exactly as the method we build on defines them, see DEVELOPERS.md):
  keypoint vector   the 33 landmarks' normalized image (x, y), flattened to 66 numbers, as the
                    method uses them (no centring, no scaling, no mirroring)
  coordinate        D = sqrt(2 * (1 - cos(actual, target))),   score = 100 * (1 - D)
  angle             D = mean over the 8 main angles of |F - G| / ((F + G) / 2)  (2D image angles),
                    score = 100 * (1 - D)
Scores are clipped to 0..100.

Seed-metric choices (the method leaves them open): the image coordinates are MediaPipe's
normalized (x, y), not aspect corrected (as the method feeds them); an angle that is undefined in
either pose (zero-length segment) or a pair with F + G = 0 counts as equal (relative error 0);
D of the coordinate metric is computed as |a/|a| - b/|b|| (equal to sqrt(2 (1 - cos)), without
the cancellation that gives identical vectors D ~ 1e-8). The seed metrics always compare the
target as given, never its mirror image.

Trainer score: core/comparison/trainer_score.py. compare() tries the target and (sides="either") its
mirror image and keeps the better; PERFECT_SCORE is its "pose held well" threshold: 80 is what a
pose gets with every bone about 20 degrees off, and on 410 real yoga photos it is reached by ~2/3 of
the pairs of different photos of the same pose and ~0.1 % of different-pose pairs
(bench/bench_compare.py). Unweighted, one limb alone costs at most its share of the body (an arm
fully wrong: ~12 points); with the library's weights the limbs that matter dominate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from tui_trainer.core.body.angles import ANGLE_NAMES, MAIN_INDEX
from tui_trainer.core.body.pose import Pose

Sides = Literal["either", "same"]
PERFECT_SCORE = 80.0  # verdict threshold of a single comparison (the session adds hysteresis)


def _clip_score(distance: float) -> float:
    return float(np.clip(100.0 * (1.0 - distance), 0.0, 100.0))


def keypoint_vector(pose: Pose) -> np.ndarray:
    """The seed metrics' keypoint vector: normalized image (x, y) of all 33 landmarks."""
    return np.asarray(pose.image[:, :2], dtype=np.float64).ravel()


def coordinate_distance(target: Pose, actual: Pose) -> float:
    """Seed metric: cosine distance D = sqrt(2 (1 - cos)) of the keypoint vectors (0..2).

    Computed as |a/|a| - b/|b||, which equals sqrt(2 (1 - cos)) exactly but does not turn the
    rounding of cos into ~1e-8 for identical vectors. A zero vector has cos = 0 (D = sqrt 2).
    """
    a, b = keypoint_vector(target), keypoint_vector(actual)
    na, nb = math.sqrt(float(a @ a)), math.sqrt(float(b @ b))
    if na == 0.0 or nb == 0.0:
        return math.sqrt(2.0)
    d = a / na - b / nb
    return math.sqrt(float(d @ d))


def coordinate_score(target: Pose, actual: Pose) -> float:
    return _clip_score(coordinate_distance(target, actual))


def angle_distance(target: Pose, actual: Pose) -> float:
    """Seed metric: mean of |F - G| / ((F + G) / 2) over the 8 main angles (2D image angles).

    An angle pair that is undefined or both zero counts as equal.
    """
    f = target.angles_2d.values[MAIN_INDEX]
    g = actual.angles_2d.values[MAIN_INDEX]
    mean = (f + g) / 2.0
    ok = mean > 0  # False for NaN too
    # Pairs that are not ok count 0 (sum / n, not mean(): this runs every frame).
    return float((np.abs(f - g)[ok] / mean[ok]).sum() / len(f))


def angle_score(target: Pose, actual: Pose) -> float:
    return _clip_score(angle_distance(target, actual))


class SeedReference:
    """Both seed distances against one fixed target, its side prepared once (a coach compares
    every frame with the same few targets). Same numbers as coordinate_distance() and
    angle_distance()."""

    def __init__(self, target: Pose) -> None:
        a = keypoint_vector(target)
        na = math.sqrt(float(a @ a))
        self._unit = a / na if na > 0.0 else None
        self._angles = list(zip(MAIN_INDEX.tolist(), target.angles_2d.values[MAIN_INDEX].tolist()))

    def coordinate_distance(self, actual: Pose) -> float:
        b = keypoint_vector(actual)
        nb = math.sqrt(float(b @ b))
        if self._unit is None or nb == 0.0:
            return math.sqrt(2.0)
        d = self._unit - b / nb
        return math.sqrt(float(d @ d))

    def angle_distance(self, actual: Pose) -> float:
        # Eight pairs in plain Python: cheaper than ten numpy calls, and this runs every frame.
        g = actual.angles_2d.values.tolist()
        total = 0.0
        for k, f in self._angles:
            mean = (f + g[k]) / 2.0
            if mean > 0:  # False for NaN too
                total += abs(f - g[k]) / mean
        return total / len(self._angles)


@dataclass(frozen=True)
class Comparison:
    """The result of comparing a performance (actual) with a target pose.

    angles: {angle name: (actual degrees, target degrees)} with the actual pose's labels; when
    mirrored, the target values are those of the mirror-image target (left and right swapped).
    errors: {angle name: actual - target} signed, in degrees (the sign says which way to move).
    confidence: {angle name: 0..1} how much the actual angle can be trusted (visibility).
    """

    score: float
    coordinate_distance: float
    coordinate_score: float
    angle_distance: float
    angle_score: float
    mirrored: bool
    angles: dict[str, tuple[float, float]] = field(default_factory=dict)
    errors: dict[str, float] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    same_side_score: float | None = None  # the unmirrored score (== score unless mirrored)

    @property
    def verdict(self) -> str:
        return "PERFECT" if self.score >= PERFECT_SCORE else "FIGHTING"


def compare(
    target: Pose,
    actual: Pose,
    sides: Sides = "either",
    *,
    weights: Mapping[str, float] | None = None,
    tolerances: Mapping[str, float] | None = None,
) -> Comparison:
    """Compare a performance with a target.

    sides="either": the mirror-image target (other leg forward / facing the other way) is tried
    too and the better match wins (`mirrored=True`); sides="same": labels are taken as they are.
    weights / tolerances: optional per-angle importance and tolerance (degrees), from the library.
    """
    if sides not in ("either", "same"):
        raise ValueError(f"sides: expected 'either' or 'same', got {sides!r}")
    from tui_trainer.core.comparison.trainer_score import trainer_scores

    targets = [target, target.mirror] if sides == "either" else [target]
    scores = trainer_scores(targets, actual, weights, tolerances).tolist()
    score, mirrored, matched = scores[0], False, target
    # Only a clearly better match counts as the other side (symmetric poses tie).
    if len(scores) > 1 and scores[1] > score + 1e-6:
        score, mirrored, matched = scores[1], True, target.mirror
    act = actual.angles
    act_values, tgt_values = act.values.tolist(), matched.angles.values.tolist()
    angles = {n: (a, t) for n, a, t in zip(ANGLE_NAMES, act_values, tgt_values)}
    errors = {n: a - t for n, a, t in zip(ANGLE_NAMES, act_values, tgt_values)}
    confidence = dict(zip(ANGLE_NAMES, act.confidence.tolist()))
    coord_d = coordinate_distance(target, actual)
    angle_d = angle_distance(target, actual)
    return Comparison(
        score=score,
        coordinate_distance=coord_d,
        coordinate_score=_clip_score(coord_d),
        angle_distance=angle_d,
        angle_score=_clip_score(angle_d),
        mirrored=mirrored,
        angles=angles,
        errors=errors,
        confidence=confidence,
        same_side_score=scores[0],
    )
