"""Causal smoothing of landmark streams: the One Euro filter (Casiez et al., CHI 2012).

Low jitter when the body is still, little lag when it moves: the cut-off frequency rises with
the speed of the signal. Works on arrays of any shape (e.g. (33, 3) landmarks), element-wise.
"""

from __future__ import annotations

import math

import numpy as np

from tui_trainer.core.body.landmarks import N_LANDMARKS
from tui_trainer.core.body.pose import VISIBLE, Pose


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    # 1 / (1 + tau / dt) with tau = 1 / (2 pi cutoff), in fewer array operations
    r = cutoff * (2.0 * math.pi * dt)
    return r / (r + 1.0)


class OneEuroFilter:
    """One Euro filter over arrays; call with (value, timestamp in seconds)."""

    def __init__(
        self,
        min_cutoff: float | np.ndarray = 1.0,
        beta: float | np.ndarray = 0.3,
        d_cutoff: float = 1.0,
    ) -> None:
        """min_cutoff and beta may be arrays shaped like the values (one setting per element)."""
        if np.any(np.asarray(min_cutoff) <= 0) or d_cutoff <= 0 or np.any(np.asarray(beta) < 0):
            raise ValueError("min_cutoff and d_cutoff must be > 0 and beta >= 0")
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        self._x = self._dx = None
        self._t = None

    def __call__(self, value: np.ndarray, t: float) -> np.ndarray:
        x = np.asarray(value, dtype=np.float64)
        if self._x is None or self._t is None or self._x.shape != x.shape or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        dx = (x - self._x) / dt
        assert self._dx is not None
        dx_hat = self._dx + _alpha(self.d_cutoff, dt) * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
        x_hat = self._x + _alpha(cutoff, dt) * (x - self._x)
        self._x, self._dx, self._t = x_hat, dx_hat, t
        return np.asarray(x_hat.copy())


_N = N_LANDMARKS


class PoseFilter:
    """Smooths a stream of Poses (image and world landmarks, visibility) causally.

    One filter runs over all of them at once (a frame is scored every 33 ms; one pass instead of
    three): landmarks with (min_cutoff, beta), visibility with (2 x min_cutoff, 0)."""

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.3) -> None:
        cutoff = np.concatenate([np.full(6 * _N, min_cutoff), np.full(_N, 2.0 * min_cutoff)])
        betas = np.concatenate([np.full(6 * _N, beta), np.zeros(_N)])
        self._filter = OneEuroFilter(cutoff, betas)

    def reset(self) -> None:
        self._filter.reset()

    def __call__(self, pose: Pose, t: float) -> Pose:
        packed = np.concatenate([pose.image.ravel(), pose.world.ravel(), pose.visibility])
        out = self._filter(packed, t)
        vis = np.minimum(np.maximum(out[6 * _N :], 0.0), 1.0)  # (np.clip is slower per call)
        if not (vis >= VISIBLE).any():
            raise ValueError(f"visibility: all 33 landmarks are below {VISIBLE} (nobody visible)")
        return Pose.trusted(
            out[: 3 * _N].reshape(_N, 3), out[3 * _N : 6 * _N].reshape(_N, 3), vis, pose.image_size
        )
