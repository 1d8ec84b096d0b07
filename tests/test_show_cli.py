"""`tui-trainer show IMAGE` on a real photo (skipped without ../shared/media)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tui_trainer.cli import main

TREE = "tfexamples_tree_pixabay.jpg"


def test_show_writes_the_drawn_photo_and_the_3d_view(
    media_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    import cv2

    monkeypatch.chdir(tmp_path)
    photo = media_dir / TREE
    assert main(["show", str(photo), "--3d", "view3d.png"]) == 0
    out, err = capfd.readouterr()
    assert err == ""
    drawn_path = tmp_path / "tfexamples_tree_pixabay_pose.png"  # default: stem + _pose.png here
    assert f"written to {drawn_path}" in out
    assert "3D view written to view3d.png" in out
    for label in ("Left knee", "Right knee", "Trunk lean"):
        assert label in out
    drawn, original = cv2.imread(str(drawn_path)), cv2.imread(str(photo))
    assert drawn.shape == original.shape
    changed = np.any(drawn != original, axis=2)
    assert 0.002 < changed.mean() < 0.2
    view = cv2.imread(str(tmp_path / "view3d.png"))
    assert view.shape == (720, 720, 3)
    assert view.std() > 5  # a skeleton and a grid, not a blank image


def test_show_errors_are_one_line(
    media_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nobody.jpg"
    assert main(["show", str(missing)]) == 2
    _, err = capfd.readouterr()
    assert err.splitlines() == [f"tui-trainer: error: {missing}: no such file"]
    bad_out = tmp_path / "nowhere" / "x.png"
    assert main(["show", str(media_dir / TREE), "--out", str(bad_out)]) == 2
    _, err = capfd.readouterr()
    assert len(err.splitlines()) == 1 and str(bad_out) in err
