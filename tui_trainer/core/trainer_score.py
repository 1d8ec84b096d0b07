"""The trainer score (0..100): how close a performance is to a target, built to beat the seeds.

Baseline version: visibility-weighted 3D joint-angle error combined with the residual of the
body's world landmarks after normalising position (hip-centred), size (RMS radius) and facing
direction (best rotation about the vertical axis).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tui_trainer.core.angles import ANGLE_NAMES
from tui_trainer.core.landmarks import BODY_INDEX
from tui_trainer.core.pose import Pose

DEFAULT_TOLERANCE = 15.0  # degrees


def _normalised_body(pose: Pose) -> np.ndarray:
    pts = pose.world[BODY_INDEX]
    pts = pts - pts.mean(axis=0)
    scale = np.sqrt((pts**2).sum(axis=1).mean())
    return np.asarray(pts / max(scale, 1e-9))


def _yaw_aligned_residual(target: np.ndarray, actual: np.ndarray, w: np.ndarray) -> float:
    """RMS distance after the best rotation of target about the vertical (y) axis."""
    # Rotation about y mixes x and z; optimal angle from the weighted cross-covariance.
    a_xz, b_xz = actual[:, [0, 2]], target[:, [0, 2]]
    s_cos = float((w * (a_xz * b_xz).sum(axis=1)).sum())
    s_sin = float((w * (a_xz[:, 0] * b_xz[:, 1] - a_xz[:, 1] * b_xz[:, 0])).sum())
    theta = np.arctan2(s_sin, s_cos)
    c, s = np.cos(theta), np.sin(theta)
    rot = target.copy()
    rot[:, 0] = c * target[:, 0] - s * target[:, 2]
    rot[:, 2] = s * target[:, 0] + c * target[:, 2]
    d2 = ((rot - actual) ** 2).sum(axis=1)
    return float(np.sqrt((w * d2).sum() / max(w.sum(), 1e-9)))


def trainer_score(
    target: Pose,
    actual: Pose,
    weights: Mapping[str, float] | None = None,
    tolerances: Mapping[str, float] | None = None,
) -> float:
    ta, aa = target.angles, actual.angles
    w = np.minimum(ta.confidence, aa.confidence)
    if weights is not None:
        w = w * np.array([weights.get(n, 0.0) for n in ANGLE_NAMES])
    tol = np.array(
        [(tolerances or {}).get(n, DEFAULT_TOLERANCE) for n in ANGLE_NAMES], dtype=np.float64
    )
    diff = np.abs(aa.values - ta.values)
    ok = np.isfinite(diff)
    angle_err = float((w[ok] * diff[ok] / tol[ok]).sum() / max(w[ok].sum(), 1e-9))

    vis = np.minimum(target.visibility, actual.visibility)[BODY_INDEX]
    pos_err = _yaw_aligned_residual(_normalised_body(target), _normalised_body(actual), vis)
    return float(100.0 * np.exp(-0.35 * angle_err - 2.0 * pos_err))
