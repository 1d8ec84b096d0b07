"""The demo trainee of `follow --source demo`: a synthetic person who follows the teacher's
recorded motion, so the follow screen can be tried without a camera.

It performs the teacher's own landmarks on its own clock: it starts a second late, goes a bit
slower than the teacher, stops for a breath a third of the way in (so `--wait` has something to
wait for), then hurries to catch up. Now and then it gets a joint wrong by ~25° for a few
seconds (a correction to give), with a little jitter throughout. Deterministic for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui_trainer.core.body.angles import ANGLE_INDEX, angles_from_points
from tui_trainer.core.body.landmarks import N_LANDMARKS
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.demo.synth import (
    BENDABLE,
    IMAGE_SIZE,
    bend_world,
    framing_for,
    project,
)
from tui_trainer.core.motion.compare import LandmarkTrack

START_S = 1.0  # stands still this long before moving
PAUSE_S = 3.0  # the breath it takes a third of the way in
MISTAKE_EVERY_S = 8.0
MISTAKE_S = 3.0
MISTAKE_DEG = 25.0


@dataclass(frozen=True)
class DemoMistake:
    start_s: float  # on the trainee's clock
    angle: str
    degrees: float


def _smooth(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


class FollowDemoTrainee:
    """`pose_at(s)`: the trainee's pose s seconds after it started."""

    def __init__(
        self,
        teacher: LandmarkTrack,
        seed: int | None = None,
        image_size: tuple[int, int] = IMAGE_SIZE,
        moving: list[str] | None = None,
    ) -> None:
        present = np.flatnonzero(teacher.present)
        if present.size == 0:
            raise ValueError("the teacher has no frame with a person")
        self.rng = np.random.default_rng(seed)
        self.image_size = image_size
        self.times = np.asarray(teacher.timestamps, np.float64)[present]
        self.world = np.asarray(teacher.world, np.float64)[present]
        self.start, self.end = float(self.times[0]), float(self.times[-1])
        duration = self.end - self.start
        # (trainee seconds, speed) pieces: late start, slower, a pause, catching up, on time.
        self.pieces = [
            (START_S, 0.0),
            (duration / 3.0 / 0.85, 0.85),
            (PAUSE_S, 0.0),
            (duration / 3.0 / 1.25, 1.25),
            (np.inf, 1.0),
        ]
        bendable = [n for n in (moving or list(BENDABLE)) if n in BENDABLE]
        starts = np.arange(START_S + 4.0, START_S + 4.0 + 2 * duration, MISTAKE_EVERY_S)
        mistakes = []
        for start in starts if bendable else ():
            name = bendable[int(self.rng.integers(len(bendable)))]
            # Bend towards the middle of the range: a straight joint cannot open further.
            k = self._nearest(self.teacher_time(float(start) + MISTAKE_S / 2))
            now = float(angles_from_points(self.world[k])[ANGLE_INDEX[name]])
            sign = -1.0 if not np.isfinite(now) or now > 110.0 else 1.0
            mistakes.append(DemoMistake(float(start), name, sign * MISTAKE_DEG))
        self.mistakes = tuple(mistakes)
        self._view = framing_for(self.world[len(self.world) // 2], image_size)

    def _nearest(self, tau: float) -> int:
        return int(np.argmin(np.abs(self.times - tau)))

    def teacher_time(self, s: float) -> float:
        """The teacher's moment the trainee performs at its time s (its own pace)."""
        tau, left = self.start, max(s, 0.0)
        for length, speed in self.pieces:
            step = min(left, length)
            tau += speed * step
            left -= step
            if left <= 0:
                break
        return min(tau, self.end)

    def world_at(self, s: float) -> np.ndarray:
        tau = self.teacher_time(s)
        j = int(np.clip(np.searchsorted(self.times, tau), 1, max(len(self.times) - 1, 1)))
        if len(self.times) == 1:
            world = self.world[0]
        else:
            t0, t1 = self.times[j - 1], self.times[j]
            k = 0.0 if t1 <= t0 else min(max((tau - t0) / (t1 - t0), 0.0), 1.0)
            world = (1.0 - k) * self.world[j - 1] + k * self.world[j]
        for m in self.mistakes:
            into = _smooth((s - m.start_s) / 0.6)
            amount = into * (1.0 - _smooth((s - m.start_s - MISTAKE_S) / 0.6))
            if amount > 0.01:
                world = bend_world(world, m.angle, m.degrees * amount)
        return np.asarray(world)

    def pose_at(self, s: float) -> Pose:
        world = self.world_at(s) + self.rng.normal(0.0, 0.003, (N_LANDMARKS, 3))
        image = project(world, self.image_size, *self._view)
        vis = self.rng.uniform(0.9, 0.995, N_LANDMARKS)
        return Pose.from_arrays(image, world, vis, self.image_size)

    def mistake_at(self, s: float) -> DemoMistake | None:
        for m in self.mistakes:
            if m.start_s + 0.6 <= s < m.start_s + MISTAKE_S:
                return m
        return None
