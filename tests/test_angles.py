"""Joint angles on known geometry (core/body/angles.py, core/body/data/angles.toml)."""

from __future__ import annotations

import numpy as np
import pytest

from tui_trainer.core.body.angles import (
    ANGLE_INDEX,
    ANGLE_MIRROR,
    ANGLE_NAMES,
    MAIN_ANGLES,
    across_factor,
    angle_confidence,
    angles_from_points,
    broken_limbs,
    compute_angles,
    parse_angle_table,
)
from tui_trainer.core.body.landmarks import INDEX, N_LANDMARKS
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.demo.synth import pose_from_world, standing_world


def _points(**named: tuple[float, ...]) -> np.ndarray:
    """(33, 3) points, all at distinct spots of a line far away, except the named ones."""
    pts = np.zeros((N_LANDMARKS, 3))
    pts[:, 0] = 10.0 + np.arange(N_LANDMARKS)
    for name, xyz in named.items():
        pts[INDEX[name]] = (*xyz, 0.0)[:3]
    return pts


def test_table_has_the_15_angles_and_8_main() -> None:
    assert len(ANGLE_NAMES) == 15
    assert set(MAIN_ANGLES) == {
        f"{side}_{joint}"
        for side in ("left", "right")
        for joint in ("elbow", "shoulder", "hip", "knee")
    }
    assert np.array_equal(ANGLE_MIRROR[ANGLE_MIRROR], np.arange(len(ANGLE_NAMES)))
    assert ANGLE_NAMES[ANGLE_MIRROR[ANGLE_INDEX["left_knee"]]] == "right_knee"


def test_right_angle_and_straight_limb() -> None:
    pts = _points(
        left_shoulder=(0.0, 0.0, 0.0),
        left_elbow=(0.0, 0.3, 0.0),
        left_wrist=(0.25, 0.3, 0.0),  # forearm at 90 degrees to the upper arm
        right_shoulder=(1.0, 0.0, 0.0),
        right_elbow=(1.0, 0.3, 0.0),
        right_wrist=(1.0, 0.6, 0.0),  # straight arm
    )
    angles = angles_from_points(pts)
    assert angles[ANGLE_INDEX["left_elbow"]] == pytest.approx(90.0)
    assert angles[ANGLE_INDEX["right_elbow"]] == pytest.approx(180.0)


def test_angle_in_3d_uses_depth() -> None:
    pts = _points(left_hip=(0, 0, 0), left_knee=(0, 0.4, 0), left_ankle=(0, 0.4, 0.4))
    assert angles_from_points(pts)[ANGLE_INDEX["left_knee"]] == pytest.approx(90.0)
    # Without z the shin collapses onto the knee: the 2D angle is undefined.
    assert np.isnan(angles_from_points(pts[:, :2])[ANGLE_INDEX["left_knee"]])


def test_trunk_lean_from_vertical() -> None:
    upright = _points(
        left_hip=(-0.1, 0.0, 0.0),
        right_hip=(0.1, 0.0, 0.0),
        left_shoulder=(-0.2, -0.5, 0.0),
        right_shoulder=(0.2, -0.5, 0.0),  # y points down: shoulders above the hips
    )
    assert angles_from_points(upright)[ANGLE_INDEX["trunk_lean"]] == pytest.approx(0.0, abs=1e-6)
    lying = _points(
        left_hip=(0.0, 0.0, -0.1),
        right_hip=(0.0, 0.0, 0.1),
        left_shoulder=(0.5, 0.0, -0.2),
        right_shoulder=(0.5, 0.0, 0.2),
    )
    assert angles_from_points(lying)[ANGLE_INDEX["trunk_lean"]] == pytest.approx(90.0)
    headstand = upright * np.array([1.0, -1.0, 1.0])
    assert angles_from_points(headstand)[ANGLE_INDEX["trunk_lean"]] == pytest.approx(180.0)


def test_2d_angles_correct_the_aspect_ratio() -> None:
    # In a 2000x1000 image a normalized x step of 0.05 is as long as a y step of 0.1 (100 px):
    # the forearm runs at 45 degrees in pixels, so the elbow (upper arm straight up) is 135.
    img = _points(left_shoulder=(0.5, 0.3), left_elbow=(0.5, 0.4), left_wrist=(0.55, 0.5))
    pose = Pose.from_arrays(img, img, np.ones(33), image_size=(2000, 1000))
    assert compute_angles(pose, "image")["left_elbow"] == pytest.approx(135.0)
    assert pose.angles_2d["left_elbow"] == pytest.approx(135.0)
    square = Pose.from_arrays(img, img, np.ones(33), image_size=None)
    uncorrected = 180.0 - np.degrees(np.arctan2(0.05, 0.1))  # what raw normalized x/y would say
    assert compute_angles(square, "image")["left_elbow"] == pytest.approx(uncorrected)


def test_batched_shapes_match_single_computation() -> None:
    rng = np.random.default_rng(0)
    batch = rng.normal(size=(4, 5, N_LANDMARKS, 3))
    out = angles_from_points(batch)
    assert out.shape == (4, 5, len(ANGLE_NAMES))
    assert np.allclose(out[2, 3], angles_from_points(batch[2, 3]))
    assert np.all((out >= 0) & (out <= 180))
    vis = rng.uniform(size=(4, 5, N_LANDMARKS))
    conf = angle_confidence(vis)
    assert conf.shape == (4, 5, len(ANGLE_NAMES))
    assert np.allclose(conf[1, 2], angle_confidence(vis[1, 2]))


def test_degenerate_segment_gives_nan() -> None:
    pts = _points(left_shoulder=(0, 0, 0), left_elbow=(0, 0, 0), left_wrist=(0, 0.3, 0))
    angles = angles_from_points(pts)
    assert np.isnan(angles[ANGLE_INDEX["left_elbow"]])
    assert np.isfinite(angles[ANGLE_INDEX["right_elbow"]])


def test_confidence_is_lowest_visibility_of_the_landmarks_used() -> None:
    vis = np.ones(N_LANDMARKS)
    vis[INDEX["left_wrist"]] = 0.2
    vis[INDEX["right_shoulder"]] = 0.4
    conf = angle_confidence(vis)
    assert conf[ANGLE_INDEX["left_elbow"]] == pytest.approx(0.2)
    assert conf[ANGLE_INDEX["right_elbow"]] == pytest.approx(0.4)
    assert conf[ANGLE_INDEX["trunk_lean"]] == pytest.approx(0.4)  # uses the mid-shoulder
    assert conf[ANGLE_INDEX["left_knee"]] == pytest.approx(1.0)


def test_pose_angles_match_compute_angles() -> None:
    rng = np.random.default_rng(5)
    pose = Pose.from_arrays(
        rng.uniform(size=(33, 3)), rng.normal(size=(33, 3)), np.ones(33), image_size=(640, 360)
    )
    assert np.allclose(pose.angles.values, compute_angles(pose, "world").values)
    assert np.allclose(pose.angles_2d.values, compute_angles(pose, "image").values)
    assert np.allclose(pose.angles_2d.values, angles_from_points(pose.image_xy))


def test_mirrored_angle_set_matches_mirrored_pose() -> None:
    rng = np.random.default_rng(3)
    pose = Pose.from_arrays(
        rng.uniform(size=(33, 3)), rng.normal(size=(33, 3)), rng.uniform(0.5, 1, size=33)
    )
    assert np.allclose(pose.angles.mirrored().values, pose.mirrored().angles.values)
    assert np.allclose(pose.angles.mirrored().confidence, pose.mirrored().angles.confidence)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"kind": "elbowish"}, "kind must be one of"),
        ({"points": ["left_hip", "left_knee"]}, "needs 3 points"),
        ({"points": ["left_hip", "left_knee", "left_toe"]}, "unknown point 'left_toe'"),
        ({"mirror": "nowhere"}, "unknown mirror 'nowhere'"),
        ({"label": 3}, "field 'label' must be a string"),
        ({"across": ["left_hip"]}, "'across' must be two landmark names"),
        ({"across": ["left_hip", "tail"]}, "'across' must be two landmark names"),
    ],
)
def test_bad_angle_table_rows_are_named(row: dict[str, object], message: str) -> None:
    good = {
        "name": "k",
        "label": "K",
        "kind": "joint",
        "points": ["left_hip", "left_knee", "left_ankle"],
        "mirror": "k",
    }
    with pytest.raises(ValueError, match=message):
        parse_angle_table({"angle": [{**good, **row}]}, "test.toml")


def test_knee_out_tells_a_knee_opened_to_the_side_from_one_lifted_forward() -> None:
    # Hips across x; the left thigh lifted 60 degrees: forward (toward the camera, -z) or out.
    hips = {"left_hip": (0.1, 0.0, 0.0), "right_hip": (-0.1, 0.0, 0.0)}
    c, s = np.cos(np.radians(60.0)), np.sin(np.radians(60.0))
    forward = angles_from_points(_points(**hips, left_knee=(0.1, 0.4 * c, -0.4 * s)))
    out = angles_from_points(_points(**hips, left_knee=(0.1 + 0.4 * s, 0.4 * c, 0.0)))
    k = ANGLE_INDEX["left_hip_open"]
    assert forward[k] == pytest.approx(90.0)
    assert out[k] == pytest.approx(150.0)
    assert ANGLE_NAMES[ANGLE_MIRROR[k]] == "right_hip_open"


@pytest.mark.parametrize(
    ("out_of_picture", "factor"), [(0.0, 1.0), (45.0, 2 * np.cos(np.radians(45)) - 1), (70.0, 0.0)]
)
def test_across_factor_falls_as_the_hip_line_turns_toward_the_camera(
    out_of_picture: float, factor: float
) -> None:
    a = np.radians(out_of_picture)
    half = 0.1 * np.array([np.cos(a), 0.0, np.sin(a)])
    pts = _points(left_hip=tuple(half), right_hip=tuple(-half))
    assert across_factor(pts) == pytest.approx([factor])  # one segment: the hip line


def test_a_side_view_does_not_read_the_knee_out_angle() -> None:
    # The same standing body facing the camera, then turned 90 degrees (hips along the depth).
    world = standing_world()
    turn = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])
    front, side = pose_from_world(world), pose_from_world(world @ turn.T)
    k, knee = ANGLE_INDEX["left_hip_open"], ANGLE_INDEX["left_knee"]
    seen = front.body_angles.confidence[knee]  # the others: the landmarks' visibility
    assert seen > 0.5
    assert front.body_angles.confidence[k] == pytest.approx(seen)
    assert side.body_angles.confidence[k] == pytest.approx(0.0)
    assert side.body_angles.confidence[knee] == pytest.approx(seen)
    assert side.angles.confidence[k] == pytest.approx(seen)  # world angles: visibility only


def test_a_limb_whose_3d_fit_failed_is_read_in_the_picture() -> None:
    """MediaPipe's world skeleton keeps bone lengths; a thigh at under 0.6 of the other one is
    a failed 3D fit (seen from behind), and that leg's angles come from the picture."""
    from tui_trainer.core.body.bend import bend_world

    world = bend_world(bend_world(standing_world(), "right_hip", -70.0), "right_knee", -60.0)
    good = pose_from_world(world)
    assert broken_limbs(good.world) == []
    # The same picture with the right leg's 3D fit gone wrong: the thigh 0.4 as long and the
    # foot thrown 30 cm toward the camera.
    bad_world = good.world.copy()
    hip, knee = INDEX["right_hip"], INDEX["right_knee"]
    leg = [INDEX[f"right_{n}"] for n in ("knee", "ankle", "heel", "foot_index")]
    bad_world[leg] += 0.6 * (bad_world[hip] - bad_world[knee])
    bad_world[leg[1:], 2] -= 0.3
    bad = Pose.from_arrays(good.image, bad_world, good.visibility, good.image_size)
    (limb,) = broken_limbs(bad.world)
    assert limb[0] == hip and knee in limb
    k = ANGLE_INDEX["right_knee"]
    assert bad.body_angles.values[k] == pytest.approx(bad.angles_2d.values[k], abs=0.5)
    # ...while the well-fitted leg keeps its depth (this knee bends partly toward the camera).
    assert abs(good.body_angles.values[k] - good.angles_2d.values[k]) > 10.0
    # The other leg and both arms keep their depth.
    for name in ("left_knee", "left_elbow", "right_elbow"):
        j = ANGLE_INDEX[name]
        assert bad.body_angles.values[j] == pytest.approx(good.body_angles.values[j], abs=1e-6)
