"""Bending a skeleton's joints: the limb beyond a joint turned about it, so that the joint's
angle opens or closes by a given amount. Templates are bent to their targets this way
(library/builder.py), and the demo trainee makes and fixes its mistakes with it.
"""

from __future__ import annotations

import numpy as np

from tui_trainer.core.body.landmarks import INDEX

# For each angle the demo and tests can bend: (vertex, point defining u, distal landmarks moved).
# Rotating the distal part about u x v through the vertex by +d opens the angle by d.
_SIDE_CHAINS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "elbow": ("shoulder", "elbow", "wrist", ("wrist", "pinky", "index", "thumb")),
    "shoulder": ("hip", "shoulder", "elbow", ("elbow", "wrist", "pinky", "index", "thumb")),
    "hip": ("shoulder", "hip", "knee", ("knee", "ankle", "heel", "foot_index")),
    "knee": ("hip", "knee", "ankle", ("ankle", "heel", "foot_index")),
    "ankle": ("knee", "ankle", "foot_index", ("heel", "foot_index")),
}
_UPPER = tuple(range(0, 23))  # head, shoulders, arms: everything above the hips
BENDABLE: tuple[str, ...] = (
    *(f"{s}_{j}" for s in ("left", "right") for j in _SIDE_CHAINS),
    "trunk_lean",
)


def _rotate(points: np.ndarray, pivot: np.ndarray, axis: np.ndarray, degrees: float) -> np.ndarray:
    """Rodrigues rotation of points about the axis through pivot."""
    k = axis / np.linalg.norm(axis)
    th = np.radians(degrees)
    p = points - pivot
    rotated = p * np.cos(th) + np.cross(k, p) * np.sin(th) + np.outer(p @ k, k) * (1.0 - np.cos(th))
    return np.asarray(rotated + pivot)


def bend_world(world: np.ndarray, angle: str, degrees: float) -> np.ndarray:
    """A copy of `world` with one angle opened by `degrees` (negative closes it).

    Supported: elbows, shoulders, hips, knees, ankles and trunk_lean (see BENDABLE).
    """
    out = np.array(world, dtype=np.float64, copy=True)
    if angle == "trunk_lean":
        hip = (out[INDEX["left_hip"]] + out[INDEX["right_hip"]]) / 2
        sh = (out[INDEX["left_shoulder"]] + out[INDEX["right_shoulder"]]) / 2
        axis = np.cross(np.array([0.0, -1.0, 0.0]), sh - hip)
        if np.linalg.norm(axis) < 1e-6:
            axis = np.array([0.0, 0.0, 1.0])  # upright: lean sideways
        idx = np.array(_UPPER)
        out[idx] = _rotate(out[idx], hip, axis, degrees)
        return out
    side, _, joint = angle.partition("_")
    if side not in ("left", "right") or joint not in _SIDE_CHAINS:
        raise ValueError(f"bend: unsupported angle {angle!r} (expected one of {BENDABLE})")
    a, vertex, b, distal = _SIDE_CHAINS[joint]
    p0, p1, p2 = (out[INDEX[f"{side}_{n}"]] for n in (a, vertex, b))
    axis = np.cross(p0 - p1, p2 - p1)
    if np.linalg.norm(axis) < 1e-6 * np.linalg.norm(p0 - p1) * np.linalg.norm(p2 - p1):
        axis = np.array([0.0, 0.0, 1.0])  # straight limb: bend in the image plane
    idx = np.array([INDEX[f"{side}_{n}"] for n in distal])
    out[idx] = _rotate(out[idx], p1, axis, degrees)
    return out
