"""compare(): the seed metrics on hand-computed vectors and the trainer score's behaviour."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tui_trainer.core.body.landmarks import INDEX, NAMES
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.comparison.scoring import (
    PERFECT_SCORE,
    angle_distance,
    angle_score,
    compare,
    coordinate_distance,
    coordinate_score,
)

# A person standing upright facing the camera, arms hanging straight (world metres, y down,
# hip-centred; the person's left side at +x as MediaPipe sees a person facing it).
_BODY = {
    "nose": (0.0, -0.65, -0.1),
    "left_shoulder": (0.18, -0.5, 0.0),
    "left_elbow": (0.18, -0.22, 0.0),
    "left_wrist": (0.18, 0.03, 0.0),
    "left_hip": (0.1, 0.0, 0.0),
    "left_knee": (0.1, 0.42, 0.0),
    "left_ankle": (0.1, 0.82, 0.0),
    "left_heel": (0.1, 0.86, 0.05),
    "left_foot_index": (0.1, 0.88, -0.12),
}
_NEAR = {"eye": "nose", "ear": "nose", "mouth": "nose", "pinky": "wrist", "index": "wrist"}


def _standing() -> np.ndarray:
    pts = np.zeros((33, 3))
    for i, name in enumerate(NAMES):
        side = -1.0 if "right" in name else 1.0
        base = name.replace("right", "left")
        if base not in _BODY:  # face and hand details sit next to the nose / the wrist
            near = next(v for k, v in _NEAR.items() if k in base or base.endswith("thumb"))
            base = "nose" if near == "nose" else "left_wrist"
            offset = np.array([0.03 * (i % 3 + 1), -0.02 * (i % 2), 0.01])
        else:
            offset = np.zeros(3)
        x, y, z = _BODY[base]
        pts[i] = (side * (abs(x) + offset[0]), y + offset[1], z + offset[2])
    return pts


def _rotate(pts: np.ndarray, pivot: str, moved: list[str], degrees: float) -> np.ndarray:
    """Turn the named landmarks about `pivot` in the image plane (x, y)."""
    out = pts.copy()
    t = np.radians(degrees)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    c = pts[INDEX[pivot], :2]
    for name in moved:
        out[INDEX[name], :2] = c + rot @ (pts[INDEX[name], :2] - c)
    return out


LEFT_FOREARM = ["left_wrist", "left_pinky", "left_index", "left_thumb"]
LEFT_ARM = ["left_elbow", *LEFT_FOREARM]
LEFT_SHIN = ["left_ankle", "left_heel", "left_foot_index"]


def _pose(world: np.ndarray, visibility: np.ndarray | None = None) -> Pose:
    """Pose seen from the front: the image is an orthographic projection of the world."""
    image = np.column_stack([0.5 + 0.4 * world[:, 0], 0.5 + 0.4 * world[:, 1], world[:, 2]])
    vis = np.ones(33) if visibility is None else visibility
    return Pose.from_arrays(image, world, vis, image_size=(800, 800))


def _asymmetric() -> np.ndarray:
    """Left arm raised sideways, left knee bent forward-ish: clearly one-sided."""
    pts = _rotate(_standing(), "left_shoulder", LEFT_ARM, -100.0)
    return _rotate(pts, "left_knee", LEFT_SHIN, 50.0)


# --- seed metrics -----------------------------------------------------------------------------


def _image_only_pose(xy: tuple[float, float]) -> Pose:
    image = np.zeros((33, 3))
    image[:, :2] = xy
    return Pose.from_arrays(image, np.zeros((33, 3)), np.ones(33))


def test_coordinate_seed_metric_on_hand_computed_vectors() -> None:
    # Every landmark at (0.6, 0.8) vs (0.8, 0.6): cos = 33 * 0.96 / 33 = 0.96,
    # D = sqrt(2 * 0.04) = 0.28284, score = 100 * (1 - D) = 71.716.
    a, b = _image_only_pose((0.6, 0.8)), _image_only_pose((0.8, 0.6))
    assert coordinate_distance(a, b) == pytest.approx(np.sqrt(0.08))
    assert coordinate_score(a, b) == pytest.approx(100 * (1 - np.sqrt(0.08)))
    # Same direction, other length: cosine ignores length.
    assert coordinate_distance(a, _image_only_pose((0.3, 0.4))) == pytest.approx(0.0, abs=1e-12)
    # Orthogonal: D = sqrt(2) > 1, the score is clipped to 0.
    c, d = _image_only_pose((1.0, 0.0)), _image_only_pose((0.0, 1.0))
    assert coordinate_distance(c, d) == pytest.approx(np.sqrt(2.0))
    assert coordinate_score(c, d) == 0.0


def test_coordinate_seed_metric_is_not_normalised() -> None:
    # The method feeds raw normalized coordinates: moving in the frame changes it.
    pose = _pose(_standing())
    moved = Pose.from_arrays(pose.image + np.array([0.2, 0.0, 0.0]), pose.world, pose.visibility)
    assert coordinate_score(pose, moved) < 99.0


def test_angle_seed_metric_on_hand_computed_angles() -> None:
    # Target: straight arms (elbows 180). Actual: left forearm turned 90 degrees (elbow 90);
    # the 7 other main angles are unchanged. D = (|180 - 90| / 135) / 8 = 0.08333.
    target = _pose(_standing())
    actual = _pose(_rotate(_standing(), "left_elbow", LEFT_FOREARM, 90.0))
    assert target.angles_2d["left_elbow"] == pytest.approx(180.0)
    assert actual.angles_2d["left_elbow"] == pytest.approx(90.0)
    assert angle_distance(target, actual) == pytest.approx(90.0 / 135.0 / 8.0)
    assert angle_score(target, actual) == pytest.approx(100 * (1 - 90.0 / 135.0 / 8.0))


def test_identical_poses() -> None:
    pose = _pose(_asymmetric())
    c = compare(pose, pose)
    assert c.coordinate_distance == 0.0 and c.angle_distance == 0.0
    assert c.coordinate_score == 100.0 and c.angle_score == 100.0
    assert c.score == pytest.approx(100.0, abs=1e-9)
    assert c.verdict == "PERFECT" and not c.mirrored
    assert all(err == pytest.approx(0.0, abs=1e-6) for err in c.errors.values())


# --- trainer score ----------------------------------------------------------------------------


def _yaw(world: np.ndarray, degrees: float) -> np.ndarray:
    t = np.radians(degrees)
    rot = np.array([[np.cos(t), 0, np.sin(t)], [0, 1, 0], [-np.sin(t), 0, np.cos(t)]])
    return np.asarray(world @ rot.T)


def test_trainer_score_ignores_translation_and_scale() -> None:
    pose = _pose(_asymmetric())
    moved = Pose.from_arrays(
        0.3 * pose.image + [0.25, 0.4, 0.0],
        1.7 * pose.world + [0.2, -0.1, 0.5],
        pose.visibility,
        pose.image_size,
    )
    assert compare(pose, moved, "same").score == pytest.approx(100.0, abs=1e-6)
    assert compare(pose, moved).coordinate_score < 100.0  # the seed metric does not


def test_trainer_score_ignores_turning_about_the_vertical_only() -> None:
    world = _asymmetric()
    pose = _pose(world)
    turned = Pose.from_arrays(pose.image, _yaw(world, 40.0), pose.visibility, pose.image_size)
    assert compare(pose, turned, "same").score == pytest.approx(100.0, abs=1e-6)
    # Orientation to gravity matters: the same body lying on its side is a different pose.
    lying_world = world[:, [1, 0, 2]] * [-1.0, 1.0, 1.0]  # turned 90 degrees in the image plane
    lying = _pose(lying_world)
    assert compare(pose, lying).score < 50.0
    assert compare(pose, lying).verdict == "FIGHTING"


def test_mirror_image_matches_with_either_side_only() -> None:
    pose = _pose(_asymmetric())
    mirror = pose.mirrored()
    either = compare(pose, mirror, "either")
    same = compare(pose, mirror, "same")
    assert either.score == pytest.approx(100.0, abs=1e-6) and either.mirrored
    assert same.score < 85.0 and not same.mirrored
    # Reported angles use the actual pose's labels and the mirrored target's values.
    assert either.angles["left_knee"][1] == pytest.approx(pose.angles["right_knee"])
    assert either.errors["left_knee"] == pytest.approx(0.0, abs=1e-6)


def test_symmetric_pose_is_not_reported_mirrored() -> None:
    pose = _pose(_standing())
    assert not compare(pose, pose).mirrored
    assert not compare(pose, pose.mirrored()).mirrored


def test_errors_are_signed_actual_minus_target() -> None:
    target = _pose(_standing())
    actual = _pose(_rotate(_standing(), "left_elbow", LEFT_FOREARM, 90.0))
    c = compare(target, actual, "same")
    assert c.angles["left_elbow"] == pytest.approx((90.0, 180.0))
    assert c.errors["left_elbow"] == pytest.approx(-90.0)
    assert compare(actual, target, "same").errors["left_elbow"] == pytest.approx(90.0)


def test_score_falls_monotonically_as_a_joint_deviates() -> None:
    target = _pose(_standing())
    scores = [
        compare(target, _pose(_rotate(_standing(), "left_shoulder", LEFT_ARM, -a)), "same").score
        for a in range(0, 181, 15)
    ]
    assert scores[0] == pytest.approx(100.0, abs=1e-6)
    assert all(b < a for a, b in itertools.pairwise(scores))
    # Unweighted, one limb costs at most its share of the body (robustness: ~12 points for an
    # arm); when the library says the arm matters, the arm overhead is clearly not PERFECT.
    assert 80.0 < scores[-1] < 90.0
    overhead = _pose(_rotate(_standing(), "left_shoulder", LEFT_ARM, -180.0))
    arm = {"left_shoulder": 1.0, "left_elbow": 1.0}
    assert compare(target, overhead, "same", weights=arm).score < PERFECT_SCORE


def test_weights_focus_the_score() -> None:
    target = _pose(_standing())
    actual = _pose(_rotate(_standing(), "left_knee", LEFT_SHIN, 70.0))
    plain = compare(target, actual, "same").score
    on_knee = compare(target, actual, "same", weights={"left_knee": 1.0}).score
    elsewhere = compare(target, actual, "same", weights={"right_elbow": 1.0}).score
    assert on_knee < plain < elsewhere
    assert elsewhere > 95.0


def test_weights_that_touch_nothing_fall_back_to_the_plain_score() -> None:
    target = _pose(_standing())
    actual = _pose(_rotate(_standing(), "left_knee", LEFT_SHIN, 70.0))
    plain = compare(target, actual, "same").score
    assert compare(target, actual, "same", weights={"left_knee": 0.0}).score == plain
    assert compare(target, actual, "same", weights={}).score == plain


def test_tolerances_forgive_small_errors() -> None:
    target = _pose(_standing())
    actual = _pose(_rotate(_standing(), "left_elbow", LEFT_FOREARM, 20.0))
    w = {"left_elbow": 1.0}
    strict = compare(target, actual, "same", weights=w, tolerances={"left_elbow": 5.0}).score
    loose = compare(target, actual, "same", weights=w, tolerances={"left_elbow": 30.0}).score
    assert strict < loose


def test_invisible_landmarks_count_less() -> None:
    target = _pose(_standing())
    wild = _rotate(_standing(), "left_shoulder", LEFT_ARM, -120.0)
    hidden = np.ones(33)
    for name in LEFT_ARM:
        hidden[INDEX[name]] = 0.05
    seen = compare(target, _pose(wild), "same").score
    unseen = compare(target, _pose(wild, hidden), "same").score
    assert unseen > seen
    assert compare(target, _pose(wild, hidden)).confidence["left_elbow"] == pytest.approx(0.05)


def test_bad_sides_value() -> None:
    pose = _pose(_standing())
    with pytest.raises(ValueError, match="sides: expected 'either' or 'same'"):
        compare(pose, pose, "both")  # type: ignore[arg-type]


def _random_poses(n: int, seed: int) -> list[Pose]:
    """Standing poses with every landmark jittered, some joints hidden: varied, not degenerate."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        world = _standing() + rng.normal(0.0, 0.08, (33, 3))
        vis = rng.uniform(0.0, 1.0, 33)
        vis[: len(vis) // 2] = 1.0
        out.append(_pose(world, rng.permutation(vis)))
    return out


def test_prepared_scorers_give_the_unprepared_numbers() -> None:
    """The coach's per-frame shortcuts (targets prepared once) are the same computations."""
    from tui_trainer.core.body.bones import stack_bones
    from tui_trainer.core.comparison.scoring import SeedReference
    from tui_trainer.core.comparison.trainer_score import (
        BoneScorer,
        apply_focus,
        base_weights,
        bone_errors,
        similarity,
    )

    targets = _random_poses(4, seed=1)
    stacked = stack_bones([t.bones for t in targets])
    focus = np.random.default_rng(2).uniform(0.0, 1.0, stacked.confidence.shape)
    focus[0] = 0.0  # a row whose focus touches nothing falls back to the plain weights
    scorer = BoneScorer(stacked, focus)
    seeds = [SeedReference(t) for t in targets]
    for actual in _random_poses(20, seed=3):
        base = base_weights(stacked, actual)
        expected = similarity(bone_errors(stacked, actual.bones, base), apply_focus(base, focus))
        np.testing.assert_allclose(scorer.similarity(actual.bones), expected, atol=1e-12)
        for target, seed in zip(targets, seeds):
            assert seed.coordinate_distance(actual) == pytest.approx(
                coordinate_distance(target, actual), abs=1e-12
            )
            assert seed.angle_distance(actual) == pytest.approx(
                angle_distance(target, actual), abs=1e-12
            )
