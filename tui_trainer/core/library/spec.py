"""A target pose of the library: template landmarks plus per-angle targets, tolerances, weights
and hint phrases. Loaded from `poses/*.toml` (core/library/catalog.py); this is the model.

A pose can have several accepted forms, its variants (tree with the hands at the heart or the
arms overhead): each has its own template and angle targets; the coach matches the closest.
`PoseSpec.template` / `.angles` are those of the first (main) variant.

Asymmetric poses (warrior II, tree...) are stored for one side (`template_side`); the other side
is the mirror image, with the angle names swapped (left_knee <-> right_knee) and the same hints
(hints speak of "front knee", "standing leg", so they hold on either side).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_MIRROR_NAME, ANGLE_NAMES
from tui_trainer.core.body.pose import Pose

Side = Literal["left", "right"]


@dataclass(frozen=True)
class AngleTarget:
    """One angle of a pose: target and tolerance in degrees, importance weight (0..1), and what to
    say when the actual angle is too small ("increase") or too large ("decrease").

    straight: the limb is meant to be straight (the target is near 180 degrees): straighter than
    the target is never a fault, and the limb is never told to soften (coaching/judging.py,
    coaching/evidence.py)."""

    target: float
    tolerance: float
    weight: float
    increase: str = ""
    decrease: str = ""
    straight: bool = False


def _mirror_angles(angles: dict[str, AngleTarget]) -> dict[str, AngleTarget]:
    return {ANGLE_MIRROR_NAME[n]: t for n, t in angles.items()}


@dataclass(frozen=True)
class Variant:
    """One accepted form of a pose ("hands at heart"): its template and angle targets."""

    id: str
    name: str  # said to the trainee: "Tree — hands at heart"
    template: Pose
    angles: dict[str, AngleTarget]
    n_samples: int = 0

    def mirrored(self) -> Variant:
        return replace(self, template=self.template.mirrored(), angles=_mirror_angles(self.angles))


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
    # Every accepted form, the main one first (its template and angles are the two above);
    # empty for a pose with one form.
    variants: tuple[Variant, ...] = ()
    # Symmetric poses: how far the left and right angle of a joint may differ ("elbow": 12.0).
    pair_tolerance: dict[str, float] = field(default_factory=dict)

    def forms(self) -> tuple[Variant, ...]:
        """The variants, or the pose itself as its one form."""
        if self.variants:
            return self.variants
        return (Variant("main", "", self.template, self.angles, self.n_samples),)

    def variant_ids(self) -> list[str]:
        return [v.id for v in self.variants]

    def with_variant(self, variant_id: str) -> PoseSpec:
        """This pose restricted to one of its variants (a routine step may require one)."""
        for v in self.variants:
            if v.id == variant_id:
                return replace(self, template=v.template, angles=v.angles, variants=(v,))
        known = ", ".join(self.variant_ids()) or "none"
        raise ValueError(f"pose {self.id!r} has no variant {variant_id!r} (variants: {known})")

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
        return replace(
            self,
            template=self.template.mirrored(),
            angles=_mirror_angles(self.angles),
            template_side=new_side,
            variants=tuple(v.mirrored() for v in self.variants),
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
