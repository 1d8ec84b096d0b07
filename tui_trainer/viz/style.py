"""Colours and error → status mapping shared by every renderer (BGR, as OpenCV draws)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from tui_trainer.core.body.angles import ANGLES
from tui_trainer.core.body.landmarks import INDEX, N_LANDMARKS, SKELETON_INDEX

Color = tuple[int, int, int]

GREEN: Color = (80, 200, 60)
AMBER: Color = (0, 170, 255)
RED: Color = (50, 50, 235)
NEUTRAL: Color = (225, 225, 225)
GHOST: Color = (170, 130, 95)
BACKGROUND: Color = (32, 28, 26)
TEXT: Color = (240, 240, 240)
DIM_TEXT: Color = (160, 160, 160)

# Status codes, ordered so that max() picks the worst.
UNKNOWN, OK, NEAR, OFF = 0, 1, 2, 3
STATUS_COLORS: tuple[Color, ...] = (NEUTRAL, GREEN, AMBER, RED)
DEFAULT_TOLERANCE = 15.0  # degrees, when no pose spec gives one

# The landmark an angle is measured at ("joint" angles only; trunk lean etc. have no vertex).
ANGLE_VERTEX: dict[str, int] = {
    d.name: INDEX[d.points[1]] for d in ANGLES if d.kind == "joint" and d.points[1] in INDEX
}


def angle_status(error: float, tolerance: float) -> int:
    """OK within tolerance, NEAR up to twice the tolerance, OFF beyond; UNKNOWN for NaN."""
    if error is None or not np.isfinite(error):
        return UNKNOWN
    err = abs(float(error))
    if err <= tolerance:
        return OK
    return NEAR if err <= 2.0 * tolerance else OFF


def joint_statuses(
    errors: Mapping[str, float] | None, tolerances: Mapping[str, float] | None = None
) -> np.ndarray:
    """(33,) status per landmark from signed per-angle errors (worst angle at that joint)."""
    status = np.full(N_LANDMARKS, UNKNOWN, dtype=np.int8)
    if not errors:
        return status
    tol = tolerances or {}
    for name, err in errors.items():
        vertex = ANGLE_VERTEX.get(name)
        if vertex is None:
            continue
        s = angle_status(err, float(tol.get(name, DEFAULT_TOLERANCE)))
        status[vertex] = max(int(status[vertex]), s)
    return status


def bone_statuses(joint_status: np.ndarray) -> np.ndarray:
    """Status per skeleton bone: the worse of its two end joints."""
    return np.maximum(joint_status[SKELETON_INDEX[:, 0]], joint_status[SKELETON_INDEX[:, 1]])


@lru_cache(maxsize=32)
def solid(height: int, width: int, color: Color) -> np.ndarray:
    """A read-only plain image; copy it (or copy from it) instead of filling.

    Filling with a colour tuple broadcasts slowly over the channel axis (~7 ms for 1280x720);
    a copy of a prepared block is a plain memcpy (~0.4 ms).
    """
    out = np.empty((height, width, 3), dtype=np.uint8)
    out[:] = color
    out.setflags(write=False)
    return out
