"""The pose library: built-ins load, recognise themselves, user poses, and the `poses` CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tui_trainer.cli import main
from tui_trainer.core.library import (
    PoseLibrary,
    UnknownPoseError,
    builtin_dir,
    user_dir,
)

REQUIRED = (
    "mountain", "tree", "warrior1", "warrior2", "triangle", "goddess", "downward_dog", "plank",
    "bridge", "child", "seated_forward_bend", "bound_angle", "dancer", "half_moon",
)  # fmt: skip


@pytest.fixture(scope="module")
def lib() -> PoseLibrary:
    return PoseLibrary.load(builtin_dir("poses"), Path("/nonexistent"))


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    return tmp_path


def test_every_builtin_pose_loads_and_validates(lib: PoseLibrary) -> None:
    assert lib.errors == []
    assert set(REQUIRED) <= set(lib.ids())
    for pid in lib.ids():
        spec = lib.get(pid)
        assert spec.builtin and spec.name and spec.sanskrit and spec.cue
        assert spec.n_samples >= 5  # built from several photos, not one
        assert pid in lib
        if not spec.symmetric:
            assert spec.extra.get("side_rule") and spec.extra.get("side_note")


@pytest.mark.parametrize("pose_id", REQUIRED)
def test_builtin_pose_recognises_its_own_template_mirrored_or_not(
    lib: PoseLibrary, pose_id: str
) -> None:
    spec = lib.get(pose_id)
    for mirrored in (False, True):
        pose = spec.template.mirrored() if mirrored else spec.template
        best = lib.match(pose)[0]
        assert best.pose_id == pose_id, (mirrored, lib.match(pose))
        if spec.symmetric:
            assert best.side is None
        else:
            other = "right" if spec.template_side == "left" else "left"
            assert best.side == (other if mirrored else spec.template_side)


def test_match_returns_top_n_best_first(lib: PoseLibrary) -> None:
    matches = lib.match(lib.get("plank").template, top=5)
    assert len(matches) == 5
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert len({m.pose_id for m in matches}) == 5


def test_unknown_pose_names_the_id_and_known_ids(lib: PoseLibrary) -> None:
    with pytest.raises(UnknownPoseError, match=r"'lotus'.*known poses: .*warrior2"):
        lib.get("lotus")


def test_user_dirs_follow_the_config_env(config: Path) -> None:
    assert user_dir("poses") == config / "poses"
    assert user_dir("routines") == config / "routines"
    with pytest.raises(ValueError):
        user_dir("videos")


def test_user_pose_with_a_builtin_id_overrides_it(config: Path) -> None:
    (config / "poses").mkdir()
    text = (builtin_dir("poses") / "tree.toml").read_text()
    (config / "poses" / "tree.toml").write_text(text.replace('name = "Tree"', 'name = "My tree"'))
    shutil.copy(builtin_dir("poses") / "plank.toml", config / "poses" / "my_plank.toml")
    lib = PoseLibrary.load()
    assert lib.get("tree").name == "My tree" and not lib.get("tree").builtin
    assert lib.get("mountain").builtin
    assert lib.errors and "my_plank.toml" in lib.errors[0].message  # id != file name
    assert lib.ids().index("tree") < lib.ids().index("warrior2")  # keeps its place


def test_poses_list_and_show(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["poses", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in listed] == PoseLibrary.load().ids()
    assert main(["poses", "list"]) == 0
    assert "Warrior II" in capsys.readouterr().out
    assert main(["poses", "show", "warrior2"]) == 0
    out = capsys.readouterr().out
    assert "Virabhadrasana II" in out and "Left knee" in out and "±" in out
    assert main(["poses", "show", "warrior2", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["angles"]["left_knee"]["decrease"] == "Bend your front knee more"
    assert main(["poses", "show", "lotus"]) == 2
    assert "unknown pose 'lotus'" in capsys.readouterr().err


def test_broken_user_pose_is_reported_on_stderr_and_cli_still_works(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config / "poses").mkdir()
    bad = Path(__file__).parent / "data" / "bad_poses" / "wrong_type.toml"
    shutil.copy(bad, config / "poses")
    assert main(["poses", "list"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "wrong_type.toml" in err and "'symmetric'" in err


@pytest.mark.media
def test_poses_match_photos(
    media_dir: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["poses", "match", str(media_dir / "tfjs_pose_warrior2.jpg"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["matches"]) == 3
    best = out["matches"][0]
    assert best["pose"] == "warrior2" and best["side"] in ("left", "right")
    assert best["score"] >= out["matches"][1]["score"]
    assert main(["poses", "match", str(media_dir / "tfexamples_tree_pixabay.jpg")]) == 0
    # The human table: the first data row (after the header row) is the tree. Rows are found by
    # their "│ 1 │" cell, not by line number: the title wraps with the length of the path.
    table = capsys.readouterr().out
    first = next(line for line in table.splitlines() if line.replace(" ", "").startswith("│1│"))
    assert "tree" in first.split()
    assert main(["poses", "match", str(media_dir / "missing.jpg")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.media
def test_poses_build_from_photos_refuses_overwrite(
    media_dir: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = [str(media_dir / n) for n in ("tfjs_pose_warrior2.jpg", "ooibowei_warrior2.jpg")]
    assert main(["poses", "build", "my_warrior", *photos, "--asymmetric"]) == 0
    path = config / "poses" / "my_warrior.toml"
    assert path.is_file() and "wrote" in capsys.readouterr().out
    lib = PoseLibrary.load()
    spec = lib.get("my_warrior")
    assert lib.errors == [] and not spec.builtin and spec.n_samples == 2 and not spec.symmetric
    # No built-in to borrow from: plain hints, worded so they survive mirroring.
    assert spec.angles["left_knee"].decrease == "Bend your leading knee more"
    assert all(t.increase and t.decrease for t in spec.angles.values())
    before = path.read_text()
    assert main(["poses", "build", "my_warrior", photos[0]]) == 2
    assert "--force" in capsys.readouterr().err
    assert path.read_text() == before  # the user's pose is untouched
    assert main(["poses", "build", "my_warrior", photos[0], "--force", "--name", "W"]) == 0
    assert path.read_text() != before
    again = PoseLibrary.load().get("my_warrior")
    assert not again.symmetric and again.name == "W" and again.n_samples == 1
    assert (config / "poses" / "my_warrior.toml.bak").read_text() == before
    # A built-in id reuses the built-in's names, side rule and hints.
    assert main(["poses", "build", "warrior2", *photos]) == 0
    mine = PoseLibrary.load().get("warrior2")
    assert not mine.builtin and mine.extra.get("side_rule") == "smaller_knee"
    assert mine.angles["left_knee"].decrease == "Bend your front knee more"
    assert main(["poses", "build", "Bad Id", photos[0]]) == 2
    assert main(["poses", "build", "nothing"]) == 2


@pytest.mark.media
@pytest.mark.slow
def test_poses_build_from_video(
    media_dir: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = str(media_dir / "tfjs_pose_squats.mp4")  # 65 frames at 5 fps of squats
    assert main(["poses", "build", "squat", "--video", video, "--every", "2"]) == 0
    err = capsys.readouterr().err
    # Only the one second the woman stays still is used, and the command says so.
    assert "used hold 8.8–9.8 s (6 frames, form 1)" in err
    spec = PoseLibrary.load().get("squat")
    assert spec.symmetric and spec.n_samples == 3


def test_data_dir_env_overrides_the_builtin_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, config: Path
) -> None:
    assert builtin_dir("poses").parent == Path(__file__).resolve().parents[1]  # the repo
    (tmp_path / "data" / "poses").mkdir(parents=True)
    shutil.copy(builtin_dir("poses") / "tree.toml", tmp_path / "data" / "poses")
    monkeypatch.setenv("TUI_TRAINER_DATA_DIR", str(tmp_path / "data"))
    assert builtin_dir("routines") == tmp_path / "data" / "routines"
    assert PoseLibrary.load().ids() == ["tree"]


def test_a_missing_or_empty_builtin_library_is_an_error_not_an_empty_list(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tree = builtin_dir("poses") / "tree.toml"
    data = tmp_path / "data"
    (data / "poses").mkdir(parents=True)
    monkeypatch.setenv("TUI_TRAINER_DATA_DIR", str(data))
    assert main(["poses", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"built-in poses not found: {data / 'poses'} has no *.toml files" in err
    assert "TUI_TRAINER_DATA_DIR" in err
    shutil.copy(tree, data / "poses")
    assert main(["routines", "list"]) == 2  # poses found, routines/ missing
    assert (
        f"built-in routines not found: {data / 'routines'} does not exist"
        in capsys.readouterr().err
    )


def test_an_installed_package_reads_its_own_copy_of_the_library(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A wheel carries the library in tui_trainer/builtin/ (setup.py copies it there): that copy
    wins over a checkout's folders, found through importlib.resources."""
    import tui_trainer.core.library.catalog as library

    package = tmp_path / "site-packages" / "tui_trainer"
    (package / "builtin" / "poses").mkdir(parents=True)
    shutil.copy(builtin_dir("poses") / "tree.toml", package / "builtin" / "poses")
    monkeypatch.delenv("TUI_TRAINER_DATA_DIR", raising=False)
    monkeypatch.setattr(library.resources, "files", lambda name: package)
    assert builtin_dir("poses") == package / "builtin" / "poses"
    assert PoseLibrary.load(user_dir=tmp_path / "none").ids() == ["tree"]
    # Without that copy (an editable install), the checkout's folder.
    assert builtin_dir("routines") == Path(__file__).resolve().parents[1] / "routines"
