"""Routines: built-in ones load and validate; each bad file gives its error; the rest loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tui_trainer.cli import main
from tui_trainer.core.library import (
    PoseLibrary,
    RoutineLibrary,
    UnknownRoutineError,
    builtin_dir,
)

BAD_ROUTINES = Path(__file__).parent / "data" / "bad_routines"
EXPECTED_ROUTINE_ERRORS = {
    "syntax_error.toml": ("TOML syntax error", "line 3"),
    "unknown_pose.toml": ("step 1", "unknown pose 'flying_unicorn'", "known poses: "),
    "negative_hold.toml": ("step 1", "'hold_s'", "> 0", "-10"),
    "missing_name.toml": ("missing field 'name'",),
    "wrong_type.toml": ("step 1", "'hold_s'", "must be a number", "'thirty'"),
    "missing_side.toml": ("step 1", "'side'", "'left' or 'right'", "'warrior2'"),
    "unknown_variant.toml": (
        "step 1",
        "field 'variant'",
        "no variant 'hands_in_pockets'",
        "arms_overhead",
    ),
    # flows: the step, the pose's place in the flow, the field, what was expected
    "flow_unknown_pose.toml": ("step 2: poses[2]", "unknown pose 'flying_unicorn'", "known poses"),
    "flow_zero_breaths.toml": ("step 2: poses[2]", "'breaths'", "whole number >= 1", "got 0"),
    "flow_negative_breaths.toml": ("step 2: poses[1]", "'breaths'", ">= 1", "got -2"),
    "flow_zero_rounds.toml": ("step 2:", "'rounds'", "whole number >= 1", "got 0"),
    "flow_missing_side.toml": ("step 2: poses[2]", "'side'", "'triangle'", "on the step"),
    "flow_bad_breath_s.toml": ("step 2:", "'breath_s'", "between 2 and 30", "got 0.5"),
    "flow_with_hold.toml": (
        "step 2:",
        "'hold_s' does not belong in a flow step",
    ),
    "flow_unknown_field.toml": ("step 2: poses[1]", "unknown field 'breath'", "breaths"),
    "flow_no_poses.toml": (
        "step 2:",
        "'poses' must be a list",
    ),
}
GOOD = """name = "Tiny"
level = "beginner"
description = "test"

[[step]]
pose = "tree"
side = "right"
hold_s = 20
rest_s = 5
"""


@pytest.fixture
def poses() -> PoseLibrary:
    return PoseLibrary.load(builtin_dir("poses"), Path("/nonexistent"))


def test_builtin_routines_load_and_validate(poses: PoseLibrary) -> None:
    lib = RoutineLibrary.load(poses, builtin_dir("routines"), Path("/nonexistent"))
    assert lib.errors == []
    routines = lib.all()
    assert len(routines) >= 4
    for r in routines:
        assert r.builtin and r.name and r.description
        assert r.level in ("beginner", "intermediate", "advanced")
        for s in r.steps:
            spec = poses.get(s.pose_id)
            assert 5 <= s.rest_s <= 15, (r.id, s)
            if s.flow is None:
                assert 20 <= s.hold_s <= 45, (r.id, s)
                assert (s.side is None) == spec.symmetric
                continue
            assert s.hold_s == s.flow.duration_s <= 240, (r.id, s)
            assert 4 <= s.flow.breath_s <= 10 and s.flow.rounds >= 2
            for p in s.flow.poses:
                assert (p.side is None) == poses.get(p.pose_id).symmetric, (r.id, p)
                assert p.side in (None, s.side), (r.id, p)  # one side per flow step
        # Asymmetric poses are done on both sides, as separate steps (flows too).
        holds = [s for s in r.steps if s.flow is None]
        for pid in {s.pose_id for s in holds if s.side}:
            assert {s.side for s in holds if s.pose_id == pid} == {"left", "right"}, (r.id, pid)
        for name in {s.flow.name for s in r.steps if s.flow}:
            sides = {s.side for s in r.steps if s.flow and s.flow.name == name}
            assert sides == {"left", "right"}, (r.id, name)
    assert any(s.flow for r in routines for s in r.steps), "a flow routine ships"


FLOW = """name = "Flow"
level = "beginner"
description = "test"

[[step]]
flow = "Sun flow"
side = "left"
rounds = 2
rest_s = 5
poses = [
    { pose = "mountain", breaths = 1 },
    { pose = "warrior2", breaths = 3 },
    { pose = "triangle", side = "right", breaths = 2 },
]

[[step]]
flow = "Short"
breath_s = 4.5
poses = [{ pose = "child" }]
"""


def test_a_flow_step_is_parsed_with_its_sides_breaths_and_length(
    poses: PoseLibrary, tmp_path: Path
) -> None:
    (tmp_path / "flow.toml").write_text(FLOW)
    lib = RoutineLibrary.load(poses, tmp_path, tmp_path / "none")
    assert lib.errors == []
    first, second = lib.get("flow").steps
    assert first.flow is not None and second.flow is not None
    assert [(p.pose_id, p.side, p.breaths) for p in first.flow.poses] == [
        ("mountain", None, 1),
        ("warrior2", "left", 3),  # the step's side
        ("triangle", "right", 2),  # its own side wins
    ]
    assert first.flow.rounds == 2 and first.flow.breath_s == 6.0  # the default breath
    assert first.hold_s == 2 * 6 * 6.0 and first.rest_s == 5
    assert (first.pose_id, first.side, first.pose_ids) == (
        "mountain", "left", ("mountain", "warrior2", "triangle"),
    )  # fmt: skip
    assert first.flow.key == "flow:sun_flow" and first.flow.label("left") == "Sun flow (left)"
    assert second.flow.rounds == 1 and second.flow.poses[0].breaths == 1
    assert second.hold_s == 4.5 and second.side is None
    assert lib.get("flow").total_s == 72 + 5 + 4.5


def test_routines_show_describes_a_flow(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    (tmp_path / "routines").mkdir()
    (tmp_path / "routines" / "flow.toml").write_text(FLOW)
    assert main(["routines", "show", "flow"]) == 0
    out = capsys.readouterr().out
    assert "Sun flow (left)" in out
    assert (
        "2 rounds of 6 breaths (6 s): Mountain 1 → Warrior II (left) 3 → Triangle (right) 2" in out
    )
    assert main(["routines", "show", "flow", "--json"]) == 0
    step = json.loads(capsys.readouterr().out)["steps"][0]
    assert step["pose_name"] == "Sun flow (left)" and step["hold_s"] == 72.0
    assert step["flow"]["rounds"] == 2 and step["flow"]["breath_s"] == 6.0
    assert [p["breaths"] for p in step["flow"]["poses"]] == [1, 3, 2]
    assert step["flow"]["poses"][1]["pose_name"] == "Warrior II (left)"


@pytest.mark.parametrize("name", sorted(EXPECTED_ROUTINE_ERRORS))
def test_each_bad_routine_file_gives_its_error_and_the_rest_loads(
    name: str, poses: PoseLibrary, tmp_path: Path
) -> None:
    shutil.copy(BAD_ROUTINES / name, tmp_path / name)
    (tmp_path / "tiny.toml").write_text(GOOD)
    lib = RoutineLibrary.load(poses, tmp_path, tmp_path / "none")
    assert [r.id for r in lib.all()] == ["tiny"]
    assert len(lib.errors) == 1
    err = lib.errors[0]
    assert err.path == str(tmp_path / name) and err.path in err.message
    assert "\n" not in err.message  # one line
    for fragment in EXPECTED_ROUTINE_ERRORS[name]:
        assert fragment in err.message, (fragment, err.message)


def test_user_routines_follow_builtin_ones_and_can_override(
    poses: PoseLibrary, tmp_path: Path
) -> None:
    (tmp_path / "tiny.toml").write_text(GOOD)
    (tmp_path / "balance.toml").write_text(GOOD.replace("Tiny", "My balance"))
    lib = RoutineLibrary.load(poses, builtin_dir("routines"), tmp_path)
    ids = [r.id for r in lib.all()]
    assert ids[-1] == "tiny" and not lib.get("tiny").builtin
    assert lib.get("balance").name == "My balance" and not lib.get("balance").builtin
    assert ids.index("balance") < ids.index("tiny")
    with pytest.raises(UnknownRoutineError, match=r"'nope'.*known routines: .*tiny"):
        lib.get("nope")


def test_routines_list_json_is_in_app_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    (tmp_path / "routines").mkdir()
    (tmp_path / "routines" / "tiny.toml").write_text(GOOD)
    assert main(["routines", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    poses = PoseLibrary.load()
    expected = RoutineLibrary.load(poses).all()
    assert [d["id"] for d in data] == [r.id for r in expected]
    assert data[-1]["id"] == "tiny"
    step = data[-1]["steps"][0]
    assert step == {
        "pose": "tree", "pose_name": "Tree (right)", "side": "right", "hold_s": 20.0,
        "rest_s": 5.0, "instruction": "",
    }  # fmt: skip
    for d in data:
        assert {"id", "name", "level", "steps"} <= set(d)


def test_routines_show_and_broken_files_on_stderr(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    (tmp_path / "routines").mkdir()
    shutil.copy(BAD_ROUTINES / "unknown_pose.toml", tmp_path / "routines")
    assert main(["routines", "show", "balance"]) == 0
    out, err = capsys.readouterr()
    assert "Tree (left)" in out and "Half Moon (right)" in out
    assert err.count("\n") == 1 and "unknown_pose.toml" in err and "flying_unicorn" in err
    assert main(["routines", "show", "balance", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "balance"
    assert main(["routines", "show", "nope"]) == 2
    assert "unknown routine 'nope'" in capsys.readouterr().err
