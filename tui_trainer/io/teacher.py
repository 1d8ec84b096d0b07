"""Load a teacher for `follow`: a landmark recording, or a video whose landmarks are extracted
once (parallel, with a progress bar) and kept in the cache dir for the next time.

The cache key is the video's resolved path, size and modification time (and the extraction
settings): an edited or replaced file is extracted again. Cache files are ordinary landmark
recordings (io/recording.py) under `<user cache dir>/tui-trainer/teachers/` (Linux:
~/.cache/tui-trainer/teachers; $TUI_TRAINER_CACHE_DIR overrides the root). A cache that cannot
be read or written only costs the time: the teacher is extracted again.

Also: `TeacherFrames`, the teacher video's picture at a given time for the preview window.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from tui_trainer.core.errors import InputFileError
from tui_trainer.core.motion.compare import LandmarkTrack
from tui_trainer.core.motion.teacher import TeacherMotion
from tui_trainer.io.frames import open_video

CACHE_ENV = "TUI_TRAINER_CACHE_DIR"
CACHE_VERSION = 2  # bump when extraction changes in a way that matters (2: rotated videos upright)
MODEL_COMPLEXITY = 1


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override) / "teachers"
    import platformdirs

    return Path(platformdirs.user_cache_dir("tui-trainer", appauthor=False)) / "teachers"


def cache_path(video: str | Path) -> Path:
    p = Path(video).resolve()
    st = p.stat()
    key = f"{p}|{st.st_size}|{st.st_mtime_ns}|mc{MODEL_COMPLEXITY}|v{CACHE_VERSION}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return cache_dir() / f"{p.stem[:40]}-{digest}.npz"


def is_recording(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".npz"


def _check_readable(p: Path) -> None:
    if not p.exists():
        raise InputFileError(f"{p}: no such file")
    if not p.is_file():
        raise InputFileError(f"{p}: not a file")
    if not os.access(p, os.R_OK):
        raise InputFileError(f"{p}: permission denied")


def load_teacher_track(
    path: str | Path,
    *,
    use_cache: bool = True,
    workers: int | None = None,
    progress: bool | None = None,
) -> tuple[LandmarkTrack, bool]:
    """(the teacher's landmarks, whether they came from the cache); errors name the file."""
    from tui_trainer.io.recording import load_recording, save_recording

    p = Path(path)
    if is_recording(p):
        return _named(load_recording(p), p), False
    _check_readable(p)
    cached = cache_path(p) if use_cache else None
    if cached is not None and cached.is_file():
        try:
            track = load_recording(cached)
            if len(track):
                return _named(track, p), True
        except InputFileError:
            pass  # a damaged cache file: extract again (and replace it below)
    from tui_trainer.io.video import extract_track

    track = extract_track(p, workers=workers, model_complexity=MODEL_COMPLEXITY, progress=progress)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            save_recording(cached, track)
        except (OSError, InputFileError):
            pass  # no cache this time; the session does not need it
    return _named(track, p), False


def _named(track: LandmarkTrack, path: Path) -> LandmarkTrack:
    """The track with the teacher's path as its source (error messages name the file)."""
    return LandmarkTrack(
        track.timestamps,
        track.image,
        track.world,
        track.visibility,
        track.present,
        track.fps,
        track.image_size,
        str(path),
        {**track.meta, "source": str(path)},
    )


def load_teacher(path: str | Path, **kwargs: Any) -> TeacherMotion:
    """The teacher ready to follow; InputFileError / NoPersonFound naming the file otherwise."""
    track, _ = load_teacher_track(path, **kwargs)
    return TeacherMotion.from_track(track, Path(path).name)


class TeacherFrames:
    """The teacher video's frame at a time, decoded forward as the time advances (a seek only
    when it goes back or jumps far ahead). Not thread-safe: one caller."""

    def __init__(self, path: str | Path, mirrored: bool = False) -> None:
        import cv2

        self._cv2 = cv2
        self.mirrored = mirrored
        self.cap = open_video(path)
        self.fps = float(self.cap.get(cv2.CAP_PROP_FPS) or 30.0)
        self._index = -1  # index of self._frame
        self._frame: np.ndarray | None = None

    def at(self, t: float) -> np.ndarray | None:
        want = max(0, round(t * self.fps))
        if want == self._index:
            return self._frame
        if want < self._index or want > self._index + 2 * self.fps:
            self.cap.set(self._cv2.CAP_PROP_POS_FRAMES, want)
            self._index = want - 1
        while self._index < want - 1:  # skip to the frame before without decoding pictures
            if not self.cap.grab():
                return self._frame  # past the end: keep the last picture
            self._index += 1
        ok, frame = self.cap.read()
        if not ok or frame is None:
            return self._frame
        if self.mirrored:
            frame = self._cv2.flip(frame, 1)
        self._frame, self._index = frame, want
        return frame

    def close(self) -> None:
        self.cap.release()
