"""A terminal smaller than the layout needs gets a message saying the size needed, not a broken
screen. The message is a modal screen over the app; it goes away by itself once the terminal is
big enough (the session underneath keeps running).

Wiring, in the App:

    def on_mount(self) -> None:
        guard_size(self, MIN_WIDTH, MIN_HEIGHT)

    def on_resize(self, event: events.Resize) -> None:
        guard_size(self, MIN_WIDTH, MIN_HEIGHT, event.size)
"""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.containers import Center, Middle
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Static


def too_small_message(size: Size, min_width: int, min_height: int) -> str:
    return (
        f"The terminal is {size.width}×{size.height}; tui-trainer needs at least "
        f"{min_width}×{min_height}.\nMake the window bigger (or the font smaller)."
    )


def fits(size: Size, min_width: int, min_height: int) -> bool:
    return size.width >= min_width and size.height >= min_height


class TooSmallScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen #too-small { width: auto; max-width: 100%; height: auto;
        padding: 0 1; color: $warning; text-align: center; }
    """

    def __init__(self, min_width: int, min_height: int) -> None:
        super().__init__()
        self.min_width = min_width
        self.min_height = min_height
        self._was_resumed = False
        self._dismissing = False

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(self._text(self.app.size), id="too-small")

    def _text(self, size: Size) -> str:
        return too_small_message(size, self.min_width, self.min_height)

    def on_resize(self, event: events.Resize) -> None:
        if fits(event.size, self.min_width, self.min_height):
            if self.app.screen is self:  # (is_current is also true under a modal)
                self._dismiss_once()
        else:
            self.query_one("#too-small", Static).update(self._text(event.size))

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Back on top after a screen the app pushed over it: the terminal may fit by now. (Not
        # on the first resume, the push itself: app.size may still be the pre-resize size.)
        first, self._was_resumed = not self._was_resumed, True
        if not first and fits(self.app.size, self.min_width, self.min_height):
            self.call_after_refresh(self._dismiss_once)  # not from inside the pop that resumed us

    def _dismiss_once(self) -> None:
        # A resize and a resume can both ask to close; dismiss once.
        if not self._dismissing:
            self._dismissing = True
            self.dismiss(None)


def guard_size(app: App[object], min_width: int, min_height: int, size: Size | None = None) -> None:
    """Show the too-small message if `app` is smaller than min_width×min_height (idempotent;
    the message screen closes itself once the terminal is big enough).

    From App.on_resize pass `event.size`: app.size is still the old size at that point."""
    size = app.size if size is None else size
    if not fits(size, min_width, min_height) and not isinstance(app.screen, TooSmallScreen):
        app.push_screen(TooSmallScreen(min_width, min_height))
