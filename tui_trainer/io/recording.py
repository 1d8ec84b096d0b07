"""Landmark recordings: a compact .npz of the landmark stream of a session or a video.

Arrays: timestamps (N,) float64 seconds · image, world (N, 33, 3) float32 · visibility (N, 33)
float16 · present (N,) bool · image_size (2,) int (0, 0 when unknown) · fps () float ·
meta () str (JSON: source, routine/pose, anything else) · version () int.
Rows without a person are zeros with present False. About 1.5 MB a minute at 30 fps.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from tui_trainer.core.errors import InputFileError
from tui_trainer.core.landmarks import N_LANDMARKS
from tui_trainer.core.motion import LandmarkTrack
from tui_trainer.core.pose import Pose

FORMAT_VERSION = 1
_KEYS = ("timestamps", "image", "world", "visibility", "present", "image_size", "fps", "meta")


def save_recording(path: str | Path, track: LandmarkTrack) -> Path:
    """Write a track atomically (a temporary file in the same folder, then a rename)."""
    p = Path(path)
    if p.suffix.lower() != ".npz":
        raise InputFileError(f"{p}: a landmark recording must end in .npz")
    if not p.parent.is_dir():
        raise InputFileError(f"{p.parent}: no such folder for the recording")
    meta = {"source": track.source, **track.meta}
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(
                fh,
                timestamps=np.asarray(track.timestamps, np.float64),
                image=np.asarray(track.image, np.float32),
                world=np.asarray(track.world, np.float32),
                visibility=np.asarray(track.visibility, np.float16),
                present=np.asarray(track.present, bool),
                image_size=np.asarray(track.image_size or (0, 0), np.int32),
                fps=np.float64(track.fps),
                meta=np.array(json.dumps(meta, default=str)),
                version=np.int32(FORMAT_VERSION),
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a recording is an ordinary file
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def load_recording(path: str | Path) -> LandmarkTrack:
    """Read a recording written by save_recording / LandmarkRecorder; InputFileError if broken."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: no such file")
    try:
        with np.load(p, allow_pickle=False) as data:
            missing = [k for k in _KEYS if k not in data.files]
            if missing:
                raise InputFileError(
                    f"{p}: not a tui-trainer landmark recording (missing {', '.join(missing)})"
                )
            arrays = {k: data[k] for k in _KEYS}
    except (OSError, ValueError, EOFError) as exc:
        raise InputFileError(f"{p}: not a readable .npz landmark recording ({exc})") from None
    n = len(arrays["timestamps"])
    shapes = {
        "image": (n, N_LANDMARKS, 3),
        "world": (n, N_LANDMARKS, 3),
        "visibility": (n, N_LANDMARKS),
        "present": (n,),
    }
    for key, shape in shapes.items():
        if arrays[key].shape != shape:
            raise InputFileError(f"{p}: {key} has shape {arrays[key].shape}, expected {shape}")
    try:
        meta = json.loads(str(arrays["meta"]))
    except json.JSONDecodeError:
        raise InputFileError(f"{p}: its meta data is not JSON") from None
    w, h = (int(v) for v in arrays["image_size"])
    fps = float(arrays["fps"])
    if not np.isfinite(fps) or fps <= 0:
        ts = arrays["timestamps"]
        fps = 1.0 / float(np.median(np.diff(ts))) if n > 1 and np.all(np.diff(ts) > 0) else 30.0
    return LandmarkTrack(
        timestamps=arrays["timestamps"].astype(np.float64),
        image=arrays["image"].astype(np.float32),
        world=arrays["world"].astype(np.float32),
        visibility=arrays["visibility"].astype(np.float32),
        present=arrays["present"].astype(bool),
        fps=fps,
        image_size=(w, h) if w > 0 and h > 0 else None,
        source=str(meta.get("source") or p),
        meta=dict(meta),
    )


class LandmarkRecorder:
    """Collects (t, Pose | None) frames of a live session; `close()` writes the .npz."""

    def __init__(self, path: str | Path, meta: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() != ".npz":
            raise InputFileError(f"{self.path}: a landmark recording must end in .npz")
        if not self.path.parent.is_dir():
            raise InputFileError(f"{self.path.parent}: no such folder for the recording")
        self.meta: dict[str, Any] = {"source": "live", **(meta or {})}
        self._frames: list[tuple[float, Pose | None]] = []
        self._closed = False

    def add(self, t: float, pose: Pose | None) -> None:
        if self._closed:
            raise RuntimeError("recorder is closed")
        if self._frames and t <= self._frames[-1][0]:
            return  # timestamps must increase; a repeated frame adds nothing
        self._frames.append((float(t), pose))

    def __len__(self) -> int:
        return len(self._frames)

    def close(self) -> Path | None:
        """Write the recording (nothing when no frame was added); returns the path written."""
        if self._closed:
            return None
        self._closed = True
        if not self._frames:
            return None
        t0 = self._frames[0][0]
        frames = [(t - t0, pose) for t, pose in self._frames]  # seconds from the first frame
        ts = np.array([t for t, _ in frames])
        fps = 1.0 / float(np.median(np.diff(ts))) if len(ts) > 1 else 30.0
        track = LandmarkTrack.from_frames(
            frames, fps=fps, source=str(self.meta["source"]), meta={**self.meta, "t0": t0}
        )
        return save_recording(self.path, track)

    def __enter__(self) -> LandmarkRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RecordingSource:
    """Wraps a frame source (io/sources.py) and records every (t, pose) it delivers.

    For the live session's `--record FILE`: wrap each source the app opens; close the recorder
    (not this wrapper) when the app exits, so all sessions of the run land in one file.
    """

    def __init__(self, source: Any, recorder: LandmarkRecorder) -> None:
        self._source = source
        self._recorder = recorder

    def read(self) -> Any:
        sample = self._source.read()
        if sample is not None:
            self._recorder.add(sample.t, sample.pose)
        return sample

    def __getattr__(self, name: str) -> Any:  # open, close, set_target, name, fps...
        return getattr(self._source, name)


def load_track(path: str | Path, **extract: Any) -> LandmarkTrack:
    """A recording (.npz) or a video file (landmarks extracted) as a LandmarkTrack."""
    if Path(path).suffix.lower() == ".npz":
        return load_recording(path)
    from tui_trainer.io.video import extract_track

    return extract_track(path, **extract)
