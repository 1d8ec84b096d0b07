"""Routine files (`routines/*.toml`): parse and validate one against the pose library.

Hold steps name a pose (and its side, and optionally one of its variants); flow steps list poses
with a number of breaths each. Every problem raises LibraryFileError naming the file, the step
and the field, so the library can list a broken file and load the others.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from tui_trainer.core.errors import LibraryFileError
from tui_trainer.core.library.routines import (
    DEFAULT_BREATH_S,
    MAX_BREATH_S,
    MIN_BREATH_S,
    Flow,
    FlowPose,
    Routine,
    Step,
)
from tui_trainer.core.library.spec import PoseSpec

LEVELS = ("beginner", "intermediate", "advanced")


class PoseLookup(Protocol):
    """What routine parsing needs of the pose library."""

    def __contains__(self, pose_id: object) -> bool: ...

    def get(self, pose_id: str) -> PoseSpec: ...

    def ids(self) -> list[str]: ...


def number(row: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    if key not in row:
        if default is not None:
            return default
        raise LibraryFileError(f"{where}: missing field {key!r} (a number)")
    value = row[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise LibraryFileError(f"{where}: field {key!r} must be a number, got {value!r}")
    return float(value)


def _text(row: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    if key not in row:
        if default is not None:
            return default
        raise LibraryFileError(f"{where}: missing field {key!r} (a string)")
    value = row[key]
    if not isinstance(value, str):
        raise LibraryFileError(f"{where}: field {key!r} must be a string, got {value!r}")
    return value


def _pose_side(poses: PoseLookup, pose_id: str, side: object, where: str) -> str | None:
    """The side of a known pose: 'left'/'right' for an asymmetric one, None for a symmetric one."""
    if pose_id not in poses:
        known = ", ".join(poses.ids()) or "none"
        raise LibraryFileError(f"{where}: unknown pose {pose_id!r} (known poses: {known})")
    if poses.get(pose_id).symmetric:
        if side is not None:
            raise LibraryFileError(
                f"{where}: field 'side' must be omitted, {pose_id!r} is symmetric"
            )
        return None
    if side not in ("left", "right"):
        raise LibraryFileError(
            f"{where}: field 'side' must be 'left' or 'right' for the asymmetric pose "
            f"{pose_id!r}, got {side!r}"
        )
    return str(side)


def _whole(row: dict[str, Any], key: str, where: str, default: int) -> int:
    value = row.get(key, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LibraryFileError(f"{where}: field {key!r} must be a whole number >= 1, got {value!r}")
    return value


_FLOW_POSE_FIELDS = ("pose", "side", "breaths")


def parse_flow_step(row: dict[str, Any], where: str, poses: PoseLookup) -> Step:
    """A `[[step]]` with `flow = "name"`: `poses = [{pose, side, breaths}, ...]`, `rounds`,
    `breath_s`; a `side` on the step applies to the asymmetric poses that name none."""
    name = _text(row, "flow", where)
    if not name.strip():
        raise LibraryFileError(f"{where}: field 'flow' must name the flow, got an empty string")
    for key in ("pose", "hold_s"):
        if key in row:
            raise LibraryFileError(
                f"{where}: field {key!r} does not belong in a flow step (a flow lists its "
                "'poses'; its length is rounds x breaths x breath_s)"
            )
    step_side = row.get("side")
    if step_side is not None and step_side not in ("left", "right"):
        raise LibraryFileError(
            f"{where}: field 'side' must be 'left' or 'right', got {step_side!r}"
        )
    entries = row.get("poses")
    if not isinstance(entries, list) or not entries:
        raise LibraryFileError(
            f"{where}: field 'poses' must be a list of {{ pose = \"...\", breaths = N }} tables"
        )
    flow_poses: list[FlowPose] = []
    for k, entry in enumerate(entries):
        at = f"{where}: poses[{k + 1}]"
        if not isinstance(entry, dict):
            raise LibraryFileError(
                f'{at}: expected a table like {{ pose = "mountain", breaths = 1 }}'
            )
        unknown = sorted(set(entry) - set(_FLOW_POSE_FIELDS))
        if unknown:
            raise LibraryFileError(
                f"{at}: unknown field {unknown[0]!r} (expected {', '.join(_FLOW_POSE_FIELDS)})"
            )
        pose_id = _text(entry, "pose", at)
        side = entry.get("side")
        if side is None and pose_id in poses and not poses.get(pose_id).symmetric:
            side = step_side
            if side is None:
                raise LibraryFileError(
                    f"{at}: field 'side' is needed for the asymmetric pose {pose_id!r}: "
                    "'left' or 'right', on the pose or on the step"
                )
        side = _pose_side(poses, pose_id, side, at)
        flow_poses.append(FlowPose(pose_id, side, _whole(entry, "breaths", at, default=1)))
    rounds = _whole(row, "rounds", where, default=1)
    breath = number(row, "breath_s", where, default=DEFAULT_BREATH_S)
    if not MIN_BREATH_S <= breath <= MAX_BREATH_S:
        raise LibraryFileError(
            f"{where}: field 'breath_s' must be between {MIN_BREATH_S:g} and {MAX_BREATH_S:g} "
            f"seconds (one inhale and one exhale), got {breath:g}"
        )
    rest = number(row, "rest_s", where, default=0.0)
    if rest < 0:
        raise LibraryFileError(f"{where}: field 'rest_s' must be >= 0 seconds, got {rest:g}")
    flow = Flow(name.strip(), tuple(flow_poses), rounds, breath)
    first = flow_poses[0]
    instruction = _text(row, "instruction", where, default="")
    return Step(first.pose_id, step_side, flow.duration_s, rest, instruction, flow=flow)


def parse_routine(
    data: dict[str, Any], routine_id: str, source: str, poses: PoseLookup, builtin: bool = True
) -> Routine:
    """Validate a parsed routine file against the pose library."""
    name = _text(data, "name", source)
    level = _text(data, "level", source)
    if level not in LEVELS:
        raise LibraryFileError(f"{source}: field 'level' must be one of {LEVELS}, got {level!r}")
    description = _text(data, "description", source, default="")
    rows = data.get("step")
    if not isinstance(rows, list) or not rows:
        raise LibraryFileError(f"{source}: expected at least one [[step]] table")
    steps: list[Step] = []
    for i, row in enumerate(rows):
        where = f"{source}: step {i + 1}"
        if not isinstance(row, dict):
            raise LibraryFileError(f"{where}: expected a [[step]] table")
        if "flow" in row:
            steps.append(parse_flow_step(row, where, poses))
            continue
        pose_id = _text(row, "pose", where)
        side = _pose_side(poses, pose_id, row.get("side"), where)
        hold = number(row, "hold_s", where)
        if hold <= 0:
            raise LibraryFileError(f"{where}: field 'hold_s' must be > 0 seconds, got {hold:g}")
        rest = number(row, "rest_s", where, default=0.0)
        if rest < 0:
            raise LibraryFileError(f"{where}: field 'rest_s' must be >= 0 seconds, got {rest:g}")
        instruction = _text(row, "instruction", where, default="")
        variant: str | None = None
        if "variant" in row:
            variant = _text(row, "variant", where)
            spec = poses.get(pose_id)
            if variant not in spec.variant_ids():
                known = ", ".join(spec.variant_ids()) or "none: the pose has one form"
                raise LibraryFileError(
                    f"{where}: field 'variant': pose {pose_id!r} has no variant {variant!r} "
                    f"(variants: {known})"
                )
        steps.append(Step(pose_id, side, hold, rest, instruction, variant=variant))
    return Routine(routine_id, name, level, description, tuple(steps), source, builtin)
