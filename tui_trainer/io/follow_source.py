"""The demo source of `follow --source demo`: the synthetic trainee of core/demo/follow_trainee.py,
paced at 30 fps like the routine demo (no camera, no MediaPipe, no picture)."""

from __future__ import annotations

import time
from collections.abc import Callable

from tui_trainer.core.demo.follow_trainee import FollowDemoTrainee
from tui_trainer.core.library.spec import PoseSpec
from tui_trainer.core.motion.compare import LandmarkTrack
from tui_trainer.io.frames import Clock, Sample, _Paced


class FollowDemoSource:
    def __init__(
        self,
        teacher: LandmarkTrack,
        seed: int | None = None,
        moving: list[str] | None = None,
        fps: float = 30.0,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = "demo"
        self.fps = fps
        self.frames_dropped = 0
        self.trainee = FollowDemoTrainee(teacher, seed, moving=moving)
        self._pace = _Paced(fps, clock, sleep)
        self._index = 0
        self._t0: float | None = None

    def open(self) -> None:
        pass

    def set_target(
        self, spec: PoseSpec | None, restart: bool = False, window_s: float | None = None
    ) -> None:
        pass  # it follows the teacher, not a pose

    def read(self) -> Sample | None:
        skip, due = self._pace.wait()
        self._index += skip
        self.frames_dropped += skip
        if self._t0 is None:
            self._t0 = due
        sample = Sample(due, None, self.trainee.pose_at(due - self._t0), self._index)
        self._index += 1
        return sample

    def close(self) -> None:
        pass
