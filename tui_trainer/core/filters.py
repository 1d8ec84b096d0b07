"""Causal smoothing of landmark streams: the One Euro filter (Casiez et al., CHI 2012).

Low jitter when the body is still, little lag when it moves: the cut-off frequency rises with
the speed of the signal. Works on arrays of any shape (e.g. (33, 3) landmarks), element-wise.
"""

from __future__ import annotations

import math

import numpy as np

from tui_trainer.core.pose import Pose


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over arrays; call with (value, timestamp in seconds)."""

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.3, d_cutoff: float = 1.0) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
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


class PoseFilter:
    """Smooths a stream of Poses (image and world landmarks, visibility) causally."""

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.3) -> None:
        self._image = OneEuroFilter(min_cutoff, beta)
        self._world = OneEuroFilter(min_cutoff, beta)
        self._vis = OneEuroFilter(min_cutoff * 2, 0.0)

    def reset(self) -> None:
        for f in (self._image, self._world, self._vis):
            f.reset()

    def __call__(self, pose: Pose, t: float) -> Pose:
        return Pose.from_arrays(
            self._image(pose.image, t),
            self._world(pose.world, t),
            np.clip(self._vis(pose.visibility, t), 0.0, 1.0),
            pose.image_size,
        )
