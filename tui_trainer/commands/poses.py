"""`tui-trainer poses list|show|match|build`: the pose library on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_trainer.core.library import LoadError, PoseLibrary
    from tui_trainer.core.pose import Pose
    from tui_trainer.core.poses import PoseSpec


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "poses",
        help="list, show, recognise or build library poses",
        description="The pose library: built-in poses (made from real photos) plus your own.",
    )
    sub = p.add_subparsers(dest="poses_command", metavar="ACTION", required=True)

    ls = sub.add_parser("list", help="list the poses", description="List every pose.")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(handler=run_list)

    show = sub.add_parser(
        "show", help="show one pose", description="Angles, targets, tolerances, weights, hints."
    )
    show.add_argument("pose_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON instead of tables")
    show.set_defaults(handler=run_show)

    match = sub.add_parser(
        "match", help="which pose is in this photo?", description="The 3 best matching poses."
    )
    match.add_argument("image", metavar="IMAGE")
    match.add_argument("--top", type=int, default=3, help="how many matches (default 3)")
    match.add_argument("--json", action="store_true", help="print JSON instead of a table")
    match.set_defaults(handler=run_match)

    build = sub.add_parser(
        "build",
        help="make a pose from your own photos or a video",
        description="Build a pose file from photos (or a video) of someone doing the pose, with "
        "the same code that built the library, and save it to your config dir. If ID is a "
        "built-in pose, its names, side rule and hints are reused and your pose overrides it.",
    )
    build.add_argument("pose_id", metavar="ID", help="pose id: lower-case letters, digits, _")
    build.add_argument("images", metavar="IMAGE", nargs="*", help="photos of the pose")
    build.add_argument("--video", metavar="FILE", help="take frames from a video instead")
    build.add_argument(
        "--every", type=int, default=5, metavar="N", help="video: use every N-th frame (5)"
    )
    build.add_argument("--name", help="English name (default: from the id)")
    build.add_argument("--sanskrit", default=None, help="Sanskrit name")
    build.add_argument("--cue", default=None, help="one-line cue said when the pose starts")
    build.add_argument(
        "--asymmetric",
        action="store_true",
        help="the pose has a left and a right side (the photos show --side)",
    )
    build.add_argument(
        "--side", choices=("left", "right"), default="left", help="side the photos show (left)"
    )
    build.add_argument("--force", action="store_true", help="overwrite an existing user pose")
    build.set_defaults(handler=run_build)


def load_library() -> PoseLibrary:
    from tui_trainer.core.library import PoseLibrary

    lib = PoseLibrary.load()
    print_load_errors(lib.errors)
    return lib


def print_load_errors(errors: list[LoadError]) -> None:
    for e in errors:
        print(f"tui-trainer: warning: skipped broken file: {e.message}", file=sys.stderr)


def _sides(spec: PoseSpec) -> str:
    return "symmetric" if spec.symmetric else "left / right"


def run_list(args: argparse.Namespace) -> int:
    lib = load_library()
    specs = [lib.get(i) for i in lib.ids()]
    if args.json:
        out = [
            {
                "id": s.id,
                "name": s.name,
                "sanskrit": s.sanskrit,
                "symmetric": s.symmetric,
                "builtin": s.builtin,
                "n_samples": s.n_samples,
            }
            for s in specs
        ]
        print(json.dumps(out, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(specs)} poses")
    for col in ("id", "name", "sanskrit", "sides", "from", "photos"):
        table.add_column(col, justify="right" if col == "photos" else "left")
    for s in specs:
        table.add_row(
            s.id, s.name, s.sanskrit, _sides(s), "built-in" if s.builtin else "yours",
            str(s.n_samples),
        )  # fmt: skip
    Console().print(table)
    return 0


def spec_json(spec: PoseSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "name": spec.name,
        "sanskrit": spec.sanskrit,
        "cue": spec.cue,
        "symmetric": spec.symmetric,
        "template_side": None if spec.symmetric else spec.template_side,
        "builtin": spec.builtin,
        "source": spec.source,
        "n_samples": spec.n_samples,
        "angles": {
            n: {
                "target": t.target,
                "tolerance": t.tolerance,
                "weight": t.weight,
                "increase": t.increase,
                "decrease": t.decrease,
            }
            for n, t in spec.angles.items()
        },
    }


def run_show(args: argparse.Namespace) -> int:
    lib = load_library()
    spec = lib.get(args.pose_id)
    if args.json:
        print(json.dumps(spec_json(spec), indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    from tui_trainer.core.angles import ANGLE_LABELS

    console = Console()
    console.print(f"[bold]{spec.name}[/bold]  {spec.sanskrit}  ({spec.id})")
    console.print(spec.cue)
    sides = _sides(spec)
    if not spec.symmetric:
        note = spec.extra.get("side_note", "")
        sides += f"; template: {spec.template_side}" + (f" ({note})" if note else "")
    origin = "built-in" if spec.builtin else "yours"
    console.print(f"sides: {sides} · {origin}, from {spec.n_samples} photos · {spec.source}")
    table = Table(title="angles (degrees), heaviest first")
    for col in ("angle", "target", "tolerance", "weight", "if too small", "if too large"):
        table.add_column(
            col, justify="right" if col in ("target", "tolerance", "weight") else "left"
        )
    for name in sorted(spec.angles, key=lambda n: -spec.angles[n].weight):
        t = spec.angles[name]
        table.add_row(
            ANGLE_LABELS.get(name, name), f"{t.target:.0f}", f"±{t.tolerance:.0f}",
            f"{t.weight:.2f}", t.increase, t.decrease,
        )  # fmt: skip
    console.print(table)
    return 0


def run_match(args: argparse.Namespace) -> int:
    from tui_trainer.io.estimator import estimate_image

    lib = load_library()
    pose = estimate_image(args.image)
    matches = lib.match(pose, top=max(args.top, 1))
    if args.json:
        out = {
            "image": str(args.image),
            "matches": [
                {
                    "pose": m.pose_id,
                    "name": lib.get(m.pose_id).display_name(m.side),
                    "score": round(m.score, 2),
                    "side": m.side,
                    "mirrored": m.mirrored,
                }
                for m in matches
            ],
        }
        print(json.dumps(out, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"best matches for {args.image}")
    for col in ("#", "pose", "name", "side", "score"):
        table.add_column(col, justify="right" if col in ("#", "score") else "left")
    for i, m in enumerate(matches, 1):
        name = lib.get(m.pose_id).display_name(m.side)
        table.add_row(str(i), m.pose_id, name, m.side or "—", f"{m.score:.1f}")
    Console().print(table)
    return 0


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


def _poses_from_video(path: str, every: int) -> list[Pose]:
    import cv2

    from tui_trainer.core.errors import InputFileError, NoPersonFound
    from tui_trainer.io.estimator import PoseEstimator

    if not Path(path).is_file():
        raise InputFileError(f"{path}: no such video file")
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise InputFileError(f"{path}: not a video OpenCV can read (expected MP4, AVI, MOV...)")
    poses: list[Pose] = []
    frames = 0
    try:
        with PoseEstimator("stream") as est:
            while True:
                ok, frame = cap.read()
                if not ok:
                    break
                pose = est.process(frame)  # every frame, so tracking stays smooth
                if pose is not None and frames % every == 0:
                    poses.append(pose)
                frames += 1
    finally:
        cap.release()
    if frames == 0:
        raise InputFileError(f"{path}: no frames could be read")
    if not poses:
        raise NoPersonFound(f"{path}: no person found in {frames} frames")
    return poses


def run_build(args: argparse.Namespace) -> int:
    from tui_trainer.core.errors import InputFileError, TrainerError
    from tui_trainer.core.library import user_dir
    from tui_trainer.core.pose_file import format_pose, valid_id
    from tui_trainer.core.templates import build_pose_spec

    if not valid_id(args.pose_id):
        raise TrainerError(
            f"pose id {args.pose_id!r}: expected lower-case letters, digits and '_', "
            "starting with a letter"
        )
    if bool(args.images) == bool(args.video):
        raise TrainerError("poses build: give either IMAGE files or --video FILE (not both)")
    if args.every < 1:
        raise TrainerError(f"--every: expected a positive number of frames, got {args.every}")
    out = user_dir("poses") / f"{args.pose_id}.toml"
    if out.exists() and not args.force:
        raise InputFileError(f"{out}: a pose with this id exists; use --force to replace it")

    lib = load_library()
    base = lib.get(args.pose_id) if args.pose_id in lib else None
    poses = (
        _poses_from_video(args.video, args.every) if args.video else _poses_from_images(args.images)
    )
    # --asymmetric wins; otherwise an existing pose of this id says whether it has sides.
    symmetric = False if args.asymmetric else (base.symmetric if base else True)
    named = base  # names and cue carry over even if the sides change
    if base is not None and base.symmetric != symmetric:
        base = None  # its side rule and left/right hints do not fit
    side_rule = base.extra.get("side_rule") if base is not None else None
    hints = (
        {n: {"increase": t.increase, "decrease": t.decrease} for n, t in base.angles.items()}
        if base is not None and base.template_side == "left"
        else None
    )
    others = [
        {n: t.target for n, t in s.angles.items()}
        for s in (lib.get(i) for i in lib.ids())
        if s.id != args.pose_id
    ]
    extra = {k: v for k, v in (base.extra if base else {}).items() if isinstance(v, str)}
    spec = build_pose_spec(
        poses,
        args.pose_id,
        args.name or (named.name if named else args.pose_id.replace("_", " ").title()),
        sanskrit=args.sanskrit if args.sanskrit is not None else (named.sanskrit if named else ""),
        cue=args.cue if args.cue is not None else (named.cue if named else ""),
        symmetric=symmetric,
        side_rule=side_rule if isinstance(side_rule, str) else None,
        template_side=args.side,
        hints=hints,
        others=others,
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
    print(f"wrote {out} ({spec.display_name()}, from {len(poses)} poses)")
    return 0
