"""Where the trainee comes from: a webcam, a video file played as if live, or the demo trainee.

Every source yields `Sample`s (capture time, BGR frame or None, Pose or None). Camera and video
frames go through MediaPipe (stream mode) in `read()`; the demo makes its pose directly and has
no picture. `read()` paces itself to the source's frame rate, returns None when a video ends
(without --loop) and raises SourceError when a camera or file stops delivering.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tui_trainer.core.errors import InputFileError, SourceError
from tui_trainer.core.pose import Pose
from tui_trainer.core.poses import PoseSpec

Clock = Callable[[], float]
NO_CAMERA_HINT = "try --source demo, or a video file: --source PATH"
MAX_LAG_S = 0.05  # frames later than this are dropped (absorbs a one-frame hiccup)
ESTIMATE_WIDTH = 640  # frames are scaled down to this width before MediaPipe
_STALL_S = 3.0  # a camera that gives no frame for this long has stopped


def _cv2() -> Any:
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # no V4L warnings over the TUI
    import cv2

    return cv2


@dataclass(frozen=True)
class Sample:
    t: float  # capture time (the source's monotonic clock, seconds)
    frame: np.ndarray | None  # BGR image, None for the demo
    pose: Pose | None
    index: int  # frame number since the source opened (dropped video frames included)


class FrameSource(Protocol):
    name: str  # for the session record: "demo", "webcam:0" or the video path
    fps: float
    frames_dropped: int

    def open(self) -> None: ...

    def read(self) -> Sample | None: ...

    def set_target(self, spec: PoseSpec | None, restart: bool = False) -> None: ...

    def close(self) -> None: ...


class _Paced:
    """Sleeps until the next frame is due; when processing has fallen behind, skips the frames
    older than `max_lag` seconds (a camera keeps a few frames queued, then drops: so does this)."""

    def __init__(
        self,
        fps: float,
        clock: Clock,
        sleep: Callable[[float], None],
        max_lag: float = MAX_LAG_S,
    ) -> None:
        self.fps, self.clock, self.sleep, self.max_lag = fps, clock, sleep, max_lag
        self.start: float | None = None
        self.next_index = 0

    def due(self, index: int) -> float:
        assert self.start is not None
        return self.start + index / self.fps

    def wait(self) -> tuple[int, float]:
        """(frames to skip because we are late, due time of the frame to deliver)."""
        now = self.clock()
        if self.start is None:
            self.start = now
        oldest_kept = math.ceil((now - self.max_lag - self.start) * self.fps - 1e-9)
        skip = max(oldest_kept - self.next_index, 0)
        index = self.next_index + skip
        wait = self.due(index) - now
        if wait > 0:
            self.sleep(wait)
        self.next_index = index + 1
        return skip, self.due(index)

    def restart(self) -> None:
        self.start, self.next_index = None, 0


class DemoSource:
    """The synthetic trainee at 30 fps; no camera, no MediaPipe."""

    def __init__(
        self,
        seed: int | None = None,
        fps: float = 30.0,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from tui_trainer.core.demo import DemoTrainee

        self.name = "demo"
        self.fps = fps
        self.frames_dropped = 0
        self.trainee = DemoTrainee(seed)
        self._pace = _Paced(fps, clock, sleep)
        self._clock = clock
        self._index = 0

    def open(self) -> None:
        pass

    def set_target(self, spec: PoseSpec | None, restart: bool = False) -> None:
        if restart:
            self.trainee.restart(self._clock())
        else:
            self.trainee.set_target(spec, self._clock())

    def read(self) -> Sample | None:
        skip, due = self._pace.wait()
        self._index += skip
        self.frames_dropped += skip
        sample = Sample(due, None, self.trainee.pose_at(due), self._index)
        self._index += 1
        return sample

    def close(self) -> None:
        pass


class _Estimated:
    """Shared part of camera and video sources: MediaPipe in stream mode on every frame."""

    name: str
    fps: float
    frames_dropped: int

    def __init__(self, estimator_factory: Callable[[], Any] | None = None) -> None:
        self._estimator_factory = estimator_factory
        self._estimator: Any = None

    def _start_estimator(self) -> None:
        if self._estimator_factory is not None:
            self._estimator = self._estimator_factory()
        else:
            from tui_trainer.io.estimator import PoseEstimator

            self._estimator = PoseEstimator("stream")

    def _pose(self, frame: np.ndarray) -> Pose | None:
        # MediaPipe looks at a 256 px crop of the person anyway: a 1280x720 or 1080p frame only
        # costs extra conversion and resizing. Landmarks are normalized, so the smaller copy
        # gives the same pose (image_size keeps the aspect ratio).
        return None if self._estimator is None else self._estimator.process(_small(frame))

    def set_target(self, spec: PoseSpec | None, restart: bool = False) -> None:
        pass  # a real person needs no telling

    def _close_estimator(self) -> None:
        if self._estimator is not None and hasattr(self._estimator, "close"):
            self._estimator.close()
        self._estimator = None


class CameraSource(_Estimated):
    def __init__(
        self,
        index: int = 0,
        estimator_factory: Callable[[], Any] | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(estimator_factory)
        self.index = index
        self.name = f"webcam:{index}"
        self.fps = 30.0
        self.frames_dropped = 0
        self._clock = clock
        self._cap: Any = None
        self._count = 0
        self._last_ok = 0.0

    def open(self) -> None:
        cv2 = _cv2()
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"camera {self.index} could not be opened; {NO_CAMERA_HINT}")
        ok, _ = cap.read()
        if not ok:
            cap.release()
            raise SourceError(f"camera {self.index} gives no picture; {NO_CAMERA_HINT}")
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
        self._cap = cap
        self._last_ok = self._clock()
        self._start_estimator()

    def read(self) -> Sample | None:
        while True:
            ok, frame = self._cap.read()
            now = self._clock()
            if ok and frame is not None:
                self._last_ok = now
                self._count += 1
                return Sample(now, frame, self._pose(frame), self._count - 1)
            if now - self._last_ok > _STALL_S:
                raise SourceError(
                    f"camera {self.index} stopped delivering frames; {NO_CAMERA_HINT}"
                )
            time.sleep(0.05)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._close_estimator()


def check_video(path: str | Path) -> tuple[float, int]:
    """Raise InputFileError unless `path` is a video OpenCV can read; (fps, frame count)."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"--source {p}: no such file (use webcam, demo or a video file)")
    if not p.is_file():
        raise InputFileError(f"--source {p}: not a file (use webcam, demo or a video file)")
    cv2 = _cv2()
    cap = cv2.VideoCapture(str(p))
    try:
        ok = cap.isOpened() and cap.read()[0]
        if not ok:
            raise InputFileError(f"--source {p}: not a video OpenCV can read")
        return float(cap.get(cv2.CAP_PROP_FPS) or 30.0), int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()


class _Decoder:
    """Decodes a video ahead of time in its own thread (OpenCV releases the GIL), so the
    capture worker only waits for MediaPipe. Items: (index, frame, small frame), _LOOPED when
    it rewound, None at the end."""

    def __init__(self, path: Path, loop: bool, depth: int = 3) -> None:
        self.cap = _cv2().VideoCapture(str(path))
        self.loop = loop
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="video-decoder", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        cv2 = _cv2()
        index = 0
        while not self._stop.is_set():
            ok, frame = self.cap.read()
            if not ok or frame is None:
                if not (self.loop and index > 0):
                    self._put(None)
                    return
                self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                index = 0
                if not self._put(_LOOPED):
                    return
                continue
            if not self._put((index, frame, _small(frame))):
                return
            index += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self.cap.release()


_LOOPED = "looped"


def _small(frame: np.ndarray) -> np.ndarray:
    """The frame as MediaPipe gets it: scaled down to ESTIMATE_WIDTH when wider."""
    h, w = frame.shape[:2]
    if w <= ESTIMATE_WIDTH:
        return frame
    cv2 = _cv2()
    size = (ESTIMATE_WIDTH, round(h * ESTIMATE_WIDTH / w))
    return np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))


class VideoSource(_Estimated):
    """A video file played at its own frame rate as if it were live (late frames are dropped)."""

    def __init__(
        self,
        path: str | Path,
        loop: bool = False,
        estimator_factory: Callable[[], Any] | None = None,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(estimator_factory)
        self.path = Path(path)
        self.name = str(path)
        self.loop = loop
        self.fps = 30.0
        self.frames_dropped = 0
        self._clock, self._sleep = clock, sleep
        self._decoder: _Decoder | None = None
        self._pace: _Paced | None = None

    def open(self) -> None:
        self.fps, _ = check_video(self.path)
        self._start_estimator()  # before the clock starts: loading the model takes a while
        self._pace = _Paced(self.fps, self._clock, self._sleep)
        self._decoder = _Decoder(self.path, self.loop)

    def read(self) -> Sample | None:
        assert self._pace is not None and self._decoder is not None
        _, due = self._pace.wait()
        wanted = self._pace.next_index - 1
        while True:
            try:
                item = self._decoder.queue.get(timeout=_STALL_S)
            except queue.Empty:
                raise SourceError(f"{self.path}: the video stopped delivering frames") from None
            if item is None:
                return None
            if item == _LOOPED:  # start the clock again from the first frame
                self._pace.restart()
                _, due = self._pace.wait()
                wanted = 0
                if hasattr(self._estimator, "reset"):
                    self._estimator.reset()
                continue
            index, frame, small = item
            if index < wanted:  # behind the clock: drop it, as a live camera would
                self.frames_dropped += 1
                continue
            return Sample(due, frame, self._pose(small), index)

    def close(self) -> None:
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None
        self._close_estimator()


def make_source(
    spec: str, camera: int = 0, loop: bool = False, seed: int | None = None
) -> FrameSource:
    """The source named on the command line: "webcam", "demo" or a video path (checked here,
    so a bad path fails before the TUI starts)."""
    if spec == "demo":
        return DemoSource(seed)
    if spec == "webcam":
        if camera < 0:
            raise InputFileError(f"--camera {camera}: expected a device number >= 0")
        return CameraSource(camera)
    check_video(spec)
    return VideoSource(spec, loop)
