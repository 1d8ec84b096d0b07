"""A target pose of the library: template landmarks plus per-angle targets, tolerances, weights
and hint phrases. Loaded from `poses/*.toml` (see core/library.py); this module is the model.

Asymmetric poses (warrior II, tree...) are stored for one side (`template_side`); the other side
is the mirror image, with the angle names swapped (left_knee <-> right_knee) and the same hints
(hints speak of "front knee", "standing leg", so they hold on either side).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from tui_trainer.core.angles import ANGLE_INDEX, ANGLE_MIRROR, ANGLE_NAMES
from tui_trainer.core.pose import Pose

Side = Literal["left", "right"]


@dataclass(frozen=True)
class AngleTarget:
    """One angle of a pose: target and tolerance in degrees, importance weight (0..1), and what to
    say when the actual angle is too small ("increase") or too large ("decrease")."""

    target: float
    tolerance: float
    weight: float
    increase: str = ""
    decrease: str = ""

    def hint(self, error: float) -> str:
        """The phrase for a signed error (actual - target), or "" when within tolerance."""
        if abs(error) <= self.tolerance:
            return ""
        return self.increase if error < 0 else self.decrease


@dataclass(frozen=True)
class PoseSpec:
    id: str
    name: str  # English
    sanskrit: str
    cue: str  # one line said when the pose starts
    symmetric: bool
    template: Pose  # for `template_side` when asymmetric
    angles: dict[str, AngleTarget]  # angle name -> target, for `template_side`
    template_side: Side = "left"
    source: str = ""  # file it was loaded from
    builtin: bool = True
    n_samples: int = 0  # photos/frames the template was built from
    image: str | None = None  # optional reference photo (path relative to the pose file)
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def sides(self) -> tuple[Side, ...]:
        return () if self.symmetric else ("left", "right")

    def display_name(self, side: str | None = None) -> str:
        return self.name if side is None or self.symmetric else f"{self.name} ({side})"

    def for_side(self, side: str | None) -> PoseSpec:
        """This pose as performed on `side` (mirrored when it is not the template's side)."""
        if self.symmetric or side is None or side == self.template_side:
            return self
        new_side: Side = "left" if side == "left" else "right"
        if side != new_side:
            raise ValueError(f"side: expected 'left' or 'right', got {side!r}")
        swapped = {ANGLE_NAMES[ANGLE_MIRROR[ANGLE_INDEX[n]]]: t for n, t in self.angles.items()}
        return replace(
            self, template=self.template.mirrored(), angles=swapped, template_side=new_side
        )

    def weights(self) -> dict[str, float]:
        return {n: t.weight for n, t in self.angles.items()}

    def tolerances(self) -> dict[str, float]:
        return {n: t.tolerance for n, t in self.angles.items()}

    def important_angles(self, limit: int = 8, min_weight: float = 0.2) -> list[str]:
        """Angle names that matter most for this pose, heaviest first (for bars and hints)."""
        ranked = sorted(self.angles, key=lambda n: -self.angles[n].weight)
        return [n for n in ranked if self.angles[n].weight >= min_weight][:limit]

    def target_values(self) -> np.ndarray:
        """Targets in ANGLE_NAMES order (NaN where the pose has no target)."""
        out = np.full(len(ANGLE_NAMES), np.nan)
        for n, t in self.angles.items():
            out[ANGLE_INDEX[n]] = t.target
        return out
