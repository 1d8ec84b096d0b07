"""Kept for code outside the repository: the coach lives in core/coaching/coach.py."""

from tui_trainer.core.coaching.coach import (
    FIGHTING,
    PERFECT,
    CoachConfig,
    FrameResult,
    FrameScorer,
    VerdictTracker,
)

__all__ = ["FIGHTING", "PERFECT", "CoachConfig", "FrameResult", "FrameScorer", "VerdictTracker"]
