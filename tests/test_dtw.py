"""DTW on synthetic sequences: exact costs against a brute-force DP, known warps, the band."""

from __future__ import annotations

import numpy as np
import pytest

from tui_trainer.core.motion.dtw import band_limits, dtw, per_channel_cost


def _signal(t: np.ndarray, channels: int = 4) -> np.ndarray:
    return np.stack([40 * np.sin(t * (k + 1) * 0.7 + k) + 90 for k in range(channels)], axis=1)


def _brute_force(a: np.ndarray, b: np.ndarray, window: int) -> float:
    """Textbook O(n m) DTW restricted to the same band, RMS local cost."""
    lo, hi, _ = band_limits(len(a), len(b), window)
    acc = np.full((len(a) + 1, len(b) + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(len(a)):
        for j in range(lo[i], hi[i] + 1):
            cost = np.sqrt(np.mean((a[i] - b[j]) ** 2))
            acc[i + 1, j + 1] = cost + min(acc[i, j], acc[i, j + 1], acc[i + 1, j])
    return float(acc[-1, -1])


@pytest.mark.parametrize(("n", "m", "window"), [(30, 50, 5), (50, 30, 4), (40, 40, 3), (1, 9, 2)])
def test_total_cost_equals_brute_force(n: int, m: int, window: int) -> None:
    rng = np.random.default_rng(n * m)
    a, b = rng.normal(size=(n, 3)) * 10, rng.normal(size=(m, 3)) * 10
    result = dtw(a, b, window=window)
    assert result.total_cost == pytest.approx(_brute_force(a, b, window), rel=1e-6)
    path = result.path
    assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (n - 1, m - 1)
    steps = np.diff(path, axis=0)
    assert np.all((steps >= 0) & (steps <= 1)) and np.all(steps.sum(axis=1) >= 1)


def test_identical_sequences_cost_zero_on_the_diagonal() -> None:
    a = _signal(np.linspace(0, 20, 300))
    result = dtw(a, a.copy())
    assert result.total_cost == pytest.approx(0.0, abs=1e-3)
    np.testing.assert_array_equal(result.path[:, 0], result.path[:, 1])
    assert per_channel_cost(a, a, result.path) == pytest.approx(np.zeros(4), abs=1e-9)


def test_each_frame_repeated_twice_is_found_exactly() -> None:
    a = _signal(np.linspace(0, 15, 200))
    b = np.repeat(a, 2, axis=0)  # the same motion at half speed
    result = dtw(a, b)
    assert result.total_cost == pytest.approx(0.0, abs=1e-3)
    # Every frame j of b is matched with frame j // 2 of a.
    np.testing.assert_array_equal(result.path[:, 0], result.path[:, 1] // 2)


def test_a_smooth_nonlinear_warp_is_recovered() -> None:
    t = np.linspace(0, 10, 400)
    warp = 10 * (t / 10) ** 1.5  # the trainee starts slow and catches up
    a, b = _signal(t), _signal(warp)
    path = dtw(a, b, band=0.25).path
    # Frame j of b shows a's moment warp[j]: the matched a-frame should be that moment.
    matched_t = t[path[:, 0]]
    assert np.median(np.abs(matched_t - warp[path[:, 1]])) < 0.05


def test_path_stays_inside_the_band_and_a_narrow_band_costs_more() -> None:
    t = np.linspace(0, 10, 300)
    a = _signal(t)
    b = _signal(np.clip(t - 2.0, 0, None) * 10 / 8)  # b waits 2 s (60 frames), then catches up
    wide, narrow = dtw(a, b, window=90), dtw(a, b, window=10)
    assert wide.mean_cost < 1.0
    assert narrow.mean_cost > 5 * wide.mean_cost
    lo, hi, _ = band_limits(300, 300, 10)
    i, j = narrow.path[:, 0], narrow.path[:, 1]
    assert np.all((j >= lo[i]) & (j <= hi[i]))


def test_missing_values_and_zero_weights_are_ignored() -> None:
    a = _signal(np.linspace(0, 8, 120))
    b = a.copy()
    b[:, 2] = np.nan  # a channel the trainee never has
    b[40:50, 0] += 500  # garbage, but with zero weight
    weights_b = np.ones_like(b)
    weights_b[40:50, 0] = 0.0
    result = dtw(a, b, weights_b=weights_b)
    assert result.total_cost == pytest.approx(0.0, abs=1e-3)
    costs = per_channel_cost(a, b, result.path, weights_b=weights_b)
    assert np.isnan(costs[2]) and costs[[0, 1, 3]] == pytest.approx(np.zeros(3), abs=1e-9)


def test_frames_with_nothing_in_common_cost_the_missing_cost() -> None:
    a = np.full((5, 2), np.nan)
    b = np.zeros((5, 2))
    result = dtw(a, b, missing_cost=7.0)
    assert result.total_cost == pytest.approx(7.0 * len(result.path))


def test_per_channel_cost_reports_the_offset_channel() -> None:
    a = _signal(np.linspace(0, 8, 120))
    b = a.copy()
    b[:, 1] += 12.0
    diagonal = np.stack([np.arange(120), np.arange(120)], axis=1)
    costs = per_channel_cost(a, b, diagonal)
    assert costs == pytest.approx([0.0, 12.0, 0.0, 0.0], abs=1e-9)
    aligned = per_channel_cost(a, b, dtw(a, b).path)  # warping cannot hide a constant offset
    assert int(np.argmax(aligned)) == 1 and aligned[1] > 8.0


def test_bad_shapes_are_rejected() -> None:
    with pytest.raises(ValueError, match="same channels"):
        dtw(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="non-empty"):
        dtw(np.zeros((0, 3)), np.zeros((5, 3)))
