"""Synthetic bodies in numpy: a standing skeleton, joints bent by a given angle, and the image
landmarks of a world skeleton. Used by the demo trainee and by tests (no photos needed)."""

from __future__ import annotations

import numpy as np

from tui_trainer.core.body.angles import ANGLE_LABELS
from tui_trainer.core.body.bend import BENDABLE, bend_world
from tui_trainer.core.body.landmarks import INDEX, N_LANDMARKS
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.library.spec import AngleTarget, PoseSpec

IMAGE_SIZE = (640, 480)
_SCALE = 0.5  # image heights per metre: a 1.6 m body fills ~80% of the frame
_CENTRE = (0.5, 0.5)

# Person facing the camera, arms hanging slightly out; metres, hip-centred, y down, +x = left.
_HALF: dict[str, tuple[float, float, float]] = {
    "eye_inner": (0.015, -0.63, -0.09),
    "eye": (0.03, -0.635, -0.09),
    "eye_outer": (0.045, -0.635, -0.085),
    "ear": (0.075, -0.62, -0.02),
    "mouth": (0.022, -0.57, -0.09),
    "shoulder": (0.18, -0.45, 0.0),
    "elbow": (0.24, -0.19, 0.01),
    "wrist": (0.27, 0.06, -0.01),
    "pinky": (0.285, 0.14, -0.02),
    "index": (0.275, 0.15, -0.03),
    "thumb": (0.255, 0.12, -0.04),
    "hip": (0.10, 0.0, 0.0),
    "knee": (0.11, 0.42, -0.02),
    "ankle": (0.11, 0.82, 0.02),
    "heel": (0.11, 0.86, 0.06),
    "foot_index": (0.125, 0.88, -0.08),
}


def standing_world() -> np.ndarray:
    """(33, 3) world landmarks of a person standing upright, facing the camera."""
    world = np.zeros((N_LANDMARKS, 3))
    world[INDEX["nose"]] = (0.0, -0.60, -0.10)
    for part, (x, y, z) in _HALF.items():
        if part == "mouth":
            world[INDEX["mouth_left"]] = (x, y, z)
            world[INDEX["mouth_right"]] = (-x, y, z)
            continue
        world[INDEX[f"left_{part}"]] = (x, y, z)
        world[INDEX[f"right_{part}"]] = (-x, y, z)
    return world


def project(
    world: np.ndarray,
    image_size: tuple[int, int] = IMAGE_SIZE,
    offset: tuple[float, float] = (0.0, 0.0),
    scale: float = _SCALE,
) -> np.ndarray:
    """Normalized image landmarks of a world skeleton (orthographic): the world point `offset`
    (x, y metres) lands in the middle of the frame, `scale` image heights per metre."""
    aspect = image_size[0] / image_size[1]
    img = np.empty_like(world)
    img[:, 0] = _CENTRE[0] + (world[:, 0] - offset[0]) * scale / aspect
    img[:, 1] = _CENTRE[1] + (world[:, 1] - offset[1]) * scale
    img[:, 2] = world[:, 2] * scale
    return img


def framing_for(
    world: np.ndarray, image_size: tuple[int, int] = IMAGE_SIZE
) -> tuple[tuple[float, float], float]:
    """(offset, scale) for `project` that centres the body and keeps it well inside the frame."""
    lo, hi = world[:, :2].min(axis=0), world[:, :2].max(axis=0)
    aspect = image_size[0] / image_size[1]
    extent = np.maximum(hi - lo, 1e-6)
    scale = float(min(_SCALE, 0.8 / extent[1], 0.85 * aspect / extent[0]))
    return (float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2)), scale


def pose_from_world(
    world: np.ndarray,
    visibility: np.ndarray | float = 0.98,
    image_size: tuple[int, int] = IMAGE_SIZE,
) -> Pose:
    vis = np.broadcast_to(np.asarray(visibility, dtype=np.float64), (N_LANDMARKS,))
    return Pose.from_arrays(project(world, image_size), world, vis, image_size)


def standing_pose() -> Pose:
    return pose_from_world(standing_world())


def spec_from_world(
    pose_id: str,
    world: np.ndarray,
    angles: dict[str, float],
    *,
    tolerance: float = 12.0,
    symmetric: bool = True,
    name: str | None = None,
) -> PoseSpec:
    """A PoseSpec whose template is `world`; `angles` maps angle names to weights. Hints say
    "<label>: more" / "<label>: less" so tests and the demo can tell them apart."""
    template = pose_from_world(world)
    targets = {
        n: AngleTarget(
            target=template.body_angles[n],
            tolerance=tolerance,
            weight=w,
            increase=f"open the {ANGLE_LABELS[n].lower()}",
            decrease=f"bend the {ANGLE_LABELS[n].lower()}",
        )
        for n, w in angles.items()
    }
    return PoseSpec(
        id=pose_id,
        name=name or pose_id.replace("_", " ").title(),
        sanskrit="",
        cue=f"Get into {pose_id.replace('_', ' ')}",
        symmetric=symmetric,
        template=template,
        angles=targets,
    )


__all__ = [
    "BENDABLE",
    "IMAGE_SIZE",
    "bend_world",
    "framing_for",
    "pose_from_world",
    "project",
    "spec_from_world",
    "standing_pose",
    "standing_world",
]
