"""Camera and video sources: each reads in its own thread (the camera's grabber keeps only the
newest frame; the video's decoder decodes ahead), so the session's worker never waits on decoding
or on a camera's queue; MediaPipe runs in a worker process (io/pose_pipeline.py)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import InputFileError, SourceError
from tui_trainer.core.library.spec import PoseSpec
from tui_trainer.io.frames import (
    _STALL_S,
    NO_CAMERA_HINT,
    Clock,
    Sample,
    _cv2,
    _Paced,
    open_video,
)
from tui_trainer.io.pose_pipeline import Frame, PosePipeline, small_frame


class _Estimated:
    """Shared part of camera, stream and video sources: MediaPipe (stream mode) on the newest
    frame. With the worker process, a feeder thread hands it each frame as it is captured
    (io/pose_pipeline.py) and `read()` gives the newest result; with an in-process estimator,
    `read()` takes the newest frame and finds its pose. Subclasses give `_next()`: the newest
    frame not yet taken (waits for one), None at the end."""

    name: str
    fps: float

    def __init__(self, estimator_factory: Callable[[], Any] | None = None) -> None:
        self._pipeline = PosePipeline(estimator_factory)

    def _start_estimator(self) -> None:
        self._pipeline.start()

    def _pose(self, frame: np.ndarray) -> Pose | None:
        """The pose of one frame now (the warm-up: MediaPipe's first call is several times
        slower)."""
        return self._pipeline.estimate(frame)

    def _next(self) -> Frame | None:
        raise NotImplementedError

    def read(self) -> Sample | None:
        pipeline = self._pipeline
        if pipeline.streaming:
            pipeline.run(self._next)
            return pipeline.take()
        item = self._next()
        return None if item is None else pipeline.sample(*item)

    def set_target(
        self, spec: PoseSpec | None, restart: bool = False, window_s: float | None = None
    ) -> None:
        pass  # a real person needs no telling

    def _close_estimator(self) -> None:
        self._pipeline.close()


class _Grabber:
    """Reads a camera as fast as it delivers and keeps only the newest frame: a slow frame
    never leaves older ones queued in the driver (which would add latency)."""

    def __init__(self, cap: Any, clock: Clock, stall_s: float) -> None:
        self.cap, self.clock, self.stall_s = cap, clock, stall_s
        self.cond = threading.Condition()
        self.latest: tuple[float, np.ndarray, int] | None = None
        self.error: str | None = None
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="camera-grabber", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        count, last_ok = 0, self.clock()
        while not self._stop.is_set():
            ok, frame = self.cap.read()
            now = self.clock()
            with self.cond:
                if ok and frame is not None:
                    if self.latest is not None:
                        self.dropped += 1  # never picked up: a newer one replaces it
                    self.latest, last_ok = (now, frame, count), now
                    count += 1
                    self.cond.notify_all()
                    continue
                if now - last_ok > self.stall_s:
                    self.error = "stopped delivering frames"
                    self.cond.notify_all()
                    return
            time.sleep(0.02)

    def take(self) -> tuple[float, np.ndarray, int]:
        with self.cond:
            self.cond.wait_for(lambda: self.latest is not None or self.error is not None, 10.0)
            if self.latest is None:
                raise SourceError(self.error or "gives no frames")
            item, self.latest = self.latest, None
            return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self.cap.release()


class CameraSource(_Estimated):
    def __init__(
        self,
        index: int = 0,
        estimator_factory: Callable[[], Any] | None = None,
        clock: Clock = time.monotonic,
        stall_s: float = _STALL_S,
    ) -> None:
        super().__init__(estimator_factory)
        self.index = index
        self.name = f"webcam:{index}"
        self.fps = 30.0
        self._clock = clock
        self._stall_s = stall_s
        self._grabber: _Grabber | None = None

    @property
    def frames_dropped(self) -> int:
        return self._pipeline.dropped + (0 if self._grabber is None else self._grabber.dropped)

    def open(self) -> None:
        cv2 = _cv2()
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"camera {self.index} could not be opened; {NO_CAMERA_HINT}")
        ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise SourceError(f"camera {self.index} gives no picture; {NO_CAMERA_HINT}")
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
        self._start_estimator()
        self._pose(first)  # warm-up: MediaPipe's first call is several times slower
        self.start_capture(cap)

    def start_capture(self, cap: Any) -> None:
        """Begin grabbing from an opened capture (tests pass a fake one)."""
        self._grabber = _Grabber(cap, self._clock, self._stall_s)

    def _next(self) -> Frame | None:
        assert self._grabber is not None
        try:
            t, frame, index = self._grabber.take()
        except SourceError as exc:
            raise SourceError(f"camera {self.index} {exc}; {NO_CAMERA_HINT}") from None
        return t, frame, index, None

    def close(self) -> None:
        if self._grabber is not None:
            self._grabber.close()
            self._grabber = None
        self._close_estimator()


_SOURCES = "use webcam, demo, a video file or a stream URL"


def check_video(path: str | Path) -> tuple[float, int]:
    """Raise InputFileError unless `path` is a video OpenCV can read; (fps, frame count)."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(
            f"--source {p}: no such file (use webcam, demo, a video file or a stream URL)"
        )
    if not p.is_file():
        raise InputFileError(
            f"--source {p}: not a file (use webcam, demo, a video file or a stream URL)"
        )
    cv2 = _cv2()
    cap = open_video(p)
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
        self.cap = open_video(path)
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
            if not self._put((index, frame, small_frame(frame))):
                return
            index += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self.cap.release()


_LOOPED = "looped"


class VideoSource(_Estimated):
    """A video file played at its own frame rate as if it were live: like a camera, the newest
    frame due is the one read, and a frame is dropped as soon as a newer one is due."""

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
        self._late = 0  # frames dropped because a newer one was due
        self._clock, self._sleep = clock, sleep
        self._decoder: _Decoder | None = None
        self._pace: _Paced | None = None
        self._pending: Any = None  # the first frame, taken for the warm-up
        self._ended = False

    def open(self) -> None:
        self.fps, _ = check_video(self.path)
        self._start_estimator()  # before the clock starts: loading the model takes a while
        self._decoder = _Decoder(self.path, self.loop)
        # Warm MediaPipe up on the first frame (its first call is several times slower), so
        # the first frames played are not late and dropped.
        try:
            first = self._decoder.queue.get(timeout=_STALL_S)
        except queue.Empty:
            raise SourceError(f"{self.path}: the video gives no frames") from None
        if isinstance(first, tuple):
            self._pose(first[2])
        self._pending = first
        self._pace = _Paced(self.fps, self._clock, self._sleep)

    @property
    def frames_dropped(self) -> int:
        return self._late + self._pipeline.dropped

    def _next(self) -> Frame | None:
        assert self._pace is not None and self._decoder is not None
        if self._ended:
            return None
        _, due = self._pace.wait()
        wanted = self._pace.next_index - 1
        while True:
            try:
                item, self._pending = (
                    self._pending or self._decoder.queue.get(timeout=_STALL_S),
                    None,
                )
            except queue.Empty:
                raise SourceError(f"{self.path}: the video stopped delivering frames") from None
            if item is None:
                self._ended = True
                return None
            if item == _LOOPED:  # start the clock again from the first frame
                self._pace.restart()
                _, due = self._pace.wait()
                wanted = 0
                continue
            index, frame, small = item
            if index < wanted:  # a newer frame is due: drop it, as a live camera would
                self._late += 1
                continue
            return due, frame, index, small

    def close(self) -> None:
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None
        self._close_estimator()
