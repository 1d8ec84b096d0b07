"""MediaPipe in a child process, fed through shared memory, always on the newest frame.

The live session's inference runs off the process that draws the terminal and the window,
decodes and scores: it competes with them for neither the GIL nor the interpreter, only for a
core. The parent copies each (scaled-down) frame into a free shared-memory slot and sends the
slot's name and the frame's shape over a pipe (a few bytes: frames are never pickled). Frames
can be submitted as they are captured: when the child finishes one, it takes the newest frame
waiting and answers "skipped" for the older ones, as a camera drops the frames nobody took, so
it never idles while a frame waits and never works on a stale one. A thread of the parent reads
the answers (landmarks as small arrays, the seconds per stage) and frees their slots.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import SourceError, TrainerError

SLOTS = 4  # frames in flight at most: one in inference, the ones captured meanwhile
START_TIMEOUT_S = 120.0  # importing MediaPipe and loading its graph, on a slow, busy machine
ANSWER_TIMEOUT_S = 10.0  # one frame: a worker silent this long has hung
SKIPPED = "skipped"


@dataclass(frozen=True)
class Inferred:
    """The pose found in one frame (None: nobody) and the seconds per stage it took."""

    pose: Pose | None
    stages: dict[str, float] = field(default_factory=dict)


# What a submitted frame comes to: its pose, None when a newer frame was taken instead, or the
# error that stopped the worker.
Outcome = Inferred | SourceError | None
Done = Callable[[Outcome], None]


def _serve(requests: Any, answers: Any, mode: str, model_complexity: int) -> None:
    """The child: (seq, slot name, shape) in; (seq, landmark arrays, None or SKIPPED, stages)
    out, in the order asked; until None."""
    from multiprocessing import shared_memory

    from tui_trainer.io.estimator import PoseEstimator

    try:
        estimator = PoseEstimator(mode, model_complexity)  # type: ignore[arg-type]
    except Exception as exc:
        answers.send(("error", str(exc) if isinstance(exc, TrainerError) else repr(exc)))
        return
    answers.send(("ready", None))
    blocks: dict[str, Any] = {}
    try:
        while True:
            try:
                request = requests.recv()
                while request is not None and requests.poll():  # newer ones came: skip to them
                    answers.send((request[0], SKIPPED, {}))
                    request = requests.recv()
            except EOFError:  # the parent has gone
                break
            if request is None:
                break
            seq, name, shape = request
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
            answers.send((seq, arrays, stages))
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
    """PoseEstimator in a child process. `submit(frame, done)` from any thread; `done` is
    called (on the worker's reader thread) with what became of the frame. `process(frame)`
    waits for one frame's pose (the PoseEstimator interface, e.g. for the warm-up)."""

    def __init__(self, mode: str = "stream", model_complexity: int = 1) -> None:
        self.mode, self.model_complexity = mode, model_complexity
        self._lock = threading.Lock()
        self._requests: Any = None
        self._answers: Any = None
        self._process: Any = None
        self._reader: threading.Thread | None = None
        self._blocks: list[Any] = [None] * SLOTS
        self._free = list(range(SLOTS))
        self._waiting: dict[int, tuple[int, Done, float]] = {}  # seq -> slot, done, submitted
        self._seq = 0
        self._failure: SourceError | None = None

    def start(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Start the child and wait until its model is loaded (raises what it raised)."""
        from multiprocessing import resource_tracker

        with _passable_stderr():  # the tracker that unlinks our shared memory if we crash
            resource_tracker.ensure_running()
        # spawn, not fork: the parent runs threads (Textual, decoders) that a fork would copy
        # mid-lock.
        context = multiprocessing.get_context("spawn")
        child_requests, self._requests = context.Pipe(duplex=False)
        self._answers, child_answers = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve,
            args=(child_requests, child_answers, self.mode, self.model_complexity),
            name="pose-worker",
            daemon=True,
        )
        self._process.start()
        child_requests.close()
        child_answers.close()
        try:
            if not self._answers.poll(timeout_s):
                raise SourceError(f"the pose estimator did not start within {timeout_s:g} s")
            kind, text = self._answers.recv()
        except (EOFError, OSError):
            kind, text = "error", self._gone("stopped while starting")
        except SourceError as exc:
            kind, text = "error", str(exc)
        if kind != "ready":
            self.close()
            raise SourceError(f"the pose estimator could not start: {text}")
        self._reader = threading.Thread(target=self._read, name="pose-answers", daemon=True)
        self._reader.start()

    @property
    def in_flight(self) -> int:
        with self._lock:
            return len(self._waiting)

    def submit(self, frame: np.ndarray, done: Done) -> bool:
        """Send a BGR uint8 frame (copied into shared memory); False when every slot is taken
        (the frame is dropped). Raises SourceError when the worker has stopped."""
        from multiprocessing import shared_memory

        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"frame: expected an (h, w, 3) uint8 image, got {frame.shape}")
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._requests is None:  # not started, or closed (close() takes it under the lock)
                raise SourceError("the pose estimator is not running")
            if not self._free:
                return False
            slot = self._free.pop()
            block = self._blocks[slot]
            if block is None or block.size < frame.nbytes:  # first use, or a bigger frame
                if block is not None:
                    _release(block)
                block = shared_memory.SharedMemory(create=True, size=frame.nbytes)
                self._blocks[slot] = block
            np.copyto(np.ndarray(frame.shape, np.uint8, buffer=block.buf), frame)
            self._seq += 1
            self._waiting[self._seq] = (slot, done, time.monotonic())
            try:
                self._requests.send((self._seq, block.name, frame.shape))
            except (OSError, ValueError):
                del self._waiting[self._seq]
                self._free.append(slot)
                raise SourceError(self._gone("stopped")) from None
            return True

    def process(self, frame: np.ndarray, timeout_s: float = ANSWER_TIMEOUT_S) -> Pose | None:
        got: list[Outcome] = []
        answered = threading.Event()

        def done(outcome: Outcome) -> None:
            got.append(outcome)
            answered.set()

        while not self.submit(frame, done):
            time.sleep(0.005)  # every slot in flight: one comes back within a frame
        if not answered.wait(timeout_s):
            raise SourceError(f"the pose estimator did not answer within {timeout_s:g} s")
        outcome = got[0]
        if isinstance(outcome, SourceError):
            raise outcome
        return None if outcome is None else outcome.pose

    def _read(self) -> None:
        """The answers, in order: free each slot, tell its submitter."""
        while True:
            try:
                seq, arrays, stages = self._answers.recv()
            except (EOFError, OSError):
                self._fail(SourceError(self._gone("stopped")))
                return
            received = time.monotonic()
            with self._lock:
                slot, done, submitted = self._waiting.pop(seq)
                self._free.append(slot)
            if arrays == SKIPPED:
                done(None)
                continue
            pose = None if arrays is None else Pose.from_arrays(*arrays)
            # "in flight": from submit() to the answer here (the worker's own stages, the pipe,
            # and the wait behind the frame the worker was on).
            done(Inferred(pose, {**stages, "in flight": received - submitted}))

    def _fail(self, error: SourceError) -> None:
        with self._lock:
            if self._failure is None:
                self._failure = error
            waiting, self._waiting = self._waiting, {}
        for _, done, _ in waiting.values():
            done(error)

    def _gone(self, what: str) -> str:
        process = self._process
        code = None
        if process is not None:
            process.join(timeout=1.0)
            code = process.exitcode
        return f"the pose estimator {what}" + (f" (exit code {code})" if code else "")

    def close(self) -> None:
        """Stop the child and free the shared memory (idempotent)."""
        with self._lock:  # a submit() on another thread finishes its send first
            requests, self._requests = self._requests, None
        if requests is not None:
            with contextlib.suppress(OSError, ValueError):
                requests.send(None)
        process = self._process
        if process is not None:
            process.join(timeout=3.0)
            if process.is_alive():
                process.terminate()
                process.join(timeout=2.0)
        if self._reader is not None:
            self._reader.join(timeout=2.0)  # ends at the closed pipe
            self._reader = None
        self._process = None
        self._fail(SourceError("the pose estimator was closed"))
        for pipe in (requests, self._answers):
            if pipe is not None:
                pipe.close()
        self._answers = None
        with self._lock:
            for block in self._blocks:
                if block is not None:
                    _release(block)
            self._blocks = [None] * SLOTS
            self._free = list(range(SLOTS))


def _release(block: Any) -> None:
    block.close()
    with contextlib.suppress(FileNotFoundError):
        block.unlink()
