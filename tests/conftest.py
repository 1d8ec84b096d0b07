"""Shared fixtures: the real media and eval data in ../shared (skipped where absent)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

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
