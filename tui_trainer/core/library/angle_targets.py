"""An angle's target, tolerance and weight from photos of people doing a pose (one form of it):
the statistics core/library/builder.py builds every pose and variant with.

  target     the median of the photos' body angles (body/angles.body_points)
  tolerance  TOL_K robust standard deviations, a small form's spread pulled toward a typical one
             (PRIOR_STD, as if SHRINK_N more photos had shown it), within [TOL_FLOOR, TOL_CAP]
  weight     consistency x distinctiveness x visibility (angle_weights)
  straight   elbows and knees with a target of STRAIGHT_MIN or more (is_straight)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_MIRROR_NAME, ANGLE_NAMES, PAIRED
from tui_trainer.core.body.pose import VISIBLE, Pose

__all__ = [
    "PRIOR_STD",
    "SHRINK_N",
    "STRAIGHT_MIN",
    "TOL_CAP",
    "TOL_FLOOR",
    "TOL_K",
    "WELL_SEEN_SHARE",
    "AngleStats",
    "angle_stats",
    "angle_weights",
    "is_straight",
    "pair_tolerance",
    "tolerance",
]

TOL_FLOOR = 8.0  # degrees: nobody holds a pose more precisely than this
TOL_CAP = 30.0  # degrees: beyond this the angle is not part of the pose
# tolerance = TOL_K robust standard deviations: the band that holds ~95% of the people who do
# the pose (as a 2-sigma band does); "far off" is then twice that.
TOL_K = 2.0
# A spread measured on a few photos is unreliable: each variant's is pulled toward PRIOR_STD, the
# median spread of a main angle within a variant over the 410 yoga photos (7.2 deg, variants of
# 8+ photos), as if SHRINK_N more photos had shown it.
PRIOR_STD = 7.0
SHRINK_N = 5.0
# Body-angle degrees from which an elbow or knee target means "straight": the library's targets
# fall into bent (145 deg and less: arms overhead with palms together) and straight (150 and
# more: hanging arms, standing legs), with nothing between.
STRAIGHT_MIN = 150.0
# A few well-seen photos among many poorly seen ones are the views in which that angle shows,
# often another way of doing the pose (the 4 of 29 seated forward bends seen from the front,
# legs wide apart, against side views with the legs together): they do not speak for the rest.
WELL_SEEN_SHARE = 1.0 / 3.0
_STRAIGHTENABLE = ("elbow", "knee")


@dataclass(frozen=True)
class AngleStats:
    """Spread of one angle over a variant's photos."""

    median: float
    robust_std: float
    confidence: float  # mean confidence (visibility) of the angle over the photos
    n: int


def angle_stats(poses: Sequence[Pose]) -> dict[str, AngleStats]:
    """Median and robust spread of every body angle over photos: the well-seen ones when they
    are at least 3 and WELL_SEEN_SHARE of the photos, else all of them."""
    values = np.stack([p.body_angles.values for p in poses])
    conf = np.stack([p.body_angles.confidence for p in poses])
    out: dict[str, AngleStats] = {}
    for k, name in enumerate(ANGLE_NAMES):
        col = values[:, k]
        good = np.isfinite(col) & (conf[:, k] >= VISIBLE)
        if good.sum() < max(3, WELL_SEEN_SHARE * np.isfinite(col).sum()):
            good = np.isfinite(col)
        v = col[good]
        if v.size == 0:
            continue
        med = float(np.median(v))
        mad = float(np.median(np.abs(v - med))) * 1.4826
        out[name] = AngleStats(med, mad, float(conf[:, k].mean()), int(v.size))
    return out


def angle_weights(
    stats: Mapping[str, AngleStats], others: Sequence[Mapping[str, float]] = ()
) -> dict[str, float]:
    """Which joints matter for this form of the pose (0..1, the heaviest is 1).

    weight = consistency x distinctiveness x visibility, where
      consistency     = TOL_FLOOR / max(robust std, TOL_FLOOR)   (people agree on this angle)
      distinctiveness = 0.25 + 0.75 * min(1, median distance of the target from the same
                        angle's target in the other poses / 45 degrees)  (it tells poses apart;
                        without other poses it is 1). The other poses count as done on either
                        side (their targets and their mirror images): their template side is
                        arbitrary, and a symmetric pose's left and right knee must weigh the same.
      visibility      = mean confidence of the angle over the photos (0.3 floor)
    """
    raw: dict[str, float] = {}
    seen_either_side = [
        side for o in others for side in (o, {ANGLE_MIRROR_NAME[n]: v for n, v in o.items()})
    ]
    for name, st in stats.items():
        consistency = TOL_FLOOR / max(st.robust_std, TOL_FLOOR)
        dists = [abs(st.median - o[name]) for o in seen_either_side if name in o]
        distinct = 1.0 if not dists else 0.25 + 0.75 * min(1.0, float(np.median(dists)) / 45.0)
        raw[name] = consistency * distinct * max(st.confidence, 0.3)
    top = max(raw.values(), default=1.0)
    return {n: round(w / top, 2) for n, w in raw.items()}


def tolerance(st: AngleStats) -> float:
    """TOL_K x the robust std (pulled toward PRIOR_STD by SHRINK_N photos), within the bounds."""
    std = float(np.sqrt((st.n * st.robust_std**2 + SHRINK_N * PRIOR_STD**2) / (st.n + SHRINK_N)))
    return float(np.clip(TOL_K * std, TOL_FLOOR, TOL_CAP))


def pair_tolerance(poses: Sequence[Pose]) -> dict[str, float]:
    """How far people's left and right angle of each paired joint differ in a symmetric pose
    (photos as taken: the gap left - right, counted both ways), as a tolerance."""
    out: dict[str, float] = {}
    for joint in PAIRED:
        l_k, r_k = ANGLE_INDEX[f"left_{joint}"], ANGLE_INDEX[f"right_{joint}"]
        gaps = np.array([p.body_angles.values[l_k] - p.body_angles.values[r_k] for p in poses])
        seen = np.array(
            [min(p.body_angles.confidence[l_k], p.body_angles.confidence[r_k]) for p in poses]
        )
        gaps = gaps[np.isfinite(gaps) & (seen >= VISIBLE)]
        if gaps.size < 3:
            continue
        both = np.concatenate([gaps, -gaps])
        std = float(np.median(np.abs(both))) * 1.4826
        out[joint] = round(float(np.clip(TOL_K * std, TOL_FLOOR, TOL_CAP)), 1)
    return out


def is_straight(name: str, target: float) -> bool:
    return name.rpartition("_")[2] in _STRAIGHTENABLE and target >= STRAIGHT_MIN
