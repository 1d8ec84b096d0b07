"""Typed messages the capture worker posts to the session screen."""

from __future__ import annotations

from textual.message import Message

from tui_trainer.core.coaching.session import SessionState


class FrameProcessed(Message):
    """One captured frame, scored. A newer one replaces it if the UI has not caught up yet."""

    def __init__(self, state: SessionState, capture_t: float, index: int) -> None:
        super().__init__()
        self.state = state
        self.capture_t = capture_t
        self.index = index

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FrameProcessed)


class PerfectEntered(Message):
    """The verdict has just turned PERFECT (never merged: one chime per entry)."""


class FlowCue(Message):
    """A flow's cue: a breath ("inhale"/"exhale"), the next pose, or a round's result (never
    merged: each one is a tone or a phrase to say)."""

    def __init__(self, kind: str, phrase: str, counted: bool | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.phrase = phrase
        self.counted = counted  # a round's result


class SourceProblem(Message):
    """The camera or video could not start or stopped; the session is paused."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SourceWaiting(Message):
    """A network stream dropped and is reconnecting; the session is paused meanwhile."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SourceResumed(Message):
    """The stream is back after SourceWaiting; the session goes on."""


class SourceEnded(Message):
    """A video reached its end (without --loop)."""


class RoutineDone(Message):
    """Every step's hold is complete."""


class Notice(Message):
    """Something to tell the user once (no sound, no window, history not saved...)."""

    def __init__(self, text: str, severity: str = "warning") -> None:
        super().__init__()
        self.text = text
        self.severity = severity
