"""The body's segments ("bones"): upper arms, forearms, thighs, shins, feet, trunk, head,
shoulder line and hip line, with round adult lengths in metres (as MediaPipe's world landmarks
measure them). Their directions are what the trainer score compares (comparison/trainer_score.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tui_trainer.core.body.landmarks import INDEX, N_LANDMARKS

_MID = {"mid_hip": ("left_hip", "right_hip"), "mid_shoulder": ("left_shoulder", "right_shoulder")}

# (from, to, typical length in metres)
BONES: tuple[tuple[str, str, float], ...] = (
    ("left_shoulder", "left_elbow", 0.25), ("right_shoulder", "right_elbow", 0.25),
    ("left_elbow", "left_wrist", 0.25), ("right_elbow", "right_wrist", 0.25),
    ("left_hip", "left_knee", 0.4), ("right_hip", "right_knee", 0.4),
    ("left_knee", "left_ankle", 0.4), ("right_knee", "right_ankle", 0.4),
    ("left_ankle", "left_foot_index", 0.15), ("right_ankle", "right_foot_index", 0.15),
    ("mid_hip", "mid_shoulder", 0.5), ("mid_shoulder", "nose", 0.2),
    ("left_shoulder", "right_shoulder", 0.3), ("left_hip", "right_hip", 0.2),
)  # fmt: skip
BONE_LENGTH = np.array([b[2] for b in BONES])


def _ends(point: str) -> tuple[int, ...]:
    return tuple(INDEX[p] for p in _MID.get(point, (point,)))


def _bone_maps() -> tuple[np.ndarray, np.ndarray]:
    """(B, 33) matrix M with bone vectors = M @ landmarks, and (B, 33) landmarks each bone uses."""
    mat = np.zeros((len(BONES), N_LANDMARKS))
    uses = np.zeros((len(BONES), N_LANDMARKS), dtype=bool)
    for b, (start, end, _) in enumerate(BONES):
        for idx, sign in ((_ends(start), -1.0), (_ends(end), 1.0)):
            for i in idx:
                mat[b, i] += sign / len(idx)
                uses[b, i] = True
    return mat, uses


_BONE_MATRIX, _BONE_USES = _bone_maps()
# The same as a padded (B, n) index table (cheaper per frame than masking all 33 landmarks).
_N_USED = int(_BONE_USES.sum(axis=1).max())
_BONE_USED = np.array(
    [[*np.flatnonzero(r)] + [np.flatnonzero(r)[0]] * (_N_USED - r.sum()) for r in _BONE_USES],
    dtype=np.intp,
)
# Landmarks at each end of each bone, for mapping angle weights onto bones.
START_USES = np.array([[i in _ends(s) for i in range(N_LANDMARKS)] for s, _, _ in BONES])
END_USES = np.array([[i in _ends(e) for i in range(N_LANDMARKS)] for _, e, _ in BONES])


@dataclass(frozen=True, eq=False)
class BoneFeatures:
    """One pose's bone directions (unit vectors, zero where degenerate) and confidences."""

    world: np.ndarray  # (B, 3)
    image: np.ndarray  # (B, 2)
    confidence: np.ndarray  # (B,) lowest visibility of the bone's landmarks; 0 if degenerate


def bone_features(world: np.ndarray, image_xy: np.ndarray, visibility: np.ndarray) -> BoneFeatures:
    """Bone directions of one pose's world and aspect-corrected image landmarks (use
    `Pose.bones`, which caches this)."""
    vectors = np.zeros((2, len(BONES), 3))
    vectors[0] = _BONE_MATRIX @ world
    vectors[1, :, :2] = _BONE_MATRIX @ image_xy
    norm = np.sqrt((vectors * vectors).sum(axis=-1))
    ok = norm > 1e-9
    units = vectors / np.where(ok, norm, 1.0)[..., None]  # zero vectors stay zero
    conf = np.asarray(visibility)[_BONE_USED].min(axis=1)
    return BoneFeatures(units[0], units[1, :, :2], np.where(ok[0] & ok[1], conf, 0.0))


def stack_bones(targets: Sequence[BoneFeatures]) -> BoneFeatures:
    """Several poses' bone features as one, with a leading axis (S, B, ...): a coach compares
    every frame with the same targets, so they are stacked once."""
    return BoneFeatures(
        np.stack([f.world for f in targets]),
        np.stack([f.image for f in targets]),
        np.stack([f.confidence for f in targets]),
    )
