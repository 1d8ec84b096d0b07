"""The live loop behind the follow screen, run in a Textual thread worker.

capture (source.read: camera/video + MediaPipe, or the demo trainee) -> FollowTracker.update
(online alignment, rolling score, correction) -> Announcer (what to say) -> post messages ->
the preview window (trainee | teacher's picture, the aligned teacher pose as a ghost in 3D).
Every frame the source delivers is scored; the tracker is shared with the UI thread (pause,
end) under one lock.

The voice hook: `say(text)` is called (on this worker thread; it must not block) with each
phrase the Announcer picks: a correction, the lag, "good". The screen also shows it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from textual.message import Message

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import TrainerError
from tui_trainer.core.library.spec import AngleTarget, PoseSpec
from tui_trainer.core.motion.compare import SCORE_TOLERANCE
from tui_trainer.core.motion.follow import FollowState, FollowTracker
from tui_trainer.core.motion.follow_cues import Announcer, Phrase
from tui_trainer.io.sources import FrameSource
from tui_trainer.ui.engine import LiveStats
from tui_trainer.ui.messages import SourceEnded, SourceProblem

Post = Callable[[Message], Any]
Say = Callable[[str], None]


class FollowFrame(Message):
    """One trainee frame, aligned and scored. A newer one replaces it if the UI lags behind."""

    def __init__(self, state: FollowState, capture_t: float) -> None:
        super().__init__()
        self.state = state
        self.capture_t = capture_t

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FollowFrame)


class FollowSaid(Message):
    """A phrase for the trainee (never merged)."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__()
        self.phrase = phrase


class FollowDone(Message):
    """The trainee reached the teacher's end (or the teacher ended long enough ago)."""


class FollowLoop:
    """Owns the source for one follow session; `run` is the worker body."""

    def __init__(
        self,
        tracker: FollowTracker,
        source: FrameSource,
        stats: LiveStats,
        *,
        window: Any = None,
        teacher_frames: Any = None,
        say: Say | None = None,
    ) -> None:
        self.tracker = tracker
        self.source = source
        self.stats = stats
        self.window = window
        self.teacher_frames = teacher_frames  # io.teacher.TeacherFrames for a video teacher
        self.say = say
        self.announcer = Announcer()
        self.lock = threading.Lock()
        self.paused = False
        self._resume = False
        self.last: FollowState | None = None
        self._blank: np.ndarray | None = None

    def toggle_pause(self) -> bool:
        with self.lock:
            self.paused = not self.paused
            if not self.paused:
                self._resume = True
            return self.paused

    def run(self, cancelled: Callable[[], bool], post: Post) -> None:
        try:
            self.source.open()
        except TrainerError as exc:
            post(SourceProblem(str(exc)))
            return
        except Exception as exc:  # e.g. MediaPipe failing to start
            post(SourceProblem(f"the source could not start: {exc}"))
            return
        self.stats.source_fps = self.source.fps
        try:
            self._loop(cancelled, post)
        finally:
            self.source.close()
            if self.teacher_frames is not None:
                self.teacher_frames.close()

    def _loop(self, cancelled: Callable[[], bool], post: Post) -> None:
        while not cancelled():
            try:
                sample = self.source.read()
            except TrainerError as exc:
                post(SourceProblem(str(exc)))
                return
            except Exception as exc:
                post(SourceProblem(f"the source failed: {exc}"))
                return
            if sample is None:
                post(SourceEnded())
                return
            if cancelled():
                return
            self.stats.captured(sample.t, sample.stages)
            self.stats.frames_dropped = self.source.frames_dropped
            with self.lock:
                if self.paused:
                    continue
                if self._resume:
                    self._resume = False
                    self.tracker.resume()
                state = self.tracker.update(sample.t, sample.pose)
                self.last = state
            self.stats.scored()
            post(FollowFrame(state, sample.t))
            phrase = self.announcer.update(
                state.t, state.cue_angle, state.cue, state.lag_s, state.score
            )
            if phrase is not None:
                post(FollowSaid(phrase))
                if self.say is not None:
                    try:
                        self.say(phrase.text)
                    except Exception:
                        self.say = None  # a broken voice must not stop the session
            self._show_window(state, sample.frame, sample.pose)
            if state.finished:
                post(FollowDone())
                return

    def _show_window(self, state: FollowState, frame: np.ndarray | None, pose: Pose | None) -> None:
        window = self.window
        if window is None:
            return
        try:
            window.show(self.window_view(state, frame, pose))
        except Exception:
            self.window = None  # the preview is optional; the session goes on without it

    def window_view(self, state: FollowState, frame: np.ndarray | None, pose: Pose | None) -> Any:
        """The preview picture's content: the live image, the teacher's picture at its own
        playback time (or a figure of the aligned pose), the aligned pose as the 3D ghost."""
        from tui_trainer.core.comparison.scoring import compare
        from tui_trainer.viz.composite import WindowView

        if frame is None:  # the demo has no picture: draw its skeleton on a plain frame
            if self._blank is None:
                self._blank = np.full((480, 640, 3), 40, dtype=np.uint8)
            frame = self._blank
        teacher = self.tracker.teacher
        aligned = teacher.pose_at(state.teacher_t)
        target = None
        comparison = None
        if aligned is not None:
            if state.mirrored:
                aligned = aligned.mirrored()
            angles = {
                r.name: AngleTarget(r.target, SCORE_TOLERANCE, 1.0)
                for r in state.readouts
                if np.isfinite(r.target)
            }
            playing = self.teacher_frames is not None
            target = PoseSpec(
                id="teacher",
                # The picture is the teacher playing; the figure (no video) is where you are.
                name=f"teacher at {state.clock_t if playing else state.teacher_t:.1f} s",
                sanskrit="",
                cue="",
                symmetric=True,
                template=aligned,
                angles=angles,
            )
            if pose is not None:
                comparison = compare(aligned, pose, sides="same")
        picture = None
        if self.teacher_frames is not None:
            picture = self.teacher_frames.at(state.clock_t)
        where = f"{state.clock_t:.1f} s" + (" (waiting)" if state.waiting else "")
        return WindowView(
            frame=frame,
            pose=pose,
            target=target,
            comparison=comparison,
            verdict="",
            score=state.score,
            hint=state.cue or state.lag_text,
            title=f"Follow {teacher.name} · teacher {where} · {state.lag_text}",
            reference_image=picture,
        )
