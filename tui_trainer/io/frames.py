"""What every live source deals in: the Sample (a frame, its capture time and its pose), the
clock of a source played at a frame rate (newest frame due, late ones dropped), and the OpenCV
import. Kept apart from io/sources.py so camera, stream and video modules need not import the
module that builds them."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tui_trainer.core.body.pose import Pose

Clock = Callable[[], float]
NO_CAMERA_HINT = "try --source demo, a video file (--source PATH) or a phone (--source URL)"
ESTIMATE_WIDTH = 640  # frames are scaled down to this width before MediaPipe
_STALL_S = 3.0  # a camera that gives no frame for this long has stopped


def _cv2() -> Any:
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # no V4L warnings over the TUI
    import cv2

    return cv2


def open_video(path: object) -> Any:
    """A cv2.VideoCapture on a video file whose frames come upright: phones store a portrait
    video as landscape frames plus a rotation flag, which OpenCV leaves unapplied unless asked
    (the person would lie on their side and no pose would match)."""
    cv2 = _cv2()
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


@dataclass(frozen=True)
class Sample:
    t: float  # capture time (the source's monotonic clock, seconds)
    frame: np.ndarray | None  # BGR image, None for the demo
    pose: Pose | None
    index: int  # frame number since the source opened (dropped video frames included)
    # Seconds per stage of finding the pose ("inference": MediaPipe's own call); empty for the demo.
    stages: Mapping[str, float] = field(default_factory=dict)


class _Paced:
    """A clock of frames due at `fps`: wait() gives the newest frame due (sleeping until the next
    one when none is due yet) and counts the older ones skipped, as a camera drops the frames
    nobody took in time."""

    def __init__(self, fps: float, clock: Clock, sleep: Callable[[float], None]) -> None:
        self.fps, self.clock, self.sleep = fps, clock, sleep
        self.start: float | None = None
        self.next_index = 0

    def due(self, index: int) -> float:
        assert self.start is not None
        return self.start + index / self.fps

    def wait(self) -> tuple[int, float]:
        """(frames skipped because a newer one is due, due time of the frame to deliver)."""
        now = self.clock()
        if self.start is None:
            self.start = now
        newest = math.floor((now - self.start) * self.fps + 1e-9)
        skip = max(newest - self.next_index, 0)
        index = self.next_index + skip
        wait = self.due(index) - now
        if wait > 1e-6:  # not for a rounding error of a frame due now
            self.sleep(wait)
        self.next_index = index + 1
        return skip, self.due(index)

    def restart(self) -> None:
        self.start, self.next_index = None, 0
