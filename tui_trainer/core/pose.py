"""Kept for code outside the repository: `Pose` lives in core/body/pose.py."""

from tui_trainer.core.body.pose import VISIBLE, Pose

__all__ = ["VISIBLE", "Pose"]
