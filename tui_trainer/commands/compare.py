"""`tui-trainer compare TARGET ACTUAL`: two photos compared the way the method we build on does,
plus the trainer score, the matched side and a per-angle table."""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_trainer.core.comparison.scoring import Comparison

MODELS = ("full", "lite", "heavy")


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "compare",
        help="compare a photo of you with a target photo",
        description="Compare ACTUAL_IMAGE (you) with TARGET_IMAGE: the method's seed metrics "
        "(coordinate and angle distance), the trainer score, PERFECT/FIGHTING, the matched side "
        "and every joint angle.",
    )
    p.add_argument("target", metavar="TARGET_IMAGE", help="photo of the target pose")
    p.add_argument("actual", metavar="ACTUAL_IMAGE", help="photo of the performance")
    p.add_argument(
        "--sides",
        choices=("either", "same"),
        default="either",
        help="either: also match the mirror image (other leg forward, facing the other way); "
        "same: take left and right as they are (default: either)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument(
        "--save-overlay",
        metavar="FILE",
        help="write ACTUAL_IMAGE with keypoints, skeleton and the 8 main angles drawn on it",
    )
    p.add_argument(
        "--model",
        choices=MODELS,
        default="full",
        help="MediaPipe pose model (default: full, the one that ships offline)",
    )
    p.set_defaults(handler=run)


def _num(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


def comparison_json(c: Comparison) -> dict[str, Any]:
    """The --json object (NaN becomes null)."""
    angles = {
        name: {"actual": _num(a), "target": _num(t), "delta": _num(a - t)}
        for name, (a, t) in c.angles.items()
    }
    return {
        "coordinate_distance": _num(c.coordinate_distance),
        "coordinate_score": _num(c.coordinate_score),
        "angle_distance": _num(c.angle_distance),
        "angle_score": _num(c.angle_score),
        "score": _num(c.score),
        "verdict": c.verdict,
        "mirrored": bool(c.mirrored),
        "angles": angles,
    }


def _fmt(value: float, spec: str = ".1f") -> str:
    return "—" if not math.isfinite(value) else format(value, spec)


def print_report(c: Comparison, target: str, actual: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from tui_trainer.core.body.angles import ANGLE_LABELS
    from tui_trainer.viz.style import DEFAULT_TOLERANCE

    console = Console()
    seed = Table(title="The method's seed metrics", title_justify="left")
    for col in ("Distance coordinates", "Score (%)", "Distance angle", "Score (%)"):
        seed.add_column(col, justify="right")
    seed.add_row(
        _fmt(c.coordinate_distance, ".4f"),
        _fmt(c.coordinate_score),
        _fmt(c.angle_distance, ".4f"),
        _fmt(c.angle_score),
    )
    print(f"target: {target}\nactual: {actual}")  # plain print: long paths must not wrap
    console.print(seed)
    style = "bold green" if c.verdict == "PERFECT" else "bold yellow"
    console.print(
        f"Trainer score: [bold]{_fmt(c.score)}[/bold]  [{style}]{c.verdict}[/{style}]",
        highlight=False,
    )
    side = (
        "mirrored (the mirror image of the target: left and right swapped)"
        if c.mirrored
        else "same side"
    )
    console.print(f"Matched side: {side}", highlight=False)
    table = Table(title="Joint angles (degrees, 3D)", title_justify="left")
    table.add_column("Angle")
    for col in ("Actual", "Target", "Difference"):
        table.add_column(col, justify="right")
    for name, (a, t) in c.angles.items():
        delta = a - t
        colour = ""
        if math.isfinite(delta):
            over = abs(delta) / DEFAULT_TOLERANCE
            colour = "green" if over <= 1 else "yellow" if over <= 2 else "red"
        diff = _fmt(delta, "+.1f")
        table.add_row(
            ANGLE_LABELS.get(name, name),
            _fmt(a),
            _fmt(t),
            f"[{colour}]{diff}[/{colour}]" if colour else diff,
        )
    console.print(table)


def run(args: argparse.Namespace) -> int:
    from tui_trainer.core.comparison.scoring import compare
    from tui_trainer.io.estimator import MODEL_COMPLEXITY, estimate_images
    from tui_trainer.io.images import check_writable_image, read_image, write_image

    if args.save_overlay:
        check_writable_image(args.save_overlay)
    target, actual = estimate_images([args.target, args.actual], MODEL_COMPLEXITY[args.model])
    result = compare(target, actual, sides=args.sides)
    if args.save_overlay:
        from tui_trainer.core.body.angles import MAIN_ANGLES
        from tui_trainer.viz.overlay import draw_skeleton

        image = draw_skeleton(
            read_image(args.actual), actual, result.errors, label_angles=MAIN_ANGLES
        )
        write_image(args.save_overlay, image)
    if args.json:
        print(json.dumps(comparison_json(result), indent=2))
    else:
        print_report(result, args.target, args.actual)
        if args.save_overlay:
            print(f"overlay written to {args.save_overlay}")
    return 0
