"""`tui-trainer routines list|show`: the built-in and user routines."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_trainer.core.library import PoseLibrary
    from tui_trainer.core.routines import Routine


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "routines",
        help="list or show routines",
        description="Routines: named sequences of poses with hold and rest times.",
    )
    sub = p.add_subparsers(dest="routines_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list the routines", description="List every routine.")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(handler=run_list)
    show = sub.add_parser("show", help="show one routine", description="A routine's steps.")
    show.add_argument("routine_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show.set_defaults(handler=run_show)


def routine_json(routine: Routine, poses: PoseLibrary) -> dict[str, Any]:
    """The JSON of one routine; pose_name is the display name the app shows."""
    return {
        "id": routine.id,
        "name": routine.name,
        "level": routine.level,
        "description": routine.description,
        "builtin": routine.builtin,
        "total_s": routine.total_s,
        "steps": [
            {
                "pose": s.pose_id,
                "pose_name": poses.get(s.pose_id).display_name(s.side),
                "side": s.side,
                "hold_s": s.hold_s,
                "rest_s": s.rest_s,
                "instruction": s.instruction,
            }
            for s in routine.steps
        ],
    }


def _load() -> tuple[PoseLibrary, Any]:
    from tui_trainer.commands.poses import print_load_errors
    from tui_trainer.core.library import PoseLibrary, RoutineLibrary

    poses = PoseLibrary.load()
    routines = RoutineLibrary.load(poses)
    print_load_errors(poses.errors + routines.errors)
    return poses, routines


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def run_list(args: argparse.Namespace) -> int:
    poses, routines = _load()
    items = routines.all()
    if args.json:
        print(json.dumps([routine_json(r, poses) for r in items], indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(items)} routines")
    for col in ("id", "name", "level", "steps", "time", "from"):
        table.add_column(col, justify="right" if col in ("steps", "time") else "left")
    for r in items:
        table.add_row(
            r.id, r.name, r.level, str(len(r.steps)), _minutes(r.total_s),
            "built-in" if r.builtin else "yours",
        )  # fmt: skip
    Console().print(table)
    return 0


def run_show(args: argparse.Namespace) -> int:
    poses, routines = _load()
    routine = routines.get(args.routine_id)
    if args.json:
        print(json.dumps(routine_json(routine, poses), indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{routine.name}[/bold] ({routine.id}) · {routine.level}")
    if routine.description:
        console.print(routine.description)
    table = Table(title=f"{len(routine.steps)} steps, {_minutes(routine.total_s)}")
    for col in ("#", "pose", "hold s", "rest s", "instruction"):
        table.add_column(col, justify="right" if col in ("#", "hold s", "rest s") else "left")
    for i, s in enumerate(routine.steps, 1):
        table.add_row(
            str(i), poses.get(s.pose_id).display_name(s.side), f"{s.hold_s:g}",
            f"{s.rest_s:g}", s.instruction,
        )  # fmt: skip
    console.print(table)
    return 0
