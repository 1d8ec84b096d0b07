"""Building a pose (its variants, angle targets, tolerances and weights) from photos of people.

The same code builds the built-in library (scripts/build_builtin_poses.py) and the user's own
poses (`tui-trainer poses build`). Steps:

1. Sides: an asymmetric pose is mirrored so every photo shows the template side, the left (by
   its side rule, e.g. "the left knee is the more bent one", or else by whichever of the photo
   and its mirror image is closer to the others, the whole set then turned so its working side,
   the more bent knee or hip, is the left: the side its hints call "leading"). A symmetric pose
   counts every photo twice, as itself and as its mirror image, so its targets come out
   symmetric.
2. Variants: the photos are clustered on their joint angles (core/library/variants.py); each cluster
   becomes a variant. Variants declared for the pose (e.g. "hands at heart" for tree, given by
   the angles that define them) name the cluster they match; a declared variant no photo shows
   is made from the main one with its defining angles set (and its template's limbs bent so).
3. Per variant: template = robust mean of its photos' landmarks (library/templates.py), its
   limbs bent to the targets; per angle the target, tolerance, weight and whether a limb is
   straight from the photos (library/angle_targets.py); a limb the declared form holds straight
   stays straight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from tui_trainer.core.body.angles import ANGLE_MIRROR, ANGLE_NAMES
from tui_trainer.core.body.bend import bend_world
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.library.angle_targets import (
    AngleStats,
    angle_stats,
    angle_weights,
    is_straight,
    pair_tolerance,
    tolerance,
)
from tui_trainer.core.library.holds import working_side
from tui_trainer.core.library.naming import default_hints, describe_arms, slug
from tui_trainer.core.library.spec import AngleTarget, PoseSpec, Side, Variant
from tui_trainer.core.library.templates import mean_template, project_image, side_of
from tui_trainer.core.library.variants import (
    MIN_VARIANT_PHOTOS,
    assign_declared,
    distances,
    find_variants,
)

MIN_SAMPLES = 1


@dataclass(frozen=True)
class DeclaredVariant:
    """A form of the pose known beforehand, defined by a few angles: {angle: (target, tolerance
    or None)} (tolerance None: the main variant's, at least 15 degrees), with the hint phrases
    for this form ({angle: {"increase": ..., "decrease": ...}}, replacing the pose's)."""

    id: str
    name: str
    angles: Mapping[str, tuple[float, float | None]]
    hints: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def shown_side(poses: Sequence[Pose], side_rule: str | None) -> Side:
    """Which side photos of an asymmetric pose, all on one side, show: by the pose's side rule
    (most of them), or without one the working side of their median angles (holds.py)."""
    if side_rule is not None:
        votes = [side_of(p, side_rule) for p in poses]
        return "left" if 2 * votes.count("left") >= len(votes) else "right"
    median = np.nanmedian(np.stack([p.body_angles.values for p in poses]), axis=0)
    return "left" if working_side(median) == "left" else "right"


def resolve_sides(poses: Sequence[Pose], symmetric: bool, side_rule: str | None) -> list[Pose]:
    """Every photo on the template (left) side; a symmetric pose's photos and their mirrors."""
    if symmetric:
        return [q for p in poses for q in (p, p.mirrored())]
    if side_rule is not None:
        return [p if side_of(p, side_rule) == "left" else p.mirrored() for p in poses]
    # No rule: each photo as itself or mirrored, whichever is closer to the medoid photo...
    values = np.stack([p.body_angles.values for p in poses])
    flipped = values[:, ANGLE_MIRROR]
    dist = np.minimum(distances(values), _cross(values, flipped))
    ref = int(np.argmin(dist.sum(axis=1)))
    keep = _cross(values[[ref]], values)[0] <= _cross(values[[ref]], flipped)[0]
    aligned = [p if k else p.mirrored() for p, k in zip(poses, keep)]
    # ...then all on the left: the medoid may show the right side, and the hints and
    # for_side() take the built pose as the left side.
    if shown_side(aligned, None) == "right":
        return [p.mirrored() for p in aligned]
    return aligned


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from tui_trainer.core.library.variants import FEATURE_INDEX

    diff = np.abs(a[:, None, FEATURE_INDEX] - b[None, :, FEATURE_INDEX])
    return np.asarray(np.nanmean(np.where(np.isfinite(diff), diff, np.nan), axis=-1))


@dataclass
class _Group:
    poses: list[Pose]
    stats: dict[str, AngleStats]
    photos: int
    declared: DeclaredVariant | None = None


def _targets(
    stats: Mapping[str, AngleStats],
    others: Sequence[Mapping[str, float]],
    hints: Mapping[str, Mapping[str, str]] | None,
    symmetric: bool,
) -> dict[str, AngleTarget]:
    weights = angle_weights(stats, others)
    out: dict[str, AngleTarget] = {}
    for n in ANGLE_NAMES:
        st = stats.get(n)
        if st is None:
            continue
        h = {**default_hints(n, symmetric), **(hints or {}).get(n, {})}
        target = round(st.median, 1)
        out[n] = AngleTarget(
            target,
            round(tolerance(st), 1),
            weights[n],
            h.get("increase", ""),
            h.get("decrease", ""),
            is_straight(n, target),
        )
    return out


# Joints bent to their targets, parents first (bending a shoulder carries the elbow along).
_FIT_ORDER = tuple(
    f"{side}_{joint}"
    for joint in ("hip", "knee", "ankle", "shoulder", "elbow")
    for side in ("left", "right")
)


def fit_template(world: np.ndarray, vis: np.ndarray, targets: Mapping[str, float]) -> Pose:
    """The template skeleton with its limbs bent to the targets: the averaged skeleton's own
    angles are not the photos' median angles, and the figure shown (and the demo trainee, who
    copies it) should hold exactly the pose the coach asks for."""
    world = np.array(world, dtype=np.float64)
    vis = np.clip(vis, 0.0, 1.0)
    for name in _FIT_ORDER:
        target = targets.get(name)
        if target is None:
            continue
        for _ in range(4):  # body angles are not linear in the bend: a few steps
            current = Pose.from_arrays(project_image(world), world, vis).body_angles[name]
            delta = target - current
            if not np.isfinite(delta) or abs(delta) < 0.5:
                break
            world = bend_world(world, name, delta)
    return Pose.from_arrays(project_image(world), world, vis)


def _template(poses: Sequence[Pose], angles: Mapping[str, AngleTarget]) -> Pose:
    world, vis = mean_template(poses)
    return fit_template(world, vis, {n: t.target for n, t in angles.items()})


def _declared_straight(
    angles: dict[str, AngleTarget], d: DeclaredVariant
) -> dict[str, AngleTarget]:
    """A limb the declared form holds straight stays straight (straighter is never a fault)
    when its photos' median is bent: arms overhead are done with the palms together (elbows
    ~145) or apart and straight, and a teacher corrects neither."""
    out = dict(angles)
    for name, (target, _) in d.angles.items():
        t = out.get(name)
        if t is not None and not t.straight and is_straight(name, target):
            out[name] = replace(t, straight=True)
    return out


def _declared_form(main: Variant, d: DeclaredVariant) -> Variant:
    """A declared variant no photo shows: the main one with its defining angles set."""
    angles = dict(main.angles)
    for name, (target, tol) in d.angles.items():
        base = angles.get(name)
        tolerance_ = tol if tol is not None else max(base.tolerance if base else 0.0, 15.0)
        weight = base.weight if base else 0.5
        inc, dec = (base.increase, base.decrease) if base else ("", "")
        own = d.hints.get(name, {})
        inc, dec = own.get("increase", inc), own.get("decrease", dec)
        angles[name] = AngleTarget(target, tolerance_, weight, inc, dec, is_straight(name, target))
    targets = {n: t.target for n, t in angles.items()}
    template = fit_template(main.template.world, main.template.visibility, targets)
    return Variant(d.id, d.name, template, angles, 0)


def _groups(
    samples: list[Pose], photo_ids: np.ndarray, declared: Sequence[DeclaredVariant]
) -> list[_Group]:
    """Photos grouped by form: declared forms with enough photos, then clusters of the rest."""
    values = np.stack([p.body_angles.values for p in samples])
    which = assign_declared(values, [{n: t for n, (t, _) in d.angles.items()} for d in declared])
    groups: list[_Group] = []

    def add(mask: np.ndarray, form: DeclaredVariant | None) -> None:
        members = [p for p, m in zip(samples, mask) if m]
        groups.append(_Group(members, angle_stats(members), len(set(photo_ids[mask])), form))

    for d, form in enumerate(declared):
        mask = which == d
        if len(set(photo_ids[mask])) >= MIN_VARIANT_PHOTOS:
            add(mask, form)
    rest = np.flatnonzero(which == -1)
    if len(rest):
        labels = find_variants(values[rest], photo_ids[rest])
        for c in range(int(labels.max()) + 1):
            mask = np.zeros(len(samples), dtype=bool)
            mask[rest[labels == c]] = True
            if len(set(photo_ids[mask])) >= MIN_VARIANT_PHOTOS or not groups:
                add(mask, None)
    if not groups:  # a few photos, each of a declared form: learn from all of them
        add(np.ones(len(samples), dtype=bool), None)
    groups.sort(key=lambda g: -g.photos)
    return groups


# An elbow or knee this far from the usual form's target is held in another shape: the pose's
# phrases, written for the usual form, could point the wrong way there ("soften" a bent elbow),
# while "straighten" / "bend more" are right for a hinge whatever the pose. (Shoulder and hip
# phrases name directions in the pose's own terms, which plain words would lose.)
OTHER_SHAPE = 45.0
_HINGES = ("_elbow", "_knee")


def _found_form_words(
    angles: dict[str, AngleTarget],
    name: str,
    usual: Mapping[str, AngleTarget],
    form_hints: Mapping[str, Mapping[str, Mapping[str, str]]],
    symmetric: bool,
) -> dict[str, AngleTarget]:
    """A found form's phrases: a known form's words when it is named after one ("hands on hips"
    in goddess); plain ones for an elbow or knee held in another shape than the usual form."""
    known = form_hints.get(name, {}) if name else {}
    out = dict(angles)
    for n, t in angles.items():
        phrase = known.get(n)
        if phrase is None:
            u = usual.get(n)
            if not n.endswith(_HINGES) or u is None or abs(t.target - u.target) <= OTHER_SHAPE:
                continue
            phrase = default_hints(n, symmetric)
        inc, dec = phrase.get("increase", t.increase), phrase.get("decrease", t.decrease)
        out[n] = replace(t, increase=inc, decrease=dec)
    return out


def build_variants(
    poses: Sequence[Pose],
    *,
    symmetric: bool,
    side_rule: str | None,
    hints: Mapping[str, Mapping[str, str]] | None = None,
    others: Sequence[Mapping[str, float]] = (),
    declared: Sequence[DeclaredVariant] = (),
    forms: Sequence[int] | None = None,
    form_hints: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
) -> tuple[Variant, ...]:
    """The pose's variants (left side for asymmetric poses), the most common first.
    forms: the variant each pose shows (e.g. distinct holds of a video) instead of finding
    them. form_hints: {form name: hints} of known arm forms, for a found variant of that name."""
    samples = resolve_sides(poses, symmetric, side_rule)
    photo_ids = np.repeat(np.arange(len(poses)), 2) if symmetric else np.arange(len(poses))
    if forms is None:
        groups = _groups(samples, photo_ids, declared)
    else:
        labels = np.asarray(forms)[photo_ids]
        groups = []
        for c in np.unique(labels):
            members = [p for p, lab in zip(samples, labels) if lab == c]
            count = len(set(photo_ids[labels == c]))
            groups.append(_Group(members, angle_stats(members), count))
        groups.sort(key=lambda g: -g.photos)
    variants: list[Variant] = []
    used: set[str] = set()
    for i, g in enumerate(groups):
        own = {**(hints or {}), **(g.declared.hints if g.declared else {})}
        angles = _targets(g.stats, others, own, symmetric)
        if g.declared is not None:
            angles = _declared_straight(angles, g.declared)
            vid, name = g.declared.id, g.declared.name
        else:
            targets = {n: t.target for n, t in angles.items()}
            name = describe_arms(targets) if _on_the_feet(targets) else ""
            if len(groups) == 1 and not declared:
                name = ""
            vid = slug(name) if name else ("main" if i == 0 else f"form_{i + 1}")
            usual = variants[0].angles if variants else {}
            angles = _found_form_words(angles, name, usual, form_hints or {}, symmetric)
        while vid in used:
            vid += "_b"
        used.add(vid)
        variants.append(Variant(vid, name, _template(g.poses, angles), angles, g.photos))
    for d in declared:
        if d.id not in used:
            variants.append(_declared_form(variants[0], d))
            used.add(d.id)
    return tuple(variants)


def build_pose_spec(
    poses: Sequence[Pose],
    pose_id: str,
    name: str,
    *,
    sanskrit: str = "",
    cue: str = "",
    symmetric: bool = True,
    side_rule: str | None = None,
    template_side: Side = "left",
    hints: Mapping[str, Mapping[str, str]] | None = None,
    others: Sequence[Mapping[str, float]] = (),
    declared: Sequence[DeclaredVariant] = (),
    forms: Sequence[int] | None = None,
    form_hints: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
    source: str = "",
    builtin: bool = False,
    extra: Mapping[str, object] | None = None,
) -> PoseSpec:
    """A PoseSpec from photos of the pose.

    side_rule (asymmetric poses): how to tell the template side in a photo (see side_of); the
    pose is built for the left side and mirrored to `template_side` if that is "right".
    hints: {angle: {"increase": ..., "decrease": ...}}; others: target angles of other poses
    (for the weights' distinctiveness); declared: forms known beforehand (see DeclaredVariant);
    forms: which form each pose shows, when known (distinct holds of a video); form_hints:
    {form name: hints} for found forms named after a known one ("hands on hips").
    """
    if len(poses) < MIN_SAMPLES:
        raise ValueError("build_pose_spec: expected at least one pose")
    variants = build_variants(
        poses,
        symmetric=symmetric,
        side_rule=side_rule,
        hints=hints,
        others=others,
        declared=declared,
        forms=forms,
        form_hints=form_hints,
    )
    main = variants[0]
    spec = PoseSpec(
        id=pose_id,
        name=name,
        sanskrit=sanskrit,
        cue=cue,
        symmetric=symmetric,
        template=main.template,
        angles=main.angles,
        template_side="left",
        source=source,
        builtin=builtin,
        n_samples=len(poses),
        extra=dict(extra or {}),
        variants=variants,
        pair_tolerance=pair_tolerance(poses) if symmetric else {},
    )
    if not symmetric and template_side == "right":
        return spec.for_side("right")
    return replace(spec, template_side=template_side) if not symmetric else spec


def _on_the_feet(targets: Mapping[str, float]) -> bool:
    """Upright with a leg not folded: a pose whose arm forms have names ("hands on hips"). Sat
    with folded legs (bound angle), the arms reach for the feet and those names do not fit."""
    knee = max(targets.get("left_knee", 180.0), targets.get("right_knee", 180.0))
    return targets.get("trunk_lean", 0.0) < 30.0 and knee > 45.0


def target_table(spec: PoseSpec) -> list[dict[str, float]]:
    """Every variant's targets {angle: degrees} (what other poses are compared with)."""
    return [{n: t.target for n, t in v.angles.items()} for v in spec.forms()]
