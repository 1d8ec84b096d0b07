"""Per-joint evidence: which joints are off, which one is far off, and the correction to give.

The verdict (never PERFECT with an important joint far off) and the correction (the joint that
matters most) are read from the same deviations, so they cannot disagree.

Joints: a deviation is the angle's error against its target, 0 for a straight limb that is
straighter than its straight target. It is *off* beyond its tolerance; *far off* at
GATE_TOLERANCES tolerances or GATE_DEGREES degrees, for an important angle (weight >=
GATE_WEIGHT) that MediaPipe sees well enough to judge (not a weak angle).

Pairs (symmetric poses): both sides of the body should match, so the difference between the
left and right angle of a joint has its own tolerance (how much people's two sides differ). A
one-sided error shows there first: one arm 35 degrees lower than the other is far off even when
each arm alone is within its band. The correction then names the side that is further from its
own target, and never a straight limb to soften: an arm straighter than the other is matched
by straightening the other.

Ranking, the way a teacher corrects: far-off joints first (they are why the pose is not held),
then by excess beyond the tolerance in degrees x weight x trust in the measurement.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from tui_trainer.core.body.angles import ANGLE_LABELS, WEAK_ANGLES
from tui_trainer.core.body.pose import VISIBLE
from tui_trainer.core.coaching.feedback import Correction
from tui_trainer.core.library.spec import AngleTarget

GATE_WEIGHT = 0.4  # an angle this heavy is important: far off, the pose is not held
GATE_TOLERANCES = 2.0
GATE_DEGREES = 30.0
# MediaPipe still places a joint it cannot see well (the far arm in a side view) from the rest
# of the body, well enough to judge; below this it is a guess.
MIN_CONFIDENCE = 0.2
_FAR_FIRST = 1000.0
_NAN = float("nan")


@dataclass(frozen=True)
class Evidence:
    far_off: bool
    corrections: tuple[Correction, ...]  # out-of-tolerance joints, the one to say first first
    off: frozenset[str]  # angles beyond their tolerance (seen well enough)


def far_limit(tolerance: float) -> float:
    """Degrees from which an important angle is far off."""
    return min(GATE_TOLERANCES * tolerance, GATE_DEGREES)


def _trust(confidence: float) -> float:
    return min(1.0, confidence / VISIBLE)


def _phrase(name: str, t: AngleTarget, error: float) -> str:
    text = t.increase if error < 0 else t.decrease
    if text:
        return text
    label = ANGLE_LABELS.get(name, name).lower()
    return f"open your {label} more" if error < 0 else f"bend your {label} more"


def gather(
    targets: Mapping[str, AngleTarget],
    deviation: Mapping[str, float],
    errors: Mapping[str, float],
    confidence: Mapping[str, float],
    pair_tolerance: Mapping[str, float] | None = None,
) -> Evidence:
    """Evidence from one frame's deviations (counted), errors (actual - target, raw) and
    confidences, all in the trainee's labels; pair_tolerance: {joint: degrees} of a symmetric
    pose ("elbow": 12.0), or None."""
    far = False
    ranked: dict[str, tuple[float, Correction]] = {}
    off: set[str] = set()
    for name, t in targets.items():
        d, conf = deviation.get(name, _NAN), confidence.get(name, 0.0)
        if not math.isfinite(d) or conf < MIN_CONFIDENCE:
            continue
        excess = abs(d) - t.tolerance
        if excess <= 0:
            continue
        off.add(name)
        is_far = (
            t.weight >= GATE_WEIGHT and name not in WEAK_ANGLES and abs(d) >= far_limit(t.tolerance)
        )
        far = far or is_far
        if t.weight > 0:
            value = excess * t.weight * _trust(conf) + (_FAR_FIRST if is_far else 0.0)
            ranked[name] = (value, Correction(name, _phrase(name, t, d), d, excess))
    for joint, tol in (pair_tolerance or {}).items():
        pair = _pair(joint, targets, deviation, errors, confidence, tol)
        if pair is None:
            continue
        is_far, value, correction = pair
        far = far or is_far
        off.add(correction.angle)
        if value > ranked.get(correction.angle, (-1.0,))[0]:
            ranked[correction.angle] = (value, correction)
    order = sorted(ranked.values(), key=lambda item: -item[0])
    return Evidence(far, tuple(c for _, c in order), frozenset(off))


def _pair(
    joint: str,
    targets: Mapping[str, AngleTarget],
    deviation: Mapping[str, float],
    errors: Mapping[str, float],
    confidence: Mapping[str, float],
    tolerance: float,
) -> tuple[bool, float, Correction] | None:
    """(far off, rank value, correction) when the two sides of `joint` differ beyond the pair's
    tolerance; None otherwise."""
    left, right = f"left_{joint}", f"right_{joint}"
    if left not in targets or right not in targets:
        return None
    el, er = errors.get(left, _NAN), errors.get(right, _NAN)
    cl, cr = confidence.get(left, 0.0), confidence.get(right, 0.0)
    if not (math.isfinite(el) and math.isfinite(er)) or min(cl, cr) < MIN_CONFIDENCE:
        return None
    gap = el - er  # > 0: the left angle is larger than the right one, beyond the targets' gap
    excess = abs(gap) - tolerance
    if excess <= 0:
        return None
    tl, tr = targets[left], targets[right]
    weight = max(tl.weight, tr.weight)
    is_far = weight >= GATE_WEIGHT and abs(gap) >= far_limit(tolerance)
    # Name a side whose own error points the way the gap does (so "lower your left arm" is
    # said of an arm that is above its target), the one further from its target if both do.
    # A straight limb is never told to soften: the other side is told to straighten to match.
    dl, dr = deviation.get(left, el), deviation.get(right, er)
    sides = [
        (abs(dl) / tl.tolerance, left, tl, gap, el),
        (abs(dr) / tr.tolerance, right, tr, -gap, er),
    ]
    sides = [s for s in sides if not (s[2].straight and s[3] > 0)]  # one side at most
    agreeing = [s for s in sides if s[4] * s[3] > 0] or sides
    _, name, t, move, _ = max(agreeing, key=lambda s: s[0])
    correction = Correction(name, _phrase(name, t, move), move, excess)
    value = excess * weight * _trust(min(cl, cr)) + (_FAR_FIRST if is_far else 0.0)
    return is_far, value, correction
