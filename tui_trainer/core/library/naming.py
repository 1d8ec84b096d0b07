"""Words for a pose being built: the plain hint phrases of an angle, and a name (and id) for a
form found in photos from its arm angles ("arms overhead")."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Generic hints by joint, for poses without hand-written ones: {joint: (increase, decrease)}.
_JOINT_HINTS = {
    "elbow": ("Straighten your {side} arm", "Bend your {side} elbow more"),
    "shoulder": ("Raise your {side} arm higher", "Lower your {side} arm"),
    "hip": ("Open your {side} hip, lift your chest", "Fold more at your {side} hip"),
    "hip_open": ("Open your {side} knee out to the side", "Draw your {side} knee in"),
    "knee": ("Straighten your {side} knee", "Bend your {side} knee more"),
    "ankle": ("Point your {side} foot", "Flex your {side} foot"),
    "trunk_lean": ("Lean your torso further", "Bring your torso more upright"),
    "leg_spread": ("Widen your legs", "Bring your legs closer together"),
    "neck": ("Lift your head in line with your spine", "Lower your chin slightly"),
}


def default_hints(angle: str, symmetric: bool = True) -> dict[str, str]:
    """Plain hint phrases for one angle. Asymmetric poses say "leading" for the template side and
    "trailing" for the other, so the phrases stay right when the pose is mirrored."""
    side, _, joint = angle.partition("_")
    if angle in _JOINT_HINTS or side not in ("left", "right"):
        inc, dec = _JOINT_HINTS.get(angle, ("Open your {side} joint", "Close your {side} joint"))
        word = ""
    else:
        inc, dec = _JOINT_HINTS.get(
            joint, ("Open your {side} " + joint, "Close your {side} " + joint)
        )
        word = side if symmetric else ("leading" if side == "left" else "trailing")
    return {"increase": inc.format(side=word), "decrease": dec.format(side=word)}


def describe_arms(targets: Mapping[str, float]) -> str:
    """A plain name for a form from its arm angles ("arms overhead"), or "" when the two arms
    differ or the angles are missing."""
    forms = []
    for side in ("left", "right"):
        sh, el = targets.get(f"{side}_shoulder"), targets.get(f"{side}_elbow")
        if sh is None or el is None:
            return ""
        if sh >= 135:
            forms.append("arms overhead")
        elif sh >= 60:
            forms.append("arms out" if el >= 130 else "arms bent out")
        elif el < 80:
            forms.append("hands at heart")
        elif el < 130:
            forms.append("hands on hips")
        else:
            forms.append("arms by the sides")
    return forms[0] if forms[0] == forms[1] else ""


def slug(name: str) -> str:
    """An id from a name: "arms overhead" -> "arms_overhead"."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return slug if slug and slug[0].isalpha() else f"form_{slug}"
