"""Building a pose template from several photos (or video frames) of people doing the pose.

The same code builds the built-in library (scripts/build_builtin_poses.py) and the user's own
poses (`tui-trainer poses build`). Steps:

1. Normalise every photo's world landmarks: centre on the body, unit RMS radius.
2. Resolve the side: an asymmetric pose is mirrored so that every photo shows the template side
   (by a side rule such as "the left knee is the more bent one", or else by whichever of the photo
   and its mirror image fits the reference better). A symmetric pose counts every photo twice, as
   itself and as its mirror image, so its template and targets come out symmetric.
3. Align to a reference by the best rotation about the vertical axis (facing direction).
4. Robust mean: start from the medoid, align all to it, drop outliers (residual above
   median + 3 MAD), average weighted by visibility, realign to the mean and repeat.
5. Per-angle target = median of the photos' 3D angles; tolerance = 1.5 robust std (MAD-based),
   clipped to [TOL_FLOOR, TOL_CAP]; weight, see `angle_weights`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from tui_trainer.core.angles import ANGLE_NAMES, angle_confidence, angles_from_points
from tui_trainer.core.landmarks import BODY_INDEX, INDEX
from tui_trainer.core.pose import VISIBLE, Pose
from tui_trainer.core.poses import AngleTarget, PoseSpec, Side

TOL_FLOOR = 8.0  # degrees: nobody holds a pose more precisely than this
TOL_CAP = 30.0  # degrees: beyond this the angle is not part of the pose
TOL_K = 1.5  # tolerance = TOL_K robust standard deviations
MIN_SAMPLES = 1
MEDOID_CANDIDATES = 80
# Side rules: "<how>:<joint>", the template side is the one where the rule holds.
SIDE_RULES = ("smaller_knee", "smaller_hip", "larger_knee", "lower_ankle")


@dataclass(frozen=True)
class AngleStats:
    """Spread of one angle over the aligned photos."""

    median: float
    robust_std: float
    confidence: float  # mean confidence (visibility) of the angle over the photos


def _normalise(world: np.ndarray) -> np.ndarray:
    pts = world - world[BODY_INDEX].mean(axis=0)
    scale = np.sqrt((pts[BODY_INDEX] ** 2).sum(axis=1).mean())
    return np.asarray(pts / max(float(scale), 1e-9))


def _yaw_rotate(pts: np.ndarray, theta: float) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    out = pts.copy()
    out[:, 0] = c * pts[:, 0] - s * pts[:, 2]
    out[:, 2] = s * pts[:, 0] + c * pts[:, 2]
    return out


def yaw_align(ref: np.ndarray, pts: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """pts rotated about the vertical axis to best fit ref (weighted), and the RMS residual."""
    a, b = ref[BODY_INDEX][:, [0, 2]], pts[BODY_INDEX][:, [0, 2]]
    wb = w[BODY_INDEX]
    s_cos = float((wb * (a * b).sum(axis=1)).sum())
    s_sin = float((wb * (a[:, 1] * b[:, 0] - a[:, 0] * b[:, 1])).sum())
    rot = _yaw_rotate(pts, float(np.arctan2(s_sin, s_cos)))
    d2 = ((rot[BODY_INDEX] - ref[BODY_INDEX]) ** 2).sum(axis=1)
    return rot, float(np.sqrt((wb * d2).sum() / max(float(wb.sum()), 1e-9)))


def side_of(pose: Pose, rule: str) -> Side:
    """Which side of the body a photo of an asymmetric pose shows, by the pose's side rule."""
    ang, world = pose.angles, pose.world
    if rule == "smaller_knee":
        return "left" if ang["left_knee"] <= ang["right_knee"] else "right"
    if rule == "larger_knee":
        return "left" if ang["left_knee"] >= ang["right_knee"] else "right"
    if rule == "smaller_hip":
        return "left" if ang["left_hip"] <= ang["right_hip"] else "right"
    if rule == "lower_ankle":  # y points down: the standing foot is the lower one
        return (
            "left" if world[INDEX["left_ankle"], 1] >= world[INDEX["right_ankle"], 1] else "right"
        )
    raise ValueError(f"side rule: expected one of {SIDE_RULES}, got {rule!r}")


@dataclass(frozen=True)
class _Sample:
    pts: np.ndarray  # (33, 3) normalised world points
    vis: np.ndarray  # (33,)
    scale: float  # RMS radius in metres of the original


def _samples(poses: Sequence[Pose], symmetric: bool, side_rule: str | None) -> list[_Sample]:
    out: list[_Sample] = []
    for pose in poses:
        variants = [pose, pose.mirrored()] if symmetric else [pose]
        if not symmetric and side_rule is not None and side_of(pose, side_rule) != "left":
            variants = [pose.mirrored()]
        for p in variants:
            c = p.world - p.world[BODY_INDEX].mean(axis=0)
            scale = float(np.sqrt((c[BODY_INDEX] ** 2).sum(axis=1).mean()))
            out.append(_Sample(_normalise(p.world), p.visibility.copy(), scale))
    return out


def _mirror_pts(pts: np.ndarray) -> np.ndarray:
    from tui_trainer.core.landmarks import MIRROR

    out = pts[MIRROR].copy()
    out[:, 0] = -out[:, 0]
    return out


def _align_all(
    ref: np.ndarray, samples: list[_Sample], free_mirror: bool
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Align every sample to ref; returns points, visibilities and residuals."""
    from tui_trainer.core.landmarks import MIRROR

    pts_out, vis_out, res = [], [], []
    for s in samples:
        best = yaw_align(ref, s.pts, s.vis)
        vis = s.vis
        if free_mirror:
            alt = yaw_align(ref, _mirror_pts(s.pts), s.vis[MIRROR])
            if alt[1] < best[1]:
                best, vis = alt, s.vis[MIRROR]
        pts_out.append(best[0])
        vis_out.append(vis)
        res.append(best[1])
    return pts_out, vis_out, np.array(res)


def robust_template(
    poses: Sequence[Pose], symmetric: bool, side_rule: str | None = None, iterations: int = 3
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """(world (33,3) in metres, visibility (33,), aligned inlier points, their visibilities)."""
    samples = _samples(poses, symmetric, side_rule)
    free_mirror = not symmetric and side_rule is None
    n = len(samples)
    # Medoid: the sample with the smallest total residual to all others (candidates evenly
    # spread over at most MEDOID_CANDIDATES samples, so a long video stays fast).
    candidates = np.unique(np.linspace(0, n - 1, min(n, MEDOID_CANDIDATES)).round().astype(int))
    cost = [_align_all(samples[i].pts, samples, free_mirror)[2].sum() for i in candidates]
    ref = samples[int(candidates[int(np.argmin(cost))])].pts
    inliers = np.ones(n, dtype=bool)
    aligned: list[np.ndarray] = []
    vis_all: list[np.ndarray] = []
    for _ in range(iterations):
        aligned, vis_all, res = _align_all(ref, samples, free_mirror)
        med = float(np.median(res))
        mad = float(np.median(np.abs(res - med))) * 1.4826
        inliers = res <= med + 3.0 * max(mad, 1e-6)
        stack = np.stack(aligned)[inliers]
        w = np.stack(vis_all)[inliers][:, :, None] + 1e-3
        mean = (stack * w).sum(axis=0) / w.sum(axis=0)
        # Keep the medoid's facing direction, so the template looks like a real photo's view.
        ref = yaw_align(ref, _normalise(mean), np.ones(len(mean)))[0]
    vis = np.median(np.stack(vis_all)[inliers], axis=0)
    scale = float(np.median([s.scale for s, ok in zip(samples, inliers) if ok]))
    world = ref * scale
    hips = (world[INDEX["left_hip"]] + world[INDEX["right_hip"]]) / 2.0
    keep = [i for i in range(n) if inliers[i]]
    return world - hips, vis, [aligned[i] for i in keep], [vis_all[i] for i in keep]


def project_image(world: np.ndarray) -> np.ndarray:
    """Image landmarks for a template: its world points seen by an orthographic camera, fitted
    into the unit square with a margin (templates have no photo of their own)."""
    body = world[BODY_INDEX]
    lo, hi = body[:, :2].min(axis=0), body[:, :2].max(axis=0)
    s = 0.8 / max(float((hi - lo).max()), 1e-9)
    centre = (lo + hi) / 2.0
    img = np.empty_like(world)
    img[:, :2] = 0.5 + (world[:, :2] - centre) * s
    img[:, 2] = world[:, 2] * s
    return img


def angle_stats(aligned: Sequence[np.ndarray], vis: Sequence[np.ndarray]) -> dict[str, AngleStats]:
    """Median and robust spread of every angle over aligned samples (visible ones when enough)."""
    values = angles_from_points(np.stack(aligned))  # (N, K)
    conf = angle_confidence(np.stack(vis))
    out: dict[str, AngleStats] = {}
    for k, name in enumerate(ANGLE_NAMES):
        col = values[:, k]
        good = np.isfinite(col) & (conf[:, k] >= VISIBLE)
        if good.sum() < 3:
            good = np.isfinite(col)
        v = col[good]
        if v.size == 0:
            continue
        med = float(np.median(v))
        mad = float(np.median(np.abs(v - med))) * 1.4826
        out[name] = AngleStats(med, mad, float(conf[:, k].mean()))
    return out


def angle_weights(
    stats: Mapping[str, AngleStats], others: Sequence[Mapping[str, float]] = ()
) -> dict[str, float]:
    """Which joints matter for this pose (0..1, the heaviest is 1).

    weight = consistency x distinctiveness x visibility, where
      consistency     = TOL_FLOOR / max(robust std, TOL_FLOOR)   (people agree on this angle)
      distinctiveness = 0.25 + 0.75 * min(1, median distance of the target from the same
                        angle's target in the other poses / 45 degrees)  (it tells poses apart;
                        without other poses it is 1)
      visibility      = mean confidence of the angle over the photos (0.3 floor)
    """
    raw: dict[str, float] = {}
    for name, st in stats.items():
        consistency = TOL_FLOOR / max(st.robust_std, TOL_FLOOR)
        dists = [abs(st.median - o[name]) for o in others if name in o]
        distinct = 1.0 if not dists else 0.25 + 0.75 * min(1.0, float(np.median(dists)) / 45.0)
        raw[name] = consistency * distinct * max(st.confidence, 0.3)
    top = max(raw.values(), default=1.0)
    return {n: round(w / top, 2) for n, w in raw.items()}


def tolerance(st: AngleStats) -> float:
    return float(np.clip(TOL_K * st.robust_std, TOL_FLOOR, TOL_CAP))


# Generic hints by joint, for poses without hand-written ones: {joint: (increase, decrease)}.
_JOINT_HINTS = {
    "elbow": ("Straighten your {side} arm", "Bend your {side} elbow more"),
    "shoulder": ("Raise your {side} arm higher", "Lower your {side} arm"),
    "hip": ("Open your {side} hip, lift your chest", "Fold more at your {side} hip"),
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
    source: str = "",
    builtin: bool = False,
    extra: Mapping[str, object] | None = None,
) -> PoseSpec:
    """A PoseSpec from photos of the pose.

    side_rule (asymmetric poses): how to tell the template side in a photo (see side_of); the
    template is built for the left side and mirrored to `template_side` if that is "right".
    Without a rule, photos are mirrored to match the medoid and the result counts as
    `template_side`.
    hints: {angle: {"increase": ..., "decrease": ...}}; others: target angles of other poses
    (for the weights' distinctiveness).
    """
    if len(poses) < MIN_SAMPLES:
        raise ValueError("build_pose_spec: expected at least one pose")
    world, vis, aligned, aligned_vis = robust_template(poses, symmetric, side_rule)
    stats = angle_stats(aligned, aligned_vis)
    weights = angle_weights(stats, others)
    angles: dict[str, AngleTarget] = {}
    for n, st in stats.items():
        h = {**default_hints(n, symmetric), **(hints or {}).get(n, {})}
        angles[n] = AngleTarget(
            round(st.median, 1),
            round(tolerance(st), 1),
            weights[n],
            h.get("increase", ""),
            h.get("decrease", ""),
        )
    template = Pose.from_arrays(project_image(world), world, np.clip(vis, 0.0, 1.0))
    spec = PoseSpec(
        id=pose_id,
        name=name,
        sanskrit=sanskrit,
        cue=cue,
        symmetric=symmetric,
        template=template,
        angles={n: angles[n] for n in ANGLE_NAMES if n in angles},
        template_side="left",
        source=source,
        builtin=builtin,
        n_samples=len(poses),
        extra=dict(extra or {}),
    )
    if not symmetric and side_rule is not None and template_side == "right":
        return spec.for_side("right")
    if not symmetric and side_rule is None:
        spec = replace(spec, template_side=template_side)
    return spec
