"""The live OpenCV preview window, drawn by a background GUI thread.

The session's capture worker calls `show(view)` (never blocks: only the newest view is kept);
the GUI thread renders it with viz.composite.render_composite at up to ~30 fps, turns the 3D
view slowly, and handles keys: a/d turn the 3D view, space stops/starts turning, m switches
between the mirror view and the camera's own view, q calls `on_quit` (the session ends as from
the terminal). Closing the window only stops the preview.

All highgui calls happen on one daemon thread that lives as long as the process: OpenCV's Qt
backend binds its QApplication to the thread that first opens a window, so a second window
opened from a new thread would hang. PreviewWindow objects hand their work to that thread.
"""

from __future__ import annotations

import os
import socket
import sys
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
        self,
        title: str = "tui-trainer",
        on_quit: Callable[[], None] | None = None,
        mirror: bool = False,
    ) -> None:
        self.title = title
        self.on_quit = on_quit
        self.mirror = mirror  # show the live image as a mirror does (webcam default); m switches
        self.error: str | None = None  # set when the window failed (the UI can show it)
        self.yaw = 30.0
        self.turning = True
        self.frames_shown = 0
        self._lock = threading.Lock()
        self._pending: WindowView | None = None
        self._fresh = False
        self._view: WindowView | None = None
        self._started = False
        self._open = False
        self._closing = False
        self._closed = threading.Event()
        self._redraw = False  # a key changed the 3D view while it was not turning

    @staticmethod
    def unavailable_reason() -> str | None:
        """None if an OpenCV window can be shown here, else a one-line reason."""
        if sys.platform == "darwin":
            # Cocoa only draws windows from the main thread, which the terminal UI owns.
            return "the preview window is not supported on macOS (windows need the main thread)"
        display = os.environ.get("DISPLAY", "")
        if not display and sys.platform != "win32":
            return "no display (DISPLAY is not set)"
        import cv2

        build = cv2.getBuildInformation()
        gui = next((ln for ln in build.splitlines() if ln.strip().startswith("GUI:")), "")
        if not gui or gui.split(":", 1)[1].strip().upper() in ("", "NONE"):
            return "this OpenCV build has no GUI support (highgui)"
        return _display_reachable(display) if display else None

    @property
    def is_open(self) -> bool:
        """True while the window is on screen."""
        return self._open

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        _gui().add(self)

    def show(self, view: WindowView) -> None:
        """Queue a picture; replaces one not yet drawn. Never blocks on drawing."""
        with self._lock:
            self._pending = view
            self._fresh = True
        if self._started:
            _gui().wake()

    def close(self) -> None:
        """Remove the window (idempotent); waits briefly unless called from the GUI thread."""
        if not self._started or self._closing:
            return
        self._closing = True
        gui = _gui()
        gui.wake()
        if threading.current_thread() is not gui.thread:
            self._closed.wait(timeout=3.0)

    # Called on the GUI thread only.
    def _take_view(self) -> tuple[WindowView | None, bool]:
        with self._lock:
            fresh, self._fresh = self._fresh, False
            if self._pending is not None:
                self._view, self._pending = self._pending, None
        return self._view, fresh

    def _handle_key(self, key: int) -> None:
        if key == ord("q"):
            if self.on_quit is not None:
                self.on_quit()
            return
        if key == ord("a"):
            self.yaw = (self.yaw - TURN_STEP) % 360.0
        elif key == ord("d"):
            self.yaw = (self.yaw + TURN_STEP) % 360.0
        elif key == ord(" "):
            self.turning = not self.turning
        elif key == ord("m"):
            self.mirror = not self.mirror
        else:
            return
        self._redraw = True


class _GuiThread:
    """The one thread that owns every OpenCV window of the process."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._new: list[PreviewWindow] = []
        self._windows: list[PreviewWindow] = []
        self.thread = threading.Thread(target=self._run, name="preview-window", daemon=True)
        self.thread.start()

    def add(self, window: PreviewWindow) -> None:
        with self._lock:
            self._new.append(window)
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while True:
            try:
                self._loop()
            except Exception as exc:  # keep serving: a broken frame must not freeze the preview
                for window in list(self._windows):
                    window.error = f"preview window stopped: {exc}"
                    self._drop(window)

    def _loop(self) -> None:
        import cv2

        from tui_trainer.viz.composite import render_composite

        period = 1.0 / FPS
        last = time.monotonic()
        while True:
            if not self._windows:
                self._wake.wait()  # nothing on screen: sleep until a window is added
                last = time.monotonic()
            else:
                self._wake.wait(timeout=period)
            self._wake.clear()
            with self._lock:
                new, self._new = self._new, []
            for window in new:
                self._open(window)
            now = time.monotonic()
            dt, last = now - last, now
            for window in list(self._windows):
                if window._closing:
                    self._drop(window)
                    continue
                try:
                    if window.turning:
                        window.yaw = (window.yaw + TURN_SPEED * dt) % 360.0
                    view, fresh = window._take_view()
                    if view is not None and (fresh or window.turning or window._redraw):
                        window._redraw = False
                        picture = render_composite(view, SIZE, window.yaw, mirror=window.mirror)
                        cv2.imshow(window.title, picture)
                        window.frames_shown += 1
                except Exception as exc:  # the preview must never take the session down
                    window.error = f"preview window stopped: {exc}"
                    self._drop(window)
            if not self._windows:
                continue
            # waitKey pumps the GUI events; sleeping in it also caps the frame rate.
            spent = time.monotonic() - now
            key = cv2.waitKey(max(1, int((period - spent) * 1000))) & 0xFF
            if key != 0xFF:
                self._windows[-1]._handle_key(key)  # the newest window has the keyboard
            for window in list(self._windows):
                try:
                    visible = cv2.getWindowProperty(window.title, cv2.WND_PROP_VISIBLE)
                except cv2.error:
                    visible = 0
                if visible < 1:  # closed by the user: stop showing, the session goes on
                    self._drop(window)

    def _open(self, window: PreviewWindow) -> None:
        import cv2 as cv

        if window._closing:
            window._closed.set()
            return
        try:
            flags = cv.WINDOW_NORMAL | cv.WINDOW_KEEPRATIO | cv.WINDOW_GUI_NORMAL
            cv.namedWindow(window.title, flags)
            cv.resizeWindow(window.title, *SIZE)
        except Exception as exc:
            window.error = f"cannot open the preview window: {exc}"
            window._closed.set()
            return
        window._open = True
        self._windows.append(window)

    def _drop(self, window: PreviewWindow) -> None:
        import cv2 as cv

        if window in self._windows:
            self._windows.remove(window)
        if window._open:
            window._open = False
            try:
                cv.destroyWindow(window.title)
                cv.waitKey(1)
            except Exception:
                pass  # already gone (closed by the user)
        window._closed.set()


_gui_thread: _GuiThread | None = None
_gui_lock = threading.Lock()


def _gui() -> _GuiThread:
    global _gui_thread
    with _gui_lock:
        if _gui_thread is None:
            _gui_thread = _GuiThread()
        return _gui_thread
