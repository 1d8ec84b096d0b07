"""The Textual trainer: routine list → live coached session → summary."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from textual import events

from tui_trainer.core.coaching.session import Session, StepSummary
from tui_trainer.core.history.records import NullSessionLog, SessionLog
from tui_trainer.core.library import PoseLibrary, RoutineLibrary
from tui_trainer.core.library.routines import Routine
from tui_trainer.io.audio import Chime
from tui_trainer.io.sources import FrameSource
from tui_trainer.ui.engine import LiveLoop, LiveStats
from tui_trainer.ui.live_app import LiveApp, WindowFactory
from tui_trainer.ui.live_screen import LiveScreen
from tui_trainer.ui.screens import HelpScreen, RoutineListScreen, SummaryScreen
from tui_trainer.ui.session_screen import SessionScreen

MIN_WIDTH, MIN_HEIGHT = 80, 24
NARROW = 96
Say = Callable[[str], Any]  # speaks a short phrase ("inhale", "warrior two"); must not block


def default_window_factory(on_quit: Callable[[], None]) -> Any:
    """The OpenCV preview (io/window.py), or a reason string when it cannot be shown."""
    try:
        from tui_trainer.io.window import PreviewWindow
    except ModuleNotFoundError as exc:
        return f"no preview window ({exc})"
    reason = PreviewWindow.unavailable_reason()
    if reason is not None:
        return reason
    window = PreviewWindow("tui-trainer", on_quit)
    window.start()
    return window


class TrainerApp(LiveApp):
    def __init__(
        self,
        *,
        source_factory: Callable[[], FrameSource],
        poses: PoseLibrary | None = None,
        routines: RoutineLibrary | None = None,
        session_log_factory: Callable[[], SessionLog] = NullSessionLog,
        chime: Chime | None = None,
        window_factory: WindowFactory | None = None,
        start_routine: str | None = None,
        stats: LiveStats | None = None,
        mirror: bool = False,
        say: Say | None = None,
        voice: Any = None,
        audio_file: Any = None,
    ) -> None:
        super().__init__(chime=chime, window_factory=window_factory, stats=stats)
        self.poses = poses if poses is not None else PoseLibrary.load()
        self.routines = routines if routines is not None else RoutineLibrary.load(self.poses)
        self.source_factory = source_factory
        self.session_log_factory = session_log_factory
        self.start_routine = start_routine
        self.mirror = mirror  # the preview window's mirror view (m in the window switches it)
        # Another voice for a flow's cue phrases (say()); the voice coach below speaks them itself.
        self.say_hook = say
        self.voice = voice  # io/voice.Voice: spoken cues (None: chime only)
        self.audio_file = audio_file  # io/audio_file.AudioFileWriter for --audio-file
        self._sound_on = True
        self._voice_on = voice is not None and voice.enabled
        self._active: SessionScreen | None = None
        self._mounted_ok = False

    # -- screens --------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.start_routine is not None:
            self.start_session(self.routines.get(self.start_routine))
        else:
            errors = self.poses.errors + self.routines.errors
            self.push_screen(RoutineListScreen(self.routines.all(), errors))
        self._mounted_ok = True
        self.call_after_refresh(self._guard_size)  # over the first screen, not under it

    def on_resize(self, event: events.Resize) -> None:
        # Below NARROW columns the session drops the step list so the bars keep their room.
        self.set_class(event.size.width < NARROW, "-narrow")
        if self._mounted_ok:
            self._guard_size(event)

    def _guard_size(self, event: events.Resize | None = None) -> None:
        try:
            from tui_trainer.ui.too_small import guard_size
        except ImportError:
            return
        app: Any = self
        if event is None:
            guard_size(app, MIN_WIDTH, MIN_HEIGHT)
        else:
            guard_size(app, MIN_WIDTH, MIN_HEIGHT, event.size)

    def start_session(self, routine: Routine) -> None:
        specs = {p: self.poses.get(p) for s in routine.steps for p in s.pose_ids}
        source = self.source_factory()
        log = self.session_log_factory()
        session = Session(routine, specs, source=source.name, log=log)
        session.start(time.time())
        loop = LiveLoop(session, source, self.stats)
        if self.audio_file is not None:
            self.audio_file.start()  # the file's time 0
        if self.voice is not None:
            self.voice.start_session(session.specs, routine.steps, specs)
            loop.listeners.append(self.voice.observe)
        screen = SessionScreen(routine, session, loop)
        self._active = screen
        loop.window = self._open_window(screen)
        self.push_screen(screen)

    def show_summary(self, routine: Routine, rows: list[StepSummary], log: Any) -> None:
        session_screen, self._active = self._active, None
        # The help (or another modal) may be open over the session: close it first.
        while session_screen is not None and self.screen is not session_screen:
            if len(self.screen_stack) <= 1 or session_screen not in self.screen_stack:
                break
            self.pop_screen()
        self.switch_screen(SummaryScreen(routine, rows, log))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_history(self) -> None:
        try:
            from tui_trainer.ui.history import HistoryScreen
        except ImportError:
            self.notify("History is not available in this build.", severity="warning")
            return
        self.push_screen(HistoryScreen())

    async def action_quit(self) -> None:
        if self._active is not None:  # Ctrl-C mid-session: keep what was done, marked so
            self._active.loop.control(lambda s: s.finish(interrupted=True))
        self.close_window()
        self.exit(0)

    # -- sound ----------------------------------------------------------------------------
    def play_breath(self, phase: str) -> str | None:
        return None if self.chime is None else self.chime.play_breath(phase)

    def say(self, phrase: str) -> None:
        """Hand a phrase to the voice hook, if there is one (on the UI thread). A failing voice
        must not stop the session: it is dropped after the first error."""
        if self.say_hook is None:
            return
        try:
            self.say_hook(phrase)
        except Exception as exc:
            self.say_hook = None
            self.notify(f"voice off: {exc}", severity="warning", timeout=6)

    def toggle_sound(self) -> bool:
        """s: all sound (the chime and the voice) off or on again."""
        self._sound_on = super().toggle_sound()
        if self.voice is not None:
            self.voice.enabled = self._sound_on and self._voice_on
        return self._sound_on

    def prepare_voice(self) -> str | None:
        """Start the voice (from the capture worker); a message once if it cannot speak."""
        return None if self.voice is None else self.voice.start()

    def toggle_voice(self) -> str:
        """v: the spoken cues off or on again; what to tell the user."""
        voice = self.voice
        if voice is None:
            return "No voice in this run (--no-voice or --no-sound)"
        if voice.problem is not None or voice.silent is not None:
            return voice.problem or f"{voice.silent}: the voice is silent too"
        self._voice_on = not self._voice_on
        voice.enabled = self._voice_on and self._sound_on
        if self._voice_on and not self._sound_on:
            return "Voice on when the sound is (s)"
        return "Voice on" if self._voice_on else "Voice off (chime only)"

    def session_ended(self) -> None:
        if self.voice is not None:
            self.voice.end_session()
        if self.audio_file is not None:
            self.audio_file.mark_end()

    # -- preview window: its mirror view is kept from one session to the next --------------
    def _open_window(self, screen: LiveScreen[Any, Any]) -> Any:
        window = super()._open_window(screen)
        if window is not None:
            with contextlib.suppress(AttributeError):  # a window without a mirror view
                window.mirror = self.mirror
        return window

    def close_window(self) -> None:
        if self.window is not None:
            self.mirror = getattr(self.window, "mirror", self.mirror)  # m pressed: kept
        super().close_window()
