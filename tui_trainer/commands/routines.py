"""`tui-trainer routines list|show`: the built-in and user routines."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_trainer.core.library import PoseLibrary
    from tui_trainer.core.library.routines import Flow, Routine, Step


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "routines",
        help="list or show routines",
        description="Routines: named sequences of steps: poses held for a time, or flows of "
        "poses paced by the breath, each with a rest after it.",
    )
    sub = p.add_subparsers(dest="routines_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list the routines", description="List every routine.")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(handler=run_list)
    show = sub.add_parser("show", help="show one routine", description="A routine's steps.")
    show.add_argument("routine_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show.set_defaults(handler=run_show)


def step_name(step: Step, poses: PoseLibrary) -> str:
    """The name the app shows for a step: the pose with its side, or the flow's name."""
    if step.flow is not None:
        return step.flow.label(step.side)
    return poses.get(step.pose_id).display_name(step.side)


def flow_json(flow: Flow, poses: PoseLibrary) -> dict[str, Any]:
    return {
        "name": flow.name,
        "rounds": flow.rounds,
        "breath_s": flow.breath_s,
        "poses": [
            {
                "pose": p.pose_id,
                "pose_name": poses.get(p.pose_id).display_name(p.side),
                "side": p.side,
                "breaths": p.breaths,
            }
            for p in flow.poses
        ],
    }


def flow_summary(flow: Flow, poses: PoseLibrary) -> str:
    """ "3 rounds: Mountain 1 → Warrior II (left) 3 → ..." (breaths after each pose)."""
    steps = " → ".join(
        f"{poses.get(p.pose_id).display_name(p.side)} {p.breaths}" for p in flow.poses
    )
    return (
        f"{flow.rounds} rounds of {flow.breaths_per_round} breaths ({flow.breath_s:g} s): {steps}"
    )


def routine_json(routine: Routine, poses: PoseLibrary) -> dict[str, Any]:
    """The JSON of one routine; pose_name is the display name the app shows. A flow step has
    `flow` (its poses, breaths, rounds); its `pose` is the pose it starts in."""
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
                "pose_name": step_name(s, poses),
                "side": s.side,
                "hold_s": s.hold_s,
                "rest_s": s.rest_s,
                "instruction": s.instruction,
                **({"flow": flow_json(s.flow, poses)} if s.flow is not None else {}),
            }
            for s in routine.steps
        ],
    }


def _load() -> tuple[PoseLibrary, Any]:
    from tui_trainer.commands.library_files import print_load_errors
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
        name = step_name(s, poses)
        if s.flow is not None:
            name = f"{name}\n[dim]{flow_summary(s.flow, poses)}[/dim]"
        table.add_row(str(i), name, f"{s.hold_s:g}", f"{s.rest_s:g}", s.instruction)
    console.print(table)
    return 0
