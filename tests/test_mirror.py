"""The mirror view of the preview window: the live image is drawn flipped (as video calls show a
webcam), the skeleton, its colours and the target flip with it, and corrections keep naming
the trainee's own left and right."""

from __future__ import annotations

from typing import Any

import numpy as np

from tui_trainer.core.body.landmarks import INDEX
from tui_trainer.core.coaching.session import Session
from tui_trainer.core.demo.synth import (
    bend_world,
    pose_from_world,
    spec_from_world,
    standing_world,
)
from tui_trainer.core.library.routines import Routine, Step
from tui_trainer.io.sources import Sample
from tui_trainer.ui.engine import LiveLoop, LiveStats
from tui_trainer.viz.composite import WindowView, layout, render_composite

H, W = 480, 640
SIZE = (1280, 720)
ARM_UP = bend_world(standing_world(), "left_shoulder", 80.0)  # asymmetric: flips visibly
SPEC = spec_from_world(
    "arm", ARM_UP, {"left_elbow": 1.0, "right_elbow": 1.0, "left_shoulder": 1.0}, symmetric=False
)
BENT_LEFT_ELBOW = bend_world(ARM_UP, "left_elbow", -70.0)


def camera_frame() -> np.ndarray:
    """Grey, with the left quarter white (as the camera saw it)."""
    frame = np.full((H, W, 3), 90, np.uint8)
    frame[:, : W // 4] = 255
    return frame


def live_box() -> tuple[int, int, int, int]:
    """Where the frame lands in the live panel: x, y, width, height."""
    lx, ly, lw, lh = layout(SIZE).live
    scale = min(lw / W, lh / H)
    fw, fh = round(W * scale), round(H * scale)
    return lx + (lw - fw) // 2, ly + (lh - fh) // 2, fw, fh


def at(image: np.ndarray, x: float, y: float) -> np.ndarray:
    """The pixel at normalized (x, y) of the live frame's box."""
    ox, oy, fw, fh = live_box()
    return image[round(oy + y * fh), round(ox + x * fw)].astype(int)


def is_red(bgr: np.ndarray) -> bool:
    return bool(bgr[2] > 170 and bgr[1] < 110 and bgr[0] < 110)


def is_green(bgr: np.ndarray) -> bool:
    return bool(bgr[1] > 150 and bgr[2] < 130 and bgr[0] < 130)


class FakeSource:
    """One camera frame with the trainee's left elbow too bent, over and over."""

    name, fps, frames_dropped = "webcam:0", 30.0, 0

    def __init__(self, n: int) -> None:
        self.n, self.i = n, 0
        self.pose = pose_from_world(BENT_LEFT_ELBOW)

    def open(self) -> None:
        pass

    def set_target(self, spec: Any, restart: bool = False, window_s: float | None = None) -> None:
        pass

    def read(self) -> Sample | None:
        if self.i >= self.n:
            return None
        self.i += 1
        return Sample(self.i / 30, camera_frame(), self.pose, self.i)

    def close(self) -> None:
        pass


class FakeWindow:
    mirror = True

    def __init__(self) -> None:
        self.views: list[WindowView] = []

    def show(self, view: WindowView) -> None:
        self.views.append(view)


def last_view_of_a_session() -> tuple[WindowView, FakeSource]:
    routine = Routine("r", "R", "beginner", "", (Step("arm", "left", 30.0, 0.0),))
    source = FakeSource(90)
    window = FakeWindow()
    loop = LiveLoop(Session(routine, {"arm": SPEC}), source, LiveStats(), window=window)
    loop.run(lambda: False, lambda message: None)
    return window.views[-1], source


def test_a_left_arm_correction_is_drawn_on_the_trainees_left_arm_in_the_mirror_view() -> None:
    view, source = last_view_of_a_session()
    # The coach judges the pose as the camera gave it: the trainee's own left elbow.
    assert view.pose is not None  # the smoothed pose, as the camera gave it (not flipped)
    assert np.allclose(view.pose.image[:, :2], source.pose.image[:, :2], atol=1e-3)
    assert "left elbow" in view.hint
    plain = render_composite(view, SIZE)
    mirror = render_composite(view, SIZE, mirror=True)

    # The drawn live image is the camera frame flipped: the white quarter is now on the right.
    ox, oy, fw, _ = live_box()
    top = slice(oy + 2, oy + 40)  # above the skeleton
    assert np.all(plain[top, ox + 2 : ox + fw // 4 - 2] == 255)
    assert np.all(mirror[top, ox + fw - fw // 4 + 2 : ox + fw - 2] == 255)
    assert np.all(mirror[top, ox + 2 : ox + fw // 4 - 2] == 90)
    assert np.array_equal(mirror[top, ox : ox + fw], plain[top, ox : ox + fw][:, ::-1])

    # The camera sees the trainee's left elbow on the image's right; the mirror puts it on the
    # screen's left, where the trainee sees their left arm. It is the one drawn red.
    x, y = source.pose.image[INDEX["left_elbow"], :2]
    rx, ry = source.pose.image[INDEX["right_elbow"], :2]
    assert x > 0.5
    assert is_red(at(plain, x, y)) and is_green(at(plain, rx, ry))
    assert is_red(at(mirror, 1 - x, y)) and 1 - x < 0.5
    assert is_green(at(mirror, 1 - rx, ry))
    assert not is_red(at(mirror, x, y))

    # The banner (score, verdict, correction) is the same words in both views.
    bx, by, bw, bh = layout(SIZE).banner
    assert np.array_equal(plain[by : by + bh, bx : bx + bw], mirror[by : by + bh, bx : bx + bw])


def test_the_target_figure_flips_with_the_mirror_view() -> None:
    view = WindowView(
        frame=camera_frame(),
        pose=pose_from_world(ARM_UP),
        target=SPEC,
        comparison=None,
        verdict="",
        score=None,
        hint="",
        title="Arm 1/1",
    )
    plain = render_composite(view, SIZE)
    mirror = render_composite(view, SIZE, mirror=True)
    tx, ty, tw, th = layout(SIZE).target
    # Below the caption; the panel's first column is the divider line drawn over both.
    figure = (slice(ty + 30, ty + th), slice(tx + 1, tx + tw - 1))
    assert not np.array_equal(plain[figure], mirror[figure])
    assert np.array_equal(mirror[figure], plain[figure][:, ::-1])


class CloseableWindow(FakeWindow):
    mirror = False

    def close(self) -> None:
        pass


async def test_the_app_gives_each_window_the_mirror_setting_and_keeps_a_switch(
    tmp_path: Any, monkeypatch: Any
) -> None:
    from tui_trainer.io.sources import DemoSource
    from tui_trainer.ui.app import TrainerApp

    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    windows: list[CloseableWindow] = []

    def factory(on_quit: Any) -> CloseableWindow:
        windows.append(CloseableWindow())
        return windows[-1]

    app = TrainerApp(source_factory=lambda: DemoSource(seed=0), window_factory=factory, mirror=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("enter")
        assert windows[0].mirror is True
        windows[0].mirror = False  # m pressed in the window
        await pilot.press("q")  # the summary
        await pilot.press("q")  # the routine list
        await pilot.press("enter")
        assert len(windows) == 2 and windows[1].mirror is False  # the switch is kept


def test_the_mirror_view_is_the_default_for_live_sources_only(monkeypatch: Any) -> None:
    import tui_trainer.ui.app as app_module
    from tui_trainer.cli import main

    seen: list[bool] = []

    class NoRun:
        return_code = 0

        def __init__(self, **kwargs: Any) -> None:
            seen.append(kwargs["mirror"])

        def run(self) -> None:
            pass

    monkeypatch.setattr(app_module, "TrainerApp", NoRun)
    for argv in (
        ["--source", "webcam"],
        ["--source", "http://127.0.0.1:9/video"],
        ["--source", "demo"],
        ["--source", "webcam", "--no-mirror"],
        ["--source", "demo", "--mirror"],
    ):
        assert main([*argv, "--no-window", "--no-sound"]) == 0
    assert seen == [True, True, False, False, True]
