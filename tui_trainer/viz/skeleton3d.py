"""A 3D view of the trainee's world landmarks with the target as a ghost, on a floor grid."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tui_trainer.core.body.landmarks import BODY_INDEX, INDEX, SKELETON_INDEX
from tui_trainer.core.body.pose import VISIBLE, Pose
from tui_trainer.viz.style import (
    BACKGROUND,
    DIM_TEXT,
    GHOST,
    STATUS_COLORS,
    bone_statuses,
    joint_statuses,
    solid,
)

_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
_FEET = [INDEX[n] for n in ("left_heel", "right_heel", "left_foot_index", "right_foot_index")]
_GRID_COLOR = (70, 66, 62)


def _grid_segments(half: float = 1.5, step: float = 0.5) -> np.ndarray:
    """(n, 2, 3) floor-grid line segments at y = 0 (precomputed once)."""
    ticks = np.arange(-half, half + 1e-9, step)
    segs = [((t, 0.0, -half), (t, 0.0, half)) for t in ticks]
    segs += [((-half, 0.0, t), (half, 0.0, t)) for t in ticks]
    return np.array(segs, dtype=np.float64)


_GRID = _grid_segments()


def _hip_yaw(world: np.ndarray) -> float:
    """Heading of the left-to-right hip line in the floor (x, z) plane, radians."""
    d = world[_HIPS[1]] - world[_HIPS[0]]
    return float(np.arctan2(d[2], d[0]))


def _rot_y(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def align_target(actual: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Target world landmarks moved to the actual's hip centre and turned to face its way."""
    t = target - target[_HIPS].mean(axis=0)
    turn = _hip_yaw(t) - _hip_yaw(actual)
    return t @ _rot_y(turn).T + actual[_HIPS].mean(axis=0)


def render_skeleton3d(
    actual: Pose | None,
    target: Pose | None,
    size: tuple[int, int],
    yaw_deg: float = 0.0,
    *,
    errors: Mapping[str, float] | None = None,
    tolerances: Mapping[str, float] | None = None,
    pitch_deg: float = 18.0,
) -> np.ndarray:
    """The scene seen from a camera turned `yaw_deg` about the vertical, looking slightly down.

    size = (width, height). Trainee bones take their error colours; the target is a dim ghost.
    """
    import cv2

    width, height = size
    out = solid(height, width, BACKGROUND).copy()
    act = None if actual is None else actual.world - actual.world[_HIPS].mean(axis=0)
    tgt = None
    if target is not None:
        base = np.zeros((1, 3)) if act is None else act
        tgt = (
            target.world - target.world[_HIPS].mean(axis=0)
            if act is None
            else align_target(base, target.world)
        )
    ref = act if act is not None else tgt
    floor = 0.9 if ref is None else float(np.max(ref[_FEET, 1]))
    yaw, pitch = np.radians(yaw_deg), np.radians(pitch_deg)
    rot = _rot_y(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    scale = height / 2.3  # pixels per metre: a 1.8 m person fits with room for the grid
    origin = np.array([width / 2.0, height * 0.47])

    def project(points: np.ndarray) -> np.ndarray:
        p = points @ rot.T
        screen = np.stack([p[..., 0], p[..., 1] * cp - p[..., 2] * sp], axis=-1)
        return np.round(screen * scale + origin).astype(np.int32)

    grid = _GRID.copy()
    grid[..., 1] = floor
    lines = project(grid)
    cv2.polylines(out, list(lines), False, _GRID_COLOR, 1, cv2.LINE_AA)
    if tgt is not None:
        px = project(tgt)
        cv2.polylines(out, list(px[SKELETON_INDEX]), False, GHOST, 3, cv2.LINE_AA)
        nose = (int(px[INDEX["nose"], 0]), int(px[INDEX["nose"], 1]))
        cv2.circle(out, nose, max(6, round(0.09 * scale)), GHOST, 2, cv2.LINE_AA)
    if act is not None and actual is not None:
        px = project(act)
        visible = actual.visibility >= VISIBLE
        joints = joint_statuses(errors, tolerances)
        bones = bone_statuses(joints)
        for (a, b), status in zip(SKELETON_INDEX, bones):
            thick = 3 if visible[a] and visible[b] else 1
            pa, pb = (int(px[a, 0]), int(px[a, 1])), (int(px[b, 0]), int(px[b, 1]))
            cv2.line(out, pa, pb, STATUS_COLORS[status], thick, cv2.LINE_AA)
        for i in BODY_INDEX[1:]:
            cv2.circle(out, (int(px[i, 0]), int(px[i, 1])), 3, STATUS_COLORS[joints[i]], -1)
        nose = (int(px[INDEX["nose"], 0]), int(px[INDEX["nose"], 1]))
        cv2.circle(out, nose, max(6, round(0.09 * scale)), STATUS_COLORS[0], 2, cv2.LINE_AA)
    cv2.putText(out, f"3D  {yaw_deg % 360:.0f} deg", (8, 18), 0, 0.45, DIM_TEXT, 1, cv2.LINE_AA)
    return out
