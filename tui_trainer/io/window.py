"""The live OpenCV preview window, owned by its own daemon thread.

The session's capture worker calls `show(view)` (never blocks: only the newest view is kept);
the window thread renders it with viz.composite.render_composite at up to ~30 fps, turns the 3D
view slowly, and handles keys: a/d turn the 3D view, space stops/starts turning, q calls
`on_quit` (the session ends as from the terminal). Closing the window only stops the preview.
All highgui calls happen on the window thread (Qt wants one GUI thread).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable

from tui_trainer.viz.composite import WindowView

FPS = 30.0
TURN_SPEED = 15.0  # degrees per second while the 3D view turns by itself
TURN_STEP = 15.0  # degrees per a/d key press
SIZE = (1280, 720)


def _display_reachable(display: str) -> str | None:
    """None when the X server named by DISPLAY accepts a connection, else why not."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return f"DISPLAY={display!r} is not a valid X display name"
    try:
        if host in ("", "unix"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: str | tuple[str, int] = f"/tmp/.X11-unix/X{number}"
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            target = (host, 6000 + int(number))
        sock.settimeout(1.0)
        with sock:
            sock.connect(target)
    except OSError as exc:
        return f"cannot connect to the X display {display} ({exc.strerror or exc})"
    return None


class PreviewWindow:
    """An OpenCV window that shows WindowView pictures; safe to drive from any thread."""

    def __init__(
        self, title: str = "tui-trainer", on_quit: Callable[[], None] | None = None
    ) -> None:
        self.title = title
        self.on_quit = on_quit
        self.error: str | None = None  # set when the window thread failed (shown as a notice)
        self.yaw = 30.0
        self.turning = True
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pending: WindowView | None = None
        self._thread: threading.Thread | None = None
        self._open = False
        self._redraw = False  # a key changed the view while it was not turning
        self.frames_shown = 0

    @staticmethod
    def unavailable_reason() -> str | None:
        """None if an OpenCV window can be shown here, else a one-line reason."""
        display = os.environ.get("DISPLAY", "")
        if not display:
            return "no display (DISPLAY is not set)"
        import cv2

        build = cv2.getBuildInformation()
        gui = next((ln for ln in build.splitlines() if ln.strip().startswith("GUI:")), "")
        if not gui or gui.split(":", 1)[1].strip().upper() in ("", "NONE"):
            return "this OpenCV build has no GUI support (highgui)"
        return _display_reachable(display)

    @property
    def is_open(self) -> bool:
        """True while the window is on screen."""
        return self._open

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="preview-window", daemon=True)
        self._thread.start()

    def show(self, view: WindowView) -> None:
        """Queue a picture; replaces one not yet drawn. Never blocks on drawing."""
        with self._lock:
            self._pending = view
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=3.0)

    # The window thread.
    def _run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # the preview must never take the session down
            self.error = f"preview window stopped: {exc}"
        finally:
            self._open = False
            try:
                import cv2

                cv2.destroyAllWindows()
                cv2.waitKey(1)
            except Exception:
                pass

    def _loop(self) -> None:
        import cv2

        from tui_trainer.viz.composite import render_composite

        flags = cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL
        cv2.namedWindow(self.title, flags)
        cv2.resizeWindow(self.title, *SIZE)
        self._open = True
        view: WindowView | None = None
        period = 1.0 / FPS
        last = time.monotonic()
        while not self._stop.is_set():
            fresh = self._wake.wait(timeout=period)
            self._wake.clear()
            if self._stop.is_set():
                break
            with self._lock:
                if self._pending is not None:
                    view, self._pending = self._pending, None
            now = time.monotonic()
            if self.turning:
                self.yaw = (self.yaw + TURN_SPEED * (now - last)) % 360.0
            last = now
            if view is not None and (fresh or self.turning or self._redraw):
                self._redraw = False
                cv2.imshow(self.title, render_composite(view, SIZE, self.yaw))
                self.frames_shown += 1
            # waitKey pumps the GUI events; sleeping in it also caps the frame rate.
            spent = time.monotonic() - now
            key = cv2.waitKey(max(1, int((period - spent) * 1000))) & 0xFF
            if not self._handle_key(key):
                break
            if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
                break  # closed by the user: stop showing, the session goes on

    def _handle_key(self, key: int) -> bool:
        """React to a key; False when the window should go away."""
        if key == ord("q"):
            if self.on_quit is not None:
                self.on_quit()
            return True
        if key == ord("a"):
            self.yaw = (self.yaw - TURN_STEP) % 360.0
        elif key == ord("d"):
            self.yaw = (self.yaw + TURN_STEP) % 360.0
        elif key == ord(" "):
            self.turning = not self.turning
        else:
            return True
        self._redraw = True
        return True
