"""MediaPipe in a child process, fed through shared memory.

The live session's inference runs off the process that draws the terminal and the window,
decodes and scores: it competes with them for neither the GIL nor the interpreter, only for a
core. The parent copies each (scaled-down) frame into a shared-memory slot and sends the slot's
name and the frame's shape over a pipe (a few bytes: frames are never pickled); the child runs
PoseEstimator on it and sends back the landmarks as small arrays with the seconds each stage
took. Results come back in the order the frames were submitted; a slot is reused only after its
result is back.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import SourceError, TrainerError

SLOTS = 2  # frames in flight at most (the live sources keep one ahead of the one being scored)
START_TIMEOUT_S = 120.0  # importing MediaPipe and loading its graph, on a slow, busy machine
ANSWER_TIMEOUT_S = 10.0  # one frame: a worker silent this long has hung


@dataclass(frozen=True)
class Inferred:
    """The pose found in one frame (None: nobody) and the seconds per stage it took."""

    pose: Pose | None
    stages: dict[str, float] = field(default_factory=dict)


def _serve(conn: Any, mode: str, model_complexity: int) -> None:
    """The child: (slot name, shape) in, (landmark arrays or None, stages) out, until None."""
    from multiprocessing import shared_memory

    from tui_trainer.io.estimator import PoseEstimator

    try:
        estimator = PoseEstimator(mode, model_complexity)  # type: ignore[arg-type]
    except Exception as exc:
        conn.send(("error", str(exc) if isinstance(exc, TrainerError) else repr(exc)))
        return
    conn.send(("ready", None))
    blocks: dict[str, Any] = {}
    try:
        while True:
            try:
                request = conn.recv()
            except EOFError:  # the parent has gone
                break
            if request is None:
                break
            name, shape = request
            if name not in blocks:
                blocks[name] = shared_memory.SharedMemory(name=name)
            frame: np.ndarray = np.ndarray(shape, np.uint8, buffer=blocks[name].buf)
            start = time.perf_counter()
            pose = estimator.process(frame)
            stages = dict(estimator.last_stages)
            stages["worker total"] = time.perf_counter() - start
            arrays = None
            if pose is not None:
                arrays = (pose.image, pose.world, pose.visibility, pose.image_size)
            del frame  # no view into the block may outlive it
            conn.send((arrays, stages))
    finally:
        for block in blocks.values():
            block.close()
        estimator.close()


class _NoFileno:
    """sys.stderr as it is, but without a file descriptor to pass on."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def fileno(self) -> int:
        raise OSError("no file descriptor")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _passable_stderr() -> Iterator[None]:
    """Textual replaces sys.stderr with an object whose fileno() is -1, which multiprocessing's
    resource tracker would pass on to the process it starts ("bad value(s) in fds_to_keep")."""
    saved = sys.stderr
    try:
        bad = saved is not None and saved.fileno() < 0
    except (OSError, ValueError, AttributeError):
        bad = False
    if bad:
        sys.stderr = _NoFileno(saved)
    try:
        yield
    finally:
        if bad:
            sys.stderr = saved


class PoseWorker:
    """PoseEstimator in a child process: submit() frames, collect() their poses in order.
    `process(frame)` does both (the PoseEstimator interface, e.g. for the warm-up frame)."""

    def __init__(self, mode: str = "stream", model_complexity: int = 1) -> None:
        self.mode, self.model_complexity = mode, model_complexity
        self._conn: Any = None
        self._process: Any = None
        self._blocks: list[Any] = []  # one shared-memory block per slot
        self._free: deque[int] = deque(range(SLOTS))
        self._busy: deque[tuple[int, tuple[int, int]]] = deque()  # (slot, (w, h)) in order

    def start(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Start the child and wait until its model is loaded (raises what it raised)."""
        # spawn, not fork: the parent runs threads (Textual, decoders) that a fork would copy
        # mid-lock.
        from multiprocessing import resource_tracker

        with _passable_stderr():  # the tracker that unlinks our shared memory if we crash
            resource_tracker.ensure_running()
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(child, self.mode, self.model_complexity),
            name="pose-worker",
            daemon=True,
        )
        self._process.start()
        child.close()
        kind, text = self._receive(timeout_s, "start")
        if kind != "ready":
            self.close()
            raise SourceError(f"the pose estimator could not start: {text}")

    @property
    def in_flight(self) -> int:
        return len(self._busy)

    def submit(self, frame: np.ndarray) -> None:
        """Send a BGR uint8 frame (copied into shared memory); at most SLOTS in flight."""
        from multiprocessing import shared_memory

        if not self._free:
            raise RuntimeError(f"{SLOTS} frames in flight already: collect() first")
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"frame: expected an (h, w, 3) uint8 image, got {frame.shape}")
        slot = self._free.popleft()
        while len(self._blocks) <= slot:
            self._blocks.append(None)
        block = self._blocks[slot]
        if block is None or block.size < frame.nbytes:  # first use, or a bigger frame
            if block is not None:
                _release(block)
            block = shared_memory.SharedMemory(create=True, size=frame.nbytes)
            self._blocks[slot] = block
        np.copyto(np.ndarray(frame.shape, np.uint8, buffer=block.buf), frame)
        try:
            self._conn.send((block.name, frame.shape))
        except (OSError, ValueError):
            self._free.appendleft(slot)
            raise SourceError(self._gone("stopped")) from None
        self._busy.append((slot, (frame.shape[1], frame.shape[0])))

    def collect(self, timeout_s: float = ANSWER_TIMEOUT_S) -> Inferred:
        """The result of the oldest frame submitted (waits for it)."""
        if not self._busy:
            raise RuntimeError("nothing submitted")
        arrays, stages = self._receive(timeout_s, "frame")
        slot, _ = self._busy.popleft()
        self._free.append(slot)
        if arrays is None:
            return Inferred(None, stages)
        image, world, visibility, size = arrays
        return Inferred(Pose.from_arrays(image, world, visibility, size), stages)

    def process(self, frame: np.ndarray) -> Pose | None:
        self.submit(frame)
        return self.collect().pose

    def _receive(self, timeout_s: float, what: str) -> Any:
        conn = self._conn
        try:
            if not conn.poll(timeout_s):
                raise SourceError(
                    f"the pose estimator did not answer within {timeout_s:g} s ({what})"
                )
            return conn.recv()
        except (EOFError, OSError):
            raise SourceError(self._gone("stopped")) from None

    def _gone(self, what: str) -> str:
        process = self._process
        code = None
        if process is not None:
            process.join(timeout=1.0)
            code = process.exitcode
        return f"the pose estimator {what}" + (f" (exit code {code})" if code else "")

    def close(self) -> None:
        """Stop the child and free the shared memory (idempotent)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
        process, self._process = self._process, None
        if process is not None:
            process.join(timeout=3.0)
            if process.is_alive():
                process.terminate()
                process.join(timeout=2.0)
        if conn is not None:
            conn.close()
        for block in self._blocks:
            if block is not None:
                _release(block)
        self._blocks = []
        self._free, self._busy = deque(range(SLOTS)), deque()


def _release(block: Any) -> None:
    block.close()
    with contextlib.suppress(FileNotFoundError):
        block.unlink()
