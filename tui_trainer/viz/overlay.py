"""Skeleton and joint angles drawn on a photo or video frame.

Landmarks are MediaPipe's normalized image coordinates, so a pose can be drawn on the frame it
came from at any size (e.g. a frame already scaled down for the preview window).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from tui_trainer.core.body.angles import MAIN_ANGLES
from tui_trainer.core.body.landmarks import BODY_INDEX, SKELETON_INDEX
from tui_trainer.core.body.pose import VISIBLE, Pose
from tui_trainer.viz.style import (
    ANGLE_VERTEX,
    STATUS_COLORS,
    UNKNOWN,
    Color,
    angle_status,
    bone_statuses,
    joint_statuses,
)

FONT = 0  # cv2.FONT_HERSHEY_SIMPLEX, without importing cv2 at module level


def scale_for(image: np.ndarray) -> float:
    """Line/text scale for an image: 1.0 at 360 px on the short side."""
    return max(0.6, min(image.shape[:2]) / 360.0)


def landmark_pixels(
    pose: Pose, width: int, height: int, offset: tuple[int, int] = (0, 0)
) -> np.ndarray:
    """(33, 2) int32 pixel positions of the landmarks in a width x height picture."""
    xy = pose.image[:, :2] * (width, height) + offset
    return np.round(np.clip(xy, -1e5, 1e5)).astype(np.int32)


_ASCII = str.maketrans(
    {"·": "-", "—": "-", "–": "-", "°": " deg", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."}
)


def ascii_text(text: str) -> str:
    """OpenCV's Hershey fonts draw only ASCII (anything else shows as "?")."""
    import unicodedata

    text = text.translate(_ASCII)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isprintable() or c == " "))


def put_text(
    image: np.ndarray,
    text: str,
    org: tuple[int, int],
    scale: float,
    color: Color,
    thickness: int = 1,
) -> None:
    """Text with a dark outline so it reads on any background."""
    import cv2

    text = ascii_text(text)
    cv2.putText(image, text, org, FONT, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.putText(image, text, org, FONT, scale, color, thickness, cv2.LINE_AA)


def draw_skeleton(
    image: np.ndarray,
    pose: Pose,
    errors: Mapping[str, float] | None = None,
    tolerances: Mapping[str, float] | None = None,
    *,
    label_angles: Iterable[str] = (),
    inplace: bool = False,
) -> np.ndarray:
    """Bones and joints on `image`, coloured by the per-angle errors against the target.

    errors: {angle name: actual - target} degrees (Comparison.errors); tolerances: {angle name:
    degrees} (PoseSpec.tolerances()). A joint is green within tolerance, amber up to twice it,
    red beyond; joints without an error are drawn neutral. Landmarks below MediaPipe's visibility
    threshold are left out. label_angles: angle names whose value is written at the joint.
    """
    import cv2

    out = image if inplace else image.copy()
    h, w = out.shape[:2]
    s = scale_for(out)
    px = landmark_pixels(pose, w, h)
    visible = pose.visibility >= VISIBLE
    joints = joint_statuses(errors, tolerances)
    bones = bone_statuses(joints)
    thick = max(2, round(3 * s))
    for (a, b), status in zip(SKELETON_INDEX, bones):
        if visible[a] and visible[b]:
            pa, pb = (int(px[a, 0]), int(px[a, 1])), (int(px[b, 0]), int(px[b, 1]))
            cv2.line(out, pa, pb, (0, 0, 0), thick + 2, cv2.LINE_AA)
            cv2.line(out, pa, pb, STATUS_COLORS[status], thick, cv2.LINE_AA)
    radius = max(3, round(4 * s))
    for i in BODY_INDEX:
        if visible[i]:
            centre = (int(px[i, 0]), int(px[i, 1]))
            # Judged joints are drawn larger so the colour reads at a glance.
            r = radius + (2 if joints[i] != UNKNOWN else 0)
            cv2.circle(out, centre, r + 1, (0, 0, 0), -1, cv2.LINE_AA)
            cv2.circle(out, centre, r, STATUS_COLORS[joints[i]], -1, cv2.LINE_AA)
    names = list(label_angles)
    if names:
        draw_angles(out, pose, names, errors=errors, tolerances=tolerances, inplace=True)
    return out


def draw_angles(
    image: np.ndarray,
    pose: Pose,
    names: Iterable[str] = MAIN_ANGLES,
    *,
    values: Mapping[str, float] | None = None,
    errors: Mapping[str, float] | None = None,
    tolerances: Mapping[str, float] | None = None,
    inplace: bool = False,
) -> np.ndarray:
    """Write angle values (degrees; the pose's 3D angles unless `values` are given) at their
    joints. With errors, each number takes its joint's status colour."""
    import cv2

    out = image if inplace else image.copy()
    h, w = out.shape[:2]
    s = scale_for(out)
    px = landmark_pixels(pose, w, h)
    angles = pose.angles
    tol = tolerances or {}
    font_scale = 0.45 * s
    thickness = max(1, round(s))
    at_vertex: dict[int, int] = {}  # labels already written at a joint (hip and knee out share one)
    for name in names:
        vertex = ANGLE_VERTEX.get(name)
        if vertex is None or pose.visibility[vertex] < VISIBLE:
            continue
        value = values[name] if values is not None and name in values else angles[name]
        if not np.isfinite(value):
            continue
        status = UNKNOWN
        if errors is not None and name in errors:
            status = angle_status(errors[name], float(tol.get(name, 15.0)))
        text = f"{value:.0f}"
        (tw, th), _ = cv2.getTextSize(text, FONT, font_scale, thickness)
        # Put the number on the outer side of the joint (away from the body's centre line).
        cx = float(np.mean(px[[11, 12, 23, 24], 0]))
        x, y = int(px[vertex, 0]), int(px[vertex, 1])
        dx = round(8 * s) if x >= cx else -round(8 * s) - tw - round(6 * s)
        # A second angle at the same joint goes on the next line, not on top of the first.
        line = at_vertex.get(vertex, 0)
        at_vertex[vertex] = line + 1
        org = (x + dx, y - round(6 * s) + line * (th + round(8 * s)))
        put_text(out, text, org, font_scale, STATUS_COLORS[status], thickness)
        # A small ring as the degree sign (Hershey fonts have no "°").
        ring = (org[0] + tw + round(3 * s), org[1] - th + round(2 * s))
        cv2.circle(out, ring, max(1, round(2 * s)), STATUS_COLORS[status], 1, cv2.LINE_AA)
    return out
