"""The real OpenCV preview window under a virtual X server (Xvfb, started here).

Needs only Xvfb (Debian: xvfb); the screenshot, window lookup, key press and close request go
straight through libX11 (ctypes), which OpenCV's Qt GUI needs anyway.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from tui_trainer.core.comparison.scoring import Comparison
from tui_trainer.core.demo.synth import pose_from_world, spec_from_world, standing_world
from tui_trainer.io.window import PreviewWindow
from tui_trainer.viz.composite import BANNER_COLORS, WindowView

SCREEN = (1400, 800)
c_int, c_uint, c_ulong, c_void_p = ctypes.c_int, ctypes.c_uint, ctypes.c_ulong, ctypes.c_void_p


class _XImage(ctypes.Structure):
    _fields_ = [
        ("width", c_int), ("height", c_int), ("xoffset", c_int), ("format", c_int),
        ("data", c_void_p), ("byte_order", c_int), ("bitmap_unit", c_int),
        ("bitmap_bit_order", c_int), ("bitmap_pad", c_int), ("depth", c_int),
        ("bytes_per_line", c_int), ("bits_per_pixel", c_int),
    ]  # fmt: skip


class _KeyEvent(ctypes.Structure):
    _fields_ = [
        ("type", c_int), ("serial", c_ulong), ("send_event", c_int), ("display", c_void_p),
        ("window", c_ulong), ("root", c_ulong), ("subwindow", c_ulong), ("time", c_ulong),
        ("x", c_int), ("y", c_int), ("x_root", c_int), ("y_root", c_int),
        ("state", c_uint), ("keycode", c_uint), ("same_screen", c_int),
    ]  # fmt: skip


class _ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", c_int), ("serial", c_ulong), ("send_event", c_int), ("display", c_void_p),
        ("window", c_ulong), ("message_type", c_ulong), ("format", c_int),
        ("data", ctypes.c_long * 5),
    ]  # fmt: skip


class _XEvent(ctypes.Union):
    _fields_ = [("xkey", _KeyEvent), ("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


class X11:
    """The few Xlib calls the tests need: what a user sees and does."""

    def __init__(self) -> None:
        path = ctypes.util.find_library("X11")
        if path is None:
            pytest.skip("libX11 not found")
        x = ctypes.CDLL(path)
        x.XOpenDisplay.restype = c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultRootWindow.restype = c_ulong
        x.XDefaultRootWindow.argtypes = [c_void_p]
        x.XGetImage.restype = ctypes.POINTER(_XImage)
        x.XGetImage.argtypes = [c_void_p, c_ulong, c_int, c_int, c_uint, c_uint, c_ulong, c_int]
        x.XDestroyImage.argtypes = [ctypes.POINTER(_XImage)]
        children = ctypes.POINTER(ctypes.POINTER(c_ulong))
        ulong_p, uint_p = ctypes.POINTER(c_ulong), ctypes.POINTER(c_uint)
        x.XQueryTree.argtypes = [c_void_p, c_ulong, ulong_p, ulong_p, children, uint_p]
        x.XFetchName.argtypes = [c_void_p, c_ulong, ctypes.POINTER(ctypes.c_char_p)]
        x.XInternAtom.restype = c_ulong
        x.XInternAtom.argtypes = [c_void_p, ctypes.c_char_p, c_int]
        x.XStringToKeysym.restype = c_ulong
        x.XStringToKeysym.argtypes = [ctypes.c_char_p]
        x.XKeysymToKeycode.restype = ctypes.c_ubyte
        x.XKeysymToKeycode.argtypes = [c_void_p, c_ulong]
        x.XSetInputFocus.argtypes = [c_void_p, c_ulong, c_int, c_ulong]
        x.XSendEvent.argtypes = [c_void_p, c_ulong, c_int, ctypes.c_long, ctypes.POINTER(_XEvent)]
        x.XFlush.argtypes = [c_void_p]
        x.XSync.argtypes = [c_void_p, c_int]
        x.XCloseDisplay.argtypes = [c_void_p]
        self.x = x
        self.display = x.XOpenDisplay(None)
        assert self.display, "cannot open the X display"
        self.root = x.XDefaultRootWindow(self.display)

    def close(self) -> None:
        self.x.XCloseDisplay(self.display)

    def screenshot(self) -> np.ndarray:
        """The whole screen as BGR (24-bit TrueColor, 32 bits per pixel, as Xvfb gives it)."""
        self.x.XSync(self.display, 0)
        ptr = self.x.XGetImage(self.display, self.root, 0, 0, *SCREEN, 0xFFFFFFFF, 2)  # ZPixmap
        assert ptr, "XGetImage failed"
        im = ptr.contents
        try:
            assert im.bits_per_pixel == 32 and im.byte_order == 0, "expected 32-bit BGRX pixels"
            raw = ctypes.string_at(im.data, im.bytes_per_line * im.height)
            rows = np.frombuffer(raw, np.uint8).reshape(im.height, im.bytes_per_line)
            return rows[:, : im.width * 4].reshape(im.height, im.width, 4)[..., :3].copy()
        finally:
            self.x.XDestroyImage(ptr)

    def find_window(self, title: str) -> int | None:
        root, parent = c_ulong(), c_ulong()
        kids, count = ctypes.POINTER(c_ulong)(), c_uint()
        self.x.XQueryTree(self.display, self.root, ctypes.byref(root), ctypes.byref(parent),
                          ctypes.byref(kids), ctypes.byref(count))  # fmt: skip
        for i in range(count.value):
            name = ctypes.c_char_p()
            found = self.x.XFetchName(self.display, kids[i], ctypes.byref(name))
            if found and name.value and name.value.decode() == title:
                return int(kids[i])
        return None

    def press(self, wid: int, key: str) -> None:
        """Focus the window and type one key (KeyPress then KeyRelease)."""
        code = self.x.XKeysymToKeycode(self.display, self.x.XStringToKeysym(key.encode()))
        self.x.XSetInputFocus(self.display, wid, 2, 0)  # RevertToParent, CurrentTime
        for kind, mask in ((2, 1), (3, 2)):  # KeyPress/KeyPressMask, KeyRelease/KeyReleaseMask
            event = _XEvent()
            k = event.xkey
            k.type, k.display, k.window, k.root = kind, self.display, wid, self.root
            k.keycode, k.same_screen = code, 1
            self.x.XSendEvent(self.display, wid, 1, mask, ctypes.byref(event))
        self.x.XFlush(self.display)

    def request_close(self, wid: int) -> None:
        """WM_DELETE_WINDOW: what a window manager sends when the user clicks the close box."""
        event = _XEvent()
        msg = event.xclient
        msg.type, msg.window, msg.format = 33, wid, 32  # ClientMessage
        msg.message_type = self.x.XInternAtom(self.display, b"WM_PROTOCOLS", 0)
        msg.data[0] = self.x.XInternAtom(self.display, b"WM_DELETE_WINDOW", 0)
        self.x.XSendEvent(self.display, wid, 0, 0, ctypes.byref(event))
        self.x.XFlush(self.display)


@pytest.fixture(scope="module")
def xvfb() -> Iterator[str]:
    """One X server for the whole module: OpenCV's Qt GUI stays bound to the first display it
    opens a window on, for the life of the process."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
         "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # Xvfb writes its display number when ready
        if not number:
            pytest.skip("Xvfb did not start")
        display = f":{number}"
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DISPLAY", display)
            yield display
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def x11(xvfb: str) -> Iterator[X11]:
    conn = X11()
    yield conn
    conn.close()


def view() -> WindowView:
    world = standing_world()
    spec = spec_from_world("test_pose", world, {"left_knee": 1.0, "right_knee": 1.0})
    comparison = Comparison(50.0, 0.1, 90.0, 0.1, 90.0, False, errors={"left_knee": -40.0})
    return WindowView(
        frame=np.full((480, 640, 3), 90, np.uint8),
        pose=pose_from_world(world),
        target=spec,
        comparison=comparison,
        verdict="FIGHTING",
        score=50.0,
        hint="open the left knee",
        title="Test pose",
    )


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_unavailable_reason(xvfb: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert PreviewWindow.unavailable_reason() is None
    monkeypatch.setenv("DISPLAY", ":4711")
    reason = PreviewWindow.unavailable_reason()
    assert reason is not None and "cannot connect to the X display :4711" in reason
    monkeypatch.delenv("DISPLAY")
    assert PreviewWindow.unavailable_reason() == "no display (DISPLAY is not set)"


def test_window_shows_the_composite(x11: X11) -> None:
    before = x11.screenshot()
    window = PreviewWindow("tui-trainer test")
    window.start()
    try:
        t0 = time.perf_counter()
        for _ in range(50):
            window.show(view())
        assert time.perf_counter() - t0 < 0.5  # show() only hands the view over
        assert wait_for(lambda: window.frames_shown >= 3), window.error
        assert x11.find_window("tui-trainer test") is not None
        time.sleep(0.3)  # let the X server paint
        shot = x11.screenshot()
    finally:
        window.close()
    assert window.error is None
    assert not window.is_open
    after = x11.screenshot()
    window.close()  # idempotent
    assert before.std() < 1.0  # an empty screen first
    assert shot.std() > 20.0  # then a picture, not a blank window
    assert after.std() < 1.0  # and gone again once closed
    # The FIGHTING banner's colour covers a wide band of the screen.
    banner = np.all(np.abs(shot.astype(int) - BANNER_COLORS["FIGHTING"]) <= 3, axis=2)
    assert banner.sum() > 0.3 * 1280 * 60


def test_windows_can_follow_each_other(xvfb: str) -> None:
    """A session started after another one (in new threads) gets a working window again."""
    for k in range(2):
        window = PreviewWindow(f"tui-trainer again {k}")
        window.start()
        try:
            window.show(view())
            assert wait_for(lambda w=window: w.frames_shown >= 2), window.error
        finally:
            window.close()
        assert not window.is_open


def test_q_in_the_window_ends_the_session(x11: X11) -> None:
    quits: list[int] = []
    window = PreviewWindow("tui-trainer keys", on_quit=lambda: quits.append(1))
    window.start()
    try:
        window.show(view())
        assert wait_for(lambda: window.frames_shown >= 1), window.error
        wid = x11.find_window("tui-trainer keys")
        assert wid is not None
        x11.press(wid, "space")  # stops the 3D view turning, nothing else
        assert wait_for(lambda: not window.turning, timeout=5.0)
        yaw = window.yaw
        x11.press(wid, "d")  # turns it by hand
        assert wait_for(lambda: abs((window.yaw - yaw) % 360 - 15.0) < 1e-6, timeout=5.0)
        x11.press(wid, "a")
        assert wait_for(lambda: abs(window.yaw - yaw) < 1e-6, timeout=5.0)
        assert window.mirror is False
        x11.press(wid, "m")  # the mirror view, and back
        assert wait_for(lambda: window.mirror, timeout=5.0)
        x11.press(wid, "m")
        assert wait_for(lambda: not window.mirror, timeout=5.0)
        assert quits == []
        x11.press(wid, "q")
        assert wait_for(lambda: bool(quits), timeout=5.0)
    finally:
        window.close()


def test_closing_the_window_does_not_end_the_session(x11: X11) -> None:
    quits: list[int] = []
    window = PreviewWindow("tui-trainer close", on_quit=lambda: quits.append(1))
    window.start()
    try:
        window.show(view())
        assert wait_for(lambda: window.frames_shown >= 1), window.error
        wid = x11.find_window("tui-trainer close")
        assert wid is not None
        x11.request_close(wid)
        assert wait_for(lambda: not window.is_open, timeout=5.0)
        window.show(view())  # the session keeps sending views: accepted and ignored
    finally:
        window.close()
    assert quits == []
    assert window.error is None
