"""A template skeleton from several photos (or video frames) of people doing one form of a pose.

1. Normalise every photo's world landmarks: centre on the body, unit RMS radius.
2. Align to a reference by the best rotation about the vertical axis (facing direction).
3. Robust mean: start from the medoid, align all to it, drop outliers (residual above
   median + 3 MAD), average weighted by visibility, realign to the mean and repeat.
The photos come with their sides already resolved (core/library/builder.py); `side_of` holds the
side rules that resolve them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tui_trainer.core.body.landmarks import BODY_INDEX, INDEX
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.library.spec import Side

MEDOID_CANDIDATES = 80
# Side rules: "<how>:<joint>", the template side is the one where the rule holds.
SIDE_RULES = ("smaller_knee", "smaller_hip", "larger_knee", "lower_ankle")


def _normalise(world: np.ndarray) -> np.ndarray:
    pts = world - world[BODY_INDEX].mean(axis=0)
    scale = np.sqrt((pts[BODY_INDEX] ** 2).sum(axis=1).mean())
    return np.asarray(pts / max(float(scale), 1e-9))


def _yaw_rotate(pts: np.ndarray, theta: float) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    out = pts.copy()
    out[:, 0] = c * pts[:, 0] - s * pts[:, 2]
    out[:, 2] = s * pts[:, 0] + c * pts[:, 2]
    return out


def yaw_align(ref: np.ndarray, pts: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """pts rotated about the vertical axis to best fit ref (weighted), and the RMS residual."""
    a, b = ref[BODY_INDEX][:, [0, 2]], pts[BODY_INDEX][:, [0, 2]]
    wb = w[BODY_INDEX]
    s_cos = float((wb * (a * b).sum(axis=1)).sum())
    s_sin = float((wb * (a[:, 1] * b[:, 0] - a[:, 0] * b[:, 1])).sum())
    rot = _yaw_rotate(pts, float(np.arctan2(s_sin, s_cos)))
    d2 = ((rot[BODY_INDEX] - ref[BODY_INDEX]) ** 2).sum(axis=1)
    return rot, float(np.sqrt((wb * d2).sum() / max(float(wb.sum()), 1e-9)))


def side_of(pose: Pose, rule: str) -> Side:
    """Which side of the body a photo of an asymmetric pose shows, by the pose's side rule."""
    ang, world = pose.angles, pose.world
    if rule == "smaller_knee":
        return "left" if ang["left_knee"] <= ang["right_knee"] else "right"
    if rule == "larger_knee":
        return "left" if ang["left_knee"] >= ang["right_knee"] else "right"
    if rule == "smaller_hip":
        return "left" if ang["left_hip"] <= ang["right_hip"] else "right"
    if rule == "lower_ankle":  # y points down: the standing foot is the lower one
        return (
            "left" if world[INDEX["left_ankle"], 1] >= world[INDEX["right_ankle"], 1] else "right"
        )
    raise ValueError(f"side rule: expected one of {SIDE_RULES}, got {rule!r}")


def mean_template(poses: Sequence[Pose], iterations: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(world (33, 3) in metres, hip-centred; visibility (33,)) of photos of one form, all on
    the same side: the robust, yaw-aligned mean of their normalised skeletons."""
    pts = [_normalise(p.world) for p in poses]
    vis = [np.asarray(p.visibility) for p in poses]
    scales = []
    for p in poses:
        c = p.world - p.world[BODY_INDEX].mean(axis=0)
        scales.append(float(np.sqrt((c[BODY_INDEX] ** 2).sum(axis=1).mean())))
    n = len(pts)
    # Medoid: the photo with the smallest total residual to all others (candidates evenly
    # spread over at most MEDOID_CANDIDATES photos, so a long video stays fast).
    candidates = np.unique(np.linspace(0, n - 1, min(n, MEDOID_CANDIDATES)).round().astype(int))
    cost = [sum(yaw_align(pts[i], q, v)[1] for q, v in zip(pts, vis)) for i in candidates]
    ref = pts[int(candidates[int(np.argmin(cost))])]
    inliers = np.ones(n, dtype=bool)
    for _ in range(iterations):
        aligned, res = zip(*(yaw_align(ref, q, v) for q, v in zip(pts, vis)))
        res_arr = np.array(res)
        med = float(np.median(res_arr))
        mad = float(np.median(np.abs(res_arr - med))) * 1.4826
        inliers = res_arr <= med + 3.0 * max(mad, 1e-6)
        stack = np.stack(aligned)[inliers]
        w = np.stack(vis)[inliers][:, :, None] + 1e-3
        mean = (stack * w).sum(axis=0) / w.sum(axis=0)
        # Keep the medoid's facing direction, so the template looks like a real photo's view.
        ref = yaw_align(ref, _normalise(mean), np.ones(len(mean)))[0]
    visibility = np.median(np.stack(vis)[inliers], axis=0)
    world = ref * float(np.median(np.array(scales)[inliers]))
    hips = (world[INDEX["left_hip"]] + world[INDEX["right_hip"]]) / 2.0
    return world - hips, visibility


def project_image(world: np.ndarray) -> np.ndarray:
    """Image landmarks for a template: its world points seen by an orthographic camera, fitted
    into the unit square with a margin (templates have no photo of their own)."""
    body = world[BODY_INDEX]
    lo, hi = body[:, :2].min(axis=0), body[:, :2].max(axis=0)
    s = 0.8 / max(float((hi - lo).max()), 1e-9)
    centre = (lo + hi) / 2.0
    img = np.empty_like(world)
    img[:, :2] = 0.5 + (world[:, :2] - centre) * s
    img[:, 2] = world[:, 2] * s
    return img
