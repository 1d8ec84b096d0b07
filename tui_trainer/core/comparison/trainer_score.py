"""The trainer score (0..100): how close a performance is to a target, built to beat the seeds.

What it compares: the directions of 14 body segments ("bones": upper arms, forearms, thighs, shins,
feet, trunk, head, shoulder line, hip line). Directions do not depend on where the person stands,
how big they appear or how long their limbs are, so position, size and body proportions are
normalised away without any fitted constant.

Two views of each bone, averaged:
  3D  world landmarks (metres). The target is first turned about the vertical axis by the angle
      that best matches the performance (weighted least squares, closed form): facing the camera
      or the side does not matter, but orientation relative to gravity does (plank vs mountain).
  2D  aspect-corrected image landmarks. MediaPipe's depth is its weakest coordinate, the image
      plane its best, so the 2D directions add independent, more precise evidence. Allowed
      transform: a horizontal flip (exactly what a 180-degree turn looks like in a side view);
      no in-plane rotation, the camera is assumed upright.

Per bone, the direction error e (degrees) becomes a soft similarity s = exp(-(e / TAU)^2 / 2):
1 when aligned, 0.88 at 15 deg, 0.61 at TAU = 30 deg, ~0 beyond 90 deg. This saturating form is
the robust part: one wrong or badly estimated limb costs at most its share of the score instead
of dominating it. The score is 100 x the weighted mean of s over bones and the two views.

Bone weights = typical bone length x trust in the bone's landmarks: full from MediaPipe visibility
0.5 (pose.VISIBLE) up, falling linearly to 0 for landmarks out of view (the lower of target's and
performance's). Length because an angular error on a long bone moves the body more (error x
length ~ displacement). The lengths are round adult values in metres (as MediaPipe's world
landmarks measure them), not fitted to any data set.

With per-angle `weights` / `tolerances` (pose library): each bone is weighted by the largest weight
of the angles it takes part in, and half of the score becomes a soft per-angle term: full marks
within every angle's tolerance; beyond it, exp(-m/2) where m is the weighted mean of the squared
excess measured in tolerances (the weighted geometric mean of per-angle Gaussians), so a live
trainee with one important joint far off is not averaged into a high score.

Constants: TAU (one width for every bone; the benchmark's split tunes it on half the photos and
the result is flat between 25 and 35 deg), the bone lengths (anatomy), ANGLE_SHARE = 1/2 (the
two halves count equally when the library gives weights). Calibration: all bones off by 20 deg
gives ~80 (scoring.PERFECT_SCORE).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tui_trainer.core.body.angles import ANGLE_NAMES, ANGLE_USES
from tui_trainer.core.body.bones import (
    BONE_LENGTH,
    END_USES,
    START_USES,
    BoneFeatures,
    stack_bones,
)
from tui_trainer.core.body.pose import VISIBLE, Pose

TAU = 30.0  # degrees: width of the per-bone Gaussian similarity
ANGLE_SHARE = 0.5  # share of the per-angle term when the library gives weights / tolerances
DEFAULT_TOLERANCE = 15.0  # degrees: an angle's tolerance when the library gives none for it


def bone_errors(
    targets: Sequence[BoneFeatures] | BoneFeatures, actual: BoneFeatures, weight: np.ndarray
) -> np.ndarray:
    """(S, 3, B) direction errors in degrees for S targets (or targets stacked by stack_bones):
    3D after the best turn about the vertical axis, then 2D as is and 2D flipped horizontally.
    `weight` (S, B) weights the yaw fit.
    """
    stacked = targets if isinstance(targets, BoneFeatures) else stack_bones(targets)
    t = stacked.world  # (S, B, 3)
    a = actual.world
    # Turning t by theta about y: t.a becomes ty*ay + cos*(tx*ax + tz*az) + sin*(tx*az - tz*ax).
    c_term = t[..., 0] * a[:, 0] + t[..., 2] * a[:, 2]
    s_term = t[..., 0] * a[:, 2] - t[..., 2] * a[:, 0]
    # The best turn theta = atan2(y, x); its cosine and sine straight from x, y (no turn when
    # the fit is degenerate, as atan2(0, 0) = 0 gives).
    y, x = (weight * s_term).sum(axis=-1), (weight * c_term).sum(axis=-1)
    r = np.sqrt(x * x + y * y)
    ok = r > 0
    r = np.where(ok, r, 1.0)
    cos_t, sin_t = np.where(ok, x / r, 1.0)[:, None], (y / r)[:, None]
    cos3 = t[..., 1] * a[:, 1] + cos_t * c_term + sin_t * s_term
    ti = stacked.image  # (S, B, 2)
    xx, yy = ti[..., 0] * actual.image[:, 0], ti[..., 1] * actual.image[:, 1]
    cos = np.empty((t.shape[0], 3, t.shape[1]))
    cos[:, 0], cos[:, 1], cos[:, 2] = cos3, xx + yy, yy - xx
    return np.degrees(np.arccos(np.minimum(np.maximum(cos, -1.0), 1.0)))


def similarity(errors: np.ndarray, weight: np.ndarray, tau: float = TAU) -> np.ndarray:
    """(S,) 0..1 from bone_errors(): weighted mean similarity, 3D and (best flip of) 2D averaged."""
    total = weight.sum(axis=-1)
    sims = (np.exp(errors * errors * (-0.5 / tau**2)) * weight[:, None, :]).sum(axis=-1)  # (S, 3)
    sims = sims / np.where(total > 0, total, 1.0)[:, None]
    return np.asarray(0.5 * (sims[:, 0] + np.maximum(sims[:, 1], sims[:, 2])))


def _weight_vector(values: Mapping[str, float] | None, default: float) -> np.ndarray:
    if values is None:
        return np.full(len(ANGLE_NAMES), default)
    return np.array([float(values.get(n, default)) for n in ANGLE_NAMES])


def _trust(visibility: np.ndarray) -> np.ndarray:
    """Full weight from pose.VISIBLE (MediaPipe is confident) up, linearly less below it, 0 for
    landmarks out of view. Plain visibility weighting would also discount joints MediaPipe
    places well but rates 0.6-0.9 (often the far side of the body), and scores worse."""
    return np.asarray(np.minimum(1.0, visibility / VISIBLE))


def base_weights(targets: Sequence[Pose] | BoneFeatures, actual: Pose) -> np.ndarray:
    """(S, B) bone length x trust in the bone (the lower of the two poses', see _trust)."""
    if isinstance(targets, BoneFeatures):
        conf = targets.confidence
    else:
        conf = np.stack([t.bones.confidence for t in targets])
    return np.asarray(BONE_LENGTH * _trust(np.minimum(conf, actual.bones.confidence)))


def bone_focus(weights: Mapping[str, float]) -> np.ndarray:
    """(B,) each bone's largest weight among the angles it is part of (at both of its ends)."""
    angle_w = np.clip(_weight_vector(weights, 0.0), 0.0, None)
    landmark_w = np.max(np.where(ANGLE_USES, angle_w[:, None], 0.0), axis=0)  # (33,)
    start = np.max(np.where(START_USES, landmark_w, 0.0), axis=1)
    end = np.max(np.where(END_USES, landmark_w, 0.0), axis=1)
    return np.asarray(np.minimum(start, end))


def apply_focus(base: np.ndarray, focus: np.ndarray) -> np.ndarray:
    """base x focus (per row); a row whose focus touches no visible bone keeps base."""
    focused = base * focus
    # Weights that touch no visible bone: keep the plain weighting rather than score nothing.
    return np.asarray(np.where(focused.sum(axis=-1, keepdims=True) > 0.0, focused, base))


class BoneScorer:
    """similarity(bone_errors(...), apply_focus(base_weights(...), focus)) against fixed stacked
    targets, with everything that depends only on the targets prepared once and the steps fused
    (a coach scores every frame against the same rows: ~40 fewer small-array operations)."""

    def __init__(self, targets: BoneFeatures, focus: np.ndarray | None = None) -> None:
        t = targets.world
        self._tx, self._ty, self._tz = (np.ascontiguousarray(t[..., i]) for i in range(3))
        self._ix = np.ascontiguousarray(targets.image[..., 0])
        self._iy = np.ascontiguousarray(targets.image[..., 1])
        # trust(min(a, b)) = min(trust(a), trust(b)): the targets' half is fixed.
        self._target_weight = BONE_LENGTH * _trust(targets.confidence)
        self._focus = None if focus is None else np.asarray(focus, dtype=np.float64)

    def similarity(self, actual: BoneFeatures, tau: float = TAU) -> np.ndarray:
        """(S,) 0..1, as similarity() of the unfused steps."""
        a, ai = actual.world, actual.image
        weight = np.minimum(self._target_weight, BONE_LENGTH * _trust(actual.confidence))
        tx, ty, tz = self._tx, self._ty, self._tz
        c_term = tx * a[:, 0] + tz * a[:, 2]
        s_term = tx * a[:, 2] - tz * a[:, 0]
        y, x = (weight * s_term).sum(axis=-1), (weight * c_term).sum(axis=-1)
        r = np.sqrt(x * x + y * y)
        ok = r > 0
        r = np.where(ok, r, 1.0)
        cos_t, sin_t = np.where(ok, x / r, 1.0)[:, None], (y / r)[:, None]
        xx, yy = self._ix * ai[:, 0], self._iy * ai[:, 1]
        cos = np.empty((3, *tx.shape))
        cos[0] = ty * a[:, 1] + cos_t * c_term + sin_t * s_term
        cos[1] = xx + yy
        cos[2] = yy - xx
        err = np.degrees(np.arccos(np.minimum(np.maximum(cos, -1.0), 1.0)))
        if self._focus is not None:
            focused = weight * self._focus
            total = focused.sum(axis=-1)
            if (total > 0.0).all():  # the common case: no np.where per frame
                weight = focused
            else:
                weight = np.where(total[:, None] > 0.0, focused, weight)
                total = weight.sum(axis=-1)
        else:
            total = weight.sum(axis=-1)
        sims = (np.exp(err * err * (-0.5 / tau**2)) * weight).sum(axis=-1)  # (3, S)
        sims = sims / np.where(total > 0, total, 1.0)
        return np.asarray(0.5 * (sims[0] + np.maximum(sims[1], sims[2])))


def focus_weights(base: np.ndarray, weights: Mapping[str, float] | None) -> np.ndarray:
    """With library weights, each bone also gets the largest weight of the angles it is part of."""
    if weights is None:
        return base
    return apply_focus(base, bone_focus(weights))


def angle_similarity(
    targets: Sequence[Pose],
    actual: Pose,
    weights: Mapping[str, float] | None,
    tolerances: Mapping[str, float] | None,
) -> np.ndarray:
    """(S,) 0..1 soft per-angle agreement (3D angles), NaN where no angle is usable."""
    tv = np.stack([t.angles.values for t in targets])
    tc = np.stack([t.angles.confidence for t in targets])
    w = np.clip(_weight_vector(weights, 1.0 if weights is None else 0.0), 0.0, None)
    w = w * _trust(np.minimum(tc, actual.angles.confidence))
    tol = np.clip(_weight_vector(tolerances, DEFAULT_TOLERANCE), 0.0, None)
    diff = np.abs(actual.angles.values - tv)
    ok = np.isfinite(diff) & (w > 0)
    w = np.where(ok, w, 0.0)
    # Excess beyond the band, in units of the angle's own tolerance (how much people differ).
    excess = np.maximum(np.where(ok, diff, 0.0) - tol, 0.0) / np.maximum(tol, 1.0)
    total = w.sum(axis=-1)
    mean_sq = (w * excess**2).sum(axis=-1) / np.where(total > 0, total, 1.0)
    # A Gaussian of the weighted RMS excess = the weighted geometric mean of per-angle Gaussians:
    # one important joint far off pulls the score down instead of being averaged away.
    return np.where(total > 0, np.exp(-0.5 * mean_sq), np.nan)


def trainer_scores(
    targets: Sequence[Pose],
    actual: Pose,
    weights: Mapping[str, float] | None = None,
    tolerances: Mapping[str, float] | None = None,
) -> np.ndarray:
    """(S,) scores 0..100 of one performance against several targets at once (scoring.compare
    passes the target and its mirror image). Labels are taken as they are."""
    base = base_weights(targets, actual)
    # The turn about the vertical is fitted on the whole body, even when weights focus the score.
    errors = bone_errors([t.bones for t in targets], actual.bones, base)
    sim = similarity(errors, focus_weights(base, weights))
    if weights is not None or tolerances is not None:
        angle_sim = angle_similarity(targets, actual, weights, tolerances)
        mixed = (1.0 - ANGLE_SHARE) * sim + ANGLE_SHARE * angle_sim
        sim = np.where(np.isnan(angle_sim), sim, mixed)
    # arccos near 1 turns rounding into ~1e-6 degrees: round so identical poses give exactly 100.
    return np.asarray(np.round(100.0 * sim, 9))


def trainer_score(
    target: Pose,
    actual: Pose,
    weights: Mapping[str, float] | None = None,
    tolerances: Mapping[str, float] | None = None,
) -> float:
    """0..100; 100 for identical poses. Labels are taken as they are."""
    return float(trainer_scores([target], actual, weights, tolerances)[0])
