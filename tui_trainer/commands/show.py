"""`tui-trainer show IMAGE`: the landmarks and joint angles MediaPipe finds in a photo."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

VIEW3D_SIZE = (720, 720)
VIEW3D_YAW = 30.0  # degrees: turned a little so depth shows


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "show",
        help="draw the pose found in a photo (skeleton and joint angles)",
        description="Find the person in IMAGE, draw the skeleton and the 8 main joint angles on "
        "it and print every angle. Optionally also write a 3D view of the skeleton.",
    )
    p.add_argument("image", metavar="IMAGE", help="a photo with one person")
    p.add_argument(
        "--out",
        metavar="FILE",
        help="where to write the drawn photo (default: IMAGE's name + _pose.png in the current "
        "folder)",
    )
    p.add_argument("--3d", dest="view3d", metavar="FILE", help="also write a 3D view as an image")
    p.add_argument(
        "--yaw",
        type=float,
        default=VIEW3D_YAW,
        help=f"turn of the 3D view about the vertical, degrees (default {VIEW3D_YAW:g})",
    )
    p.add_argument(
        "--model",
        choices=("full", "lite", "heavy"),
        default="full",
        help="MediaPipe pose model (default: full, the one that ships offline)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from tui_trainer.core.body.angles import ANGLE_LABELS, MAIN_ANGLES
    from tui_trainer.io.estimator import MODEL_COMPLEXITY, estimate_images
    from tui_trainer.io.images import check_writable_image, read_image, write_image
    from tui_trainer.viz.overlay import draw_skeleton

    out = Path(args.out) if args.out else Path.cwd() / f"{Path(args.image).stem}_pose.png"
    check_writable_image(out)
    if args.view3d:
        check_writable_image(args.view3d)
    (pose,) = estimate_images([args.image], MODEL_COMPLEXITY[args.model])
    write_image(out, draw_skeleton(read_image(args.image), pose, label_angles=MAIN_ANGLES))

    console = Console()
    print(f"Joint angles in {args.image} (degrees)")
    table = Table()
    for col, justify in (("Angle", "left"), ("3D", "right"), ("2D", "right"), ("Seen", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, value, flat, conf in zip(
        ANGLE_LABELS, pose.angles.values, pose.angles_2d.values, pose.angles.confidence
    ):
        table.add_row(
            ANGLE_LABELS[name],
            f"{value:.1f}" if np.isfinite(value) else "—",
            f"{flat:.1f}" if np.isfinite(flat) else "—",
            f"{conf:.0%}" if conf >= 0.5 else f"[yellow]{conf:.0%} (hidden)[/yellow]",
        )
    console.print(table)
    console.print(f"{int(pose.visible.sum())} of 33 landmarks clearly visible", highlight=False)
    print(f"skeleton and angles written to {out}")  # plain print: a long path must not wrap
    if args.view3d:
        from tui_trainer.viz.skeleton3d import render_skeleton3d

        write_image(args.view3d, render_skeleton3d(pose, None, VIEW3D_SIZE, args.yaw))
        print(f"3D view written to {args.view3d}")
    return 0
