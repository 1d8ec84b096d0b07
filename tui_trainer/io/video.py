"""Video files: open with clear errors, and extract per-frame landmarks, in parallel.

Parallel extraction splits each video into chunks of frames; every chunk is decoded and run
through its own MediaPipe tracker in a worker process ("spawn" context: MediaPipe's threads do
not survive fork). Tracking restarts at each chunk's first frame, so landmarks after a boundary
differ a little from a one-process run (the tracker's output depends on its history; decoding a
few frames before the boundary to warm it up did not bring them closer on our clips, so we do
not). Seeking with CAP_PROP_POS_FRAMES lands on the exact frame for these mp4s
(tests/test_video.py checks it against sequential decoding).
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tui_trainer.core.body.landmarks import N_LANDMARKS
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import InputFileError
from tui_trainer.core.motion.compare import LandmarkTrack
from tui_trainer.io.frames import open_video

MIN_CHUNK = 64  # frames: smaller chunks cost more in warm-up than they gain
_PROGRESS_EVERY = 8  # frames between progress messages from a worker

_progress_queue: Any = None  # set in worker processes by _init_worker


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    fps: float
    frame_count: int  # as the container reports it (may be off by a few frames)
    width: int
    height: int

    @property
    def duration(self) -> float:
        return self.frame_count / self.fps


def probe_video(path: str | Path) -> VideoInfo:
    """Open a video and read its first frame; InputFileError naming the file if that fails."""
    import cv2

    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such file")
    if not p.is_file():
        raise InputFileError(f"{p}: not a file")
    if not os.access(p, os.R_OK):
        raise InputFileError(f"{p}: permission denied")
    cap = open_video(p)
    try:
        if not cap.isOpened():
            raise InputFileError(f"{p}: not a video OpenCV can read (unknown format or corrupt)")
        ok, frame = cap.read()
        if not ok or frame is None:
            raise InputFileError(f"{p}: the video has no readable frames (empty or corrupt)")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    finally:
        cap.release()
    if not np.isfinite(fps) or fps <= 0 or fps > 1000:
        raise InputFileError(f"{p}: the video reports no usable frame rate ({fps})")
    h, w = frame.shape[:2]
    return VideoInfo(p, fps, max(count, 1), w, h)


@dataclass(frozen=True)
class _Chunk:
    video: int  # index into the list of videos
    path: str
    start: int
    stop: int | None  # None: to the end of the video
    model_complexity: int


@dataclass(frozen=True)
class _ChunkResult:
    video: int
    start: int
    image: np.ndarray  # (n, 33, 3) float32
    world: np.ndarray
    visibility: np.ndarray  # (n, 33)
    present: np.ndarray  # (n,) bool


def _run_chunk(chunk: _Chunk, report: Callable[[int], None] | None = None) -> _ChunkResult:
    import cv2

    from tui_trainer.io.estimator import PoseEstimator
    from tui_trainer.io.pose_pipeline import small_frame

    cap = open_video(chunk.path)
    if chunk.start > 0:
        cap.set(cv2.CAP_PROP_POS_FRAMES, chunk.start)
    rows: list[Pose | None] = []
    pending = 0
    with PoseEstimator("stream", chunk.model_complexity) as estimator:
        index = chunk.start
        while chunk.stop is None or index < chunk.stop:
            ok, frame = cap.read()
            if not ok:
                break
            # The same smaller copy the live session gives MediaPipe (pose_pipeline.small_frame).
            rows.append(estimator.process(small_frame(frame)))
            pending += 1
            if report is not None and pending >= _PROGRESS_EVERY:
                report(pending)
                pending = 0
            index += 1
    cap.release()
    if report is not None and pending:
        report(pending)
    n = len(rows)
    image = np.zeros((n, N_LANDMARKS, 3), np.float32)
    world = np.zeros((n, N_LANDMARKS, 3), np.float32)
    vis = np.zeros((n, N_LANDMARKS), np.float32)
    present = np.zeros(n, bool)
    for k, pose in enumerate(rows):
        if pose is not None:
            image[k], world[k], vis[k], present[k] = pose.image, pose.world, pose.visibility, True
    return _ChunkResult(chunk.video, chunk.start, image, world, vis, present)


def _init_worker(queue: Any) -> None:
    global _progress_queue
    _progress_queue = queue


def _worker_chunk(chunk: _Chunk) -> _ChunkResult:
    queue = _progress_queue
    return _run_chunk(chunk, None if queue is None else queue.put)


def _plan(
    infos: Sequence[VideoInfo], workers: int, per_worker: int, complexity: int
) -> list[_Chunk]:
    """Chunks over all videos, about `workers * per_worker` in total, split by frame count."""
    total = sum(i.frame_count for i in infos)
    target = max(1, workers * per_worker)
    chunks: list[_Chunk] = []
    for v, info in enumerate(infos):
        share = round(target * info.frame_count / total) if total else 1
        count = max(1, min(share, info.frame_count // MIN_CHUNK))
        bounds = np.linspace(0, info.frame_count, count + 1).round().astype(int)
        for k in range(count):
            stop = None if k == count - 1 else int(bounds[k + 1])
            chunks.append(_Chunk(v, str(info.path), int(bounds[k]), stop, complexity))
    # Longest first: the pool then ends with short tasks and both cores finish together.
    return sorted(chunks, key=lambda c: -((c.stop or infos[c.video].frame_count) - c.start))


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def extract_tracks(
    paths: Sequence[str | Path],
    *,
    workers: int | None = None,
    chunks_per_worker: int = 2,
    model_complexity: int = 1,
    progress: bool | None = None,
) -> list[LandmarkTrack]:
    """Landmarks of every frame of each video, in frame order; workers=1 runs in this process."""
    infos = [probe_video(p) for p in paths]
    workers = default_workers() if workers is None else max(1, workers)
    chunks = _plan(infos, workers, chunks_per_worker if workers > 1 else 1, model_complexity)
    total = sum(i.frame_count for i in infos)
    with _Progress(total, progress, [i.path.name for i in infos]) as bar:
        if workers == 1 or len(chunks) == 1:
            results = [_run_chunk(c, bar.advance) for c in chunks]
        else:
            results = _run_pool(chunks, workers, bar)
    tracks = []
    for v, info in enumerate(infos):
        parts = _aligned(sorted((r for r in results if r.video == v), key=lambda r: r.start))
        image = np.concatenate([r.image for r in parts])
        n = len(image)
        tracks.append(
            LandmarkTrack(
                timestamps=np.arange(n) / info.fps,
                image=image,
                world=np.concatenate([r.world for r in parts]),
                visibility=np.concatenate([r.visibility for r in parts]),
                present=np.concatenate([r.present for r in parts]),
                fps=info.fps,
                image_size=(info.width, info.height),
                source=str(info.path),
                meta={"source": str(info.path), "frames": n},
            )
        )
    return tracks


def _aligned(parts: list[_ChunkResult]) -> list[_ChunkResult]:
    """Chunks that decoded short (a damaged stretch) are padded with "no person" rows up to the
    next chunk's start, so every frame keeps its index and timestamp."""

    def padded(a: np.ndarray, n: int) -> np.ndarray:
        return np.concatenate([a, np.zeros((n, *a.shape[1:]), a.dtype)])

    out = []
    for part, nxt in itertools.pairwise(parts):
        n = nxt.start - part.start - len(part.present)
        if n > 0 and len(nxt.present):
            arrays = (part.image, part.world, part.visibility, part.present)
            part = _ChunkResult(part.video, part.start, *(padded(a, n) for a in arrays))
        out.append(part)
    return [*out, parts[-1]]


def extract_track(path: str | Path, **kwargs: Any) -> LandmarkTrack:
    return extract_tracks([path], **kwargs)[0]


def extract_landmarks(path: str | Path, **kwargs: Any) -> list[tuple[float, Pose | None]]:
    """(t seconds, Pose or None) for every frame of a video."""
    return extract_track(path, **kwargs).frames()


def _run_pool(chunks: list[_Chunk], workers: int, bar: _Progress) -> list[_ChunkResult]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    stop = threading.Event()

    def pump() -> None:
        import queue as queue_mod

        while not stop.is_set():
            try:
                bar.advance(queue.get(timeout=0.1))
            except queue_mod.Empty:
                continue

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)),
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(queue,),
    )
    try:
        return list(pool.map(_worker_chunk, chunks))
    finally:
        # Do not wait for the workers to wind down MediaPipe and exit (~0.2 s): the caller has
        # work to do meanwhile; the interpreter joins them at exit.
        pool.shutdown(wait=False, cancel_futures=True)
        stop.set()
        thread.join()


class _Progress:
    """A rich progress bar on stderr (frames, fps, ETA); silent when stderr is not a terminal."""

    def __init__(self, total: int, enabled: bool | None, names: Sequence[str]) -> None:
        from rich.console import Console

        console = Console(stderr=True)
        self._enabled = console.is_terminal if enabled is None else enabled
        self._lock = threading.Lock()
        self._bar: Any = None
        if self._enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[fps]}"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            label = "landmarks: " + (names[0] if len(names) == 1 else f"{len(names)} videos")
            self._task = self._bar.add_task(label, total=total, fps="")

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, frames: int) -> None:
        if self._bar is None:
            return
        with self._lock:
            self._bar.advance(self._task, frames)
            speed = self._bar.tasks[0].speed
            self._bar.update(self._task, fps=f"{speed:5.1f} fps" if speed else "")
