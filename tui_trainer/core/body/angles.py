"""Joint angles from landmarks, defined by the table in core/body/data/angles.toml.

Every angle is the angle between two vectors u and v, in degrees (0..180):
  joint     u = p0 - p1,  v = p2 - p1
  vertical  u = p1 - p0,  v = straight up (y points down in MediaPipe's image and world space)
  between   u = p1 - p0,  v = p3 - p2
Computation is vectorised over any leading batch dimensions (frames, photos).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

import numpy as np

from tui_trainer.core.body.landmarks import BODY_INDEX, INDEX, N_LANDMARKS
from tui_trainer.core.tomlcompat import tomllib


class Landmarks(Protocol):
    """What the angle functions read of a pose (core/body/pose.py's Pose has it)."""

    @property
    def world(self) -> np.ndarray: ...

    @property
    def image_xy(self) -> np.ndarray: ...

    @property
    def visibility(self) -> np.ndarray: ...


KINDS = {"joint": 3, "vertical": 2, "between": 4}
MIDPOINTS = {
    "mid_hip": ("left_hip", "right_hip"),
    "mid_shoulder": ("left_shoulder", "right_shoulder"),
}


@dataclass(frozen=True)
class AngleDef:
    name: str
    label: str
    kind: str
    points: tuple[str, ...]
    mirror: str
    main: bool = False
    weak: bool = False  # MediaPipe sees it poorly: more evidence before it becomes a correction
    # A segment the angle is read against that must lie across the picture (see across_factor).
    across: tuple[str, str] | None = None


def _point_indices(point: str, where: str) -> tuple[int, int]:
    if point in MIDPOINTS:
        a, b = MIDPOINTS[point]
        return INDEX[a], INDEX[b]
    if point not in INDEX:
        raise ValueError(
            f"{where}: unknown point {point!r} (a landmark name or mid_hip/mid_shoulder)"
        )
    return INDEX[point], INDEX[point]


def parse_angle_table(data: Mapping[str, Any], source: str = "angles.toml") -> tuple[AngleDef, ...]:
    """Validate the angle table; raise ValueError naming the row and field at fault."""
    rows = data.get("angle")
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{source}: expected a list of [[angle]] tables")
    defs: list[AngleDef] = []
    for i, row in enumerate(rows):
        where = f"{source}: angle #{i + 1}"
        for field in ("name", "label", "kind", "mirror"):
            if not isinstance(row.get(field), str):
                raise ValueError(f"{where}: field {field!r} must be a string")
        kind = row["kind"]
        if kind not in KINDS:
            raise ValueError(f"{where}: kind must be one of {sorted(KINDS)}, got {kind!r}")
        points = row.get("points")
        if not isinstance(points, list) or len(points) != KINDS[kind]:
            raise ValueError(f"{where}: kind {kind!r} needs {KINDS[kind]} points")
        for p in points:
            _point_indices(p, where)
        across = row.get("across")
        if across is not None:
            ends_ok = isinstance(across, list) and len(across) == 2
            if not (ends_ok and all(a in INDEX for a in across)):
                raise ValueError(f"{where}: 'across' must be two landmark names, got {across!r}")
            across = (across[0], across[1])
        defs.append(
            AngleDef(
                row["name"],
                row["label"],
                kind,
                tuple(points),
                row["mirror"],
                bool(row.get("main", False)),
                bool(row.get("weak", False)),
                across,
            )
        )
    names = [d.name for d in defs]
    if len(set(names)) != len(names):
        raise ValueError(f"{source}: angle names must be unique")
    for d in defs:
        if d.mirror not in names:
            raise ValueError(f"{source}: angle {d.name!r} names unknown mirror {d.mirror!r}")
    return tuple(defs)


def _load_table() -> tuple[AngleDef, ...]:
    text = resources.files("tui_trainer.core.body").joinpath("data/angles.toml").read_text("utf-8")
    return parse_angle_table(tomllib.loads(text))


ANGLES: tuple[AngleDef, ...] = _load_table()
ANGLE_NAMES: tuple[str, ...] = tuple(d.name for d in ANGLES)
ANGLE_INDEX: dict[str, int] = {n: i for i, n in enumerate(ANGLE_NAMES)}
ANGLE_LABELS: dict[str, str] = {d.name: d.label for d in ANGLES}
MAIN_ANGLES: tuple[str, ...] = tuple(d.name for d in ANGLES if d.main)
# Joints with a left and a right angle (both sides of a symmetric pose should agree).
PAIRED: tuple[str, ...] = ("elbow", "shoulder", "hip", "knee")
WEAK_ANGLES: frozenset[str] = frozenset(d.name for d in ANGLES if d.weak)
MAIN_INDEX: np.ndarray = np.array([ANGLE_INDEX[n] for n in MAIN_ANGLES], dtype=np.intp)
# ANGLE_MIRROR[k]: index of the angle that takes angle k's place in a mirror image.
ANGLE_MIRROR: np.ndarray = np.array([ANGLE_INDEX[d.mirror] for d in ANGLES], dtype=np.intp)
# ANGLE_MIRROR_NAME[name]: the same, by name ("left_knee" -> "right_knee").
ANGLE_MIRROR_NAME: dict[str, str] = {d.name: d.mirror for d in ANGLES}


def _linear_maps() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """u and v of every angle are linear in the landmarks: u = U @ points, v = V @ points (+ up).

    Returns the stacked (2K, 33) matrix [U; V], the vertical flags (K,), and a (K, 33) mask of the
    landmarks each angle depends on (for its confidence).
    """
    k_count = len(ANGLES)
    uv = np.zeros((2 * k_count, N_LANDMARKS))
    vertical = np.zeros(k_count, dtype=bool)
    uses = np.zeros((k_count, N_LANDMARKS), dtype=bool)
    for k, d in enumerate(ANGLES):
        idx = [_point_indices(p, d.name) for p in d.points]
        if d.kind == "joint":
            terms = [(idx[0], idx[1]), (idx[2], idx[1])]
        elif d.kind == "between":
            terms = [(idx[1], idx[0]), (idx[3], idx[2])]
        else:
            terms = [(idx[1], idx[0])]
            vertical[k] = True
        for row, (plus, minus) in zip((k, k_count + k), terms):
            for i in plus:
                uv[row, i] += 0.5
            for i in minus:
                uv[row, i] -= 0.5
        for a, b in idx:
            uses[k, a] = uses[k, b] = True
    return uv, vertical, uses


_UV, _VERTICAL, _USES = _linear_maps()
# ANGLE_USES[k, i]: angle k depends on landmark i.
ANGLE_USES: np.ndarray = _USES
_K = len(ANGLES)
# The same as a padded (K, n) table of landmark indices (an angle's first landmark repeated):
# gathering a few visibilities per angle is much cheaper per frame than masking all 33.
_N_USED = int(_USES.sum(axis=1).max())
_USED = np.array(
    [[*np.flatnonzero(row)] + [np.flatnonzero(row)[0]] * (_N_USED - row.sum()) for row in _USES],
    dtype=np.intp,
)


def angles_from_points(points: np.ndarray) -> np.ndarray:
    """Angles in degrees, shape (..., K), from points of shape (..., 33, 2 or 3).

    A degenerate angle (a zero-length segment) is NaN.
    """
    pts = np.asarray(points, dtype=np.float64)
    uv = _UV @ pts  # (..., 2K, D)
    u, v = uv[..., :_K, :], uv[..., _K:, :]
    v[..., _VERTICAL, 1] = -1.0  # straight up; y points down
    dot = (u * v).sum(axis=-1)
    sq = (uv * uv).sum(axis=-1)  # |u|^2 and |v|^2 in one pass
    norms = np.sqrt(sq[..., :_K] * sq[..., _K:])
    ok = norms > 1e-12
    # Divide by 1 where degenerate (no warning state to switch: this runs every frame).
    cos = np.minimum(np.maximum(dot / np.where(ok, norms, 1.0), -1.0), 1.0)
    return np.where(ok, np.degrees(np.arccos(cos)), np.nan)


# Angles read against a segment across the picture (the hip line): each distinct segment's ends
# and the indices of the angles read against it.
_ACROSS: tuple[tuple[int, int, tuple[int, ...]], ...] = tuple(
    (INDEX[a], INDEX[b], tuple(k for k, d in enumerate(ANGLES) if d.across == (a, b)))
    for a, b in dict.fromkeys(d.across for d in ANGLES if d.across)
)


def across_factor(points: np.ndarray) -> np.ndarray:
    """(n,) how far each distinct `across` segment lies in the picture, 0..1, from body points
    (33, 3): 1 across the picture, 0 from 60 degrees out of it on (the segment's length in the
    picture is then under half its length). MediaPipe's depth is its weakest coordinate: an
    angle read against a segment that points at the camera (the hip line in a side view) is a
    guess."""
    out = np.empty(len(_ACROSS))
    for i, (a, b, _) in enumerate(_ACROSS):
        dx, dy, dz = (points[b] - points[a]).tolist()  # scalars: cheaper than array steps
        flat = math.hypot(dx, dy)
        full = math.sqrt(flat * flat + dz * dz)
        out[i] = min(max(2.0 * flat / full - 1.0, 0.0), 1.0) if full > 1e-12 else 0.0
    return out


def angle_confidence(visibility: np.ndarray) -> np.ndarray:
    """(..., K): the lowest visibility among the landmarks each angle depends on."""
    vis = np.asarray(visibility, dtype=np.float64)
    return np.asarray(vis[..., _USED].min(axis=-1))


@dataclass(frozen=True, eq=False)
class AngleSet:
    """Angle values (degrees, NaN where undefined) and confidences (0..1), in ANGLE_NAMES order."""

    values: np.ndarray
    confidence: np.ndarray

    def __getitem__(self, name: str) -> float:
        return float(self.values[ANGLE_INDEX[name]])

    def as_dict(self) -> dict[str, float]:
        return {n: float(v) for n, v in zip(ANGLE_NAMES, self.values)}

    def mirrored(self) -> AngleSet:
        """The angles of the mirror-image pose (left and right swapped)."""
        return AngleSet(self.values[ANGLE_MIRROR], self.confidence[ANGLE_MIRROR])


def compute_angles(pose: Landmarks, space: str = "world") -> AngleSet:
    """Angles of one pose from world landmarks (3D) or aspect-corrected image landmarks (2D)."""
    if space == "world":
        pts = pose.world
    elif space == "image":
        pts = pose.image_xy
    else:
        raise ValueError(f"space: expected 'world' or 'image', got {space!r}")
    return AngleSet(angles_from_points(pts), angle_confidence(pose.visibility))


# How much of MediaPipe's depth the body angles keep. Its image x, y are its most precise
# output; its depth is the weakest and bends straight limbs (a hanging arm reads ~147 deg in
# world landmarks, ~170 in the picture). Over the 410 yoga photos, the spread of each pose's
# main angles across people is smallest with the depth at 0.5-0.75 of its size (median robust
# SD 9.4-9.8 deg, against 10.4 for the plain world angles at 1.0 and 10.5 for the flat 2D ones
# at 0); 0.75 keeps the most depth (what tells a limb pointing at the camera) in that minimum.
DEPTH_WEIGHT = 0.75


_TORSO = np.array([INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")])


def _centred_selector(idx: np.ndarray) -> np.ndarray:
    """(n, 33) matrix picking the landmarks idx and subtracting their mean (one product per
    frame instead of indexing and mean(): a frame is scored every 33 ms)."""
    pick = np.zeros((len(idx), N_LANDMARKS))
    pick[np.arange(len(idx)), idx] = 1.0
    return np.asarray((np.eye(len(idx)) - 1.0 / len(idx)) @ pick)


_TORSO_SELECTOR = _centred_selector(_TORSO)


def _depth_scale(world: np.ndarray, xy: np.ndarray, selector: np.ndarray) -> float | None:
    """Least-squares scale from world x, y (metres) to image x, y over the landmarks a
    _centred_selector picks."""
    a = (selector @ world[:, :2]).ravel()
    b = (selector @ xy).ravel()
    denom = float(a @ a)
    if denom <= 1e-6:
        return None
    return max(float(a @ b) / denom, 0.0)


# MediaPipe's world skeleton keeps a person's bone lengths: the shorter of a left/right pair of
# bones is under 0.6 of the longer in 0.2-1.2 % of the 410 yoga photos, per bone. Under
# BROKEN_BONE, the 3D fit of that limb failed (a tree seen from behind: the lifted thigh 0.22 m
# against 0.44 m, its knee 119 deg in 3D and 65 in the picture), so it is read flat.
BROKEN_BONE = 0.6
# Per limb: its root, then the landmarks beyond it; its two bones are root-mid and mid-end.
_LIMB_CHAINS = [
    [INDEX[f"{side}_{n}"] for n in chain]
    for chain in (
        ("hip", "knee", "ankle", "heel", "foot_index"),
        ("shoulder", "elbow", "wrist", "pinky", "index", "thumb"),
    )
    for side in ("left", "right")
]  # left leg, right leg, left arm, right arm
_BONE_ENDS = np.array([(c[i], c[i + 1]) for c in _LIMB_CHAINS for i in (0, 1)])  # (8, 2)
_BONE_VECTORS = np.zeros((len(_BONE_ENDS), N_LANDMARKS))  # @ world: the 8 bones' vectors
_BONE_VECTORS[np.arange(len(_BONE_ENDS)), _BONE_ENDS[:, 1]] = 1.0
_BONE_VECTORS[np.arange(len(_BONE_ENDS)), _BONE_ENDS[:, 0]] = -1.0


def broken_limbs(world: np.ndarray) -> list[list[int]]:
    """The limbs (root first, then the landmarks beyond it) whose 3D fit failed: a bone under
    BROKEN_BONE of the same bone on the other side."""
    # Squared lengths: the left leg's 2 bones, the right leg's, the left arm's, the right arm's
    # (scalar maths on 8 rows beats numpy's per-call overhead; this runs every frame).
    sq = [x * x + y * y + z * z for x, y, z in (_BONE_VECTORS @ world).tolist()]
    out = []
    limit = BROKEN_BONE * BROKEN_BONE
    for left, right in ((0, 1), (2, 3)):  # the legs, the arms (indices into _LIMB_CHAINS)
        for bone in (0, 1):  # limb i's bones are sq[2i] (root-mid) and sq[2i + 1] (mid-end)
            sl, sr = sq[2 * left + bone], sq[2 * right + bone]
            if min(sl, sr) < limit * max(sl, sr):
                out.append(_LIMB_CHAINS[left if sl < sr else right])
                break
    return out


def body_points(pose: Landmarks) -> np.ndarray:
    """(33, 3) points for the body angles: image x, y (aspect-corrected) with the world depth
    scaled into image units (weak perspective) times DEPTH_WEIGHT. The scale is fitted on the
    torso, which limbs moving do not change (so one limb's angle never shifts another's); a
    torso seen end-on has no extent to fit on, and then the whole body is used. A limb whose 3D
    fit failed (broken_limbs) lies flat at its root's depth."""
    xy, world = pose.image_xy, pose.world
    scale = _depth_scale(world, xy, _TORSO_SELECTOR)
    if scale is None:
        scale = _depth_scale(world, xy, _centred_selector(BODY_INDEX)) or 0.0
    pts = np.empty((N_LANDMARKS, 3))
    pts[:, :2] = xy
    pts[:, 2] = world[:, 2] * (scale * DEPTH_WEIGHT)
    for limb in broken_limbs(world):
        pts[limb[1:], 2] = pts[limb[0], 2]
    return pts


def view_confidence(confidence: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Angle confidences (K,) with those read against an `across` segment scaled by how far
    the segment lies in the picture (across_factor of the body points)."""
    if not _ACROSS:
        return confidence
    out = confidence.copy()
    for (_, _, angles), factor in zip(_ACROSS, across_factor(points).tolist()):
        for k in angles:  # two angles: scalar steps beat fancy indexing
            out[k] *= factor
    return out
