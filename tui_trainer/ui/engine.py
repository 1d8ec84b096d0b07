"""The live loop behind the session screen, run in a Textual thread worker.

capture (source.read: camera/video + MediaPipe, or the demo) -> Session.update (smoothing,
scoring, hysteresis, holds) -> post a message. The session object is shared with the UI thread
(key presses) under one lock, held only for the quick session calls. Nothing here blocks the UI.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from textual.message import Message

from tui_trainer.core.coaching.session import Session, SessionState
from tui_trainer.core.errors import SourceInterrupted, TrainerError
from tui_trainer.core.library.spec import PoseSpec
from tui_trainer.io.sources import FrameSource
from tui_trainer.ui.messages import (
    FlowCue,
    FrameProcessed,
    PerfectEntered,
    RoutineDone,
    SourceEnded,
    SourceProblem,
    SourceResumed,
    SourceWaiting,
)

Post = Callable[[Message], Any]


def _ms(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)) * 1000.0, 1) if values else None


@dataclass
class LiveStats:
    """Throughput and capture-to-screen latency beside the inference time I of the same run,
    for --stats-file and bench/bench_live.py. No pipeline beats min(source fps, 1000/I) frames
    a second with a latency of about I: `limit_fps` is that bound."""

    frames_captured: int = 0
    frames_scored: int = 0
    frames_shown: int = 0
    frames_dropped: int = 0  # skipped by the source because a newer frame was due
    source_fps: float | None = None
    first_t: float | None = None
    last_t: float | None = None
    latencies: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)  # seconds per frame
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def captured(self, t: float, stages: Mapping[str, float] | None = None) -> None:
        with self.lock:
            self.frames_captured += 1
            if self.first_t is None:
                self.first_t = t
            self.last_t = t
            for name, seconds in (stages or {}).items():
                self.stages.setdefault(name, []).append(seconds)

    def scored(self) -> None:
        with self.lock:
            self.frames_scored += 1

    def shown(self, capture_t: float, now: float) -> None:
        with self.lock:
            self.frames_shown += 1
            self.latencies.append(now - capture_t)

    def as_dict(self) -> dict[str, Any]:
        with self.lock:
            span = (self.last_t or 0.0) - (self.first_t or 0.0)
            fps = (self.frames_scored - 1) / span if span > 0 and self.frames_scored > 1 else 0.0
            infer = _ms(self.stages.get("inference", []), 50)
            limit = None
            if infer and self.source_fps:
                limit = round(min(self.source_fps, 1000.0 / infer), 2)
            return {
                "frames_captured": self.frames_captured,
                "frames_scored": self.frames_scored,
                "frames_shown": self.frames_shown,
                "frames_dropped": self.frames_dropped,
                "fps": round(fps, 2),
                "latency_ms_p50": _ms(self.latencies, 50),
                "latency_ms_p95": _ms(self.latencies, 95),
                "inference_ms_p50": infer,
                "inference_ms_p95": _ms(self.stages.get("inference", []), 95),
                "source_fps": round(self.source_fps, 2) if self.source_fps else None,
                "limit_fps": limit,
                "stages_ms_p50": {k: _ms(v, 50) for k, v in sorted(self.stages.items())},
            }

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")


def _reference_image(spec: PoseSpec) -> np.ndarray | None:
    if not spec.image or not spec.source:
        return None
    try:
        from tui_trainer.io.images import read_image

        return read_image(Path(spec.source).parent / spec.image)
    except Exception:  # a missing reference photo only costs the picture
        return None


class LiveLoop:
    """Owns the source for one session; `run` is the worker body."""

    def __init__(
        self,
        session: Session,
        source: FrameSource,
        stats: LiveStats,
        window: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.source = source
        self.stats = stats
        self.window = window
        self.clock = clock
        self.lock = threading.Lock()
        self._restart = False
        # Called with every scored state and its frame time, in this thread (the voice coach
        # listens here): keep them quick; one that raises is dropped.
        self.listeners: list[Callable[[SessionState, float], None]] = []
        self._references: dict[str, np.ndarray | None] = {}
        self._blank: np.ndarray | None = None
        self._interruption: str | None = None  # what the stream said while it reconnects
        self._paused_for_stream = False

    def control(self, action: Callable[[Session], Any]) -> Any:
        """Run a key's action on the session (from the UI thread)."""
        with self.lock:
            return action(self.session)

    def restart_step(self) -> None:
        with self.lock:
            self.session.restart_step()
            self._restart = True

    def snapshot(self) -> SessionState:
        with self.lock:
            return self.session.state()

    def run(self, cancelled: Callable[[], bool], post: Post) -> None:
        try:
            self.source.open()
        except TrainerError as exc:
            self._stop(post, str(exc))
            return
        except Exception as exc:  # e.g. MediaPipe failing to start
            self._stop(post, f"the source could not start: {exc}")
            return
        self.stats.source_fps = self.source.fps
        try:
            self._loop(cancelled, post)
        finally:
            self.source.close()

    def _stop(self, post: Post, text: str) -> None:
        with self.lock:
            self.session.pause(text)
        post(SourceProblem(text))

    def _interrupted(self, post: Post, text: str) -> None:
        with self.lock:
            # A pause of the user's own stays theirs: only a running session is paused here.
            if self._paused_for_stream or not self.session.paused:
                self.session.pause(text)
                self._paused_for_stream = True
        if text != self._interruption:
            self._interruption = text
            post(SourceWaiting(text))

    def _resumed(self, post: Post) -> None:
        with self.lock:
            if self._paused_for_stream and self.session.paused:
                self.session.resume()
        self._interruption, self._paused_for_stream = None, False
        post(SourceResumed())

    def _loop(self, cancelled: Callable[[], bool], post: Post) -> None:
        while not cancelled():
            with self.lock:
                spec, restart, self._restart = self.session.spec, self._restart, False
                window_s = self.session.target_window_s
                done = self.session.state().finished
            if done:
                return
            self.source.set_target(spec, restart, window_s)
            try:
                sample = self.source.read()
            except SourceInterrupted as exc:  # a stream reconnecting: wait, then go on
                self._interrupted(post, str(exc))
                continue
            except TrainerError as exc:
                self._stop(post, str(exc))
                return
            except Exception as exc:
                self._stop(post, f"the source failed: {exc}")
                return
            if sample is None:
                with self.lock:
                    self.session.pause("the video has ended")
                post(SourceEnded())
                return
            if cancelled():
                return
            if self._interruption is not None:
                self._resumed(post)
            self.stats.captured(sample.t, sample.stages)
            self.stats.frames_dropped = self.source.frames_dropped
            with self.lock:
                state = self.session.update(sample.pose, sample.t)
            self.stats.scored()
            self._tell_listeners(state, sample.t)
            post(FrameProcessed(state, sample.t, sample.index))
            for cue in state.cues:
                post(FlowCue(cue.kind, cue.phrase, cue.counted))
            if state.perfect_entered:
                post(PerfectEntered())
            self._show_window(state, sample.frame)
            if state.finished:
                post(RoutineDone())
                return

    def _tell_listeners(self, state: SessionState, t: float) -> None:
        for listener in list(self.listeners):
            try:
                listener(state, t)
            except Exception:  # a listener is a bonus (the voice): the session goes on
                self.listeners.remove(listener)

    def _show_window(self, state: SessionState, frame: np.ndarray | None) -> None:
        window = self.window
        if window is None:
            return
        try:
            from tui_trainer.viz.composite import WindowView

            if frame is None:  # the demo has no picture: draw its skeleton on a plain frame
                if self._blank is None:
                    self._blank = np.full((480, 640, 3), 40, dtype=np.uint8)
                frame = self._blank
            spec = state.spec
            if spec.id not in self._references:
                self._references[spec.id] = _reference_image(spec)
            result = state.result
            name = state.flow.pose if state.flow else spec.display_name(state.step.side)
            if result is not None and result.variant_name:
                name += f" — {result.variant_name}"  # the form matched
            title = f"{name} · {state.index + 1}/{state.n_steps}"
            view = WindowView(
                frame=frame,
                pose=result.pose if result else None,
                target=result.form if result is not None and result.form is not None else spec,
                comparison=result.comparison if result else None,
                verdict=result.verdict if result and result.score is not None else "",
                score=result.score if result else None,
                hint=(result.message or "") if result else "",
                title=title,
                reference_image=self._references[spec.id],
                hint_angle=result.hint_angle if result else None,
            )
            window.show(view)
        except Exception:
            self.window = None  # the preview is optional; the session goes on without it
