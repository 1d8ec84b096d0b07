"""Reading images from disk with errors a user can act on."""

from __future__ import annotations

import os
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


def check_writable_image(path: str | Path) -> Path:
    """Fail early (before minutes of work) if an image cannot be written at `path`."""
    import cv2

    p = Path(path)
    if p.is_dir():
        raise InputFileError(f"{p}: is a directory, expected an image file name")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputFileError(f"{p}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputFileError(f"{p}: folder {parent} is not writable")
    if not p.suffix or not cv2.haveImageWriter(str(p)):
        raise InputFileError(
            f"{p}: cannot write this kind of image (use .png, .jpg, .bmp or .webp)"
        )
    return p


def write_image(path: str | Path, image: np.ndarray) -> Path:
    """Write a BGR image; InputFileError naming the file when that fails."""
    import cv2

    p = check_writable_image(path)
    try:
        ok = cv2.imwrite(str(p), image)
    except cv2.error as exc:
        raise InputFileError(f"{p}: cannot write the image ({exc.err})") from None
    if not ok:
        raise InputFileError(f"{p}: cannot write the image")
    return p
