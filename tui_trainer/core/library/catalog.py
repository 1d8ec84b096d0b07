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

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import LibraryFileError, TrainerError
from tui_trainer.core.library.pose_file import load_pose_file, read_toml
from tui_trainer.core.library.routine_file import number, parse_routine
from tui_trainer.core.library.routines import Routine
from tui_trainer.core.library.spec import PoseSpec

KINDS = ("poses", "routines")
DATA_DIR_ENV = "TUI_TRAINER_DATA_DIR"


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
    return Path(__file__).resolve().parents[3] / kind


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
        from tui_trainer.core.comparison.scoring import compare
        from tui_trainer.core.library.templates import SIDE_RULES, side_of

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
                    found.append((number(data, "order", str(path), default=math.inf), routine))
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
