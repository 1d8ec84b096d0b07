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
from tui_trainer.core.comparison.scoring import Comparison, SeedReference, Sides
from tui_trainer.core.comparison.trainer_score import ANGLE_SHARE, BoneScorer, bone_focus
from tui_trainer.core.library.spec import AngleTarget, PoseSpec, Variant

_K = len(ANGLE_NAMES)
VARIANT_PRIOR = 2.0  # score points per e-fold of how much rarer a variant is


def _clip(distance: float) -> float:
    return min(max(100.0 * (1.0 - distance), 0.0), 100.0)


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
        self._seeds = [SeedReference(row.form.template) for row in rows]
        # Per row (name, index, target, straight): judge() reads one row in plain Python.
        self._items = [
            [(n, ANGLE_INDEX[n], t.target, t.straight) for n, t in row.targets.items()]
            for row in rows
        ]
        focus = [bone_focus({n: t.weight for n, t in row.targets.items()}) for row in rows]
        self._bone_scorer = BoneScorer(
            stack_bones([row.variant.template.bones for row in rows]), np.stack(focus)
        )
        # Between forms that fit about equally, the commoner one: log of its share of photos.
        n = np.array([row.variant.n_samples for row in rows], dtype=np.float64)
        self.prior = VARIANT_PRIOR * np.log((n + 1.0) / (n.max() + 1.0))
        self._mirrored = np.array([row.mirrored for row in rows])
        self._same = np.flatnonzero(~self._mirrored)
        self._prepare_agreement(spec.pair_tolerance if spec.symmetric else {})

    def _prepare_agreement(self, pairs: dict[str, float]) -> None:
        """The angle agreement as one pass over K + P columns: the K angles, then the left-right
        gap of each of the P paired joints of a symmetric pose (a gap is an angle of its own:
        target = the targets' gap, tolerance = the pair's, weight = the heavier side's, trust =
        the less seen side's). Prepared once; NaN targets become weight 0."""
        left = [ANGLE_INDEX[f"left_{j}"] for j in pairs]
        right = [ANGLE_INDEX[f"right_{j}"] for j in pairs]
        k, p = _K, len(pairs)
        self._gap_map = np.zeros((k, k + p))  # values @ map: the angles, then the gaps
        self._gap_map[np.arange(k), np.arange(k)] = 1.0
        self._gap_map[left, k + np.arange(p)] = 1.0
        self._gap_map[right, k + np.arange(p)] = -1.0
        self._trust_a = np.array(list(range(k)) + left, dtype=np.intp)
        self._trust_b = np.array(list(range(k)) + right, dtype=np.intp)
        has = np.isfinite(self._target)
        target = np.where(has, self._target, 0.0)
        weight = np.where(has, self._weight, 0.0)
        pair_weight = np.where(
            (weight[:, left] > 0) & (weight[:, right] > 0),
            np.maximum(weight[:, left], weight[:, right]),
            0.0,
        )
        self._agree_target = np.hstack([target, target[:, left] - target[:, right]])
        self._agree_weight = np.hstack([weight, pair_weight])
        pair_tol = np.tile([max(t, 1.0) for t in pairs.values()], (len(target), 1))
        tol = np.hstack([self._tol, pair_tol.reshape(len(target), p)])
        self._agree_inv_tol = 1.0 / tol
        self._agree_straight = np.hstack([self._straight, np.zeros((len(target), p), dtype=bool)])

    def deviations(self, pose: Pose) -> np.ndarray:
        """(S, K) counted errors, degrees (NaN where there is no target or no measurement): the
        error actual - target, 0 for a straight limb straighter than its straight target."""
        err = pose.body_angles.values[None, :] - self._target
        return np.where(self._straight & (err > 0), 0.0, err)

    def scores(self, pose: Pose) -> np.ndarray:
        """(S,) 0..100 for every row."""
        angles = pose.body_angles
        seen = np.isfinite(angles.values)
        trust = np.minimum(1.0, angles.confidence / VISIBLE) * seen
        trust = np.minimum(trust[self._trust_a], trust[self._trust_b])
        err = np.where(seen, angles.values, 0.0) @ self._gap_map - self._agree_target
        dev = np.where(self._agree_straight & (err > 0), 0.0, err)
        excess = np.maximum(np.abs(dev) * self._agree_inv_tol - 1.0, 0.0)
        w = self._agree_weight * trust
        total = w.sum(axis=1)
        bone_sim = self._bone_scorer.similarity(pose.bones)
        if (total > 0).all():  # the common case: every row has a usable angle
            angle_sim = np.exp((w * excess * excess).sum(axis=1) * (-0.5) / total)
            sim = (1.0 - ANGLE_SHARE) * bone_sim + ANGLE_SHARE * angle_sim
        else:
            mean_sq = (w * excess * excess).sum(axis=1) / np.where(total > 0, total, 1.0)
            angle_sim = np.where(total > 0, np.exp(-0.5 * mean_sq), np.nan)
            mixed = (1.0 - ANGLE_SHARE) * bone_sim + ANGLE_SHARE * angle_sim
            sim = np.where(np.isnan(angle_sim), bone_sim, mixed)
        return np.asarray(np.rint(sim * 1e11) / 1e9)  # np.round(100 sim, 9), without its wrapper

    def judge(
        self, pose: Pose, scores: np.ndarray | None = None, row: int | None = None
    ) -> Judgement:
        """The judgement against the best row (or the given one)."""
        sc = self.scores(pose) if scores is None else scores
        best = int(np.argmax(sc + self.prior)) if row is None else row
        same = sc[self._same]
        r = self.rows[best]
        actual = pose.body_angles
        values = actual.values.tolist()
        angles: dict[str, tuple[float, float]] = {}
        errors: dict[str, float] = {}
        deviation: dict[str, float] = {}
        for name, k, target, straight in self._items[best]:  # as deviations(), for one row
            a = values[k]
            e = a - target
            angles[name] = (a, target)
            errors[name] = e
            deviation[name] = 0.0 if straight and e > 0 else e
        confidence = dict(zip(ANGLE_NAMES, actual.confidence.tolist()))
        # The seed metrics compare the target as given, never its mirror image.
        same_best = float(same.max()) if same.size else None
        seeds = self._seeds[best]
        coord_d = seeds.coordinate_distance(pose)
        angle_d = seeds.angle_distance(pose)
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
