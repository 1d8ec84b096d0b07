"""The pose side of the live sources: frames in, Samples out in capture order.

By default MediaPipe runs in a worker process (io/pose_worker.py) and a feeder thread hands it
every frame as it is captured: the worker, when it finishes one, takes the newest waiting, so it
never idles while a frame is there and never works on a stale one; the loop takes the newest
result (`take`). An `estimator_factory` (tests, or where no worker process can be started) gives
an in-process estimator with `process(frame) -> Pose | None`, run on the frame the loop asks
for (`sample`). Each Sample carries the seconds its stages took ("inference": the model's own
call, the I of the live stats).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import SourceError, SourceInterrupted
from tui_trainer.io.frames import ESTIMATE_WIDTH, Sample, _cv2
from tui_trainer.io.pose_worker import Inferred

# A captured frame: (capture time, full-size frame, index, small copy for MediaPipe or None).
Frame = tuple[float, np.ndarray, int, "np.ndarray | None"]
ANSWER_TIMEOUT_S = 10.0  # no pose for this long from a worker that has frames: it has hung
_KEPT = 8  # frames waiting for the loop at most (older ones are dropped: it takes the newest)


def small_frame(frame: np.ndarray) -> np.ndarray:
    """The frame as MediaPipe gets it: scaled down to ESTIMATE_WIDTH when wider.

    MediaPipe looks at a 256 px crop of the person anyway: a 1280x720 or 1080p frame only costs
    extra copying, conversion and resizing. Landmarks are normalized, so the smaller copy gives
    the same pose (image_size keeps the aspect ratio)."""
    h, w = frame.shape[:2]
    if w <= ESTIMATE_WIDTH:
        return frame
    cv2 = _cv2()
    size = (ESTIMATE_WIDTH, round(h * ESTIMATE_WIDTH / w))
    return np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))


def _default_estimator() -> Any:
    from tui_trainer.io.pose_worker import PoseWorker

    worker = PoseWorker("stream")
    try:
        worker.start()
    except OSError:  # no process or shared memory here (e.g. no /dev/shm): estimate in-process
        worker.close()
        from tui_trainer.io.estimator import PoseEstimator

        return PoseEstimator("stream")
    return worker


@dataclass
class _Entry:
    """A frame handed to the worker, or what the source said instead (an error, the end)."""

    t: float = 0.0
    frame: np.ndarray | None = None
    index: int = 0
    outcome: Inferred | SourceError | None = None  # None: skipped for a newer frame
    answered: bool = False
    error: BaseException | None = None  # the source's own: raised to the loop in its turn
    end: bool = False


class PosePipeline:
    def __init__(self, estimator_factory: Callable[[], Any] | None = None) -> None:
        self._factory = estimator_factory or _default_estimator
        self._estimator: Any = None
        self._cond = threading.Condition()
        self._entries: deque[_Entry] = deque()
        self._feeder: threading.Thread | None = None
        self._stop = threading.Event()
        self.dropped = 0  # frames the worker or the loop skipped for a newer one

    def start(self) -> None:
        self._estimator = self._factory()

    @property
    def streaming(self) -> bool:
        """Frames go to a worker as they are captured (run/take), not one by one (sample)."""
        return hasattr(self._estimator, "submit")

    def estimate(self, frame: np.ndarray) -> Pose | None:
        """The pose of one frame, now (the warm-up: MediaPipe's first call is slow)."""
        return self.sample(0.0, frame, 0).pose

    def sample(self, t: float, frame: np.ndarray, index: int, small: Any = None) -> Sample:
        """The frame's Sample, its pose found now (waits for it)."""
        small = small_frame(frame) if small is None else small
        estimator = self._estimator
        start = time.perf_counter()
        pose = estimator.process(small)
        stages = dict(getattr(estimator, "last_stages", None) or {})
        stages.setdefault("inference", time.perf_counter() - start)
        return Sample(t, frame, pose, index, stages)

    # -- streaming ------------------------------------------------------------------------
    def run(self, next_frame: Callable[[], Frame | None]) -> None:
        """Start feeding the worker: `next_frame()` blocks until the next frame is captured,
        None at the end; it may raise the source's errors (SourceInterrupted: it goes on)."""
        if self._feeder is None:
            self._feeder = threading.Thread(
                target=self._feed, args=(next_frame,), name="pose-feeder", daemon=True
            )
            self._feeder.start()

    def _feed(self, next_frame: Callable[[], Frame | None]) -> None:
        estimator = self._estimator
        while not self._stop.is_set():
            try:
                item = next_frame()
            except SourceInterrupted as exc:  # a stream reconnecting: say so, keep waiting
                self._push(_Entry(error=exc, answered=True))
                continue
            except Exception as exc:
                self._push(_Entry(error=exc, answered=True))
                return
            if self._stop.is_set():
                return
            if item is None:
                self._push(_Entry(end=True, answered=True))
                return
            t, frame, index, small = item
            entry = _Entry(t, frame, index)
            self._push(entry)
            try:
                sent = estimator.submit(
                    small_frame(frame) if small is None else small,
                    lambda outcome, entry=entry: self._answer(entry, outcome),
                )
            except SourceError as exc:
                self._answer(entry, exc)
                return
            if not sent:  # every slot taken: this frame is dropped, newer ones come
                self._answer(entry, None)

    def _push(self, entry: _Entry) -> None:
        with self._cond:
            self._entries.append(entry)
            # The loop is away (frames keep coming, each with its picture): keep the newest few.
            while len(self._entries) > _KEPT:
                head = self._entries[0]
                if not head.answered or head.error is not None or head.end:
                    break
                self._entries.popleft()
                self.dropped += 1
            self._cond.notify_all()

    def _answer(self, entry: _Entry, outcome: Any) -> None:
        with self._cond:
            entry.outcome, entry.answered = outcome, True
            self._cond.notify_all()

    def take(self) -> Sample | None:
        """The newest frame with its pose, in capture order after the one taken before; None
        at the end; raises what the source or the worker raised, in its turn."""
        with self._cond:
            while True:
                if not self._cond.wait_for(
                    lambda: bool(self._entries) and self._entries[0].answered, ANSWER_TIMEOUT_S
                ):
                    if self._entries:  # a frame went in and nothing came back
                        raise SourceError(
                            f"the pose estimator did not answer within {ANSWER_TIMEOUT_S:g} s"
                        )
                    continue  # the source is quiet (its own timeouts say when it stopped)
                # The newest pose among the frames answered so far, up to the source's next
                # error or end (said in its turn); the older ones (skipped, or left while the
                # loop was away) are dropped.
                answered = []
                for entry in self._entries:
                    if not entry.answered or entry.error is not None or entry.end:
                        break
                    answered.append(entry)
                for entry in answered:
                    if isinstance(entry.outcome, SourceError):
                        raise entry.outcome  # the worker has stopped
                found = [k for k, e in enumerate(answered) if isinstance(e.outcome, Inferred)]
                drop = found[-1] if found else len(answered)
                for _ in range(drop):
                    self._entries.popleft()
                self.dropped += drop
                if found:
                    entry = self._entries.popleft()
                    result = entry.outcome
                    assert isinstance(result, Inferred)
                    return Sample(entry.t, entry.frame, result.pose, entry.index, result.stages)
                head = self._entries[0] if self._entries else None
                if head is None or not head.answered:
                    continue
                if head.end:
                    return None  # left in place: every later read says the end too
                self._entries.popleft()
                assert head.error is not None
                raise head.error

    def close(self) -> None:
        self._stop.set()
        estimator, self._estimator = self._estimator, None
        if estimator is not None and hasattr(estimator, "close"):
            estimator.close()
        if self._feeder is not None:
            self._feeder.join(timeout=1.0)  # it stops at the source's next frame or error
            self._feeder = None
        with self._cond:
            self._entries.clear()
