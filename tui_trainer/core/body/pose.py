"""A person's pose in one frame: BlazePose's 33 landmarks in image and world space."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

import numpy as np

# Imported here, not inside the properties: they run every frame.
from tui_trainer.core.body.angles import (
    AngleSet,
    angle_confidence,
    angles_from_points,
    body_points,
    view_confidence,
)
from tui_trainer.core.body.bones import BoneFeatures, bone_features
from tui_trainer.core.body.landmarks import INDEX, MIRROR, N_LANDMARKS

# Below this MediaPipe visibility a landmark is treated as occluded / out of view.
VISIBLE = 0.5

_T = TypeVar("_T")


class cached_property(Generic[_T]):
    """functools.cached_property without its lock: before Python 3.12 that takes an RLock on
    every first access, and a pose computes several of these each frame (~1 us each)."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> cached_property[_T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.func(obj)
        obj.__dict__[self.name] = value  # found before this (non-data) descriptor from now on
        return value


def _as_array(value: object, shape: tuple[int, ...], what: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: expected numbers of shape {shape}, got {exc}") from None
    if arr.shape != shape:
        raise ValueError(f"{what}: expected shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise ValueError(f"{what}: {bad} value(s) are NaN or infinite")
    return arr


@dataclass(frozen=True, eq=False)
class Pose:
    """33 landmarks of one person.

    image: (33, 3) MediaPipe normalized image coordinates (x by width, y by height, z depth).
    world: (33, 3) metres, hip-centred, y pointing down (as MediaPipe gives them).
    visibility: (33,) in 0..1.
    image_size: (width, height) in pixels, or None when unknown (treated as square).
    """

    image: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int] | None = None

    @classmethod
    def from_arrays(
        cls,
        image: object,
        world: object,
        visibility: object,
        image_size: tuple[int, int] | None = None,
    ) -> Pose:
        """Validate and build a Pose; raises ValueError saying what is wrong."""
        img = _as_array(image, (N_LANDMARKS, 3), "image landmarks")
        wld = _as_array(world, (N_LANDMARKS, 3), "world landmarks")
        vis = _as_array(visibility, (N_LANDMARKS,), "visibility")
        if np.any(vis < 0) or np.any(vis > 1):
            raise ValueError("visibility: expected values between 0 and 1")
        if not np.any(vis >= VISIBLE):
            raise ValueError(f"visibility: all 33 landmarks are below {VISIBLE} (nobody visible)")
        size: tuple[int, int] | None = None
        if image_size is not None:
            try:
                w, h = (int(v) for v in image_size)
            except (TypeError, ValueError):
                raise ValueError(
                    f"image_size: expected (width, height), got {image_size!r}"
                ) from None
            if w <= 0 or h <= 0:
                raise ValueError(f"image_size: expected positive width and height, got {w}x{h}")
            size = (w, h)
        for arr in (img, wld, vis):
            arr.setflags(write=False)
        return cls(image=img, world=wld, visibility=vis, image_size=size)

    @classmethod
    def trusted(
        cls,
        image: np.ndarray,
        world: np.ndarray,
        visibility: np.ndarray,
        image_size: tuple[int, int] | None,
    ) -> Pose:
        """A Pose from arrays already known to be valid (a filter's output of valid poses):
        from_arrays without the checks, for the per-frame path."""
        for arr in (image, world, visibility):
            arr.setflags(write=False)
        return cls(image=image, world=world, visibility=visibility, image_size=image_size)

    @property
    def aspect(self) -> float:
        """Width / height of the image (1.0 when unknown)."""
        if self.image_size is None:
            return 1.0
        return self.image_size[0] / self.image_size[1]

    @cached_property
    def image_xy(self) -> np.ndarray:
        """(33, 2) image coordinates with the aspect ratio corrected (units of image height)."""
        xy = self.image[:, :2].copy()
        xy[:, 0] *= self.aspect
        return xy

    @cached_property
    def visible(self) -> np.ndarray:
        """(33,) bool: landmarks MediaPipe is confident about."""
        return np.asarray(self.visibility >= VISIBLE)

    def point(self, name: str, space: str = "world") -> np.ndarray:
        arr = self.world if space == "world" else self.image
        return np.asarray(arr[INDEX[name]])

    def mirrored(self) -> Pose:
        """The same pose seen in a mirror: x flipped and left/right labels swapped."""
        img = self.image[MIRROR].copy()
        img[:, 0] = 1.0 - img[:, 0]
        wld = self.world[MIRROR].copy()
        wld[:, 0] = -wld[:, 0]
        vis = self.visibility[MIRROR].copy()
        for arr in (img, wld, vis):
            arr.setflags(write=False)
        return Pose(image=img, world=wld, visibility=vis, image_size=self.image_size)

    def turned(self, clockwise: bool) -> Pose:
        """The same pose in the picture turned by a quarter (what an upright camera would have
        seen when the real one lies on its side)."""
        img = self.image.copy()
        wld = self.world.copy()
        if clockwise:
            img[:, 0], img[:, 1] = 1.0 - self.image[:, 1], self.image[:, 0]
            wld[:, 0], wld[:, 1] = -self.world[:, 1], self.world[:, 0]
        else:
            img[:, 0], img[:, 1] = self.image[:, 1], 1.0 - self.image[:, 0]
            wld[:, 0], wld[:, 1] = self.world[:, 1], -self.world[:, 0]
        size = None if self.image_size is None else (self.image_size[1], self.image_size[0])
        return Pose.trusted(img, wld, self.visibility.copy(), size)

    @cached_property
    def mirror(self) -> Pose:
        """mirrored(), computed once: a target is compared with both sides every frame."""
        return self.mirrored()

    @cached_property
    def _angle_confidence(self) -> np.ndarray:
        return angle_confidence(self.visibility)

    def _angle_set(self, points: np.ndarray) -> AngleSet:
        # Each set is computed when first asked for: the coach needs two of the three a frame.
        return AngleSet(angles_from_points(points), self._angle_confidence)

    @cached_property
    def angles(self) -> AngleSet:
        """Joint angles from the 3D world landmarks (see core/body/data/angles.toml)."""
        return self._angle_set(self.world)

    @cached_property
    def _picture_angles(self) -> tuple[AngleSet, AngleSet]:
        # The 2D and the body angles in one pass: the coach needs both every frame.
        pts = np.zeros((2, N_LANDMARKS, 3))
        pts[0, :, :2] = self.image_xy
        pts[1] = body_points(self)
        values = angles_from_points(pts)
        conf = view_confidence(self._angle_confidence, pts[1])
        return AngleSet(values[0], conf), AngleSet(values[1], conf)

    @cached_property
    def angles_2d(self) -> AngleSet:
        """Joint angles from the image landmarks, aspect ratio corrected."""
        return self._picture_angles[0]

    @cached_property
    def body_angles(self) -> AngleSet:
        """The coach's joint angles: the picture's x, y with MediaPipe's depth at 3/4 weight
        (angles.body_points): straight limbs read straight, as a teacher would see them."""
        return self._picture_angles[1]

    @cached_property
    def bones(self) -> BoneFeatures:
        """Bone directions for the trainer score (see core/comparison/trainer_score.py), computed
        once."""
        return bone_features(self.world, self.image_xy, self.visibility)
