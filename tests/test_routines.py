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
        "step 1", "field 'variant'", "no variant 'hands_in_pockets'", "arms_overhead"
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
            assert 20 <= s.hold_s <= 45 and 5 <= s.rest_s <= 15, (r.id, s)
            assert (s.side is None) == spec.symmetric
        # Asymmetric poses are done on both sides, as separate steps.
        for pid in {s.pose_id for s in r.steps if s.side}:
            assert {s.side for s in r.steps if s.pose_id == pid} == {"left", "right"}, (r.id, pid)


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
