"""Online alignment of a live performance with a recorded one: open-end DTW in a moving band.

The teacher's angles are known in advance (an AngleSeries on a uniform timeline, R frames a
second); the trainee's frames arrive one at a time. For each trainee frame the accumulated cost
of the best path that ends at teacher frame i is

    D[i] = c(i) + min over s of (lam * D_prev[i - s] + step_penalty * |s - e|)

c(i): the weighted RMS angle difference of the frame and teacher frame i (as in core/motion/dtw.py);
s = 0 .. S: teacher frames the path advances by (0: the trainee waits or is slower, more: the
trainee is faster); e = dt * R: the advance at the teacher's own pace, so a steady path at that
pace costs no penalty and the penalty settles ties (a held pose) towards the teacher's tempo.
Each trainee frame adds exactly one local cost, so every path ending at the current frame has
the same number of terms and the D values of different teacher frames compare directly (open
end): the trainee's position on the teacher's timeline is argmin D. lam = exp(-dt / memory_s)
forgets old costs, so one bad stretch does not pin the path for the rest of the session.

Only teacher frames in a band around the current position are kept ([pos - back_s, pos +
ahead_s]): the work per trainee frame is O(band x angles), independent of the teacher's length
(bench/bench_follow.py). A frame without a person changes nothing (the position holds); the
time it spans is credited to the next frame's steps, so a trainee back in view can have moved on.
A mirrored performer: `MirrorAligner` runs a second aligner on the trainee's left/right-swapped
angles and follows whichever has the lower recent cost (with a margin, so it does not flicker).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tui_trainer.core.body.angles import ANGLE_MIRROR

MAX_SPEED = 2.5  # the trainee can be at most this much faster than the teacher
MAX_JUMP_S = 2.0  # the longest teacher stretch one step can skip (after a gap without a person)


@dataclass(frozen=True)
class AlignerConfig:
    back_s: float = 2.0  # band behind the current position (the path may be corrected back)
    ahead_s: float = 4.0  # band ahead of it
    memory_s: float = 4.0  # time constant of forgetting old costs
    step_penalty: float = 1.0  # degrees per teacher frame away from the teacher's own pace
    missing_cost: float = 90.0  # a pair of frames with no angle in common


@dataclass(frozen=True)
class Alignment:
    """Where the trainee is after one frame."""

    index: int  # teacher frame
    cost: float  # min D: the forgetful accumulated cost of the best path (degrees x frames)
    local: float  # c(index): this frame's RMS difference to that teacher frame (degrees)
    mirrored: bool = False


def prepare_series(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values with NaN -> 0, weights with 0 where the value is missing), float64."""
    v = np.asarray(values, np.float64)
    w = np.asarray(weights, np.float64).copy()
    missing = ~np.isfinite(v)
    w[missing | ~np.isfinite(w)] = 0.0
    np.maximum(w, 0.0, out=w)
    return np.where(missing, 0.0, v), w


class OnlineAligner:
    """Streaming open-end DTW against a fixed teacher sequence (see the module docstring)."""

    def __init__(
        self,
        values: np.ndarray,
        weights: np.ndarray,
        rate: float,
        config: AlignerConfig | None = None,
    ) -> None:
        self.values, self.weights = prepare_series(values, weights)
        if self.values.ndim != 2 or len(self.values) == 0:
            raise ValueError(f"teacher: expected a non-empty (frames, angles) array, got {values}")
        self.rate = float(rate)
        self.config = config or AlignerConfig()
        self.n = len(self.values)
        self._back = max(1, round(self.config.back_s * self.rate))
        self._ahead = max(2, round(self.config.ahead_s * self.rate))
        self._max_jump = max(2, round(MAX_JUMP_S * self.rate))
        self._D = np.full(self.n, np.inf)
        self._lo, self._hi = 0, 0  # the window of the previous frame: D[lo:hi] is finite-ish
        self._started = False
        self._last_t: float | None = None
        self._pending_dt = 0.0
        self.position = 0
        self.cost = 0.0

    def reset(self) -> None:
        self._D.fill(np.inf)
        self._lo = self._hi = 0
        self._started = False
        self._last_t = None
        self._pending_dt = 0.0
        self.position = 0
        self.cost = 0.0

    def local_costs(self, x: np.ndarray, w: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """c(i) for teacher frames lo..hi-1 against trainee angles x with weights w."""
        wt = self.weights[lo:hi] * w
        diff = self.values[lo:hi] - x
        num = (wt * diff * diff).sum(axis=1)
        den = wt.sum(axis=1)
        empty = den <= 1e-12
        out = np.sqrt(num / np.where(empty, 1.0, den))
        out[empty] = self.config.missing_cost
        return out

    def update(self, t: float, values: np.ndarray, weights: np.ndarray) -> Alignment:
        """Add one trainee frame (angles in the teacher's channel order; NaN = unseen)."""
        x, w = prepare_series(np.asarray(values)[None, :], np.asarray(weights)[None, :])
        x, w = x[0], w[0]
        dt = self._step_dt(t)
        if not self._started:
            return self._first(x, w)
        e = dt * self.rate
        s_max = int(min(self._max_jump, max(2, math.ceil(MAX_SPEED * e))))
        lam = math.exp(-dt / self.config.memory_s) if self.config.memory_s > 0 else 1.0
        lo = max(0, self.position - self._back)
        hi = min(self.n, self.position + self._ahead + 1)
        # Predecessors of lo..hi-1 lie in [lo - s_max, hi); outside the last window D is inf.
        plo = max(0, lo - s_max)
        prev = self._D[plo:hi] * lam  # a copy
        width = hi - lo
        best = np.full(width, np.inf)
        pen = self.config.step_penalty
        for s in range(s_max + 1):
            start = lo - s - plo
            if start + width <= 0:
                break
            src = prev[max(start, 0) : start + width]
            cand = src + pen * abs(s - e)
            seg = best[width - len(src) :]
            np.minimum(seg, cand, out=seg)
        local = self.local_costs(x, w, lo, hi)
        new = local + best
        self._D[self._lo : self._hi] = np.inf
        self._D[lo:hi] = new
        self._lo, self._hi = lo, hi
        k = int(np.argmin(new))
        self.position, self.cost = lo + k, float(new[k])
        return Alignment(self.position, self.cost, float(local[k]))

    def _first(self, x: np.ndarray, w: np.ndarray) -> Alignment:
        """The path starts at the teacher's first frame (the trainee starts with the teacher)."""
        self._started = True
        hi = min(self.n, self._ahead + 1)
        local = self.local_costs(x, w, 0, hi)
        pen = self.config.step_penalty * np.arange(hi)  # as if it had stepped from frame 0
        new = local + pen
        self._D[:hi] = new
        self._lo, self._hi = 0, hi
        k = int(np.argmin(new))
        self.position, self.cost = k, float(new[k])
        return Alignment(k, self.cost, float(local[k]))

    def _step_dt(self, t: float) -> float:
        last, self._last_t = self._last_t, float(t)
        if last is None:
            return 1.0 / self.rate
        dt = float(t) - last + self._pending_dt
        self._pending_dt = 0.0
        return max(dt, 1e-3)

    def resume(self) -> None:
        """The next frame follows a pause: it may step as after one frame, not the pause."""
        self._last_t = None
        self._pending_dt = 0.0

    def skip(self, t: float) -> None:
        """A trainee frame without a person: nothing to compare; its time counts towards the
        next frame's steps."""
        if self._last_t is not None:
            self._pending_dt += max(float(t) - self._last_t, 0.0)
            self._last_t = float(t)


class MirrorAligner:
    """Two aligners, the trainee as is and mirrored; reports the better one (with hysteresis)."""

    def __init__(
        self,
        values: np.ndarray,
        weights: np.ndarray,
        rate: float,
        config: AlignerConfig | None = None,
        *,
        mirror: bool = True,
        switch_margin: float = 0.15,
    ) -> None:
        self.plain = OnlineAligner(values, weights, rate, config)
        self.flipped = OnlineAligner(values, weights, rate, config) if mirror else None
        self.switch_margin = switch_margin
        self.mirrored = False

    @property
    def n(self) -> int:
        return self.plain.n

    def update(self, t: float, values: np.ndarray, weights: np.ndarray) -> Alignment:
        a = self.plain.update(t, values, weights)
        if self.flipped is None:
            return a
        b = self.flipped.update(t, values[ANGLE_MIRROR], weights[ANGLE_MIRROR])
        current, other = (b, a) if self.mirrored else (a, b)
        if other.cost < current.cost * (1.0 - self.switch_margin):
            self.mirrored = not self.mirrored
            current = other
        return Alignment(current.index, current.cost, current.local, self.mirrored)

    def skip(self, t: float) -> None:
        self.plain.skip(t)
        if self.flipped is not None:
            self.flipped.skip(t)

    def resume(self) -> None:
        self.plain.resume()
        if self.flipped is not None:
            self.flipped.resume()

    def reset(self) -> None:
        self.plain.reset()
        if self.flipped is not None:
            self.flipped.reset()
        self.mirrored = False
