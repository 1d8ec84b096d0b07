"""Live frames onto the terminal at most SCREEN_HZ times a second.

The eye needs ~15-20 updates a second, and every terminal refresh costs CPU that inference
needs; every frame is still scored (holds, voice, history) before it gets here. A frame that
comes too soon after the last one drawn is kept, not queued: the next frame replaces it, or it
is drawn after CATCH_UP_S when no other comes (a pause, the end of a video), so the screen never
stays behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

SCREEN_HZ = 20.0
CATCH_UP_S = 0.1

M = TypeVar("M")


class FramePacer(Generic[M]):
    """Calls `draw(frame)` for the frames offered, at most `hz` a second: draws are due on a
    schedule every 1/hz s (so 30 fps give 20 draws, two frames of three), the first frame at or
    after a due time is drawn. `set_timer` is the screen's (Textual) timer factory."""

    def __init__(
        self,
        draw: Callable[[M], None],
        set_timer: Callable[[float, Callable[[], None]], Any],
        hz: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._draw, self._set_timer, self._clock = draw, set_timer, clock
        self.hz = SCREEN_HZ if hz is None else hz  # 0: every frame
        self._due = clock()  # when the next draw may happen
        self._undrawn: M | None = None
        self._timer: Any = None

    def offer(self, frame: M) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.hz > 0:
            now = self._clock()
            if now < self._due - 0.001:
                self._undrawn = frame
                self._timer = self._set_timer(CATCH_UP_S, self._catch_up)
                return
        self._undrawn = None
        self._draw_now(frame)

    def _draw_now(self, frame: M) -> None:
        if self.hz > 0:
            # On schedule; after a pause, from now (never two draws in a row to catch up).
            period = 1.0 / self.hz
            self._due = max(self._due + period, self._clock() + period / 2)
        self._draw(frame)

    def drop(self) -> None:
        """Forget a frame not drawn yet (something newer is on screen)."""
        self._undrawn = None

    def _catch_up(self) -> None:
        self._timer = None
        frame, self._undrawn = self._undrawn, None
        if frame is not None:
            self._draw_now(frame)
