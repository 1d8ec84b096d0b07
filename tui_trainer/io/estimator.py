"""MediaPipe Pose (BlazePose) wrapped to return core Pose objects.

Two modes: "image" (static_image_mode=True, every call detects from scratch) and "stream"
(tracking between consecutive frames, for cameras and videos).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np

from tui_trainer.core.errors import ModelUnavailable, NoPersonFound
from tui_trainer.core.pose import Pose

Mode = Literal["image", "stream"]
_MODEL_FILES = {
    0: "pose_landmark_lite.tflite",
    1: "pose_landmark_full.tflite",
    2: "pose_landmark_heavy.tflite",
}
_MODEL_NAMES = {0: "lite", 1: "full", 2: "heavy"}


def _check_model(complexity: int) -> None:
    if complexity not in _MODEL_FILES:
        raise ModelUnavailable(
            f"model complexity {complexity}: expected 0 (lite), 1 (full) or 2 (heavy)"
        )
    import mediapipe

    model = Path(mediapipe.__file__).parent / "modules" / "pose_landmark" / _MODEL_FILES[complexity]
    if not model.exists():
        raise ModelUnavailable(
            f"the {_MODEL_NAMES[complexity]} pose model ({model.name}) is not installed: MediaPipe "
            "downloads it at first use and this machine cannot reach the download; "
            "use the full model (model complexity 1), which ships with mediapipe"
        )


def _silence_mediapipe_logs() -> None:
    import os

    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class PoseEstimator:
    """BGR frames in, Pose (or None when nobody is found) out."""

    def __init__(
        self,
        mode: Mode = "image",
        model_complexity: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        if mode not in ("image", "stream"):
            raise ValueError(f"mode: expected 'image' or 'stream', got {mode!r}")
        _silence_mediapipe_logs()
        _check_model(model_complexity)
        import mediapipe as mp

        self.mode = mode
        self._pose: Any = mp.solutions.pose.Pose(
            static_image_mode=(mode == "image"),
            model_complexity=model_complexity,
            smooth_landmarks=(mode == "stream"),
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )

    def process(self, frame_bgr: np.ndarray, *, is_rgb: bool = False) -> Pose | None:
        """Landmarks of the most prominent person in the frame, or None."""
        import cv2

        rgb = frame_bgr if is_rgb else cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        result = self._pose.process(rgb)
        if result.pose_landmarks is None or result.pose_world_landmarks is None:
            return None
        img = np.array([(lm.x, lm.y, lm.z) for lm in result.pose_landmarks.landmark])
        vis = np.array([lm.visibility for lm in result.pose_landmarks.landmark])
        wld = np.array([(lm.x, lm.y, lm.z) for lm in result.pose_world_landmarks.landmark])
        h, w = frame_bgr.shape[:2]
        try:
            return Pose.from_arrays(img, wld, np.clip(vis, 0.0, 1.0), (w, h))
        except ValueError:
            return None  # e.g. every landmark below the visibility threshold: nobody usable

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def estimate_image(path: str | Path, model_complexity: int = 1) -> Pose:
    """The pose in a photo; NoPersonFound if MediaPipe finds nobody."""
    from tui_trainer.io.images import read_image

    image = read_image(path)
    with PoseEstimator("image", model_complexity) as estimator:
        pose = estimator.process(image)
    if pose is None:
        raise NoPersonFound(f"{path}: no person found in the image")
    return pose
