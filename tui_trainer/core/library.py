"""The pose library and the routines: built-in files plus the user's own, validated on load.

Built-in poses and routines live in the repository's `poses/` and `routines/` folders. A wheel
carries copies of them inside the package (`tui_trainer/builtin/`, made by setup.py at build time,
read with importlib.resources); an editable install reads the checkout's folders in place;
TUI_TRAINER_DATA_DIR overrides both. A built-in folder that is missing or has no files is an
error (an incomplete install), never an empty library. The user's own poses and routines live in
the platformdirs config dir (TUI_TRAINER_CONFIG_DIR overrides the root).

A user file with the same id as a built-in one overrides it (so a user can rebuild "tree" from
their own photos); `PoseSpec.builtin` / `Routine.builtin` says which one is in use.

A broken file never stops loading: it becomes a LoadError (file, what is wrong, what was
expected) in `.errors`, and the other files load.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tui_trainer.core.errors import LibraryFileError, TrainerError
from tui_trainer.core.pose import Pose
from tui_trainer.core.pose_file import load_pose_file, read_toml
from tui_trainer.core.poses import PoseSpec
from tui_trainer.core.routines import DEFAULT_BREATH_S, Flow, FlowPose, Routine, Step

KINDS = ("poses", "routines")
DATA_DIR_ENV = "TUI_TRAINER_DATA_DIR"
LEVELS = ("beginner", "intermediate", "advanced")
MIN_BREATH_S, MAX_BREATH_S = 2.0, 30.0  # a flow's breath: one inhale and one exhale


class BuiltinLibraryMissing(TrainerError):
    """The built-in poses or routines are not where this install keeps them."""


class UnknownPoseError(TrainerError):
    """A pose id that is not in the library."""


class UnknownRoutineError(TrainerError):
    """A routine id that is not in the library."""


@dataclass(frozen=True)
class LoadError:
    path: str
    message: str  # names the file, the field or line, and what was expected

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PoseMatch:
    pose_id: str
    score: float  # 0..100, the trainer score against the pose's template
    mirrored: bool  # the mirror image of the template matched better
    side: str | None  # "left"/"right" for asymmetric poses, None for symmetric ones


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")


def builtin_dir(kind: str) -> Path:
    """The built-in `poses/` or `routines/` folder: TUI_TRAINER_DATA_DIR/kind if set, else the
    copy inside an installed package, else the checkout's folder (an editable install)."""
    _check_kind(kind)
    root = os.environ.get(DATA_DIR_ENV)
    if root:
        return Path(root) / kind
    packaged = resources.files("tui_trainer") / "builtin" / kind
    # pip installs packages as plain files, so the resource is a real folder (Path).
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / kind


def _check_builtin(folder: Path, kind: str) -> None:
    """A built-in library without files is a broken install: say so instead of showing none."""
    if _toml_files(folder):
        return
    what = "does not exist" if not folder.is_dir() else "has no *.toml files"
    if os.environ.get(DATA_DIR_ENV):
        fix = f"point {DATA_DIR_ENV} at a folder with poses/ and routines/, or unset it"
    else:
        fix = "this install of tui-trainer is incomplete: reinstall it (e.g. pipx install --force)"
    raise BuiltinLibraryMissing(f"built-in {kind} not found: {folder} {what}; {fix}")


def config_root() -> Path:
    root = os.environ.get("TUI_TRAINER_CONFIG_DIR")
    if root:
        return Path(root)
    from platformdirs import user_config_dir

    return Path(user_config_dir("tui-trainer"))


def user_dir(kind: str) -> Path:
    """Where the user's own poses or routines live (may not exist yet)."""
    _check_kind(kind)
    return config_root() / kind


# The load() methods' parameters shadow the module-level functions.
_builtin_dir = builtin_dir
_user_dir = user_dir


def _toml_files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


class PoseLibrary:
    """All poses by id: built-in first (file name order), then the user's own."""

    def __init__(self, specs: list[PoseSpec], errors: list[LoadError] | None = None) -> None:
        self._specs: dict[str, PoseSpec] = {}
        for spec in specs:
            self._specs[spec.id] = spec  # later (user) files override earlier (built-in) ones
        self.errors: list[LoadError] = list(errors or [])

    @classmethod
    def load(cls, builtin_dir: Path | None = None, user_dir: Path | None = None) -> PoseLibrary:
        b = builtin_dir if builtin_dir is not None else _builtin_dir("poses")
        u = user_dir if user_dir is not None else _user_dir("poses")
        _check_builtin(b, "poses")
        specs: list[PoseSpec] = []
        errors: list[LoadError] = []
        for folder, builtin in ((b, True), (u, False)):
            for path in _toml_files(folder):
                try:
                    specs.append(load_pose_file(path, builtin=builtin))
                except LibraryFileError as exc:
                    errors.append(LoadError(str(path), str(exc)))
        return cls(specs, errors)

    def ids(self) -> list[str]:
        return list(self._specs)

    def specs(self) -> list[PoseSpec]:
        return list(self._specs.values())

    def get(self, pose_id: str) -> PoseSpec:
        try:
            return self._specs[pose_id]
        except KeyError:
            known = ", ".join(self._specs) or "none"
            raise UnknownPoseError(f"unknown pose {pose_id!r} (known poses: {known})") from None

    def __contains__(self, pose_id: object) -> bool:
        return pose_id in self._specs

    def __len__(self) -> int:
        return len(self._specs)

    def match(self, pose: Pose, top: int = 3, weighted: bool = False) -> list[PoseMatch]:
        """Which pose is this? The `top` best by trainer score against each template.

        By default every pose is scored on the same scale (the trainer score without per-pose
        weights and tolerances): those say what matters when coaching a known pose, and across
        poses they make scores incomparable (a pose with loose tolerances would win too often;
        3-fold cross-validation on the photos: 0.978 unweighted vs 0.959 weighted top-1).
        """
        from tui_trainer.core.scoring import compare
        from tui_trainer.core.templates import SIDE_RULES, side_of

        out: list[PoseMatch] = []
        for spec in self._specs.values():
            if weighted:
                c = compare(
                    spec.template,
                    pose,
                    sides="either",
                    weights=spec.weights(),
                    tolerances=spec.tolerances(),
                )
            else:
                c = compare(spec.template, pose, sides="either")
            side: str | None = None
            rule = spec.extra.get("side_rule")
            if not spec.symmetric and isinstance(rule, str) and rule in SIDE_RULES:
                side = side_of(pose, rule)  # the pose's own definition (e.g. the bent knee)
            elif not spec.symmetric:
                other = "right" if spec.template_side == "left" else "left"
                side = other if c.mirrored else spec.template_side
            out.append(PoseMatch(spec.id, c.score, c.mirrored, side))
        out.sort(key=lambda m: -m.score)
        return out[: max(top, 0)]


def _number(row: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
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


def _pose_side(poses: PoseLibrary, pose_id: str, side: object, where: str) -> str | None:
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


def parse_flow_step(row: dict[str, Any], where: str, poses: PoseLibrary) -> Step:
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
    breath = _number(row, "breath_s", where, default=DEFAULT_BREATH_S)
    if not MIN_BREATH_S <= breath <= MAX_BREATH_S:
        raise LibraryFileError(
            f"{where}: field 'breath_s' must be between {MIN_BREATH_S:g} and {MAX_BREATH_S:g} "
            f"seconds (one inhale and one exhale), got {breath:g}"
        )
    rest = _number(row, "rest_s", where, default=0.0)
    if rest < 0:
        raise LibraryFileError(f"{where}: field 'rest_s' must be >= 0 seconds, got {rest:g}")
    flow = Flow(name.strip(), tuple(flow_poses), rounds, breath)
    first = flow_poses[0]
    instruction = _text(row, "instruction", where, default="")
    return Step(first.pose_id, step_side, flow.duration_s, rest, instruction, flow=flow)


def parse_routine(
    data: dict[str, Any], routine_id: str, source: str, poses: PoseLibrary, builtin: bool = True
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
        hold = _number(row, "hold_s", where)
        if hold <= 0:
            raise LibraryFileError(f"{where}: field 'hold_s' must be > 0 seconds, got {hold:g}")
        rest = _number(row, "rest_s", where, default=0.0)
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


class RoutineLibrary:
    """All routines in the order the app shows them: built-in, then the user's own."""

    def __init__(self, routines: list[Routine], errors: list[LoadError] | None = None) -> None:
        self._routines: dict[str, Routine] = {}
        for r in routines:
            self._routines[r.id] = r
        self.errors: list[LoadError] = list(errors or [])

    @classmethod
    def load(
        cls, poses: PoseLibrary, builtin_dir: Path | None = None, user_dir: Path | None = None
    ) -> RoutineLibrary:
        b = builtin_dir if builtin_dir is not None else _builtin_dir("routines")
        u = user_dir if user_dir is not None else _user_dir("routines")
        _check_builtin(b, "routines")
        routines: list[Routine] = []
        errors: list[LoadError] = []
        for folder, builtin in ((b, True), (u, False)):
            found: list[tuple[float, Routine]] = []
            for path in _toml_files(folder):
                try:
                    data = read_toml(path)
                    routine = parse_routine(data, path.stem, str(path), poses, builtin)
                    found.append((_number(data, "order", str(path), default=math.inf), routine))
                except LibraryFileError as exc:
                    errors.append(LoadError(str(path), str(exc)))
            # Optional `order = N` puts a routine first (stable: file-name order otherwise).
            routines += [r for _, r in sorted(found, key=lambda item: item[0])]
        return cls(routines, errors)

    def all(self) -> list[Routine]:
        return list(self._routines.values())

    def ids(self) -> list[str]:
        return list(self._routines)

    def get(self, routine_id: str) -> Routine:
        try:
            return self._routines[routine_id]
        except KeyError:
            known = ", ".join(self._routines) or "none"
            raise UnknownRoutineError(
                f"unknown routine {routine_id!r} (known routines: {known})"
            ) from None

    def __contains__(self, routine_id: object) -> bool:
        return routine_id in self._routines
