"""Routines: named sequences of pose steps. Loaded from `routines/*.toml` (core/library.py
does the loading and validation); this module is the model."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    pose_id: str
    side: str | None  # "left"/"right" for asymmetric poses, None for symmetric ones
    hold_s: float
    rest_s: float
    instruction: str = ""
    variant: str | None = None  # one form of the pose required ("arms_overhead"), or any


@dataclass(frozen=True)
class Routine:
    id: str
    name: str
    level: str  # "beginner", "intermediate", "advanced"
    description: str
    steps: tuple[Step, ...]
    source: str = ""
    builtin: bool = True

    @property
    def total_s(self) -> float:
        return sum(s.hold_s + s.rest_s for s in self.steps)
