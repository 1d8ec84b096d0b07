"""A clean stick figure of a target pose, for when the pose has no reference photo."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tui_trainer.core.body.landmarks import BODY_INDEX, INDEX, SKELETON_INDEX
from tui_trainer.core.body.pose import VISIBLE, Pose
from tui_trainer.viz.style import BACKGROUND, Color, solid

FIGURE_COLOR: Color = (235, 200, 120)
LEFT_COLOR: Color = (120, 200, 255)  # the figure's left limbs, so its side reads at a glance


def figure_pixels(pose: Pose, width: int, height: int, margin: float = 0.08) -> np.ndarray:
    """(33, 2) pixel positions: the body's aspect-corrected image landmarks fitted into the box.

    The box includes the head (a circle around the nose about half the shoulder width wide).
    """
    xy = pose.image_xy
    body = BODY_INDEX[pose.visibility[BODY_INDEX] >= VISIBLE]
    pts = xy[body] if body.size >= 2 else xy[BODY_INDEX]
    head = _head_radius(xy)
    nose = xy[INDEX["nose"]]
    pts = np.vstack([pts, nose - head, nose + head])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    usable = np.array([width, height], dtype=np.float64) * (1.0 - 2.0 * margin)
    scale = float(np.min(usable / span))
    centre = (lo + hi) / 2.0
    out = (xy - centre) * scale + (width / 2.0, height / 2.0)
    return np.round(out).astype(np.int32)


def _head_radius(xy: np.ndarray) -> float:
    shoulders = float(np.linalg.norm(xy[INDEX["left_shoulder"]] - xy[INDEX["right_shoulder"]]))
    torso = float(np.linalg.norm(xy[INDEX["left_shoulder"]] - xy[INDEX["left_hip"]]))
    # Seen from the side the shoulders overlap: fall back on the torso length.
    return max(0.35 * shoulders, 0.18 * torso)


@lru_cache(maxsize=16)
def _render(pose: Pose, width: int, height: int, mirrored: bool) -> np.ndarray:
    import cv2

    shown = pose.mirrored() if mirrored else pose
    out = solid(height, width, BACKGROUND).copy()
    px = figure_pixels(shown, width, height)
    s = max(0.6, min(width, height) / 360.0)
    thick = max(2, round(4 * s))
    left = {i for name, i in INDEX.items() if name.startswith("left_")}
    for a, b in SKELETON_INDEX:
        color = LEFT_COLOR if a in left and b in left else FIGURE_COLOR
        cv2.line(out, tuple(map(int, px[a])), tuple(map(int, px[b])), color, thick, cv2.LINE_AA)
    for i in BODY_INDEX[1:]:
        cv2.circle(out, tuple(map(int, px[i])), thick, FIGURE_COLOR, -1, cv2.LINE_AA)
    head = max(thick * 2, round(_head_radius(px.astype(np.float64))))
    cv2.circle(out, tuple(map(int, px[INDEX["nose"]])), head, FIGURE_COLOR, thick, cv2.LINE_AA)
    out.setflags(write=False)
    return out


def render_figure(pose: Pose, size: tuple[int, int], *, mirrored: bool = False) -> np.ndarray:
    """The target pose as a figure on a plain background, size = (width, height).

    mirrored=True draws the mirror image (the side the trainee is matching). The result is
    cached per (pose, size, mirrored) and read-only: copy it before drawing on it.
    """
    width, height = size
    return _render(pose, int(width), int(height), bool(mirrored))
