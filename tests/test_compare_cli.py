"""`tui-trainer compare` on real photos (skipped without ../shared/media)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tui_trainer.cli import main
from tui_trainer.core.body.angles import ANGLE_NAMES

WARRIOR = "ooibowei_warrior2.jpg"
WARRIOR_MAN = "tfjs_pose_warrior2.jpg"
JSON_KEYS = {
    "coordinate_distance",
    "coordinate_score",
    "angle_distance",
    "angle_score",
    "score",
    "verdict",
    "mirrored",
    "angles",
}


def run_json(capfd: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["compare", *args, "--json"]) == 0
    out, err = capfd.readouterr()
    assert err == ""  # no MediaPipe log noise
    return json.loads(out)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process: what a user sees on stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "tui_trainer.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_table_output(media_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", str(media_dir / WARRIOR_MAN), str(media_dir / WARRIOR)])
    out, err = capfd.readouterr()
    assert code == 0
    assert err == ""
    for text in ("Distance coordinates", "Score (%)", "Distance angle", "Trainer score"):
        assert text in out
    assert ("PERFECT" in out) != ("FIGHTING" in out)
    assert "Matched side:" in out
    for label in ("Left elbow", "Right knee", "Trunk lean", "Difference"):
        assert label in out


def test_same_photo_twice(media_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    photo = str(media_dir / WARRIOR)
    data = run_json(capfd, photo, photo)
    assert set(data) == JSON_KEYS
    # The method's first case: the same photo twice is distance 0.0 and 100 % on both.
    assert data["coordinate_distance"] == 0.0
    assert data["coordinate_score"] == 100.0
    assert data["angle_distance"] == 0.0
    assert data["angle_score"] == 100.0
    assert data["score"] == pytest.approx(100.0, abs=1e-6)
    assert data["verdict"] == "PERFECT"
    assert data["mirrored"] is False
    assert set(data["angles"]) == set(ANGLE_NAMES)
    for row in data["angles"].values():
        assert set(row) == {"actual", "target", "delta"}
        assert row["actual"] == row["target"]
        assert row["delta"] == 0.0


def test_flipped_photo_matches_mirrored(
    media_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    import cv2

    photo = media_dir / WARRIOR
    flipped = tmp_path / "flipped.png"
    cv2.imwrite(str(flipped), cv2.flip(cv2.imread(str(photo)), 1))
    either = run_json(capfd, str(photo), str(flipped))
    same = run_json(capfd, str(photo), str(flipped), "--sides", "same")
    assert either["mirrored"] is True
    assert same["mirrored"] is False
    assert either["score"] > same["score"]
    # The seed coordinate metric does not see the mirror: same numbers either way.
    assert either["coordinate_distance"] == same["coordinate_distance"]
    # Matched with the mirror image, the left knee is compared with the target's right knee.
    knee = either["angles"]["left_knee"]
    assert abs(knee["delta"]) < abs(same["angles"]["left_knee"]["delta"]) + 1e-9


def test_save_overlay(media_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import cv2

    out_file = tmp_path / "overlay.png"
    photo = media_dir / WARRIOR
    code = main(
        ["compare", str(media_dir / WARRIOR_MAN), str(photo), "--save-overlay", str(out_file)]
    )
    out, _ = capfd.readouterr()
    assert code == 0
    assert str(out_file) in out
    drawn, original = cv2.imread(str(out_file)), cv2.imread(str(photo))
    assert drawn.shape == original.shape
    changed = np.any(drawn.astype(int) != original.astype(int), axis=2)
    assert 0.002 < changed.mean() < 0.2  # a skeleton, not a blank or a repaint


@pytest.mark.parametrize("kind", ["missing", "text", "empty"])
def test_bad_input_file(
    kind: str, media_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / f"{kind}.jpg"
    if kind == "text":
        bad.write_text("this is not a picture\n")
    elif kind == "empty":
        bad.write_bytes(b"")
    assert main(["compare", str(media_dir / WARRIOR), str(bad)]) == 2
    out, err = capfd.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("tui-trainer: error: ")
    assert str(bad) in lines[0]


def test_no_person_is_one_clean_line(media_dir: Path, tmp_path: Path) -> None:
    import cv2

    grey = tmp_path / "grey.png"
    cv2.imwrite(str(grey), np.full((480, 640, 3), 128, np.uint8))
    result = run_cli("compare", str(media_dir / WARRIOR), str(grey))
    assert result.returncode == 2
    assert result.stdout == ""
    # Exactly one line: MediaPipe's own log lines (W0000..., INFO: ...) are silenced.
    assert result.stderr.splitlines() == [
        f"tui-trainer: error: {grey}: no person found in the image"
    ]


def test_unwritable_overlay_path(
    media_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    photo = str(media_dir / WARRIOR)
    for target, expected in [
        (tmp_path / "no_such_dir" / "o.png", "does not exist"),
        (tmp_path / "overlay.txt", "cannot write this kind of image"),
    ]:
        assert main(["compare", photo, photo, "--save-overlay", str(target)]) == 2
        out, err = capfd.readouterr()
        assert out == ""
        assert len(err.splitlines()) == 1
        assert str(target) in err and expected in err


def test_lite_model_is_a_clear_error(media_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    photo = str(media_dir / WARRIOR)
    assert main(["compare", photo, photo, "--model", "lite"]) == 2
    _, err = capfd.readouterr()
    assert err.count("\n") == 1
    assert "lite pose model" in err and "full model" in err
