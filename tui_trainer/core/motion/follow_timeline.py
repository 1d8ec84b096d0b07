"""The live alignment of `follow` run over a recording (compare-motion --online), and how its
timeline compares with the truth of a known warp or with the offline DTW path."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tui_trainer.core.body.angles import angle_confidence, angles_from_points
from tui_trainer.core.motion.compare import LandmarkTrack, MotionComparison
from tui_trainer.core.motion.follow import FollowTracker
from tui_trainer.core.motion.online_dtw import AlignerConfig
from tui_trainer.core.motion.teacher import TeacherMotion


def online_timeline(
    teacher: TeacherMotion,
    trainee: LandmarkTrack,
    *,
    mirror: bool = True,
    config: AlignerConfig | None = None,
) -> list[dict[str, float]]:
    """For every trainee frame, the teacher time a live follow session would have shown then
    (causal: nothing after the frame is used): [{"t": trainee s, "teacher_t": teacher s}, ...]."""
    tracker = FollowTracker(teacher, mirror=mirror, config=config, keep_frames=False)
    present = np.asarray(trainee.present, bool)
    values = angles_from_points(np.asarray(trainee.world, np.float64))
    conf = angle_confidence(np.asarray(trainee.visibility, np.float64))
    out: list[dict[str, float]] = []
    for k, t in enumerate(np.asarray(trainee.timestamps, np.float64)):
        if present[k]:
            state = tracker.update_angles(float(t), values[k], conf[k])
        else:
            state = tracker.update(float(t), None)
        out.append({"t": round(float(t), 3), "teacher_t": round(state.teacher_t, 3)})
    return out


def offline_positions(r: MotionComparison, t: np.ndarray) -> np.ndarray:
    """The teacher time the offline DTW path matches to each trainee time in `t` (the mean of
    the expert frames matched to the nearest trainee frame of the path); NaN outside it."""
    i, j = r.path[:, 0], r.path[:, 1]
    n = len(r.trainee.t)
    sums = np.bincount(j, weights=r.expert.t[i], minlength=n)
    counts = np.bincount(j, minlength=n)
    per_frame = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    k = np.rint((np.asarray(t) - r.trainee.t[0]) * r.trainee.rate).astype(int)
    inside = (k >= 0) & (k < n)
    out = np.full(len(k), np.nan)
    out[inside] = per_frame[k[inside]]
    return out


def timeline_errors(
    timeline: Sequence[dict[str, float]], truth: Sequence[float], middle: float = 0.8
) -> np.ndarray:
    """|teacher_t - truth| over the middle `middle` fraction of a timeline (for tests/bench)."""
    got = np.array([e["teacher_t"] for e in timeline])
    n = len(got)
    cut = round(n * (1.0 - middle) / 2.0)
    return np.abs(got - np.asarray(truth))[cut : n - cut]
