"""The perturbation test of bench/bench_coach.py: turn the limb beyond one joint about that joint,
the same rotation applied to the world and the image landmarks."""

from __future__ import annotations

import numpy as np

from tui_trainer.core.body.landmarks import INDEX
from tui_trainer.core.body.pose import Pose

# joint angle -> (joint landmark, landmarks of the limb beyond it)
LIMBS: dict[str, tuple[str, tuple[str, ...]]] = {}
for _s in ("left", "right"):
    _hand = tuple(f"{_s}_{p}" for p in ("wrist", "pinky", "index", "thumb"))
    _foot = tuple(f"{_s}_{p}" for p in ("ankle", "heel", "foot_index"))
    LIMBS[f"{_s}_elbow"] = (f"{_s}_elbow", _hand)
    LIMBS[f"{_s}_shoulder"] = (f"{_s}_shoulder", (f"{_s}_elbow", *_hand))
    LIMBS[f"{_s}_hip"] = (f"{_s}_hip", (f"{_s}_knee", *_foot))
    LIMBS[f"{_s}_knee"] = (f"{_s}_knee", _foot)


def _rotation(axis: np.ndarray, deg: float) -> np.ndarray:
    a = axis / np.linalg.norm(axis)
    x, y, z = a
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    k = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) * c + s * k + (1 - c) * np.outer(a, a)


def _image_points(pose: Pose) -> np.ndarray:
    """Image landmarks in one metric (x and z in width units, y in height units -> height)."""
    pts = pose.image.copy()
    pts[:, 0] *= pose.aspect
    pts[:, 2] *= pose.aspect
    return pts


def _from_image_points(pose: Pose, pts: np.ndarray) -> np.ndarray:
    out = pts.copy()
    out[:, 0] /= pose.aspect
    out[:, 2] /= pose.aspect
    return out


def perturb(pose: Pose, angle: str, deg: float, kind: str, rng: np.random.Generator) -> Pose | None:
    """The pose with the limb beyond `angle`'s joint turned by deg (sign chosen so the joint does
    not pass straight); None when the joint's plane is undefined."""
    joint, limb = LIMBS[angle]
    j, idx = INDEX[joint], [INDEX[n] for n in limb]
    w = pose.world
    if kind == "camera":
        axis = np.array([0.0, 0.0, 1.0])
    else:
        name_pts = {
            "elbow": ("shoulder", "wrist"),
            "shoulder": ("hip", "elbow"),
            "hip": ("shoulder", "knee"),
            "knee": ("hip", "ankle"),
        }[angle.split("_", 1)[1]]
        side = angle.split("_", 1)[0]
        u = w[INDEX[f"{side}_{name_pts[0]}"]] - w[j]
        v = w[INDEX[f"{side}_{name_pts[1]}"]] - w[j]
        axis = np.cross(u, v)
        if np.linalg.norm(axis) < 1e-6 * np.linalg.norm(u) * np.linalg.norm(v):
            return None
    before = float(pose.angles[angle])
    sign = rng.choice([-1.0, 1.0])
    for attempt in (sign, -sign):
        rot = _rotation(axis, attempt * deg)
        world = w.copy()
        world[idx] = (w[idx] - w[j]) @ rot.T + w[j]
        img = _image_points(pose)
        img[idx] = (img[idx] - img[j]) @ rot.T + img[j]
        moved = Pose.from_arrays(
            _from_image_points(pose, img), world, pose.visibility, pose.image_size
        )
        if abs(moved.angles[angle] - before) >= 0.5 * deg:
            return moved
    return None
