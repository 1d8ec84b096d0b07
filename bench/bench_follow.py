"""Benchmark of the live alignment of `follow`: the cost of one trainee frame.

Run:  python bench/bench_follow.py [--minutes 5] [--frames 3000]

The teacher: a synthetic performance of `--minutes` at 30 Hz (13 angles, smooth motion); the
trainee: the same motion at a varying tempo (0.7x-1.3x) with a 3 s pause and 3° of noise, fed
frame by frame. Prints the time per frame (median, 99th percentile, max) of
  - OnlineAligner.update: one streaming open-end DTW step in its band,
  - MirrorAligner.update: the trainee as is and mirrored (what follow runs),
  - FollowTracker.update with a Pose: angles of the pose, both aligners, rolling score, the
    correction and the bars (everything follow does per frame except capture and drawing),
and how far the position is from the truth. Target: <= 1 ms per frame (a 30 fps source leaves
33 ms, most of it for MediaPipe). Timings on a shared machine are noisy: re-run when quiet.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tui_trainer.core.body.angles import ANGLE_NAMES
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.demo.synth import bend_world, pose_from_world, standing_world
from tui_trainer.core.motion.compare import LandmarkTrack
from tui_trainer.core.motion.follow import FollowTracker
from tui_trainer.core.motion.online_dtw import MirrorAligner, OnlineAligner
from tui_trainer.core.motion.teacher import TeacherMotion

RATE = 30.0
K = len(ANGLE_NAMES)


def warp(frames: int, seed: int = 0) -> np.ndarray:
    """Teacher seconds shown at each trainee frame: tempo 0.7-1.3, a 3 s pause at a third."""
    rng = np.random.default_rng(seed)
    speed = 1.0 + 0.3 * np.sin(np.cumsum(rng.normal(0, 0.02, frames)))
    pause = slice(frames // 3, frames // 3 + int(3 * RATE))
    speed[pause] = 0.0
    return np.cumsum(speed) / RATE


def angle_motion(t: np.ndarray, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    freqs, phases = rng.uniform(0.05, 0.4, (3, K)), rng.uniform(0, 2 * np.pi, (3, K))
    return 90.0 + sum(25 * np.sin(2 * np.pi * np.outer(t, freqs[r]) + phases[r]) for r in range(3))


def world_at(s: float) -> np.ndarray:
    w = standing_world()
    w = bend_world(w, "left_shoulder", 70 * (1 - np.cos(2 * np.pi * s / 7.0)))
    w = bend_world(w, "right_elbow", -40 * (1 - np.cos(2 * np.pi * s / 5.0)))
    w = bend_world(w, "left_knee", -35 * (1 - np.cos(2 * np.pi * s / 11.0)))
    return bend_world(w, "trunk_lean", 15 * np.sin(2 * np.pi * s / 13.0))


def stats(ms: list[float]) -> str:
    a = np.array(ms)
    return f"median {np.median(a):.3f} ms, p99 {np.percentile(a, 99):.3f} ms, max {a.max():.3f} ms"


class Timer:
    """Wall and CPU (thread) time of each call: on a loaded machine the wall time of a single
    frame includes being preempted (~4-10 ms slices); the CPU time does not."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Timer:
        self._w, self._c = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall.append((time.perf_counter() - self._w) * 1000)
        self.cpu.append((time.thread_time() - self._c) * 1000)

    def line(self) -> str:
        return f"wall {stats(self.wall)}\n{'':26s}CPU  {stats(self.cpu)}"


def bench_aligner(
    aligner: OnlineAligner | MirrorAligner, trainee: np.ndarray
) -> tuple[Timer, np.ndarray]:
    w = np.ones(K)
    timer, pos = Timer(), []
    for k, x in enumerate(trainee):
        with timer:
            a = aligner.update(k / RATE, x, w)
        pos.append(a.index / RATE)
    return timer, np.array(pos)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--minutes", type=float, default=5.0, help="the teacher's length")
    ap.add_argument("--frames", type=int, default=3000, help="trainee frames fed")
    args = ap.parse_args()
    n = int(args.minutes * 60 * RATE)
    teacher = angle_motion(np.arange(n) / RATE)
    truth = np.minimum(warp(args.frames), (n - 1) / RATE)
    noise = np.random.default_rng(1).normal(0, 3.0, (args.frames, K))
    trainee = angle_motion(truth) + noise
    print(f"teacher {n} frames ({args.minutes:g} min at 30 Hz), trainee {args.frames} frames")
    for label, aligner in (
        ("OnlineAligner.update", OnlineAligner(teacher, np.ones_like(teacher), RATE)),
        ("MirrorAligner.update", MirrorAligner(teacher, np.ones_like(teacher), RATE)),
    ):
        timer, pos = bench_aligner(aligner, trainee)
        err = np.abs(pos - truth)
        print(f"{label:24s}  |position - truth|: median {np.median(err):.3f} s")
        print(f"{'':26s}{timer.line()}")

    # The whole per-frame work of follow on poses (angles from landmarks included).
    frames: list[tuple[float, Pose | None]] = [
        (k / RATE, pose_from_world(world_at(k / RATE))) for k in range(n)
    ]
    track = LandmarkTrack.from_frames(frames, fps=RATE, source="teacher")
    tracker = FollowTracker(TeacherMotion.from_track(track), keep_frames=False)
    poses = [pose_from_world(world_at(float(s))) for s in truth]
    timer, pos = Timer(), []
    for k, pose in enumerate(poses):
        with timer:
            state = tracker.update(k / RATE, pose)
        pos.append(state.teacher_t)
    med = float(np.median(np.abs(np.array(pos) - truth)))
    print(f"{'FollowTracker.update':24s}  |position - truth|: median {med:.3f} s")
    print(f"{'':26s}{timer.line()}")
    print("target: <= 1 ms per frame")


if __name__ == "__main__":
    main()
