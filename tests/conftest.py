"""Shared fixtures: the real media and eval data in ../shared (skipped where absent)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.library import PoseLibrary

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TUI_TRAINER_SHARED", REPO.parent / "shared"))
MEDIA = SHARED / "media"
EVAL_NPZ = SHARED / "eval" / "yoga_dev_landmarks.npz"


@pytest.fixture(scope="session")
def media_dir() -> Path:
    if not MEDIA.is_dir():
        pytest.skip(f"real media not found at {MEDIA} (set TUI_TRAINER_SHARED)")
    return MEDIA


@pytest.fixture(scope="session")
def eval_data() -> dict[str, np.ndarray]:
    if not EVAL_NPZ.is_file():
        pytest.skip(f"eval landmarks not found at {EVAL_NPZ} (set TUI_TRAINER_SHARED)")
    with np.load(EVAL_NPZ) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="session")
def held_out(eval_data: dict[str, np.ndarray]) -> tuple[PoseLibrary, set[tuple[str, str]]]:
    """A library built the way the shipped one is, from the photos not named in
    poses/HOLDOUT.txt, and the held-out (label, file name) pairs: the shipped poses are built
    from every photo, so a test of photos the coach has never seen needs its own (~2 s)."""
    script = importlib.util.spec_from_file_location(
        "build_builtin_poses", REPO / "scripts/build_builtin_poses.py"
    )
    assert script is not None and script.loader is not None
    module = importlib.util.module_from_spec(script)
    script.loader.exec_module(module)
    held = {
        (label, name)
        for line in (REPO / "poses/HOLDOUT.txt").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
        for label, name in [line.split("\t")]
    }
    train: dict[str, list[Pose]] = {}
    for i, (label, name) in enumerate(zip(eval_data["label"], eval_data["name"])):
        if (str(label), str(name)) not in held:
            size = (int(eval_data["image_size"][i][0]), int(eval_data["image_size"][i][1]))
            pose = Pose.from_arrays(
                eval_data["image"][i], eval_data["world"][i], eval_data["visibility"][i], size
            )
            train.setdefault(str(label), []).append(pose)
    return PoseLibrary(list(module.build_library(train).values())), held
