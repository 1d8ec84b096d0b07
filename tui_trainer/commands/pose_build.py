"""`tui-trainer poses build`: a pose of your own from photos or a video of someone doing it.

From a video only the held stretches are used (core/library/holds.py): stepping in, adjusting and
stepping out are left out, and so is plain standing when the video has other holds. Distinct
holds become variants; a pose whose holds are not left/right symmetric gets two sides, and the
side the video shows is found from the working (more bent) leg.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_trainer.core.body.pose import Pose
    from tui_trainer.core.motion.compare import LandmarkTrack


def add_parser(sub: Any) -> None:
    build = sub.add_parser(
        "build",
        help="make a pose from your own photos or a video",
        description="Build a pose file from photos (or a video) of someone doing the pose, with "
        "the same code that built the library, and save it to your config dir. If ID is a "
        "built-in pose, its names, side rule and hints are reused and your pose overrides it. "
        "From a video, only the stretches where the person holds still are used; distinct holds "
        "become variants of the pose.",
    )
    build.add_argument("pose_id", metavar="ID", help="pose id: lower-case letters, digits, _")
    build.add_argument("images", metavar="IMAGE", nargs="*", help="photos of the pose")
    build.add_argument("--video", metavar="FILE", help="take the held stretches of a video")
    build.add_argument(
        "--every", type=int, default=5, metavar="N", help="video: use every N-th held frame (5)"
    )
    build.add_argument("--from", dest="t_from", type=float, metavar="SEC", help="video: start")
    build.add_argument("--to", dest="t_to", type=float, metavar="SEC", help="video: end")
    build.add_argument("--name", help="English name (default: from the id)")
    build.add_argument("--sanskrit", default=None, help="Sanskrit name")
    build.add_argument("--cue", default=None, help="one-line cue said when the pose starts")
    build.add_argument(
        "--asymmetric",
        action="store_true",
        help="the pose has a left and a right side (a video tells this by itself)",
    )
    build.add_argument(
        "--side",
        choices=("left", "right"),
        default=None,
        help="side the photos show (default: left; a video tells this by itself)",
    )
    build.add_argument("--force", action="store_true", help="overwrite an existing user pose")
    build.set_defaults(handler=run_build)


def _poses_from_images(paths: list[str]) -> list[Pose]:
    from tui_trainer.core.errors import NoPersonFound
    from tui_trainer.io.estimator import PoseEstimator
    from tui_trainer.io.images import read_image

    images = [(p, read_image(p)) for p in paths]  # fail early on a missing/unreadable file
    poses: list[Pose] = []
    with PoseEstimator("image") as est:
        for path, image in images:
            pose = est.process(image)
            if pose is None:
                print(f"tui-trainer: warning: {path}: no person found, skipped", file=sys.stderr)
            else:
                poses.append(pose)
    if not poses:
        raise NoPersonFound(f"no person found in any of the {len(paths)} image(s)")
    return poses


class VideoPick:
    """The frames of a video's holds, which form each shows, and what was used and left out."""

    def __init__(self, poses: list[Pose], forms: list[int], report: list[str]) -> None:
        self.poses, self.forms, self.report = poses, forms, report
        self.asymmetric = False
        self.first_hold: list[Pose] = []  # the first hold's frames: the side the video shows


def _span(a: float, b: float) -> str:
    return f"{a:.1f}–{b:.1f} s"


def pick_from_track(
    track: LandmarkTrack, every: int, t_from: float | None, t_to: float | None, path: str
) -> VideoPick:
    """The held frames of a landmark track (every N-th), grouped by distinct hold."""
    import numpy as np

    from tui_trainer.core.body.angles import ANGLE_NAMES
    from tui_trainer.core.errors import NoPersonFound
    from tui_trainer.core.library.holds import (
        ASYMMETRIC_DEG,
        Hold,
        asymmetry,
        find_holds,
        group_holds,
        hold_angles,
        is_standing,
    )

    frames = track.frames()
    times = np.array([t for t, _ in frames])
    lo = t_from if t_from is not None else -np.inf
    hi = t_to if t_to is not None else np.inf
    inside = (times >= lo) & (times <= hi)
    poses = [p if ok else None for (_, p), ok in zip(frames, inside)]
    if not any(p is not None for p in poses):
        raise NoPersonFound(f"{path}: no person found in {_span(max(lo, 0.0), min(hi, times[-1]))}")
    angles = np.array(
        [
            p.body_angles.values if p is not None else np.full(len(ANGLE_NAMES), np.nan)
            for p in poses
        ]
    )
    present = np.array([p is not None for p in poses])
    holds = find_holds(times, angles, present)
    report: list[str] = []
    if not holds:
        if t_from is None and t_to is None:
            raise NoPersonFound(
                f"{path}: no held stretch found (nobody holds still for a second or more); "
                "choose the part with --from/--to"
            )
        idx = np.flatnonzero(present)
        holds = [Hold(int(idx[0]), int(idx[-1]) + 1, float(times[idx[0]]), float(times[idx[-1]]))]
        report.append("no hold found in the chosen part: used all of it")
    means = [hold_angles(angles, h) for h in holds]
    standing = [is_standing(m) for m in means]
    keep = [i for i in range(len(holds)) if not standing[i]] or list(range(len(holds)))
    left_out = [i for i in range(len(holds)) if i not in keep]
    labels, _ = group_holds([means[i] for i in keep])
    pick_poses: list[Pose] = []
    forms: list[int] = []
    first_hold: list[Pose] = []
    for lab, i in zip(labels, keep):
        h = holds[i]
        chosen = [p for p in poses[h.start : h.stop : max(every, 1)] if p is not None]
        first_hold = first_hold or chosen
        pick_poses += chosen
        forms += [lab] * len(chosen)
        report.append(f"used hold {_span(h.t0, h.t1)} ({h.frames} frames, form {lab + 1})")
    for i in left_out:
        report.append(f"left out {_span(holds[i].t0, holds[i].t1)} (standing)")
    pick = VideoPick(pick_poses, forms, report)
    asym = float(np.median([asymmetry(means[i]) for i in keep]))
    pick.asymmetric = asym >= ASYMMETRIC_DEG
    pick.first_hold = first_hold
    return pick


def _library_context(pose_id: str) -> tuple[Any, Any, list[dict[str, float]]]:
    from tui_trainer.commands.library_files import load_library

    lib = load_library()
    base = lib.get(pose_id) if pose_id in lib else None
    others = [
        {n: t.target for n, t in v.angles.items()}
        for s in (lib.get(i) for i in lib.ids())
        if s.id != pose_id
        for v in s.forms()
    ]
    return lib, base, others


def run_build(args: argparse.Namespace) -> int:
    from tui_trainer.core.errors import InputFileError, TrainerError
    from tui_trainer.core.library import user_dir
    from tui_trainer.core.library.builder import build_pose_spec, shown_side
    from tui_trainer.core.library.pose_file import format_pose, valid_id

    if not valid_id(args.pose_id):
        raise TrainerError(
            f"pose id {args.pose_id!r}: expected lower-case letters, digits and '_', "
            "starting with a letter"
        )
    if bool(args.images) == bool(args.video):
        raise TrainerError("poses build: give either IMAGE files or --video FILE (not both)")
    if args.every < 1:
        raise TrainerError(f"--every: expected a positive number of frames, got {args.every}")
    if not args.video and (args.t_from is not None or args.t_to is not None):
        raise TrainerError("--from/--to: only with --video")
    if args.t_from is not None and args.t_to is not None and args.t_to <= args.t_from:
        raise TrainerError(f"--to {args.t_to:g}: expected a time after --from {args.t_from:g}")
    out = user_dir("poses") / f"{args.pose_id}.toml"
    if out.exists() and not args.force:
        raise InputFileError(f"{out}: a pose with this id exists; use --force to replace it")

    _lib, base, others = _library_context(args.pose_id)
    forms: list[int] | None = None
    first_hold: list[Pose] = []
    video_asymmetric = False
    if args.video:
        from tui_trainer.io.recording import load_track

        if not Path(args.video).is_file():
            raise InputFileError(f"{args.video}: no such video file")
        track = load_track(args.video)
        pick = pick_from_track(track, args.every, args.t_from, args.t_to, args.video)
        for line in pick.report:
            print(line, file=sys.stderr)
        poses, forms = pick.poses, pick.forms
        video_asymmetric, first_hold = pick.asymmetric, pick.first_hold
    else:
        poses = _poses_from_images(args.images)
    # --asymmetric wins; then an existing pose of this id, then what the video shows.
    if args.asymmetric:
        symmetric = False
    elif base is not None:
        symmetric = base.symmetric
    else:
        symmetric = not video_asymmetric
    named = base  # names and cue carry over even if the sides change
    if base is not None and base.symmetric != symmetric:
        base = None  # its side rule and left/right hints do not fit
    rule = base.extra.get("side_rule") if base is not None else None
    side_rule = rule if isinstance(rule, str) else None
    hints = (
        {n: {"increase": t.increase, "decrease": t.decrease} for n, t in base.angles.items()}
        if base is not None and base.template_side == "left"
        else None
    )
    # The side the video shows, told the way the pose tells its sides (its side rule, e.g. the
    # standing leg of a tree), so the pose is stored for that side.
    detected_side = shown_side(first_hold, side_rule) if first_hold and not symmetric else None
    side = args.side or detected_side or "left"
    if args.video and not symmetric:
        print(f"asymmetric pose; the video shows the {side} side", file=sys.stderr)
    extra = {k: v for k, v in (base.extra if base else {}).items() if isinstance(v, str)}
    spec = build_pose_spec(
        poses,
        args.pose_id,
        args.name or (named.name if named else args.pose_id.replace("_", " ").title()),
        sanskrit=args.sanskrit if args.sanskrit is not None else (named.sanskrit if named else ""),
        cue=args.cue if args.cue is not None else (named.cue if named else ""),
        symmetric=symmetric,
        side_rule=side_rule,
        template_side="left" if side == "left" else "right",
        hints=hints,
        others=others,
        forms=forms,
        source=str(out),
        builtin=False,
        extra=extra,
    )
    what = f"video {args.video}" if args.video else f"{len(args.images)} image(s)"
    header = f"Built by `tui-trainer poses build` from {len(poses)} poses found in {what}."
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():  # --force: keep the previous file rather than lose it
        backup = out.with_suffix(".toml.bak")
        out.replace(backup)
        print(f"previous pose kept as {backup}", file=sys.stderr)
    tmp = out.with_suffix(".toml.tmp")
    tmp.write_text(format_pose(spec, header), "utf-8")
    tmp.replace(out)  # atomic: never a half-written pose file
    variants = ", ".join(v.name or v.id for v in spec.forms())
    print(
        f"wrote {out} ({spec.display_name()}, from {len(poses)} poses; "
        f"{len(spec.forms())} variant(s): {variants})"
    )
    return 0
