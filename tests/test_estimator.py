"""MediaPipe pose extraction on real photos and a real video (skipped without ../shared/media)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import InputFileError, ModelUnavailable, NoPersonFound
from tui_trainer.io.estimator import PoseEstimator, estimate_image, estimate_images, quiet_stderr

WARRIOR_VIDEO = "ooibowei_warrior2.mp4"


def _check_pose(pose: Pose, size: tuple[int, int]) -> None:
    assert pose.image.shape == (33, 3)
    assert pose.world.shape == (33, 3)
    assert pose.visibility.shape == (33,)
    assert pose.image_size == size
    # Hip-centred world landmarks in metres: the hips straddle the origin, a body is ~1-2 m tall.
    hips = pose.world[[23, 24]].mean(axis=0)
    assert np.linalg.norm(hips) < 0.1
    assert 0.8 < np.ptp(pose.world[:, 1]) < 2.5


def test_image_mode_on_a_photo(media_dir: Path) -> None:
    pose = estimate_image(media_dir / "tfexamples_tree_pixabay.jpg")
    _check_pose(pose, (426, 640))
    # Tree pose: most of the body is in view, landmarks inside the picture.
    assert pose.visible.sum() >= 20
    xy = pose.image[pose.visible, :2]
    assert np.all((xy > -0.05) & (xy < 1.05))


def test_several_photos_keep_their_order(media_dir: Path) -> None:
    names = ["tfexamples_standing_man_pixabay.jpg", "tfjs_pose_warrior2.jpg"]
    poses = estimate_images([media_dir / n for n in names])
    assert [p.image_size for p in poses] == [(399, 640), (1000, 667)]


def test_stream_mode_on_video_frames(media_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import cv2

    cap = cv2.VideoCapture(str(media_dir / WARRIOR_VIDEO))
    try:
        ok, black = cap.read()
        assert ok and black.mean() < 1.0  # the clip starts black
        cap.set(cv2.CAP_PROP_POS_FRAMES, 400)  # she holds warrior II here
        frames = [cap.read()[1] for _ in range(4)]
    finally:
        cap.release()
    with PoseEstimator("stream") as estimator:
        assert estimator.process(black) is None
        poses = [estimator.process(f) for f in frames]
    os.write(2, b"stderr works again\n")
    # MediaPipe's start-up log lines (absl "W0000 ...", TFLite "INFO: ...") do not get through,
    # and stderr is back once the model has warmed up.
    assert capfd.readouterr().err == "stderr works again\n"
    assert all(p is not None for p in poses)
    for p in poses:
        assert p is not None
        _check_pose(p, (1280, 720))
    # Consecutive frames of a held pose: tracking gives nearly the same landmarks.
    first, last = poses[0], poses[-1]
    assert first is not None and last is not None
    assert np.abs(first.image[:, :2] - last.image[:, :2]).max() < 0.05


def test_no_person_in_a_flat_image(tmp_path: Path) -> None:
    import cv2

    grey = tmp_path / "grey.png"
    cv2.imwrite(str(grey), np.full((480, 640, 3), 128, np.uint8))
    with PoseEstimator("image") as estimator:
        assert estimator.process(np.zeros((240, 320, 3), np.uint8)) is None
    with pytest.raises(NoPersonFound, match=r"grey\.png: no person found"):
        estimate_image(grey)


def test_bad_files_fail_before_mediapipe(tmp_path: Path) -> None:
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    with pytest.raises(InputFileError, match=r"notes\.jpg: not an image"):
        estimate_image(text)
    with pytest.raises(InputFileError, match=r"missing\.jpg: no such file"):
        estimate_image(tmp_path / "missing.jpg")


@pytest.mark.parametrize(("complexity", "name"), [(0, "lite"), (2, "heavy")])
def test_lite_and_heavy_models_are_a_clear_error(complexity: int, name: str) -> None:
    with pytest.raises(ModelUnavailable, match=f"the {name} pose model .* is not installed"):
        PoseEstimator("image", model_complexity=complexity)


def test_bad_arguments() -> None:
    with pytest.raises(ModelUnavailable, match="expected 0"):
        PoseEstimator("image", model_complexity=5)
    with pytest.raises(ValueError, match="mode"):
        PoseEstimator("video")  # type: ignore[arg-type]
    with PoseEstimator("image") as estimator, pytest.raises(ValueError, match="uint8"):
        estimator.process(np.zeros((10, 10), np.uint8))


def test_quiet_stderr_silences_fd2_and_restores_it(capfd: pytest.CaptureFixture[str]) -> None:
    with quiet_stderr(), quiet_stderr():  # nested uses share one redirection
        os.write(2, b"hidden\n")
    os.write(2, b"shown\n")
    err = capfd.readouterr().err
    assert "hidden" not in err
    assert "shown" in err
