"""The streaming alignment (core/motion/online_dtw.py) on synthetic angle sequences with known
warps."""

from __future__ import annotations

import numpy as np
import pytest

from tui_trainer.core.body.angles import ANGLE_MIRROR, ANGLE_NAMES
from tui_trainer.core.motion.online_dtw import AlignerConfig, MirrorAligner, OnlineAligner

RATE = 30.0
K = len(ANGLE_NAMES)


def motion(t: np.ndarray, seed: int = 0) -> np.ndarray:
    """(len(t), K) angles: smooth, non-periodic over the clip (sums of slow sines)."""
    rng = np.random.default_rng(seed)
    freqs = rng.uniform(0.05, 0.4, (3, K))
    phases = rng.uniform(0, 2 * np.pi, (3, K))
    out = 90.0 + sum(25.0 * np.sin(2 * np.pi * np.outer(t, freqs[r]) + phases[r]) for r in range(3))
    return np.asarray(out)


def run(
    aligner: OnlineAligner | MirrorAligner, trainee: np.ndarray, times: np.ndarray
) -> np.ndarray:
    w = np.ones(K)
    return np.array([aligner.update(float(t), x, w).index for t, x in zip(times, trainee)]) / RATE


def middle(x: np.ndarray) -> np.ndarray:
    cut = len(x) // 10
    return x[cut : len(x) - cut]


@pytest.mark.parametrize("speed", [0.5, 0.75, 1.0, 1.4, 2.0])
def test_follows_a_steady_tempo(speed: float) -> None:
    teacher_t = np.arange(int(40 * RATE)) / RATE
    teacher = motion(teacher_t)
    times = np.arange(int(40 / speed * RATE) - 1) / RATE
    truth = times * speed
    rng = np.random.default_rng(1)
    trainee = motion(truth) + rng.normal(0, 3.0, (len(times), K))
    got = run(OnlineAligner(teacher, np.ones_like(teacher), RATE), trainee, times)
    err = middle(np.abs(got - truth))
    assert np.median(err) < 0.15
    assert np.percentile(err, 90) < 0.4


def test_a_pause_holds_the_position_and_it_picks_up_after() -> None:
    teacher_t = np.arange(int(30 * RATE)) / RATE
    teacher = motion(teacher_t)
    times = np.arange(int(33 * RATE)) / RATE
    truth = np.where(times < 12, times, np.where(times < 15, 12.0, times - 3.0))
    got = run(OnlineAligner(teacher, np.ones_like(teacher), RATE), motion(truth), times)
    during = (times > 12.5) & (times < 15)
    assert np.all(np.abs(got[during] - 12.0) < 0.3)  # it waits with the trainee
    after = times > 16
    assert np.median(np.abs(got[after] - truth[after])) < 0.1


def test_a_mirrored_trainee_is_followed_as_a_mirror() -> None:
    teacher_t = np.arange(int(30 * RATE)) / RATE
    teacher = motion(teacher_t)
    times = np.arange(int(30 / 0.75 * RATE) - 1) / RATE
    truth = 0.75 * times
    trainee = motion(truth)[:, ANGLE_MIRROR]
    aligner = MirrorAligner(teacher, np.ones_like(teacher), RATE)
    got = run(aligner, trainee, times)
    assert aligner.mirrored
    assert np.median(middle(np.abs(got - truth))) < 0.15
    plain = run(MirrorAligner(teacher, np.ones_like(teacher), RATE, mirror=False), trainee, times)
    assert np.median(middle(np.abs(plain - truth))) > 3 * np.median(middle(np.abs(got - truth)))


def test_frames_without_a_person_keep_the_position_and_credit_the_time() -> None:
    teacher_t = np.arange(int(30 * RATE)) / RATE
    teacher = motion(teacher_t)
    aligner = OnlineAligner(teacher, np.ones_like(teacher), RATE)
    w = np.ones(K)
    for t in np.arange(0, 10, 1 / RATE):
        aligner.update(float(t), motion(np.array([t]))[0], w)
    before = aligner.position / RATE
    for t in np.arange(10, 11, 1 / RATE):  # a second nobody in view
        aligner.skip(float(t))
    assert aligner.position / RATE == pytest.approx(before)
    # Back in view a second later on the teacher's timeline: one frame can jump there.
    a = aligner.update(11.0, motion(np.array([11.0]))[0], w)
    assert a.index / RATE == pytest.approx(11.0, abs=0.15)


def test_missing_angles_and_weights_are_ignored() -> None:
    teacher_t = np.arange(int(20 * RATE)) / RATE
    teacher = motion(teacher_t)
    teacher[:, 3] = np.nan  # an angle the teacher never shows
    aligner = OnlineAligner(teacher, np.ones_like(teacher), RATE)
    times = np.arange(int(20 * RATE) - 1) / RATE
    trainee = motion(times)
    trainee[:, 5] = np.nan
    got = run(aligner, trainee, times)
    assert np.median(np.abs(got - times)) < 0.05


def test_work_per_frame_is_bounded_by_the_band() -> None:
    """The window of teacher frames touched per trainee frame does not grow with the teacher."""
    cfg = AlignerConfig(back_s=2.0, ahead_s=4.0)
    for seconds in (20, 200):
        teacher = motion(np.arange(int(seconds * RATE)) / RATE)
        aligner = OnlineAligner(teacher, np.ones_like(teacher), RATE, cfg)
        widths = []
        for t in np.arange(0, 15, 1 / RATE):
            aligner.update(float(t), motion(np.array([t]))[0], np.ones(K))
            widths.append(aligner._hi - aligner._lo)
        assert max(widths) <= round((cfg.back_s + cfg.ahead_s) * RATE) + 1


def test_reset_and_bad_input() -> None:
    teacher = motion(np.arange(300) / RATE)
    aligner = OnlineAligner(teacher, np.ones_like(teacher), RATE)
    for t in np.arange(0, 5, 1 / RATE):
        aligner.update(float(t), motion(np.array([t]))[0], np.ones(K))
    assert aligner.position > 100
    aligner.reset()
    assert aligner.position == 0
    assert aligner.update(0.0, teacher[0], np.ones(K)).index == 0
    with pytest.raises(ValueError, match="teacher"):
        OnlineAligner(np.zeros((0, K)), np.zeros((0, K)), RATE)
