"""What the screens need of the app that shows them.

The apps (ui/app.py, ui/follow_app.py) build and push their screens; a screen calls back into
its app for sound, the window, history and the next screen. Typing those calls with the
protocols below, instead of the app classes, keeps the dependency one way: app -> screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tui_trainer.core.coaching.session import StepSummary
    from tui_trainer.core.library import PoseLibrary
    from tui_trainer.core.library.routines import Routine
    from tui_trainer.core.motion.follow import FollowReport
    from tui_trainer.ui.engine import LiveStats


class SoundHost(Protocol):
    """Sound and the preview window, shared by the trainer and follow apps (ui/live_app.py)
    and used by both live screens (ui/live_screen.py)."""

    @property
    def stats(self) -> LiveStats: ...

    def prepare_sound(self) -> str | None: ...

    def play_chime(self) -> str | None: ...

    def toggle_sound(self) -> bool: ...

    def close_window(self) -> None: ...


class TrainerHost(SoundHost, Protocol):
    """The trainer app, as its routine list and session screens use it."""

    @property
    def poses(self) -> PoseLibrary: ...

    def start_session(self, routine: Routine) -> None: ...

    def show_summary(self, routine: Routine, rows: list[StepSummary], log: Any) -> None: ...

    def play_breath(self, phase: str) -> str | None: ...

    def say(self, phrase: str) -> None: ...

    def prepare_voice(self) -> str | None: ...

    def toggle_voice(self) -> str: ...

    def session_ended(self) -> None: ...


class FollowHost(SoundHost, Protocol):
    """The follow app, as its screen uses it."""

    def show_report(self, report: FollowReport) -> None: ...
