"""The pure renderers in tui_trainer/viz on synthetic skeletons (no photos needed)."""

from __future__ import annotations

import numpy as np
import pytest

from tui_trainer.core.body.landmarks import INDEX
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.comparison.scoring import Comparison
from tui_trainer.core.demo.synth import (
    bend_world,
    pose_from_world,
    spec_from_world,
    standing_world,
)
from tui_trainer.viz.composite import BANNER_COLORS, WindowView, judged, layout, render_composite
from tui_trainer.viz.figure import render_figure
from tui_trainer.viz.overlay import draw_angles, draw_skeleton, landmark_pixels
from tui_trainer.viz.skeleton3d import render_skeleton3d
from tui_trainer.viz.style import BACKGROUND

H, W = 480, 640


def raised_left_arm() -> Pose:
    """Asymmetric: the left arm lifted sideways, so a mirror image looks different."""
    return pose_from_world(bend_world(standing_world(), "left_shoulder", 80.0))


def comparison(errors: dict[str, float], mirrored: bool = False) -> Comparison:
    return Comparison(
        score=50.0,
        coordinate_distance=0.1,
        coordinate_score=90.0,
        angle_distance=0.1,
        angle_score=90.0,
        mirrored=mirrored,
        errors=errors,
    )


def pixel(image: np.ndarray, pose: Pose, name: str) -> np.ndarray:
    px = landmark_pixels(pose, image.shape[1], image.shape[0])[INDEX[name]]
    return image[px[1], px[0]].astype(int)


def is_red(bgr: np.ndarray) -> bool:
    return bool(bgr[2] > 170 and bgr[1] < 110 and bgr[0] < 110)


def is_green(bgr: np.ndarray) -> bool:
    return bool(bgr[1] > 150 and bgr[2] < 130 and bgr[0] < 130)


def is_amber(bgr: np.ndarray) -> bool:
    return bool(bgr[2] > 170 and 100 < bgr[1] < 220 and bgr[0] < 80)


def test_skeleton_is_drawn_where_the_landmarks_are() -> None:
    pose = pose_from_world(standing_world())
    blank = np.zeros((H, W, 3), np.uint8)
    out = draw_skeleton(blank, pose)
    assert out.shape == blank.shape and out.dtype == np.uint8
    assert not blank.any()  # the input is left alone
    px = landmark_pixels(pose, W, H)
    for name in ("left_shoulder", "right_knee", "left_ankle", "right_wrist", "nose"):
        x, y = px[INDEX[name]]
        assert out[y - 2 : y + 3, x - 2 : x + 3].any(), name
    # Far from the body nothing changes.
    assert not out[:60, :120].any()
    assert not out[:, : px[:, 0].min() - 20].any()
    assert not out[:, px[:, 0].max() + 20 :].any()


def test_colours_follow_the_errors() -> None:
    pose = pose_from_world(standing_world())
    errors = {"left_knee": -40.0, "right_knee": 3.0, "left_elbow": 18.0}
    tolerances = {"left_knee": 12.0, "right_knee": 12.0, "left_elbow": 12.0}
    out = draw_skeleton(np.zeros((H, W, 3), np.uint8), pose, errors, tolerances)
    assert is_red(pixel(out, pose, "left_knee"))
    assert is_green(pixel(out, pose, "right_knee"))
    assert is_amber(pixel(out, pose, "left_elbow"))  # 18 deg: beyond 12, within 2 x 12
    # Joints nobody judged are neutral (grey/white), neither red nor green.
    neutral = pixel(out, pose, "left_hip")
    assert not is_red(neutral) and not is_green(neutral) and neutral.min() > 150


def test_hidden_landmarks_are_left_out() -> None:
    vis = np.full(33, 0.98)
    vis[INDEX["left_wrist"]] = 0.1
    pose = pose_from_world(standing_world(), vis)
    out = draw_skeleton(np.zeros((H, W, 3), np.uint8), pose)
    assert not pixel(out, pose, "left_wrist").any()
    assert pixel(out, pose, "right_wrist").any()


def test_angles_are_written_at_their_joints() -> None:
    pose = pose_from_world(bend_world(standing_world(), "left_knee", -60.0))
    blank = np.zeros((H, W, 3), np.uint8)
    out = draw_angles(blank, pose, ["left_knee"])
    changed = np.argwhere(out.any(axis=2))
    assert changed.size > 0
    x, y = landmark_pixels(pose, W, H)[INDEX["left_knee"]]
    # All the text sits within ~60 px of the knee.
    assert np.abs(changed[:, 0] - y).max() < 60
    assert np.abs(changed[:, 1] - x).max() < 80
    # Angles without a single joint (trunk lean) are not written.
    assert not draw_angles(blank, pose, ["trunk_lean"]).any()


def test_two_angles_at_one_joint_are_written_one_under_the_other() -> None:
    # The hip and the knee out are both read at the hip: two numbers on one spot were unreadable.
    pose = pose_from_world(bend_world(standing_world(), "left_hip", -40.0))
    blank = np.zeros((H, W, 3), np.uint8)
    one = np.flatnonzero(draw_angles(blank, pose, ["left_hip"]).any(axis=(1, 2)))
    two = np.flatnonzero(draw_angles(blank, pose, ["left_hip", "left_hip_open"]).any(axis=(1, 2)))
    assert two.max() - two.min() > 1.8 * (one.max() - one.min())


def _mask(image: np.ndarray) -> np.ndarray:
    return np.any(np.abs(image.astype(int) - BACKGROUND) > 30, axis=2)


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def test_figure_size_and_mirroring() -> None:
    import cv2

    pose = raised_left_arm()
    plain = render_figure(pose, (320, 400))
    mirror = render_figure(pose, (320, 400), mirrored=True)
    assert plain.shape == (400, 320, 3)
    m_plain, m_mirror = _mask(plain), _mask(mirror)
    assert m_plain.mean() > 0.01
    grow = np.ones((5, 5), np.uint8)
    flipped = cv2.dilate(np.fliplr(m_plain).astype(np.uint8), grow).astype(bool)
    # The mirrored figure is the plain one flipped left-right, and it is not the plain one.
    assert (m_mirror & ~flipped).sum() < 0.02 * m_mirror.sum()
    assert _overlap(m_plain, m_mirror) < 0.8


def test_3d_view_is_drawn_and_turns() -> None:
    pose = raised_left_arm()
    target = pose_from_world(standing_world())
    front = render_skeleton3d(pose, target, (400, 300), 0.0)
    side = render_skeleton3d(pose, target, (400, 300), 90.0)
    assert front.shape == (300, 400, 3)
    assert _mask(front).mean() > 0.01  # grid and skeletons, not blank
    assert np.abs(front.astype(int) - side).sum() > 0
    ghost_only = render_skeleton3d(None, target, (400, 300), 0.0)
    grid_only = render_skeleton3d(None, None, (400, 300), 0.0)
    assert (_mask(ghost_only) & ~_mask(grid_only)).sum() > 200


def _view(**changes: object) -> WindowView:
    world = standing_world()
    spec = spec_from_world("test_pose", world, {"left_knee": 1.0, "right_knee": 1.0})
    pose = pose_from_world(world)
    base: dict[str, object] = dict(
        frame=np.full((H, W, 3), 90, np.uint8),
        pose=pose,
        target=spec,
        comparison=comparison({"left_knee": -40.0, "right_knee": 2.0}),
        verdict="FIGHTING",
        score=55.0,
        hint="open the left knee",
        title="Test pose 1/3",
    )
    base.update(changes)
    return WindowView(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [(1280, 720), (960, 540)])
def test_composite_layout_and_banner(size: tuple[int, int]) -> None:
    view = _view()
    out = render_composite(view, size)
    assert out.shape == (size[1], size[0], 3)
    bx, by, bw, bh = layout(size).banner
    banner = out[by : by + bh, bx : bx + bw].astype(int)
    colour = np.array(BANNER_COLORS["FIGHTING"])
    text = np.any(np.abs(banner - colour) > 60, axis=2)
    assert 0.02 < text.mean() < 0.5  # words on a FIGHTING-coloured band
    # Without a hint or a score there is less to write.
    quiet = render_composite(_view(hint="", score=None), size)[by : by + bh].astype(int)
    assert np.any(np.abs(quiet - colour) > 60, axis=2).sum() < text.sum()


def test_composite_live_panel_shows_the_frame_and_error_colours() -> None:
    view = _view()
    out = render_composite(view)
    lx, ly, lw, lh = layout((1280, 720)).live
    scale = min(lw / W, lh / H)
    fw, fh = round(W * scale), round(H * scale)
    ox, oy = lx + (lw - fw) // 2, ly + (lh - fh) // 2
    assert np.all(out[oy + 2, ox + 2 : ox + 20] == 90)  # the frame's own pixels
    assert view.pose is not None
    px = landmark_pixels(view.pose, fw, fh, (ox, oy))
    assert is_red(out[px[INDEX["left_knee"], 1], px[INDEX["left_knee"], 0]].astype(int))
    assert is_green(out[px[INDEX["right_knee"], 1], px[INDEX["right_knee"], 0]].astype(int))
    waiting = render_composite(_view(frame=None, pose=None))
    assert not np.array_equal(waiting[ly : ly + lh, lx : lx + lw], out[ly : ly + lh, lx : lx + lw])


def test_the_joint_the_correction_names_is_labelled_on_the_picture() -> None:
    from tui_trainer.viz.composite import _label_angles

    joints = ("left_knee", "right_knee", "left_hip", "right_hip", "left_elbow", "right_elbow")
    weights = {n: 1.0 - 0.1 * i for i, n in enumerate(joints)} | {"left_shoulder": 0.2}
    spec = spec_from_world("test_pose", standing_world(), weights)
    assert "left_shoulder" not in _label_angles(_view(target=spec), None)  # six heavier ones
    shown = _label_angles(_view(target=spec, hint_angle="left_shoulder"), None)
    assert shown == [*joints[:5], "left_shoulder"]
    assert _label_angles(_view(target=spec, hint_angle="left_knee"), None) == list(joints)


def test_composite_draws_a_mirrored_match_mirrored() -> None:
    spec = spec_from_world("arm", bend_world(standing_world(), "left_shoulder", 80.0), {})
    plain = render_composite(_view(target=spec, comparison=comparison({}, mirrored=False)))
    mirror = render_composite(_view(target=spec, comparison=comparison({}, mirrored=True)))
    tx, ty, tw, th = layout((1280, 720)).target
    # Below the caption the target panel holds only the figure.
    a = _mask(plain[ty + 30 : ty + th, tx : tx + tw])
    b = _mask(mirror[ty + 30 : ty + th, tx : tx + tw])
    assert _overlap(a, b) < 0.8
    assert _overlap(np.fliplr(a), b) > _overlap(a, b) + 0.2


def test_mirrored_match_judges_with_swapped_tolerances() -> None:
    world = standing_world()
    spec = spec_from_world("p", world, {"left_knee": 1.0}, tolerance=7.0)
    errors = {"left_knee": 5.0, "right_knee": 30.0, "left_elbow": 50.0}
    same_err, same_tol = judged(_view(target=spec, comparison=comparison(errors)))
    assert same_err == {"left_knee": 5.0} and same_tol == {"left_knee": 7.0}
    mir_err, mir_tol = judged(_view(target=spec, comparison=comparison(errors, mirrored=True)))
    assert mir_err == {"right_knee": 30.0} and mir_tol == {"right_knee": 7.0}


def test_asymmetric_pose_on_the_wrong_side_keeps_the_side_to_do() -> None:
    """Mirror of warrior II (left) is warrior II (right): the target still shows the left side."""
    world = bend_world(standing_world(), "left_shoulder", 80.0)
    spec = spec_from_world("arm", world, {}, symmetric=False)
    plain = render_composite(_view(target=spec, comparison=comparison({}, mirrored=False)))
    wrong_side = render_composite(_view(target=spec, comparison=comparison({}, mirrored=True)))
    tx, ty, tw, th = layout((1280, 720)).target
    a = _mask(plain[ty + 30 : ty + th, tx : tx + tw])
    b = _mask(wrong_side[ty + 30 : ty + th, tx : tx + tw])
    assert _overlap(a, b) > 0.95
    # ...and the caption says so (longer text in the caption strip).
    cap_a = _mask(plain[ty : ty + 28, tx : tx + tw]).sum()
    cap_b = _mask(wrong_side[ty : ty + 28, tx : tx + tw]).sum()
    assert cap_b > cap_a


def test_text_is_made_drawable() -> None:
    from tui_trainer.viz.overlay import ascii_text

    assert ascii_text("Warrior II (left) · 3/7") == "Warrior II (left) - 3/7"
    assert ascii_text("Ūtthita — 90°") == "Utthita - 90 deg"
