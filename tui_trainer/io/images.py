"""Reading images from disk with errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tui_trainer.core.errors import InputFileError


def read_image(path: str | Path) -> np.ndarray:
    """Read an image as a BGR uint8 array; InputFileError if missing, unreadable or not an image."""
    import cv2

    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such file")
    if p.is_dir():
        raise InputFileError(f"{p}: is a directory, expected an image file")
    try:
        data = np.fromfile(p, dtype=np.uint8)
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read ({exc.strerror or exc})") from None
    if data.size == 0:
        raise InputFileError(f"{p}: the file is empty, expected an image (JPEG, PNG...)")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise InputFileError(
            f"{p}: not an image OpenCV can read (expected JPEG, PNG, BMP, WebP...)"
        )
    return image
