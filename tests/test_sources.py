"""Frame sources: demo pacing, video played as if live (the newest frame, drops, end, loop),
camera failures."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tui_trainer.core.demo.synth import bend_world, spec_from_world, standing_world
from tui_trainer.core.errors import InputFileError, SourceError
from tui_trainer.io.capture import CameraSource, VideoSource, check_video
from tui_trainer.io.sources import DemoSource, make_source


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class NullEstimator:
    def __init__(self) -> None:
        self.frames = 0

    def process(self, frame: np.ndarray) -> None:
        self.frames += 1


def write_video(path: Path, n: int = 12, fps: float = 10.0) -> Path:
    import cv2

    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (64, 48))
    for i in range(n):
        frame = np.full((48, 64, 3), i * 20 % 256, dtype=np.uint8)
        out.write(frame)
    out.release()
    return path


def test_demo_is_paced_and_follows_its_target() -> None:
    clock = FakeClock()
    src = make_source("demo", seed=1)
    assert isinstance(src, DemoSource)
    src = DemoSource(seed=1, clock=clock, sleep=clock.sleep)
    src.open()
    first = [src.read() for _ in range(5)]
    assert all(s is not None and s.frame is None and s.pose is not None for s in first)
    times = [s.t for s in first if s is not None]
    assert np.allclose(np.diff(times), 1 / 30)
    spec = spec_from_world(
        "squat", bend_world(standing_world(), "left_knee", -80.0), {"left_knee": 1.0}
    )
    src.set_target(spec)
    clock.now += 3.0  # the UI was busy: late frames are dropped, not queued
    late = src.read()
    # 3 s at 30 fps were missed: the newest frame due (94) is read, the 89 before it dropped.
    assert late is not None and late.index == 94 and src.frames_dropped == 89
    assert late.t == pytest.approx(clock.now, abs=1e-6)
    assert late.pose is not None and late.pose.angles["left_knee"] < 140  # moving into the squat


def test_video_plays_at_its_frame_rate_then_ends(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", n=12, fps=10.0)
    clock = FakeClock()
    est = NullEstimator()
    src = VideoSource(video, estimator_factory=lambda: est, clock=clock, sleep=clock.sleep)
    src.open()
    samples = []
    while (s := src.read()) is not None:
        samples.append(s)
    assert [s.index for s in samples] == list(range(12))
    assert np.allclose(np.diff([s.t for s in samples]), 0.1)
    assert est.frames == 13 and src.frames_dropped == 0  # 12 + the warm-up on frame 0
    src.close()


def test_video_drops_frames_when_behind_and_loops(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", n=12, fps=10.0)
    clock = FakeClock()
    src = VideoSource(
        video, loop=True, estimator_factory=NullEstimator, clock=clock, sleep=clock.sleep
    )
    src.open()
    assert src.read() is not None
    clock.now += 0.55  # half a second late: frames 1-4 are skipped, 5 is due now
    s = src.read()
    assert s is not None and s.index == 5 and src.frames_dropped == 4
    indices = [src.read() for _ in range(10)]
    assert all(x is not None for x in indices)  # looped past the end
    assert [x.index for x in indices if x is not None] == [6, 7, 8, 9, 10, 11, 0, 1, 2, 3]


def test_bad_video_paths_fail_before_the_app(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        make_source(str(tmp_path / "missing.mp4"))
    junk = tmp_path / "notes.txt"
    junk.write_text("not a video")
    with pytest.raises(InputFileError, match="not a video"):
        check_video(junk)
    with pytest.raises(InputFileError, match="not a file"):
        make_source(str(tmp_path))
    with pytest.raises(InputFileError, match="--camera"):
        make_source("webcam", camera=-1)


def test_a_missing_camera_says_what_to_do() -> None:
    src = CameraSource(97, estimator_factory=NullEstimator)
    with pytest.raises(SourceError, match="--source demo"):
        src.open()


class FakeCap:
    """A camera that gives `good` frames, then nothing."""

    def __init__(self, good: int) -> None:
        self.good = good
        self.released = False

    def read(self) -> tuple[bool, Any]:
        if self.good <= 0:
            return False, None
        self.good -= 1
        time.sleep(0.005)
        return True, np.zeros((48, 64, 3), dtype=np.uint8)

    def release(self) -> None:
        self.released = True


def test_a_camera_keeps_only_the_newest_frame_then_stops_with_a_message() -> None:
    cap = FakeCap(good=20)
    src = CameraSource(0, estimator_factory=NullEstimator, stall_s=0.3)
    src._start_estimator()
    src.start_capture(cap)
    time.sleep(0.3)  # the worker was busy: the camera went on delivering
    first = src.read()
    assert first is not None and first.index == 19  # the newest, not the oldest queued
    assert src.frames_dropped == 19
    with pytest.raises(SourceError, match=r"stopped delivering frames.*--source demo"):
        src.read()
    src.close()
    assert cap.released


@pytest.mark.media
def test_real_video_through_mediapipe(media_dir: Path) -> None:
    src = VideoSource(media_dir / "ooibowei_warrior2.mp4")
    src.open()
    try:
        assert 29 < src.fps < 31
        samples = [src.read() for _ in range(8)]
    finally:
        src.close()
    assert all(s is not None and s.frame is not None for s in samples)
    found = [s.pose for s in samples if s is not None and s.pose is not None]
    assert len(found) >= 6  # the tracker may need a frame or two to lock on
    size = found[-1].image_size
    assert size is not None and size[0] == 640  # scaled down for MediaPipe, same aspect
    assert abs(size[0] / size[1] - 1280 / 720) < 0.01


def test_a_late_frame_is_read_while_it_is_the_newest_and_dropped_once_a_newer_one_is_due(
    tmp_path: Path,
) -> None:
    video = write_video(tmp_path / "clip.avi", n=12, fps=10.0)
    clock = FakeClock()
    src = VideoSource(video, estimator_factory=NullEstimator, clock=clock, sleep=clock.sleep)
    src.open()
    src.read()
    clock.now += 0.14  # frame 1 was due at +0.1: 40 ms late, and still the newest
    late = src.read()
    assert late is not None and late.index == 1 and src.frames_dropped == 0
    assert late.t == pytest.approx(100.1)  # stamped when it was due: the lag counts as latency
    clock.now += 0.11  # +0.25: frame 2 (due +0.2) is the newest; 3 is not due yet
    s = src.read()
    assert s is not None and s.index == 2 and s.t == pytest.approx(100.2)
    clock.now += 0.1  # +0.35: frame 3 is the newest, even only 50 ms late; nothing queued
    s = src.read()
    assert s is not None and s.index == 3 and src.frames_dropped == 0
    clock.now += 0.16  # +0.51: frames 4 and 5 are due: 4 is dropped at once, 5 read
    s = src.read()
    assert s is not None and s.index == 5 and src.frames_dropped == 1
    src.close()
