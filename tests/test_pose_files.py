"""Pose files: parse/format round trip, the template builder, and one bad file per failure mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_NAMES, MAIN_ANGLES
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import LibraryFileError
from tui_trainer.core.library import PoseLibrary, builtin_dir
from tui_trainer.core.library.angle_targets import TOL_CAP, TOL_FLOOR, angle_stats
from tui_trainer.core.library.builder import build_pose_spec
from tui_trainer.core.library.pose_file import format_pose, load_pose_file, parse_pose
from tui_trainer.core.library.templates import side_of
from tui_trainer.core.tomlcompat import tomllib

REPO = Path(__file__).resolve().parents[1]

BAD_POSES = Path(__file__).parent / "data" / "bad_poses"
# file -> fragments its error message must contain (the field or line, and what was expected)
EXPECTED_POSE_ERRORS = {
    "syntax_error.toml": ("TOML syntax error", "line 2"),
    "missing_name.toml": ("missing field 'name'",),
    "wrong_type.toml": ("'symmetric'", "must be a bool", "'yes'"),
    "wrong_shape.toml": ("template", "'image'", "shape (33, 3)", "(3, 3)"),
    "id_mismatch.toml": ("'another_name'", "expected the file name 'id_mismatch'"),
    "variant_duplicate_id.toml": ("variant 2", "field 'id' repeats an earlier variant's id"),
    "variant_bad_tolerance.toml": (
        "variant 2 (hands_at_heart)",
        "angles.left_knee",
        "tolerance must be > 0",
        "-3.0",
    ),
    "symmetry_on_asymmetric.toml": ("field 'symmetry' is only for symmetric poses",),
}


def _photos(eval_data: dict[str, np.ndarray], label: str, n: int = 8) -> list[Pose]:
    idx = np.flatnonzero(eval_data["label"] == label)[:n]
    return [
        Pose.from_arrays(eval_data["image"][i], eval_data["world"][i], eval_data["visibility"][i])
        for i in idx
    ]


def test_builtin_pose_round_trips_through_format(tmp_path: Path) -> None:
    spec = load_pose_file(builtin_dir("poses") / "warrior2.toml")
    text = format_pose(spec, "a header")
    again = parse_pose(tomllib.loads(text), "again.toml")
    assert again.id == spec.id and again.symmetric == spec.symmetric
    assert again.extra.get("side_rule") == spec.extra.get("side_rule") == "smaller_knee"
    assert again.angles == spec.angles
    np.testing.assert_allclose(again.template.world, spec.template.world, atol=1e-4)
    np.testing.assert_allclose(again.template.visibility, spec.template.visibility, atol=1e-3)


@pytest.mark.parametrize("name", sorted(EXPECTED_POSE_ERRORS))
def test_each_bad_pose_file_reports_file_field_and_expectation(name: str) -> None:
    path = BAD_POSES / name
    with pytest.raises(LibraryFileError) as err:
        load_pose_file(path)
    message = str(err.value)
    assert str(path) in message
    for fragment in EXPECTED_POSE_ERRORS[name]:
        assert fragment in message, (fragment, message)


def test_bad_pose_files_are_listed_and_the_rest_still_loads(tmp_path: Path) -> None:
    for f in BAD_POSES.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(builtin_dir("poses") / "tree.toml", tmp_path / "tree.toml")
    lib = PoseLibrary.load(builtin_dir=tmp_path, user_dir=tmp_path / "none")
    assert lib.ids() == ["tree"]
    assert sorted(Path(e.path).name for e in lib.errors) == sorted(EXPECTED_POSE_ERRORS)


def test_out_of_range_angle_values_are_rejected(tmp_path: Path) -> None:
    data = tomllib.loads((builtin_dir("poses") / "plank.toml").read_text())
    data["variant"][1]["angles"]["left_knee"]["weight"] = 3.0
    with pytest.raises(
        LibraryFileError, match=r"variant 2 \(forearm\): angles.left_knee: weight must be 0..1"
    ):
        parse_pose(data, "plank.toml")
    data["variant"][1]["angles"]["left_knee"] = {"target": 90.0, "weight": 0.5}
    with pytest.raises(LibraryFileError, match="missing field 'tolerance'"):
        parse_pose(data, "plank.toml")


def test_builder_makes_a_symmetric_template_with_bounded_tolerances(
    eval_data: dict[str, np.ndarray],
) -> None:
    photos = _photos(eval_data, "goddess")
    spec = build_pose_spec(photos, "my_goddess", "My goddess", symmetric=True)
    assert spec.n_samples == len(photos) and not spec.builtin
    for t in spec.angles.values():
        assert TOL_FLOOR <= t.tolerance <= TOL_CAP
        assert 0.0 <= t.weight <= 1.0
    assert max(t.weight for t in spec.angles.values()) == 1.0
    # Symmetric: every photo also counts as its mirror image, so left and right targets agree.
    for name in ("elbow", "shoulder", "hip", "knee"):
        assert spec.angles[f"left_{name}"].target == pytest.approx(
            spec.angles[f"right_{name}"].target, abs=1.0
        )
    # Goddess is a deep squat: both knees clearly bent, thighs wide apart.
    assert spec.angles["left_knee"].target < 140
    assert spec.angles["leg_spread"].target > 60


def test_builder_puts_asymmetric_photos_on_the_template_side(
    eval_data: dict[str, np.ndarray],
) -> None:
    photos = _photos(eval_data, "warrior2")
    sides = {side_of(p, "smaller_knee") for p in photos}
    assert sides == {"left", "right"}  # the photos show both sides; the builder must resolve it
    spec = build_pose_spec(photos, "w2", "W2", symmetric=False, side_rule="smaller_knee")
    assert spec.template_side == "left"
    assert side_of(spec.template, "smaller_knee") == "left"
    assert spec.angles["left_knee"].target + 20 < spec.angles["right_knee"].target
    right = build_pose_spec(
        photos, "w2", "W2", symmetric=False, side_rule="smaller_knee", template_side="right"
    )
    assert right.template_side == "right" and side_of(right.template, "smaller_knee") == "right"
    assert right.angles["right_knee"].target == spec.angles["left_knee"].target


def test_every_builtin_pose_has_hints_where_it_matters() -> None:
    lib = PoseLibrary.load(builtin_dir("poses"), Path("/nonexistent"))
    for pid in lib.ids():
        spec = lib.get(pid)
        for name, t in spec.angles.items():
            if name in MAIN_ANGLES or t.weight >= 0.2:
                assert t.increase and t.decrease, (pid, name)
                assert t.increase != t.decrease, (pid, name)


def test_a_main_form_found_in_the_photos_speaks_the_pose_own_words() -> None:
    # Bound angle's main form was named after a standing arm form, "arms by the sides", and took
    # its words: "Bring your arms down by your sides" to someone sitting and holding their feet.
    meta = tomllib.loads((REPO / "scripts/pose_hints.toml").read_text("utf-8"))
    lib = PoseLibrary.load(builtin_dir("poses"), Path("/nonexistent"))
    checked = 0
    for pid in lib.ids():
        spec, m = lib.get(pid), meta.get(pid, {})
        declared = {*m.get("variants", {}), *m.get("forms", [])}
        if spec.forms()[0].id in declared:
            continue  # a declared form has words of its own
        for name, words in m.get("hints", {}).items():
            t = spec.angles[name]
            assert (t.increase, t.decrease) == (words["increase"], words["decrease"]), (pid, name)
            checked += 1
    assert checked > 50
    assert lib.get("bound_angle").forms()[0].name == ""


def test_a_few_well_seen_photos_do_not_set_an_angle_for_the_rest() -> None:
    from types import SimpleNamespace

    k = ANGLE_INDEX["leg_spread"]

    def photo(spread: float, seen: float) -> Pose:
        values, confidence = np.full(len(ANGLE_NAMES), 90.0), np.full(len(ANGLE_NAMES), 0.9)
        values[k], confidence[k] = spread, seen
        return SimpleNamespace(body_angles=SimpleNamespace(values=values, confidence=confidence))  # type: ignore[return-value]

    # Seated forward bends: side views with the legs together (the spread seen edge-on) and
    # three from the front with the legs wide. The three do not speak for the other eight...
    side = [photo(20.0 + i, 0.2) for i in range(8)]
    front = [photo(85.0, 0.9) for _ in range(3)]
    assert angle_stats(side + front)["leg_spread"].median == 25.0  # all eleven
    # ...but well-seen photos that are a fair share of them set it alone.
    assert angle_stats(side[:4] + front)["leg_spread"].median == 85.0
