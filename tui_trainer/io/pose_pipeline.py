"""The pose side of the live sources: frames in, Samples out in capture order.

By default MediaPipe runs in a worker process (io/pose_worker.py), which starts on a frame as
soon as it is submitted: a source can hand it the next frame while the loop scores the one
before (`prefetches`). An `estimator_factory` (tests, or where no worker process can be started)
gives an in-process estimator with `process(frame) -> Pose | None`, called when its frame is
taken. Each Sample carries the seconds its stages took ("inference": the model's own call, the
I of the live stats).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from tui_trainer.core.body.pose import Pose
from tui_trainer.io.frames import ESTIMATE_WIDTH, Sample, _cv2


def small_frame(frame: np.ndarray) -> np.ndarray:
    """The frame as MediaPipe gets it: scaled down to ESTIMATE_WIDTH when wider.

    MediaPipe looks at a 256 px crop of the person anyway: a 1280x720 or 1080p frame only costs
    extra copying, conversion and resizing. Landmarks are normalized, so the smaller copy gives
    the same pose (image_size keeps the aspect ratio)."""
    h, w = frame.shape[:2]
    if w <= ESTIMATE_WIDTH:
        return frame
    cv2 = _cv2()
    size = (ESTIMATE_WIDTH, round(h * ESTIMATE_WIDTH / w))
    return np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))


def _default_estimator() -> Any:
    from tui_trainer.io.pose_worker import PoseWorker

    worker = PoseWorker("stream")
    try:
        worker.start()
    except OSError:  # no process or shared memory here (e.g. no /dev/shm): estimate in-process
        worker.close()
        from tui_trainer.io.estimator import PoseEstimator

        return PoseEstimator("stream")
    return worker


class PosePipeline:
    """Frames submitted are estimated in order; `take()` returns the oldest one's Sample."""

    def __init__(self, estimator_factory: Callable[[], Any] | None = None) -> None:
        self._factory = estimator_factory or _default_estimator
        self._estimator: Any = None
        # (capture time, frame, small frame, index, when submitted), oldest first
        self._queued: deque[tuple[float, np.ndarray, np.ndarray, int, float]] = deque()

    def start(self) -> None:
        self._estimator = self._factory()

    @property
    def started(self) -> bool:
        return self._estimator is not None

    @property
    def busy(self) -> bool:
        """A frame was submitted and not taken yet."""
        return bool(self._queued)

    @property
    def prefetches(self) -> bool:
        """Inference starts at submit() (a worker), not at take()."""
        return hasattr(self._estimator, "submit")

    def waited_s(self) -> float:
        """Seconds since the oldest frame not taken was submitted (0 when none)."""
        return time.monotonic() - self._queued[0][4] if self._queued else 0.0

    def estimate(self, frame: np.ndarray) -> Pose | None:
        """The pose of one frame, now (the warm-up: MediaPipe's first call is slow)."""
        assert not self._queued, "estimate() with frames in flight"
        self.submit(0.0, frame, 0)
        return self.take().pose

    def submit(
        self, t: float, frame: np.ndarray, index: int, small: np.ndarray | None = None
    ) -> None:
        """A frame captured at `t` (its full-size picture; `small`: the copy for MediaPipe)."""
        small = small_frame(frame) if small is None else small
        if hasattr(self._estimator, "submit"):
            self._estimator.submit(small)  # the worker starts on it now
        self._queued.append((t, frame, small, index, time.monotonic()))

    def take(self) -> Sample:
        """The Sample of the oldest frame submitted (waits for its pose)."""
        t, frame, small, index, submitted = self._queued.popleft()
        estimator = self._estimator
        if hasattr(estimator, "collect"):
            result = estimator.collect()
            # "in flight": from submit() to the pose back here (the worker's own stages, the
            # pipe, and the wait for take() when the loop was still scoring the frame before).
            stages = {**result.stages, "in flight": time.monotonic() - submitted}
            return Sample(t, frame, result.pose, index, stages)
        start = time.perf_counter()
        pose = estimator.process(small)
        stages = dict(getattr(estimator, "last_stages", None) or {})
        stages.setdefault("inference", time.perf_counter() - start)
        return Sample(t, frame, pose, index, stages)

    def close(self) -> None:
        estimator, self._estimator = self._estimator, None
        self._queued.clear()
        if estimator is not None and hasattr(estimator, "close"):
            estimator.close()
