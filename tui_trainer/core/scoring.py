"""Kept for code outside the repository: comparing two poses lives in
core/comparison/scoring.py (the seed metrics and `compare`)."""

from tui_trainer.core.comparison.scoring import (
    PERFECT_SCORE,
    Comparison,
    Sides,
    angle_distance,
    angle_score,
    compare,
    coordinate_distance,
    coordinate_score,
    keypoint_vector,
)

__all__ = [
    "PERFECT_SCORE",
    "Comparison",
    "Sides",
    "angle_distance",
    "angle_score",
    "compare",
    "coordinate_distance",
    "coordinate_score",
    "keypoint_vector",
]
