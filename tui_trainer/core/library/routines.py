"""Routines: named sequences of steps. Loaded from `routines/*.toml` (core/library/catalog.py does
the loading and validation); this module is the model.

A step is a hold (one pose, held for `hold_s` seconds in PERFECT) or a flow (a sequence of
poses paced by the breath, repeated for a number of rounds; core/coaching/flow.py runs it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_BREATH_S = 6.0  # one breath: a 3 s inhale and a 3 s exhale
MIN_BREATH_S, MAX_BREATH_S = 2.0, 30.0  # a flow's breath: one inhale and one exhale


@dataclass(frozen=True)
class FlowPose:
    pose_id: str
    side: str | None  # "left"/"right" for asymmetric poses, None for symmetric ones
    breaths: int  # whole breaths spent in the pose (each starts with an inhale)


@dataclass(frozen=True)
class Flow:
    name: str
    poses: tuple[FlowPose, ...]
    rounds: int
    breath_s: float = DEFAULT_BREATH_S

    @property
    def breaths_per_round(self) -> int:
        return sum(p.breaths for p in self.poses)

    @property
    def round_s(self) -> float:
        return self.breaths_per_round * self.breath_s

    @property
    def duration_s(self) -> float:
        return self.rounds * self.round_s

    @property
    def key(self) -> str:
        """The id a flow's results are kept under in the history ("flow:warrior_flow")."""
        slug = re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")
        return f"flow:{slug or 'flow'}"

    def label(self, side: str | None) -> str:
        return f"{self.name} ({side})" if side else self.name


@dataclass(frozen=True)
class Step:
    """A hold, or a flow when `flow` is set. For a flow, `pose_id` is the pose it starts in,
    `side` the side named on the step (None when it names none) and `hold_s` its length."""

    pose_id: str
    side: str | None  # "left"/"right" for asymmetric poses, None for symmetric ones
    hold_s: float
    rest_s: float
    instruction: str = ""
    flow: Flow | None = None
    variant: str | None = None  # one form of the pose required ("arms_overhead"), or any

    @property
    def pose_ids(self) -> tuple[str, ...]:
        """Every pose the step uses."""
        if self.flow is None:
            return (self.pose_id,)
        return tuple(dict.fromkeys(p.pose_id for p in self.flow.poses))


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
