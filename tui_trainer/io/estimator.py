"""MediaPipe Pose (BlazePose) wrapped to return core Pose objects.

Two modes: "image" (static_image_mode=True, every call detects from scratch) and "stream"
(tracking between consecutive frames, for cameras and videos).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import ModelUnavailable, NoPersonFound

Mode = Literal["image", "stream"]
_MODEL_FILES = {
    0: "pose_landmark_lite.tflite",
    1: "pose_landmark_full.tflite",
    2: "pose_landmark_heavy.tflite",
}
_MODEL_NAMES = {0: "lite", 1: "full", 2: "heavy"}
MODEL_COMPLEXITY = {"lite": 0, "full": 1, "heavy": 2}
# MediaPipe logs while the graph warms up: frames are processed with fd 2 silenced until this
# many have had a person in them (the landmark model starts on the first one).
_NOISY_FRAMES = 3


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
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


_quiet_lock = threading.Lock()
_quiet_depth = 0
_saved_fd: int | None = None


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment.

    MediaPipe's C++ side (absl logging, TFLite) writes "W0000 ..." / "INFO: Created TensorFlow
    Lite XNNPACK delegate" lines straight to fd 2 while the graph starts and on its first frames;
    GLOG_minloglevel does not reach absl. Nested and concurrent uses share one redirection.
    """
    global _quiet_depth, _saved_fd
    with _quiet_lock:
        if _quiet_depth == 0:
            try:
                sys.stderr.flush()
                devnull = os.open(os.devnull, os.O_WRONLY)
                _saved_fd = os.dup(2)
                os.dup2(devnull, 2)
                os.close(devnull)
            except OSError:
                _saved_fd = None
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _saved_fd is not None:
                os.dup2(_saved_fd, 2)
                os.close(_saved_fd)
                _saved_fd = None


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
        # Stays quiet until the graph has warmed up in process(): calculators start their models
        # on worker threads, and log, after this constructor has returned.
        self._quiet: ExitStack | None = ExitStack()
        self._quiet.enter_context(quiet_stderr())
        try:
            _check_model(model_complexity)
            import mediapipe as mp

            self._pose: Any = mp.solutions.pose.Pose(
                static_image_mode=(mode == "image"),
                model_complexity=model_complexity,
                smooth_landmarks=(mode == "stream"),
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except BaseException:
            self._end_quiet()
            raise
        self.mode = mode
        self._frames = 0
        # Seconds the last process() spent per stage: "colour conversion", "inference" (the
        # model: MediaPipe's own call) and "landmarks" (its result as a Pose).
        self.last_stages: dict[str, float] = {}

    def process(self, frame_bgr: np.ndarray, *, is_rgb: bool = False) -> Pose | None:
        """Landmarks of the most prominent person in the frame, or None."""
        import cv2

        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
            raise ValueError(f"frame: expected an (h, w, 3) uint8 image, got {frame_bgr.shape}")
        t0 = time.perf_counter()
        rgb = frame_bgr if is_rgb else cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        t1 = time.perf_counter()
        result = self._pose.process(rgb)
        t2 = time.perf_counter()
        self.last_stages = {"colour conversion": t1 - t0, "inference": t2 - t1}
        if result.pose_landmarks is not None:
            self._frames += 1  # the landmark model only starts (and logs) once someone is seen
            if self._frames >= _NOISY_FRAMES:
                self._end_quiet()
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
        finally:
            self.last_stages["landmarks"] = time.perf_counter() - t2

    def _end_quiet(self) -> None:
        if self._quiet is not None:
            self._quiet.close()
            self._quiet = None

    def __del__(self) -> None:
        # Never leave the process's stderr silenced because an estimator was dropped unclosed.
        with suppress(Exception):
            self._end_quiet()

    def close(self) -> None:
        with quiet_stderr():
            self._pose.close()
        self._end_quiet()

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
    return estimate_images([path], model_complexity)[0]


def estimate_images(paths: Sequence[str | Path], model_complexity: int = 1) -> list[Pose]:
    """The pose in each photo, with one model load.

    Every file is read (and checked) before MediaPipe starts, so a bad path fails fast.
    """
    from tui_trainer.io.images import read_image

    images = [read_image(p) for p in paths]
    poses: list[Pose] = []
    # Quiet throughout: TFLite announces its delegate from a worker thread, sometimes late.
    with quiet_stderr(), PoseEstimator("image", model_complexity) as estimator:
        for path, image in zip(paths, images):
            pose = estimator.process(image)
            if pose is None:
                raise NoPersonFound(f"{path}: no person found in the image")
            poses.append(pose)
    return poses
