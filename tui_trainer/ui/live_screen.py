"""What the two live screens share (the session screen, ui/session_screen.py, and the follow
screen, ui/follow_screen.py): the capture worker, the frames paced onto the terminal and
reported shown, the chime, notices, a stopped source, and ending from the preview window.

The subclasses keep what differs: their widgets, how a state is drawn, their own messages and
how a session ends. They handle their frame message themselves (FrameProcessed, FollowFrame)
and hand it to `_offer_frame`: Textual runs an `on_<message>` handler in every class of the
MRO, so a handler is defined here or in a subclass, never in both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

from tui_trainer.ui.engine import Post
from tui_trainer.ui.frame_pacer import FramePacer
from tui_trainer.ui.messages import Notice, SourceProblem

if TYPE_CHECKING:
    from tui_trainer.ui.hosts import SoundHost

StateT = TypeVar("StateT")
StateT_co = TypeVar("StateT_co", covariant=True)


class CaptureLoop(Protocol):
    """The live loop a screen's worker runs (ui/engine.LiveLoop, ui/follow_engine.FollowLoop)."""

    def run(self, cancelled: Callable[[], bool], post: Post) -> None: ...


LoopT = TypeVar("LoopT", bound=CaptureLoop)


class LiveFrame(Protocol[StateT_co]):
    """A frame message from the worker (FrameProcessed, FollowFrame)."""

    @property
    def state(self) -> StateT_co: ...

    @property
    def capture_t(self) -> float: ...


class LiveScreen(Screen[None], Generic[LoopT, StateT]):
    """A screen fed by a live loop in a thread worker; `StateT` is what one frame shows."""

    def __init__(self, loop: LoopT) -> None:
        super().__init__()
        self.loop = loop
        self._ended = False
        self._source_failed: str | None = None
        self._pacer: FramePacer[LiveFrame[StateT]] = FramePacer(self._draw_frame, self.set_timer)

    @property
    def trainer(self) -> SoundHost:
        return self.app  # type: ignore[return-value]

    # -- the capture worker ---------------------------------------------------------------
    @work(thread=True, exclusive=True, name="capture", group="capture")
    def _run_capture(self) -> None:
        worker = get_current_worker()
        for problem in self._prepare_sound():
            if problem:
                self.post_message(Notice(problem))
        self.loop.run(lambda: worker.is_cancelled, self.post_message)

    def _prepare_sound(self) -> Iterator[str | None]:
        """Start the sound (on the worker, before the first frame): a problem each, or None."""
        yield self.trainer.prepare_sound()

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "capture")

    # -- frames ---------------------------------------------------------------------------
    def _offer_frame(self, message: LiveFrame[StateT]) -> None:
        if not self._ended:
            self._pacer.offer(message)

    def _draw_frame(self, message: LiveFrame[StateT]) -> None:
        if self._ended:
            return
        self._render_state(message.state)
        capture_t = message.capture_t
        self.call_after_refresh(lambda: self.trainer.stats.shown(capture_t, time.monotonic()))

    def _render_state(self, state: StateT) -> None:
        raise NotImplementedError

    # -- sound and messages ---------------------------------------------------------------
    def _play_chime(self) -> None:
        """The good moment's chime (the pose turned PERFECT, the follow's "good")."""
        self._warn_sound(self.trainer.play_chime())

    def _warn_sound(self, problem: str | None) -> None:
        if problem:
            self.notify(problem, severity="warning", timeout=6)

    def on_source_problem(self, message: SourceProblem) -> None:
        self._source_failed = message.text
        self.notify(message.text, title="Source stopped", severity="error", timeout=15)
        self._show_source_stopped()

    def _show_source_stopped(self) -> None:
        """Say on the screen that the source has stopped (`_source_failed`)."""
        raise NotImplementedError

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, timeout=8)  # type: ignore[arg-type]

    # -- keys -----------------------------------------------------------------------------
    def action_sound(self) -> None:
        on = self.trainer.toggle_sound()
        self.notify("Sound on" if on else "Sound off", timeout=2)

    def action_end(self) -> None:
        if self._ended:
            return
        self._ended = True
        self.workers.cancel_group(self, "capture")
        self._end()

    def _end(self) -> None:
        """End the session (once, the capture cancelled) and show what comes after it."""
        raise NotImplementedError

    def end_from_window(self) -> Any:
        """`q` in the OpenCV window (called from its thread)."""
        return self.app.call_from_thread(self.action_end)
