"""Landmark recordings: a compact .npz of the landmark stream of a session or a video.

Arrays: timestamps (N,) float64 seconds · image, world (N, 33, 3) float32 · visibility (N, 33)
float16 · present (N,) bool · image_size (2,) int (0, 0 when unknown) · fps () float ·
meta () str (JSON: source, routine/pose, "poses": [{"t": s, "name": ...}] when each pose
started, anything else) · version () int.
Rows without a person are zeros with present False. About 1.5 MB a minute at 30 fps.

Crash safety: while a session records, LandmarkRecorder appends the frames about once a second
to a side file FILE.npz.part (fixed-size binary records after a JSON header), so a killed app
loses at most the last second. close() writes FILE.npz and removes the side file; when a side
file is left over (the recording was interrupted), load_recording reads it instead of FILE.npz.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from tui_trainer.core.body.landmarks import N_LANDMARKS
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import InputFileError
from tui_trainer.core.motion.compare import LandmarkTrack

FORMAT_VERSION = 1
_KEYS = ("timestamps", "image", "world", "visibility", "present", "image_size", "fps", "meta")

# Side file of an unfinished recording: magic, uint32 header length, JSON meta, then records.
_PART_MAGIC = b"TTREC01\n"
_PART_RECORD = np.dtype(
    [
        ("t", "<f8"),
        ("present", "u1"),
        ("size", "<i4", (2,)),
        ("image", "<f4", (N_LANDMARKS, 3)),
        ("world", "<f4", (N_LANDMARKS, 3)),
        ("visibility", "<f2", (N_LANDMARKS,)),
    ]
)
FLUSH_SECONDS = 1.0  # a killed app loses at most about this much of the recording
FLUSH_FRAMES = 64  # ... or this many frames, whichever comes first


def partial_path(path: str | Path) -> Path:
    """The side file an unfinished recording of `path` is appended to."""
    p = Path(path)
    return p.with_name(p.name + ".part")


def _fps_of(ts: np.ndarray) -> float:
    return 1.0 / float(np.median(np.diff(ts))) if len(ts) > 1 else 30.0


def _load_partial(part: Path) -> LandmarkTrack | None:
    """The complete frames of a side file; None when it holds none (a torn tail is dropped)."""
    try:
        data = part.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{part}: cannot read the unfinished recording ({exc})") from None
    head = len(_PART_MAGIC) + 4
    if len(data) < head or not data.startswith(_PART_MAGIC):
        raise InputFileError(f"{part}: not a tui-trainer unfinished recording")
    (n_meta,) = struct.unpack("<I", data[len(_PART_MAGIC) : head])
    try:
        meta = json.loads(data[head : head + n_meta].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputFileError(f"{part}: its meta data is not JSON") from None
    body = data[head + n_meta :]
    n = len(body) // _PART_RECORD.itemsize
    if n == 0:
        return None
    rec = np.frombuffer(body, _PART_RECORD, count=n)
    t = rec["t"].astype(np.float64)
    keep = np.concatenate([[True], np.diff(t) > 0])  # add() only appends increasing times
    rec, t = rec[keep], t[keep]
    sizes = rec["size"][rec["present"] == 1]
    w, h = (int(v) for v in sizes[0]) if len(sizes) else (0, 0)
    return LandmarkTrack(
        timestamps=t - t[0],
        image=rec["image"].astype(np.float32),
        world=rec["world"].astype(np.float32),
        visibility=rec["visibility"].astype(np.float32),
        present=rec["present"] == 1,
        fps=_fps_of(t),
        image_size=(w, h) if w > 0 and h > 0 else None,
        source=str(meta.get("source") or part),
        meta={**meta, "t0": float(t[0]), "interrupted": True},
    )


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
    """Read a recording written by save_recording / LandmarkRecorder; InputFileError if broken.

    When the recorder of `path` was killed before it finished, the frames it had appended to
    the side file (partial_path) are returned instead; their meta has "interrupted": True.
    """
    p = Path(path)
    part = partial_path(p)
    if part.is_file():
        recovered = _load_partial(part)
        if recovered is not None:
            return recovered
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
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
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
    """Collects (t, Pose | None) frames of a live session; `close()` writes the .npz.

    Frames are also appended to the side file partial_path(path) every FLUSH_SECONDS or
    FLUSH_FRAMES (a few tens of kB; cheap enough for the capture thread), so that a crash
    keeps the recording. add() and close() may run on different threads.
    """

    def __init__(self, path: str | Path, meta: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() != ".npz":
            raise InputFileError(f"{self.path}: a landmark recording must end in .npz")
        if not self.path.parent.is_dir():
            raise InputFileError(f"{self.path.parent}: no such folder for the recording")
        self.meta: dict[str, Any] = {"source": "live", **(meta or {})}
        self._frames: list[tuple[float, Pose | None]] = []
        self._closed = False
        self._lock = threading.Lock()
        self._part_fd: int | None = None  # opened at the first flush
        self._pending = 0  # frames at the end of _frames not yet in the side file
        self._last_flush = time.monotonic()
        self._poses: list[tuple[float, str]] = []  # (time of the first frame, pose name)
        self._next_pose: str | None = None

    def mark_pose(self, name: str | None) -> None:
        """The pose performed from the next frame on (kept in meta "poses" for `follow`)."""
        with self._lock:
            last = self._poses[-1][1] if self._poses else None
            self._next_pose = name if name and name != last else None

    def add(self, t: float, pose: Pose | None) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("recorder is closed")
            if self._frames and t <= self._frames[-1][0]:
                return  # timestamps must increase; a repeated frame adds nothing
            if self._next_pose is not None:
                self._poses.append((float(t), self._next_pose))
                self._next_pose = None
            self._frames.append((float(t), pose))
            self._pending += 1
            now = time.monotonic()
            if self._pending >= FLUSH_FRAMES or now - self._last_flush >= FLUSH_SECONDS:
                self._flush()
                self._last_flush = now

    def flush(self) -> None:
        """Append the frames added since the last flush to the side file."""
        with self._lock:
            if not self._closed:
                self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        rows = np.zeros(self._pending, _PART_RECORD)
        for row, (t, pose) in zip(rows, self._frames[-self._pending :]):
            row["t"] = t
            if pose is not None:
                row["present"] = 1
                row["size"] = pose.image_size or (0, 0)
                row["image"], row["world"] = pose.image, pose.world
                row["visibility"] = pose.visibility
        if self._part_fd is None:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
            self._part_fd = os.open(partial_path(self.path), flags, 0o644)
            meta = json.dumps(self.meta, default=str).encode("utf-8")
            self._write(_PART_MAGIC + struct.pack("<I", len(meta)) + meta)
        self._write(rows.tobytes())
        self._pending = 0

    def _write(self, data: bytes) -> None:
        assert self._part_fd is not None
        view = memoryview(data)
        while view:
            view = view[os.write(self._part_fd, view) :]

    def __len__(self) -> int:
        return len(self._frames)

    def close(self) -> Path | None:
        """Write the recording (nothing when no frame was added); returns the path written.

        The side file is removed only after the .npz is safely in place.
        """
        with self._lock:
            if self._closed:
                return None
            self._closed = True
            if self._part_fd is not None:
                self._flush()  # if writing the .npz fails below, the side file has it all
                os.close(self._part_fd)
            if not self._frames:
                return None
            t0 = self._frames[0][0]
            frames = [(t - t0, pose) for t, pose in self._frames]  # seconds from the first
            ts = np.array([t for t, _ in frames])
            meta: dict[str, Any] = {**self.meta, "t0": t0}
            if self._poses:
                meta["poses"] = [{"t": round(t - t0, 3), "name": n} for t, n in self._poses]
            track = LandmarkTrack.from_frames(
                frames, fps=_fps_of(ts), source=str(self.meta["source"]), meta=meta
            )
            written = save_recording(self.path, track)
            if self._part_fd is not None:
                partial_path(self.path).unlink(missing_ok=True)
            return written

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

    def set_target(self, spec: Any, restart: bool = False, window_s: float | None = None) -> None:
        """Passed on; the pose's name goes into the recording (follow shows it)."""
        name = None
        if spec is not None:
            name = spec.display_name(None if spec.symmetric else spec.template_side)
        self._recorder.mark_pose(name)
        self._source.set_target(spec, restart, window_s)

    def __getattr__(self, name: str) -> Any:  # open, close, name, fps...
        return getattr(self._source, name)


def load_track(path: str | Path, **extract: Any) -> LandmarkTrack:
    """A recording (.npz) or a video file (landmarks extracted) as a LandmarkTrack."""
    if Path(path).suffix.lower() == ".npz":
        return load_recording(path)
    from tui_trainer.io.video import extract_track

    return extract_track(path, **extract)
