"""Where the trainee comes from: a webcam, a network camera (a phone), a video file played as if
live, or the demo trainee. (Camera and video live in io/capture.py, network streams in
io/stream.py.)

Every source yields `Sample`s (capture time, BGR frame or None, Pose or None) in capture order.
Camera, stream and video frames go through MediaPipe (stream mode, in a worker process:
io/pose_pipeline.py); the demo makes its pose directly and has no picture. Like a camera, every
source gives the newest frame: one that is late (a newer one is due) is dropped at once, never
queued. `read()` returns None when a video ends (without --loop), raises SourceError when a
camera or file stops delivering, and SourceInterrupted while a network stream reconnects.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from tui_trainer.core.errors import InputFileError
from tui_trainer.core.library.spec import PoseSpec
from tui_trainer.io.frames import ESTIMATE_WIDTH, NO_CAMERA_HINT, Clock, Sample, _Paced

# Sample, Clock and the constants are the sources' common vocabulary (defined in io/frames.py).
__all__ = [
    "ESTIMATE_WIDTH",
    "NO_CAMERA_HINT",
    "Clock",
    "DemoSource",
    "FrameSource",
    "Sample",
    "is_live",
    "make_source",
]


class FrameSource(Protocol):
    name: str  # for the session record: "demo", "webcam:0" or the video path
    fps: float

    @property
    def frames_dropped(self) -> int: ...  # frames skipped because processing fell behind

    def open(self) -> None: ...

    def read(self) -> Sample | None: ...

    def set_target(
        self, spec: PoseSpec | None, restart: bool = False, window_s: float | None = None
    ) -> None: ...  # window_s: a flow pose's time window (None: a hold)

    def close(self) -> None: ...


class DemoSource:
    """The synthetic trainee at 30 fps; no camera, no MediaPipe."""

    def __init__(
        self,
        seed: int | None = None,
        fps: float = 30.0,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from tui_trainer.core.demo.trainee import DemoTrainee

        self.name = "demo"
        self.fps = fps
        self.frames_dropped = 0
        self.trainee = DemoTrainee(seed)
        self._pace = _Paced(fps, clock, sleep)
        self._clock = clock
        self._index = 0

    def open(self) -> None:
        pass

    def set_target(
        self, spec: PoseSpec | None, restart: bool = False, window_s: float | None = None
    ) -> None:
        if restart:
            self.trainee.restart(self._clock())
        else:
            self.trainee.set_target(spec, self._clock(), window_s)

    def read(self) -> Sample | None:
        skip, due = self._pace.wait()
        self._index += skip
        self.frames_dropped += skip
        sample = Sample(due, None, self.trainee.pose_at(due), self._index)
        self._index += 1
        return sample

    def close(self) -> None:
        pass


def is_live(spec: str) -> bool:
    """A camera pointed at the trainee (the webcam or a network stream), not a recording."""
    from tui_trainer.io.stream import is_stream_url

    return spec == "webcam" or is_stream_url(spec)


def make_source(
    spec: str, camera: int = 0, loop: bool = False, seed: int | None = None
) -> FrameSource:
    """The source named on the command line: "webcam", "demo", a stream URL (http, https,
    rtsp) or a video path (checked here, so a bad path fails before the TUI starts)."""
    from tui_trainer.io.capture import CameraSource, VideoSource, check_video
    from tui_trainer.io.stream import StreamSource, check_stream_url, is_stream_url

    if spec == "demo":
        return DemoSource(seed)
    if spec == "webcam":
        if camera < 0:
            raise InputFileError(f"--camera {camera}: expected a device number >= 0")
        return CameraSource(camera)
    if is_stream_url(spec):
        check_stream_url(spec)
        return StreamSource(spec)
    check_video(spec)
    return VideoSource(spec, loop)
