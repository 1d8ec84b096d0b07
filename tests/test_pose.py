"""Pose: validation of the arrays it is built from, mirroring, cached derived data."""

from __future__ import annotations

import numpy as np
import pytest

from tui_trainer.core.body.landmarks import INDEX, NAMES
from tui_trainer.core.body.pose import Pose


def _arrays(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(33, 3)), rng.normal(scale=0.4, size=(33, 3)), rng.uniform(size=33)


def _pose(seed: int = 0, size: tuple[int, int] | None = (640, 480)) -> Pose:
    img, wld, vis = _arrays(seed)
    vis[0] = 1.0
    return Pose.from_arrays(img, wld, vis, size)


def test_from_arrays_keeps_values_and_freezes_them() -> None:
    img, wld, vis = _arrays()
    pose = Pose.from_arrays(img.tolist(), wld, vis, (640, 480))
    assert np.array_equal(pose.image, img) and np.array_equal(pose.world, wld)
    assert pose.image_size == (640, 480)
    assert pose.aspect == pytest.approx(640 / 480)
    with pytest.raises(ValueError):
        pose.world[0, 0] = 1.0  # read-only: a pose cannot change under its cached angles


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"image": np.zeros((32, 3))}, r"image landmarks: expected shape \(33, 3\), got \(32, 3\)"),
        ({"world": np.zeros((33, 2))}, r"world landmarks: expected shape \(33, 3\)"),
        ({"visibility": np.ones((33, 1))}, r"visibility: expected shape \(33,\)"),
        ({"image": [["a"] * 3] * 33}, "image landmarks: expected numbers"),
        ({"world": np.full((33, 3), np.nan)}, r"world landmarks: 99 value\(s\) are NaN"),
        ({"image": np.where(np.eye(33, 3) > 0, np.inf, 0.0)}, "image landmarks: 3 value"),
        ({"visibility": np.full(33, 0.1)}, "all 33 landmarks are below 0.5"),
        ({"visibility": np.full(33, 1.5)}, "visibility: expected values between 0 and 1"),
        ({"visibility": np.full(33, -0.1)}, "visibility: expected values between 0 and 1"),
        ({"image_size": (0, 480)}, "image_size: expected positive width and height, got 0x480"),
        ({"image_size": (640, -1)}, "image_size: expected positive"),
        ({"image_size": "wide"}, "image_size: expected \\(width, height\\), got 'wide'"),
        ({"image_size": (1, 2, 3)}, "image_size: expected \\(width, height\\)"),
    ],
)
def test_bad_arrays_raise_value_error_saying_what(change: dict[str, object], message: str) -> None:
    img, wld, vis = _arrays()
    vis[:] = 1.0
    args: dict[str, object] = {"image": img, "world": wld, "visibility": vis, "image_size": None}
    args.update(change)
    with pytest.raises(ValueError, match=message):
        Pose.from_arrays(**args)  # type: ignore[arg-type]


def test_mirrored_swaps_labels_and_flips_x() -> None:
    pose = _pose(1)
    m = pose.mirrored()
    li, ri = INDEX["left_wrist"], INDEX["right_wrist"]
    assert m.image[li, 0] == pytest.approx(1.0 - pose.image[ri, 0])
    assert m.image[li, 1:] == pytest.approx(pose.image[ri, 1:])
    assert m.world[li, 0] == pytest.approx(-pose.world[ri, 0])
    assert m.world[li, 1:] == pytest.approx(pose.world[ri, 1:])
    assert m.visibility[li] == pose.visibility[ri]
    nose = INDEX["nose"]
    assert m.world[nose, 0] == pytest.approx(-pose.world[nose, 0])
    assert m.image_size == pose.image_size
    # The mirrored pose's left knee angle is the original's right knee angle.
    assert m.angles["left_knee"] == pytest.approx(pose.angles["right_knee"])


def test_mirrored_twice_is_identity() -> None:
    pose = _pose(2)
    twice = pose.mirrored().mirrored()
    assert np.allclose(twice.image, pose.image)
    assert np.array_equal(twice.world, pose.world)
    assert np.array_equal(twice.visibility, pose.visibility)


def test_every_landmark_has_a_counterpart() -> None:
    m = _pose(3).mirrored()
    for name in NAMES:
        other = name.replace("left", "@").replace("right", "left").replace("@", "right")
        assert m.point(name)[1] == pytest.approx(_pose(3).point(other)[1])


def test_cached_mirror_and_bones() -> None:
    pose = _pose(4)
    assert pose.mirror is pose.mirror
    assert np.array_equal(pose.mirror.world, pose.mirrored().world)
    bones = pose.bones
    assert bones is pose.bones
    norms = np.linalg.norm(bones.world, axis=1)
    assert np.allclose(norms[bones.confidence > 0], 1.0)


def test_image_xy_corrects_aspect() -> None:
    pose = _pose(5, size=(1000, 500))
    assert np.allclose(pose.image_xy[:, 0], 2.0 * pose.image[:, 0])
    assert np.allclose(pose.image_xy[:, 1], pose.image[:, 1])
    assert _pose(5, size=None).aspect == 1.0
