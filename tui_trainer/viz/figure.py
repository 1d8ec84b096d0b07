"""A clean stick figure of a target pose, for when the pose has no reference photo."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tui_trainer.core.landmarks import BODY_INDEX, INDEX, SKELETON_INDEX
from tui_trainer.core.pose import VISIBLE, Pose
from tui_trainer.viz.style import BACKGROUND, Color, solid

FIGURE_COLOR: Color = (235, 200, 120)
LEFT_COLOR: Color = (120, 200, 255)  # the figure's left limbs, so its side reads at a glance


def figure_pixels(pose: Pose, width: int, height: int, margin: float = 0.08) -> np.ndarray:
    """(33, 2) pixel positions: the body's aspect-corrected image landmarks fitted into the box."""
    xy = pose.image_xy
    body = BODY_INDEX[pose.visibility[BODY_INDEX] >= VISIBLE]
    pts = xy[body] if body.size >= 2 else xy[BODY_INDEX]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    usable = np.array([width, height], dtype=np.float64) * (1.0 - 2.0 * margin)
    scale = float(np.min(usable / span))
    centre = (lo + hi) / 2.0
    out = (xy - centre) * scale + (width / 2.0, height / 2.0)
    return np.round(out).astype(np.int32)


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
    # Head: a circle at the nose, sized from the shoulder width.
    shoulders = np.linalg.norm(px[INDEX["left_shoulder"]] - px[INDEX["right_shoulder"]])
    head = max(thick * 2, round(0.35 * float(shoulders)), round(10 * s))
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
