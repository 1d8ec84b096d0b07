"""Judging one frame against a pose of the library: which variant and side it matches, its score,
and the per-joint evidence the verdict and the correction are both decided from.

For each variant of the pose (and, with sides="either", its mirror image) the score is
  100 x (1/2 bone similarity + 1/2 angle agreement)
  bone similarity   directions of the body's segments against the variant's template
                    (core/comparison/trainer_score.py: 3D turned about the vertical, plus 2D)
  angle agreement   exp(-m / 2), m = weighted mean of the squared excess of each angle beyond
                    its tolerance, in tolerances (0 while every angle is within its band)
The angles are the body angles (core/angles.body_points); a limb whose target is straight
counts as exact when it is straighter than the target. The best-scoring row wins.

A symmetric pose also scores the gap between the left and right angle of each paired joint
against the pair's tolerance (core/coaching/evidence.py). `far_off` (never PERFECT) and the
corrections come from the same deviations (core/coaching/evidence.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_NAMES
from tui_trainer.core.body.bones import stack_bones
from tui_trainer.core.body.pose import VISIBLE, Pose
from tui_trainer.core.coaching.evidence import Evidence, gather
from tui_trainer.core.coaching.feedback import Correction, swap_sides
from tui_trainer.core.comparison.scoring import (
    Comparison,
    Sides,
    angle_distance,
    coordinate_distance,
)
from tui_trainer.core.comparison.trainer_score import (
    ANGLE_SHARE,
    apply_focus,
    base_weights,
    bone_errors,
    bone_focus,
    similarity,
)
from tui_trainer.core.library.spec import AngleTarget, PoseSpec, Variant

_K = len(ANGLE_NAMES)
VARIANT_PRIOR = 2.0  # score points per e-fold of how much rarer a variant is


def _clip(distance: float) -> float:
    return float(np.clip(100.0 * (1.0 - distance), 0.0, 100.0))


@dataclass(frozen=True)
class Row:
    """One variant on one side, with its targets in the labels of the pose it is compared to."""

    variant: Variant
    mirrored: bool
    targets: dict[str, AngleTarget]
    form: PoseSpec  # the spec narrowed to this variant, as stored (unmirrored)


@dataclass(frozen=True)
class Judgement:
    row: Row
    score: float
    same_side_score: float  # the best unmirrored row's score
    comparison: Comparison
    deviation: dict[str, float]  # counted error per angle (0 for a straighter straight limb)
    evidence: Evidence

    @property
    def far_off(self) -> bool:
        return self.evidence.far_off

    @property
    def corrections(self) -> tuple[Correction, ...]:
        return self.evidence.corrections

    @property
    def off(self) -> frozenset[str]:
        return self.evidence.off

    @property
    def worst(self) -> Correction | None:
        return self.corrections[0] if self.corrections else None


def _mirror_targets(targets: dict[str, AngleTarget]) -> dict[str, AngleTarget]:
    return {
        n: replace(t, increase=swap_sides(t.increase), decrease=swap_sides(t.decrease))
        for n, t in targets.items()
    }


class PoseJudge:
    """Judges poses against every variant of one spec (both sides with sides="either")."""

    def __init__(self, spec: PoseSpec, sides: Sides = "either") -> None:
        if sides not in ("either", "same"):
            raise ValueError(f"sides: expected 'either' or 'same', got {sides!r}")
        self.spec = spec
        rows: list[Row] = []
        for v in spec.forms():
            form = replace(spec, template=v.template, angles=v.angles, variants=(v,))
            rows.append(Row(v, False, dict(v.angles), form))
        if sides == "either":
            for row in list(rows):
                m = row.variant.mirrored()
                rows.append(Row(m, True, _mirror_targets(m.angles), row.form))
        self.rows = tuple(rows)
        s = len(rows)
        self._target = np.full((s, _K), np.nan)
        self._tol = np.ones((s, _K))
        self._weight = np.zeros((s, _K))
        self._straight = np.zeros((s, _K), dtype=bool)
        for i, row in enumerate(rows):
            for name, t in row.targets.items():
                k = ANGLE_INDEX[name]
                self._target[i, k], self._tol[i, k] = t.target, max(t.tolerance, 1.0)
                self._weight[i, k], self._straight[i, k] = max(t.weight, 0.0), t.straight
        self._bones = stack_bones([row.variant.template.bones for row in rows])
        self._focus = np.stack(
            [bone_focus({n: t.weight for n, t in row.targets.items()}) for row in rows]
        )
        self._last: tuple[Pose, np.ndarray, np.ndarray] | None = None
        # Between forms that fit about equally, the commoner one: log of its share of photos.
        n = np.array([row.variant.n_samples for row in rows], dtype=np.float64)
        self.prior = VARIANT_PRIOR * np.log((n + 1.0) / (n.max() + 1.0))
        self._mirrored = np.array([row.mirrored for row in rows])
        self._same = np.flatnonzero(~self._mirrored)
        pairs = spec.pair_tolerance if spec.symmetric else {}
        self._left = np.array([ANGLE_INDEX[f"left_{j}"] for j in pairs], dtype=np.intp)
        self._right = np.array([ANGLE_INDEX[f"right_{j}"] for j in pairs], dtype=np.intp)
        self._pair_tol = np.array([max(t, 1.0) for t in pairs.values()])

    def _errors(self, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
        """(S, K) raw errors (actual - target) and counted deviations, kept for the last pose
        (scores() and judge() read the same frame)."""
        if self._last is not None and self._last[0] is pose:
            return self._last[1], self._last[2]
        err = pose.body_angles.values[None, :] - self._target
        dev = np.where(self._straight & (err > 0), 0.0, err)
        self._last = (pose, err, dev)
        return err, dev

    def deviations(self, pose: Pose) -> np.ndarray:
        """(S, K) counted errors, degrees (NaN where there is no target or no measurement)."""
        return self._errors(pose)[1]

    def scores(self, pose: Pose) -> np.ndarray:
        """(S,) 0..100 for every row."""
        raw, dev = self._errors(pose)
        conf = pose.body_angles.confidence
        w = self._weight * np.minimum(1.0, conf / VISIBLE)[None, :]
        ok = np.isfinite(dev) & (w > 0)
        w = np.where(ok, w, 0.0)
        excess = np.maximum(np.abs(np.where(ok, dev, 0.0)) - self._tol, 0.0) / self._tol
        sq = (w * excess**2).sum(axis=1)
        total = w.sum(axis=1)
        if self._left.size:
            # The left/right gap of each paired joint counts like one more angle.
            left, right, tol = self._left, self._right, self._pair_tol
            gap = np.abs(raw[:, left] - raw[:, right])
            seen = np.isfinite(gap) & (np.minimum(w[:, left], w[:, right]) > 0)
            pw = np.where(seen, np.maximum(w[:, left], w[:, right]), 0.0)
            pex = np.maximum(np.where(seen, gap, 0.0) - tol, 0.0) / tol
            sq, total = sq + (pw * pex**2).sum(axis=1), total + pw.sum(axis=1)
        mean_sq = sq / np.where(total > 0, total, 1.0)
        angle_sim = np.where(total > 0, np.exp(-0.5 * mean_sq), np.nan)
        base = base_weights(self._bones, pose)
        errors = bone_errors(self._bones, pose.bones, base)
        bone_sim = similarity(errors, apply_focus(base, self._focus))
        mixed = (1.0 - ANGLE_SHARE) * bone_sim + ANGLE_SHARE * angle_sim
        sim = np.where(np.isnan(angle_sim), bone_sim, mixed)
        return np.asarray(np.round(100.0 * sim, 9))

    def judge(
        self, pose: Pose, scores: np.ndarray | None = None, row: int | None = None
    ) -> Judgement:
        """The judgement against the best row (or the given one)."""
        sc = self.scores(pose) if scores is None else scores
        best = int(np.argmax(sc + self.prior)) if row is None else row
        same = sc[self._same]
        r = self.rows[best]
        dev = self.deviations(pose)[best].tolist()
        actual = pose.body_angles
        values = actual.values.tolist()
        angles: dict[str, tuple[float, float]] = {}
        errors: dict[str, float] = {}
        deviation: dict[str, float] = {}
        for name, t in r.targets.items():
            k = ANGLE_INDEX[name]
            a = values[k]
            angles[name] = (a, t.target)
            errors[name] = a - t.target
            deviation[name] = dev[k]
        confidence = dict(zip(ANGLE_NAMES, actual.confidence.tolist()))
        # The seed metrics compare the target as given, never its mirror image.
        same_best = float(same.max()) if same.size else None
        coord_d = coordinate_distance(r.form.template, pose)
        angle_d = angle_distance(r.form.template, pose)
        comparison = Comparison(
            score=float(sc[best]),
            coordinate_distance=coord_d,
            coordinate_score=_clip(coord_d),
            angle_distance=angle_d,
            angle_score=_clip(angle_d),
            mirrored=r.mirrored,
            angles=angles,
            errors=errors,
            confidence=confidence,
            same_side_score=same_best,
        )
        pairs = self.spec.pair_tolerance if self.spec.symmetric else None
        return Judgement(
            row=r,
            score=float(sc[best]),
            same_side_score=same_best if same_best is not None else float(sc[best]),
            comparison=comparison,
            deviation=deviation,
            evidence=gather(r.targets, deviation, errors, confidence, pairs),
        )
