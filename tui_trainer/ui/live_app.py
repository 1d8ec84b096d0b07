"""What the trainer app (ui/app.py) and the follow app (ui/follow_app.py) share: the style
sheet, Ctrl-C, the chime and the OpenCV preview window. Together with the live stats this is
the `SoundHost` their live screens call back into (ui/hosts.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tui_trainer.io.audio import Chime
from tui_trainer.ui.engine import LiveStats
from tui_trainer.ui.live_screen import LiveScreen

# Makes the preview window, given what `q` in it calls; or returns why it cannot (a string).
WindowFactory = Callable[[Callable[[], Any]], Any]


class LiveApp(App[int]):
    CSS_PATH = Path(__file__).with_name("trainer.tcss")  # absolute: subclasses live elsewhere
    TITLE = "tui-trainer"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True)
    ]

    def __init__(
        self,
        *,
        chime: Chime | None,
        window_factory: WindowFactory | None,
        stats: LiveStats | None,
    ) -> None:
        super().__init__()
        self.chime = chime
        self.window_factory = window_factory
        self.stats = stats or LiveStats()
        self.window: Any = None
        self._window_noted = False

    # -- sound ----------------------------------------------------------------------------
    def prepare_sound(self) -> str | None:
        if self.chime is None or not self.chime.enabled:
            return None
        return self.chime.prepare()

    def play_chime(self) -> str | None:
        return None if self.chime is None else self.chime.play()

    def toggle_sound(self) -> bool:
        """s: the sound off or on again."""
        if self.chime is None:
            self.chime = Chime(enabled=False)
        self.chime.enabled = not self.chime.enabled
        return self.chime.enabled

    # -- preview window -------------------------------------------------------------------
    def _open_window(self, screen: LiveScreen[Any, Any]) -> Any:
        if self.window_factory is None:
            return None
        result = self.window_factory(screen.end_from_window)
        if isinstance(result, str):
            if not self._window_noted:  # once, not at every session
                self._window_noted = True
                self.notify(f"OpenCV window skipped: {result}", timeout=6)
            return None
        self.window = result
        return result

    def close_window(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            with contextlib.suppress(Exception):  # the preview must not stop the app closing
                window.close()
