"""Motion over time: landmark tracks, per-frame angle series, and DTW comparison of two motions.

Pipeline of `compare_motion`: per-frame joint angles from the 3D world landmarks (weighted by
landmark confidence) -> short gaps (no person, up to `max_gap` seconds) interpolated, longer ones
kept missing and reported -> zero-phase Gaussian smoothing -> resampling on a common uniform
timeline (the lower frame rate, at most 30 Hz and 9,000 samples) -> DTW in a Sakoe-Chiba band
(also with the trainee's left/right swapped, for a mirrored performer; the better one is kept) ->
score, per-angle cost, tempo ratio and the worst stretch along the warping path.

Score: the mean aligned angle error E (degrees, confidence-weighted, over the 13 angles and the
whole path) measured in the library's default angle tolerance (15 deg, DEFAULT_TOLERANCE of
core/comparison/trainer_score.py) and mapped through the Gaussian the trainer score uses for
similarity: 100 * exp(-(E / 15)^2 / 2). Identical motions give 100; E = 5 deg gives ~95, 7.5 deg
~88, one tolerance (15 deg) ~61, 30 deg ~14.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tui_trainer.core.body.angles import (
    ANGLE_MIRROR,
    ANGLE_NAMES,
    angle_confidence,
    angles_from_points,
)
from tui_trainer.core.body.landmarks import N_LANDMARKS
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.comparison.trainer_score import DEFAULT_TOLERANCE
from tui_trainer.core.errors import NoPersonFound
from tui_trainer.core.motion.dtw import dtw, per_channel_cost

SCORE_TOLERANCE = DEFAULT_TOLERANCE  # degrees: E of one tolerance scores ~61
MAX_RATE = 30.0  # Hz: common timeline at most this fine
MAX_SAMPLES = 9000  # per performance: longer ones are compared at a lower rate (DTW memory, time)
MIN_FRAMES = 5  # frames with a person needed to compare a motion


@dataclass(frozen=True, eq=False)
class LandmarkTrack:
    """Per-frame landmarks of one video or recording; rows without a person are zeros."""

    timestamps: np.ndarray  # (N,) seconds
    image: np.ndarray  # (N, 33, 3)
    world: np.ndarray  # (N, 33, 3)
    visibility: np.ndarray  # (N, 33)
    present: np.ndarray  # (N,) bool
    fps: float
    image_size: tuple[int, int] | None = None
    source: str = ""
    meta: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_frames(
        cls,
        frames: Sequence[tuple[float, Pose | None]],
        fps: float,
        image_size: tuple[int, int] | None = None,
        source: str = "",
        meta: dict[str, object] | None = None,
    ) -> LandmarkTrack:
        n = len(frames)
        image = np.zeros((n, N_LANDMARKS, 3), np.float32)
        world = np.zeros((n, N_LANDMARKS, 3), np.float32)
        vis = np.zeros((n, N_LANDMARKS), np.float32)
        present = np.zeros(n, bool)
        for k, (_, pose) in enumerate(frames):
            if pose is not None:
                image[k], world[k], vis[k], present[k] = pose.image, pose.world, pose.visibility, 1
                image_size = image_size or pose.image_size
        times = np.array([t for t, _ in frames], np.float64)
        return cls(times, image, world, vis, present, fps, image_size, source, dict(meta or {}))

    def __len__(self) -> int:
        return len(self.timestamps)

    def pose(self, k: int) -> Pose | None:
        if not self.present[k]:
            return None
        try:
            return Pose.from_arrays(
                self.image[k], self.world[k], np.clip(self.visibility[k], 0, 1), self.image_size
            )
        except ValueError:
            return None

    def frames(self) -> list[tuple[float, Pose | None]]:
        return [(float(t), self.pose(k)) for k, t in enumerate(self.timestamps)]


@dataclass(frozen=True, eq=False)
class AngleSeries:
    """Angles on a uniform timeline: t (N,), values and weights (N, K) in ANGLE_NAMES order."""

    t: np.ndarray
    values: np.ndarray  # degrees, NaN where missing
    weights: np.ndarray  # 0..1 (landmark confidence), 0 where missing
    rate: float
    gaps: tuple[tuple[float, float], ...]  # (start_s, end_s) of gaps longer than max_gap
    source: str = ""

    def mirrored(self) -> AngleSeries:
        return AngleSeries(
            self.t,
            self.values[:, ANGLE_MIRROR],
            self.weights[:, ANGLE_MIRROR],
            self.rate,
            self.gaps,
            self.source,
        )


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index ranges of the True runs of a 1-D bool array."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _fill_gaps(t: np.ndarray, x: np.ndarray, max_gap: float) -> np.ndarray:
    """Linear interpolation over NaN runs of each column spanning at most max_gap seconds."""
    out = x.copy()
    for k in range(x.shape[1]):
        ok = np.isfinite(x[:, k])
        if ok.sum() < 2 or ok.all():
            continue
        filled = np.interp(t, t[ok], x[ok, k])
        for start, stop in _runs(~ok):
            if start > 0 and stop < len(t) and t[stop] - t[start - 1] <= max_gap:
                out[start:stop, k] = filled[start:stop]
    return out


def _smooth(t: np.ndarray, x: np.ndarray, sigma_s: float) -> np.ndarray:
    """Zero-phase Gaussian smoothing, NaN-aware (normalised convolution), per column."""
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    sigma = sigma_s / dt if dt > 0 else 0.0
    if sigma < 0.3:
        return x
    half = int(np.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    ok = np.isfinite(x)
    out = np.full_like(x, np.nan)
    for k in range(x.shape[1]):
        num = np.convolve(np.where(ok[:, k], x[:, k], 0.0), kernel, mode="same")
        den = np.convolve(ok[:, k].astype(float), kernel, mode="same")
        out[:, k] = np.where(ok[:, k], num / np.maximum(den, 1e-12), np.nan)
    return out


def angle_series(
    track: LandmarkTrack,
    rate: float | None = None,
    *,
    max_gap: float = 0.5,
    smooth_s: float = 0.08,
) -> AngleSeries:
    """Angles of a track, cleaned and resampled on a uniform `rate` (default: the track's fps)."""
    present = np.asarray(track.present, bool)
    if int(present.sum()) < MIN_FRAMES:
        raise NoPersonFound(
            f"{track.source or 'recording'}: no person found "
            f"({int(present.sum())} of {len(track)} frames have one)"
        )
    first, last = np.flatnonzero(present)[[0, -1]]
    sl = slice(first, last + 1)
    t = np.asarray(track.timestamps[sl], np.float64)
    pres = present[sl]
    values = angles_from_points(np.asarray(track.world[sl], np.float64))
    conf = angle_confidence(np.asarray(track.visibility[sl], np.float64))
    values[~pres] = np.nan
    conf[~pres[:, None] | ~np.isfinite(values)] = np.nan
    gaps = tuple(
        (float(t[a - 1]), float(t[b]))
        for a, b in _runs(~pres)
        if t[b] - t[a - 1] > max_gap  # runs never touch the ends: the track is trimmed
    )
    values = _smooth(t, _fill_gaps(t, values, max_gap), smooth_s)
    conf = _fill_gaps(t, conf, max_gap)
    rate = float(rate or track.fps or 30.0)
    grid = t[0] + np.arange(int(np.floor((t[-1] - t[0]) * rate + 1e-6)) + 1) / rate
    out_v = np.full((len(grid), values.shape[1]), np.nan)
    out_w = np.zeros_like(out_v)
    nearest = np.clip(np.searchsorted(t, grid), 0, len(t) - 1)
    prev = np.clip(nearest - 1, 0, len(t) - 1)
    nearest = np.where(np.abs(t[prev] - grid) < np.abs(t[nearest] - grid), prev, nearest)
    for k in range(values.shape[1]):
        ok = np.isfinite(values[:, k])
        if ok.sum() < 2:
            continue
        keep = ok[nearest]  # missing stays missing (nearest original sample decides)
        out_v[keep, k] = np.interp(grid[keep], t[ok], values[ok, k])
        out_w[keep, k] = np.interp(grid[keep], t[ok], np.nan_to_num(conf[ok, k]))
    return AngleSeries(grid, out_v, out_w, rate, gaps, track.source)


@dataclass(frozen=True)
class WorstStretch:
    expert_s: tuple[float, float]
    trainee_s: tuple[float, float]
    angle: str
    delta_deg: float  # trainee minus expert, mean over the stretch


@dataclass(frozen=True, eq=False)
class MotionComparison:
    score: float
    mean_error_deg: float
    tempo_ratio: float
    per_angle: dict[str, float]  # mean aligned |difference| in degrees, worst first
    worst: WorstStretch
    mirrored: bool
    expert: AngleSeries
    trainee: AngleSeries  # as compared (mirrored when `mirrored`)
    path: np.ndarray  # (L, 2) indices into expert.t and trainee.t
    tempo_fit: tuple[float, float]  # trainee_s = slope * expert_s + intercept
    window: int

    def to_dict(self) -> dict[str, object]:
        w = self.worst
        return {
            "score": round(self.score, 2),
            "mean_error_deg": round(self.mean_error_deg, 2),
            "tempo_ratio": round(self.tempo_ratio, 3),
            "per_angle": {k: round(v, 2) for k, v in self.per_angle.items()},
            "worst": {
                "expert_s": [round(w.expert_s[0], 2), round(w.expert_s[1], 2)],
                "trainee_s": [round(w.trainee_s[0], 2), round(w.trainee_s[1], 2)],
                "angle": w.angle,
                "delta_deg": round(w.delta_deg, 1),
            },
            "mirrored": self.mirrored,
            "rate_hz": self.expert.rate,
            "gaps": {
                "expert": [[round(a, 2), round(b, 2)] for a, b in self.expert.gaps],
                "trainee": [[round(a, 2), round(b, 2)] for a, b in self.trainee.gaps],
            },
        }


def score_from_error(error_deg: float) -> float:
    """0..100 from the mean aligned angle error (see the module docstring)."""
    return float(100.0 * np.exp(-0.5 * (max(error_deg, 0.0) / SCORE_TOLERANCE) ** 2))


def tempo_fit(te: np.ndarray, tt: np.ndarray) -> tuple[float, float]:
    """Least-squares line trainee_s = slope * expert_s + b through the path, without its flat
    start and end (where one performer waits while the other moves)."""
    keep = (te > te[0]) & (tt > tt[0]) & (te < te[-1]) & (tt < tt[-1])
    if keep.sum() < 3:
        keep = np.ones_like(te, dtype=bool)
    x, y = te[keep], tt[keep]
    var = float(((x - x.mean()) ** 2).sum())
    if var <= 0:
        return float("nan"), float(y.mean())
    slope = float(((x - x.mean()) * (y - y.mean())).sum() / var)
    return slope, float(y.mean() - slope * x.mean())


def _worst_stretch(
    exp: AngleSeries, tr: AngleSeries, path: np.ndarray, span_s: float = 1.0
) -> WorstStretch:
    i, j = path[:, 0], path[:, 1]
    w = exp.weights[i] * tr.weights[j]
    signed = np.nan_to_num(tr.values[j] - exp.values[i])
    n, k_count = len(exp.t), exp.values.shape[1]
    # Per expert frame: weighted |error| and signed error, averaged over the cells matched to it.
    cells = np.bincount(i, minlength=n)[:, None].astype(float)
    err = np.zeros((n, k_count))
    sgn = np.zeros((n, k_count))
    np.add.at(err, i, w * np.abs(signed))
    np.add.at(sgn, i, signed)
    err /= cells
    sgn /= cells
    size = max(1, min(n, round(span_s * exp.rate)))
    kernel = np.ones(size) / size
    moving = np.stack([np.convolve(err[:, k], kernel, mode="valid") for k in range(k_count)], 1)
    start, k = np.unravel_index(int(np.argmax(moving)), moving.shape)
    stop = start + size - 1
    matched = j[(i >= start) & (i <= stop)]
    return WorstStretch(
        (float(exp.t[start]), float(exp.t[stop])),
        (float(tr.t[matched.min()]), float(tr.t[matched.max()])),
        ANGLE_NAMES[k],
        float(sgn[start : stop + 1, k].mean()),
    )


def _mean_error(exp: AngleSeries, tr: AngleSeries, path: np.ndarray) -> float:
    i, j = path[:, 0], path[:, 1]
    w = exp.weights[i] * tr.weights[j]
    d = np.nan_to_num(np.abs(tr.values[j] - exp.values[i]))
    den = w.sum(axis=1)
    ok = den > 1e-9
    if not ok.any():
        return float("nan")
    return float(((w * d).sum(axis=1)[ok] / den[ok]).mean())


def _duration(track: LandmarkTrack) -> float:
    t = np.asarray(track.timestamps)[np.asarray(track.present, bool)]
    return float(t[-1] - t[0]) if len(t) > 1 else 0.0


def compare_motion(
    expert: LandmarkTrack,
    trainee: LandmarkTrack,
    *,
    band: float = 0.1,
    min_window_s: float = 2.0,
    mirror: bool = True,
) -> MotionComparison:
    """Align the trainee's motion with the expert's and measure how well they match."""
    rate = min(MAX_RATE, expert.fps or MAX_RATE, trainee.fps or MAX_RATE)
    longest = max(_duration(expert), _duration(trainee), 1e-9)
    rate = min(rate, MAX_SAMPLES / longest)
    exp = angle_series(expert, rate)
    tr = angle_series(trainee, rate)
    window = max(round(band * max(len(exp.t), len(tr.t))), round(min_window_s * rate))
    candidates = [(tr, False), (tr.mirrored(), True)] if mirror else [(tr, False)]
    best = None
    for cand, is_mirrored in candidates:
        res = dtw(
            exp.values, cand.values, weights_a=exp.weights, weights_b=cand.weights, window=window
        )
        err = _mean_error(exp, cand, res.path)
        if best is None or err < best[0]:
            best = (err, res, cand, is_mirrored)
    assert best is not None
    err, res, cand, is_mirrored = best
    path = res.path
    costs = per_channel_cost(exp.values, cand.values, path, exp.weights, cand.weights)
    per_angle = {
        ANGLE_NAMES[k]: float(costs[k]) for k in np.argsort(-np.nan_to_num(costs, nan=-1.0))
    }
    per_angle = {k: v for k, v in per_angle.items() if np.isfinite(v)}
    slope, icpt = tempo_fit(exp.t[path[:, 0]], cand.t[path[:, 1]])
    return MotionComparison(
        score=score_from_error(err),
        mean_error_deg=err,
        tempo_ratio=slope,
        per_angle=per_angle,
        worst=_worst_stretch(exp, cand, path),
        mirrored=is_mirrored,
        expert=exp,
        trainee=cand,
        path=path,
        tempo_fit=(slope, icpt),
        window=res.window,
    )
