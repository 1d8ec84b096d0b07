"""Held stretches in a recording: where someone holds still in a pose, and which holds differ.

A teacher's video steps into the pose, holds it, adjusts, steps out, perhaps holds the other
side; only the holds show the pose. A frame is still when the body's main angles (smoothed over
SMOOTH_S) change by less than STILL_DEG_S degrees a second on average; a hold is a run of still
frames with a person in them lasting at least MIN_HOLD_S (gaps shorter than GAP_S are bridged).
Holds whose mean angles differ by more than DISTINCT_DEG (mean over the main angles, as
core/library/variants.py measures) are distinct forms; a hold that is the mirror image of another is
the same form on the other side.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_MIRROR, MAIN_INDEX

STILL_DEG_S = 20.0  # mean angular speed below which the body counts as still
SMOOTH_S = 0.3
MIN_HOLD_S = 1.0
GAP_S = 0.3
DISTINCT_DEG = 15.0
ASYMMETRIC_DEG = 15.0  # a form whose left and right angles differ this much has two sides


@dataclass(frozen=True)
class Hold:
    start: int  # first frame index
    stop: int  # one past the last frame
    t0: float  # seconds
    t1: float

    @property
    def duration(self) -> float:
        return self.t1 - self.t0

    @property
    def frames(self) -> int:
        return self.stop - self.start


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    """Moving median over `width` frames, per column, ignoring NaN."""
    if width <= 1:
        return values
    half = width // 2
    out = np.full_like(values, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        for i in range(len(values)):
            out[i] = np.nanmedian(values[max(0, i - half) : i + half + 1], axis=0)
    return out


def angular_speed(times: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """(N,) mean absolute rate of change of the main angles, degrees a second (NaN unknown)."""
    fps = (len(times) - 1) / max(float(times[-1] - times[0]), 1e-9) if len(times) > 1 else 1.0
    main = _smooth(angles[:, MAIN_INDEX], max(1, round(SMOOTH_S * fps)))
    speed = np.full(len(times), np.nan)
    if len(times) < 3:
        return speed
    diff = np.abs(main[2:] - main[:-2]) / np.maximum(times[2:] - times[:-2], 1e-9)[:, None]
    seen = np.isfinite(diff)
    count = seen.sum(axis=1)
    total = np.where(seen, diff, 0.0).sum(axis=1)
    speed[1:-1] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return speed


def find_holds(times: np.ndarray, angles: np.ndarray, present: np.ndarray) -> list[Hold]:
    """Holds in a recording: times (N,) seconds, angles (N, K) body angles (NaN where unknown),
    present (N,) a person was found."""
    times = np.asarray(times, dtype=np.float64)
    if len(times) == 0:
        return []
    speed = angular_speed(times, np.asarray(angles, dtype=np.float64))
    still = np.asarray(present, dtype=bool) & (np.nan_to_num(speed, nan=np.inf) < STILL_DEG_S)
    runs: list[list[int]] = []
    for i in np.flatnonzero(still):
        if runs and times[i] - times[runs[-1][1]] <= GAP_S:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    out = []
    for a, b in runs:
        if times[b] - times[a] >= MIN_HOLD_S:
            out.append(Hold(a, b + 1, float(times[a]), float(times[b])))
    return out


def hold_angles(angles: np.ndarray, hold: Hold) -> np.ndarray:
    """(K,) median angles over a hold."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(angles[hold.start : hold.stop], axis=0))


def is_standing(mean: np.ndarray) -> bool:
    """Plain standing (upright, legs straight, arms down): how a video starts and ends."""
    a = {n: mean[ANGLE_INDEX[n]] for n in ANGLE_INDEX}
    legs = min(a["left_knee"], a["right_knee"], a["left_hip"], a["right_hip"])
    return bool(
        a["trunk_lean"] < 15.0
        and legs > 155.0
        and max(a["left_shoulder"], a["right_shoulder"]) < 40.0
        and a["leg_spread"] < 30.0
    )


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    d = np.abs(a[MAIN_INDEX] - b[MAIN_INDEX])
    return float(np.nanmean(d)) if np.isfinite(d).any() else 180.0


def group_holds(means: list[np.ndarray]) -> tuple[list[int], list[bool]]:
    """For each hold's mean angles: the form it shows (0..) and whether it is the mirror image
    of that form's first hold (the other side). Greedy, in time order."""
    firsts: list[np.ndarray] = []
    labels, mirrored = [], []
    for m in means:
        best: tuple[float, int, bool] | None = None
        for k, f in enumerate(firsts):
            for flip in (False, True):
                d = _distance(m[ANGLE_MIRROR] if flip else m, f)
                if best is None or d < best[0]:
                    best = (d, k, flip)
        if best is not None and best[0] <= DISTINCT_DEG:
            labels.append(best[1])
            mirrored.append(best[2])
        else:
            firsts.append(m)
            labels.append(len(firsts) - 1)
            mirrored.append(False)
    return labels, mirrored


def asymmetry(mean: np.ndarray) -> float:
    """Mean |left - right| over the main angles (degrees): 0 for a symmetric form."""
    return _distance(mean, mean[ANGLE_MIRROR])


def working_side(mean: np.ndarray) -> str:
    """The side that works in an asymmetric form: the more bent knee, else the more bent hip."""
    for joint in ("knee", "hip"):
        left, right = mean[ANGLE_INDEX[f"left_{joint}"]], mean[ANGLE_INDEX[f"right_{joint}"]]
        if np.isfinite(left) and np.isfinite(right) and abs(left - right) >= ASYMMETRIC_DEG:
            return "left" if left < right else "right"
    return "left"
