"""Pose files (`poses/*.toml`): parse and validate one into a PoseSpec, and format one back.

Every problem raises LibraryFileError naming the file, the field and what was expected, so the
library can list broken files and go on loading the others. Writing is done by hand (the format
is small and fixed) so no TOML writer dependency is needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_NAMES, PAIRED
from tui_trainer.core.body.landmarks import N_LANDMARKS
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import LibraryFileError
from tui_trainer.core.library.spec import AngleTarget, PoseSpec, Side, Variant
from tui_trainer.core.tomlcompat import tomllib

POSE_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def valid_id(pose_id: str) -> bool:
    """Ids are lower-case letters, digits and underscores (they are also file names)."""
    return bool(pose_id) and set(pose_id) <= POSE_ID_CHARS and pose_id[0].isalpha()


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file; LibraryFileError with the line on a syntax error."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LibraryFileError(f"{path}: cannot read ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The message carries "(at line N, column M)".
        raise LibraryFileError(f"{path}: TOML syntax error: {exc}") from None


def _field(data: Mapping[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    if key not in data:
        if default is not None:
            return default
        raise LibraryFileError(f"{where}: missing field {key!r} ({kind.__name__} expected)")
    value = data[key]
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LibraryFileError(f"{where}: field {key!r} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise LibraryFileError(f"{where}: field {key!r} must be finite, got {value!r}")
        return float(value)
    if not isinstance(value, kind):
        raise LibraryFileError(
            f"{where}: field {key!r} must be a {kind.__name__}, got {type(value).__name__} "
            f"{value!r}"
        )
    return value


def _array(data: Mapping[str, Any], key: str, shape: tuple[int, ...], where: str) -> np.ndarray:
    if key not in data:
        raise LibraryFileError(f"{where}: missing field {key!r} (array of shape {shape})")
    try:
        arr = np.asarray(data[key], dtype=np.float64)
    except (TypeError, ValueError):
        raise LibraryFileError(
            f"{where}: field {key!r} must be an array of numbers of shape {shape}"
        ) from None
    if arr.shape != shape:
        raise LibraryFileError(f"{where}: field {key!r} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise LibraryFileError(f"{where}: field {key!r} contains NaN or infinite values")
    return arr


def _angle_target(
    name: str, row: Any, where: str, hints: Mapping[str, Mapping[str, str]] | None = None
) -> AngleTarget:
    here = f"{where}: angles.{name}"
    if not isinstance(row, dict):
        raise LibraryFileError(f"{here}: expected a table with target, tolerance, weight")
    target = _field(row, "target", float, here)
    tolerance = _field(row, "tolerance", float, here)
    weight = _field(row, "weight", float, here)
    if not 0.0 <= target <= 180.0:
        raise LibraryFileError(f"{here}: target must be 0..180 degrees, got {target}")
    if tolerance <= 0:
        raise LibraryFileError(f"{here}: tolerance must be > 0 degrees, got {tolerance}")
    if not 0.0 <= weight <= 1.0:
        raise LibraryFileError(f"{here}: weight must be 0..1, got {weight}")
    shared = (hints or {}).get(name, {})
    increase = _field(row, "increase", str, here, default=shared.get("increase", ""))
    decrease = _field(row, "decrease", str, here, default=shared.get("decrease", ""))
    straight = _field(row, "straight", bool, here, default=False)
    return AngleTarget(target, tolerance, weight, increase, decrease, straight)


def _angles(
    data: Mapping[str, Any], where: str, hints: Mapping[str, Mapping[str, str]] | None
) -> dict[str, AngleTarget]:
    rows = _field(data, "angles", dict, where)
    angles: dict[str, AngleTarget] = {}
    for angle_name, row in rows.items():
        if angle_name not in ANGLE_INDEX:
            raise LibraryFileError(
                f"{where}: angles.{angle_name}: unknown angle (expected one of "
                f"{', '.join(ANGLE_NAMES)})"
            )
        angles[angle_name] = _angle_target(angle_name, row, where, hints)
    if not angles:
        raise LibraryFileError(f"{where}: field 'angles' must list at least one angle")
    return {n: angles[n] for n in ANGLE_NAMES if n in angles}


def _template(data: Mapping[str, Any], where: str) -> Pose:
    tpl = _field(data, "template", dict, where)
    here = f"{where}: template"
    image = _array(tpl, "image", (N_LANDMARKS, 3), here)
    world = _array(tpl, "world", (N_LANDMARKS, 3), here)
    vis = _array(tpl, "visibility", (N_LANDMARKS,), here)
    try:
        return Pose.from_arrays(image, world, vis)
    except ValueError as exc:
        raise LibraryFileError(f"{here}: {exc}") from None


def _hints(data: Mapping[str, Any], where: str) -> dict[str, dict[str, str]]:
    """The pose-level [hints] table: {angle: {"increase": ..., "decrease": ...}}."""
    rows = data.get("hints", {})
    if not isinstance(rows, dict):
        raise LibraryFileError(f"{where}: field 'hints' must be a table of angle = {{...}}")
    out: dict[str, dict[str, str]] = {}
    for angle_name, row in rows.items():
        here = f"{where}: hints.{angle_name}"
        if angle_name not in ANGLE_INDEX:
            raise LibraryFileError(
                f"{here}: unknown angle (expected one of {', '.join(ANGLE_NAMES)})"
            )
        if not isinstance(row, dict):
            raise LibraryFileError(f'{here}: expected {{ increase = "...", decrease = "..." }}')
        out[angle_name] = {
            k: _field(row, k, str, here, default="") for k in ("increase", "decrease")
        }
    return out


def _pair_tolerance(data: Mapping[str, Any], where: str) -> dict[str, float]:
    """The [symmetry] table: {joint: degrees the left and right angle may differ}."""
    rows = data.get("symmetry", {})
    if not isinstance(rows, dict):
        raise LibraryFileError(f"{where}: field 'symmetry' must be a table of joint = degrees")
    out: dict[str, float] = {}
    for joint in rows:
        if joint not in PAIRED:
            raise LibraryFileError(
                f"{where}: symmetry.{joint}: unknown joint (expected one of {', '.join(PAIRED)})"
            )
        value = _field(rows, joint, float, f"{where}: symmetry")
        if value <= 0:
            raise LibraryFileError(f"{where}: symmetry.{joint} must be > 0 degrees, got {value}")
        out[joint] = value
    if out and not data.get("symmetric", False):
        raise LibraryFileError(f"{where}: field 'symmetry' is only for symmetric poses")
    return out


def _variants(
    data: Mapping[str, Any], where: str, hints: Mapping[str, Mapping[str, str]]
) -> tuple[Variant, ...]:
    rows = data["variant"]
    if not isinstance(rows, list) or not rows:
        raise LibraryFileError(f"{where}: field 'variant' must be a list of [[variant]] tables")
    out: list[Variant] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise LibraryFileError(f"{where}: variant {i + 1}: expected a [[variant]] table")
        vid = row.get("id")
        here = f"{where}: variant {i + 1}" + (f" ({vid})" if isinstance(vid, str) else "")
        vid = _field(row, "id", str, here)
        if not valid_id(vid):
            raise LibraryFileError(
                f"{here}: field 'id' must be lower-case letters, digits and '_', got {vid!r}"
            )
        if vid in {v.id for v in out}:
            raise LibraryFileError(f"{here}: field 'id' repeats an earlier variant's id {vid!r}")
        name = _field(row, "name", str, here, default="")
        n_samples = _field(row, "n_samples", int, here, default=0)
        out.append(Variant(vid, name, _template(row, here), _angles(row, here, hints), n_samples))
    return tuple(out)


def parse_pose(data: Mapping[str, Any], source: str, builtin: bool = True) -> PoseSpec:
    """Validate a parsed pose file; LibraryFileError naming the file and field on any problem.

    Two layouts: [[variant]] tables (each with id, name, angles and template) and pose-level
    [hints]; or, for a pose with one form, top-level [angles.*] and [template]."""
    where = source
    pose_id = _field(data, "id", str, where)
    if not valid_id(pose_id):
        raise LibraryFileError(
            f"{where}: field 'id' must be lower-case letters, digits and '_', got {pose_id!r}"
        )
    name = _field(data, "name", str, where)
    sanskrit = _field(data, "sanskrit", str, where, default="")
    cue = _field(data, "cue", str, where, default="")
    symmetric = _field(data, "symmetric", bool, where)
    side = _field(data, "template_side", str, where, default="left")
    if side not in ("left", "right"):
        raise LibraryFileError(f"{where}: field 'template_side' must be 'left' or 'right'")
    template_side: Side = "left" if side == "left" else "right"
    n_samples = _field(data, "n_samples", int, where, default=0)
    hints = _hints(data, where)
    variants: tuple[Variant, ...] = ()
    if "variant" in data:
        for key in ("angles", "template"):
            if key in data:
                raise LibraryFileError(
                    f"{where}: field {key!r} belongs inside each [[variant]] when the pose has "
                    "variants"
                )
        variants = _variants(data, where, hints)
        template, angles = variants[0].template, variants[0].angles
    else:
        template, angles = _template(data, where), _angles(data, where, hints)
    extra = {k: v for k, v in data.items() if k not in _KNOWN}
    return PoseSpec(
        id=pose_id,
        name=name,
        sanskrit=sanskrit,
        cue=cue,
        symmetric=symmetric,
        template=template,
        angles=angles,
        template_side=template_side,
        source=source,
        builtin=builtin,
        n_samples=n_samples,
        extra=extra,
        variants=variants,
        pair_tolerance=_pair_tolerance(data, where),
    )


_KNOWN = {
    "id", "name", "sanskrit", "cue", "symmetric", "template_side", "n_samples", "template",
    "angles", "hints", "variant", "symmetry",
}  # fmt: skip


def load_pose_file(path: Path, builtin: bool = True) -> PoseSpec:
    data = read_toml(path)
    pose_id = data.get("id")
    if isinstance(pose_id, str) and pose_id != path.stem:
        raise LibraryFileError(
            f"{path}: field 'id' is {pose_id!r}, expected the file name {path.stem!r}"
        )
    return parse_pose(data, str(path), builtin=builtin)


def _q(text: str) -> str:
    """A TOML basic string."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{out}"'


def _num(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return "0.0" if text.strip("-0.") == "" else text


def _rows(arr: np.ndarray, digits: int) -> str:
    lines = [", ".join(_num(float(v), digits) for v in row) for row in arr]
    return "[\n" + "".join(f"  [{line}],\n" for line in lines) + "]"


def _angle_row(t: AngleTarget, hints: Mapping[str, str]) -> str:
    parts = [
        f"target = {_num(t.target, 1)}",
        f"tolerance = {_num(t.tolerance, 1)}",
        f"weight = {_num(t.weight, 2)}",
    ]
    if t.straight:
        parts.append("straight = true")
    # Phrases are written once in [hints]; a row repeats one only where it differs.
    for key, text in (("increase", t.increase), ("decrease", t.decrease)):
        if text and text != hints.get(key, ""):
            parts.append(f"{key} = {_q(text)}")
    return "{ " + ", ".join(parts) + " }"


def _template_lines(tpl: Pose, table: str) -> list[str]:
    return [
        f"[{table}]",
        "# MediaPipe landmarks in BlazePose order: image (normalised x, y, z), world (metres,",
        "# hip-centred, y down), visibility (0..1).",
        f"image = {_rows(tpl.image, 4)}",
        f"world = {_rows(tpl.world, 4)}",
        "visibility = [" + ", ".join(_num(float(v), 3) for v in tpl.visibility) + "]",
    ]


def format_pose(spec: PoseSpec, header: str = "") -> str:
    """The TOML text of a pose file (parse_pose reads it back to an equal spec, rounded).

    Hint phrases go to one [hints] table; then each variant: id, name, its angles (one line
    each: target, tolerance, weight, straight) and its template landmarks."""
    out: list[str] = []
    if header:
        out += [f"# {line}".rstrip() for line in header.splitlines()]
        out.append("")
    out += [
        f"id = {_q(spec.id)}",
        f"name = {_q(spec.name)}",
        f"sanskrit = {_q(spec.sanskrit)}",
        f"cue = {_q(spec.cue)}",
        f"symmetric = {'true' if spec.symmetric else 'false'}",
        f"template_side = {_q(spec.template_side)}",
        f"n_samples = {spec.n_samples}",
    ]
    for key, value in spec.extra.items():
        if isinstance(value, str):
            out.append(f"{key} = {_q(value)}")
    if spec.pair_tolerance:
        out += [
            "",
            "# How far the left and right angle of a joint may differ (degrees).",
            "[symmetry]",
            *(f"{j} = {_num(v, 1)}" for j, v in spec.pair_tolerance.items()),
        ]
    forms = spec.forms()
    hints: dict[str, dict[str, str]] = {}
    for name in ANGLE_NAMES:
        for form in forms:
            t = form.angles.get(name)
            if t is not None and (t.increase or t.decrease):
                hints[name] = {"increase": t.increase, "decrease": t.decrease}
                break
    if hints:
        out += [
            "",
            "# What the coach says when an angle is too small (increase) or too large.",
            "[hints]",
        ]
        for name, h in hints.items():
            out.append(
                f"{name} = {{ increase = {_q(h['increase'])}, decrease = {_q(h['decrease'])} }}"
            )
    for form in forms:
        out += [
            "",
            "[[variant]]",
            f"id = {_q(form.id)}",
            f"name = {_q(form.name)}",
            f"n_samples = {form.n_samples}",
            "",
            "[variant.angles]",
        ]
        for name in ANGLE_NAMES:
            if name in form.angles:
                out.append(f"{name} = {_angle_row(form.angles[name], hints.get(name, {}))}")
        out += ["", *_template_lines(form.template, "variant.template")]
    out.append("")
    return "\n".join(out)
