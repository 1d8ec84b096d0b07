"""`tui-trainer poses list|show|match|build`: the pose library on the command line."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from tui_trainer.commands.library_files import load_library

if TYPE_CHECKING:
    from tui_trainer.core.library.spec import PoseSpec


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

    from tui_trainer.commands.pose_build import add_parser

    add_parser(sub)


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
        "angles": _angles_json(spec.angles),
        "symmetry": dict(spec.pair_tolerance),
        "variants": [
            {
                "id": v.id,
                "name": v.name,
                "n_samples": v.n_samples,
                "angles": _angles_json(v.angles),
            }
            for v in spec.forms()
        ],
    }


def _angles_json(angles: dict[str, Any]) -> dict[str, Any]:
    return {
        n: {
            "target": t.target,
            "tolerance": t.tolerance,
            "weight": t.weight,
            "straight": t.straight,
            "increase": t.increase,
            "decrease": t.decrease,
        }
        for n, t in angles.items()
    }


def run_show(args: argparse.Namespace) -> int:
    lib = load_library()
    spec = lib.get(args.pose_id)
    if args.json:
        print(json.dumps(spec_json(spec), indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    from tui_trainer.core.body.angles import ANGLE_LABELS

    console = Console()
    console.print(f"[bold]{spec.name}[/bold]  {spec.sanskrit}  ({spec.id})")
    console.print(spec.cue)
    sides = _sides(spec)
    if not spec.symmetric:
        note = spec.extra.get("side_note", "")
        sides += f"; template: {spec.template_side}" + (f" ({note})" if note else "")
    origin = "built-in" if spec.builtin else "yours"
    console.print(f"sides: {sides} · {origin}, from {spec.n_samples} photos · {spec.source}")
    forms = spec.forms()
    if len(forms) > 1:
        listed = ", ".join(f"{v.name or v.id} ({v.id}, {v.n_samples} photos)" for v in forms)
        console.print(f"variants: {listed}")
    if spec.pair_tolerance:
        pairs = ", ".join(f"{j} ±{v:.0f}" for j, v in spec.pair_tolerance.items())
        console.print(f"left and right may differ by: {pairs}")
    for v in forms:
        title = "angles (degrees), heaviest first"
        if len(forms) > 1:
            title = f"{v.name or v.id}: {title}"
        table = Table(title=title)
        for col in ("angle", "target", "tolerance", "weight", "if too small", "if too large"):
            table.add_column(
                col, justify="right" if col in ("target", "tolerance", "weight") else "left"
            )
        for name in sorted(v.angles, key=lambda n: -v.angles[n].weight):
            t = v.angles[name]
            target = f"{t.target:.0f}" + (" straight" if t.straight else "")
            table.add_row(
                ANGLE_LABELS.get(name, name), target, f"±{t.tolerance:.0f}",
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
