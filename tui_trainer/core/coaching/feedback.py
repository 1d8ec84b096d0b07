"""What the coach says: the one correction that matters most (in the pose's own words, sides
swapped for a mirrored match), framing messages, and per-angle readouts for display."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from tui_trainer.core.body.angles import ANGLE_LABELS, ANGLE_MIRROR_NAME
from tui_trainer.core.body.landmarks import BODY_INDEX, INDEX
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.comparison.scoring import Comparison
from tui_trainer.core.library.spec import AngleTarget, PoseSpec

NO_ONE = "no one in view: step in front of the camera"
FEET_OUT = "step back: your feet are out of view"
HEAD_OUT = "step back: your head is out of view"
CUT_LEFT = "move into the frame: you are cut off at the left edge"
CUT_RIGHT = "move into the frame: you are cut off at the right edge"
SIDEWAYS = "the picture is on its side: stand the camera upright"

_FEET = tuple(INDEX[n] for n in ("left_ankle", "right_ankle", "left_heel", "right_heel"))
_HEAD = tuple(INDEX[n] for n in ("nose", "left_ear", "right_ear"))
_BODY = tuple(BODY_INDEX.tolist())


@dataclass(frozen=True)
class Correction:
    angle: str
    text: str
    error: float  # actual - target, degrees
    excess: float  # |error| - tolerance, degrees


@dataclass(frozen=True)
class AngleReadout:
    """One angle of the current pose for display: value, target, tolerance, status."""

    name: str
    label: str
    actual: float  # NaN when not measurable
    target: float
    tolerance: float
    confidence: float
    straight: bool = False  # straighter than a straight target is fine

    @property
    def error(self) -> float:
        return self.actual - self.target

    @property
    def status(self) -> str:
        """ "in" within tolerance, "near" up to twice it, "out" beyond, "unknown" unseen."""
        if not np.isfinite(self.actual):
            return "unknown"
        if self.straight and self.error > 0:
            return "in"
        err = abs(self.error)
        if err <= self.tolerance:
            return "in"
        return "near" if err <= 2.0 * self.tolerance else "out"


def mirror_name(name: str) -> str:
    return ANGLE_MIRROR_NAME[name]


# A side of the body, not "a right angle" (90 degrees, which has no mirror image).
_SIDE_WORD = re.compile(r"\b(left|right|Left|Right)\b(?!\s+angles?\b)")
_OTHER_SIDE = {"left": "right", "right": "left", "Left": "Right", "Right": "Left"}


def swap_sides(text: str) -> str:
    """ "Bring your right arm down" -> "Bring your left arm down" (for a mirrored match)."""
    return _SIDE_WORD.sub(lambda m: _OTHER_SIDE[m.group(1)], text)


def matched_targets(spec: PoseSpec, comparison: Comparison | None) -> dict[str, AngleTarget]:
    """The spec's angle targets keyed like the comparison. When it matched the mirror image,
    names are swapped and so are the side words of the phrases ("front knee" needs nothing)."""
    if comparison is None or not comparison.mirrored:
        return dict(spec.angles)
    return {
        mirror_name(n): replace(t, increase=swap_sides(t.increase), decrease=swap_sides(t.decrease))
        for n, t in spec.angles.items()
    }


# Bars on the session screen: the pose's heaviest angles. Ten, because a pose's defining joint
# is not always among its eight heaviest (warrior II's bent front knee is its ninth).
BARS = 10


def keep_in_view(names: list[str], corrected: str | None, limit: int) -> list[str]:
    """`names` with the angle the current correction names among them: added while there is
    room for `limit`, else in place of the last (lightest) one. So "straighten your right leg"
    is never said of a joint the screen does not show."""
    if corrected is None or corrected in names:
        return names
    return [*names[: max(limit - 1, 0)], corrected]


def angle_readouts(
    spec: PoseSpec,
    comparison: Comparison | None,
    names: list[str] | None = None,
    corrected: str | None = None,
) -> list[AngleReadout]:
    """Readouts of the pose's important angles (or `names`), in the actual pose's labels.
    `corrected`: the angle the current correction names (trainee's labels); it always has a
    bar (keep_in_view; a mirrored match shows the mirror of the heavy side, not always it)."""
    targets = matched_targets(spec, comparison)
    wanted = names if names is not None else spec.important_angles(limit=BARS)
    if comparison is not None and comparison.mirrored:
        wanted = [mirror_name(n) for n in wanted]
    if corrected in targets:
        wanted = keep_in_view(wanted, corrected, BARS if names is None else len(names))
    out = []
    for name in wanted:
        at = targets.get(name)
        if at is None:
            continue
        actual, conf = float("nan"), 0.0
        if comparison is not None and name in comparison.angles:
            actual = comparison.angles[name][0]
            conf = comparison.confidence.get(name, 0.0)
            if conf < 0.3:
                actual = float("nan")
        out.append(
            AngleReadout(
                name, ANGLE_LABELS[name], actual, at.target, at.tolerance, conf, at.straight
            )
        )
    return out


def framing_message(pose: Pose | None, margin: float = 0.01) -> str | None:
    """Is the body in the picture? None when it is; otherwise what to do about it."""
    if pose is None:
        return NO_ONE
    # Plain Python over a few landmarks: a dozen numpy calls on 3-20 values cost more, and
    # this runs every frame.
    x, y = pose.image[:, 0].tolist(), pose.image[:, 1].tolist()
    seen = pose.visible.tolist()
    if not any(seen[i] for i in _FEET) or max(y[i] for i in _FEET) > 1.0 - margin:
        return FEET_OUT
    if not any(seen[i] for i in _HEAD) or min(y[i] for i in _HEAD) < margin:
        return HEAD_OUT
    xs = [x[i] for i in _BODY if seen[i]]
    if xs and min(xs) < margin:
        return CUT_LEFT
    if xs and max(xs) > 1.0 - margin:
        return CUT_RIGHT
    return None
