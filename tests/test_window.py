"""The real OpenCV preview window under a virtual X server (Xvfb, started here).

Needs the Debian packages xvfb (Xvfb), imagemagick (import, for the screenshot) and xdotool (to
find the window and press keys). Each test skips with the reason when a tool is missing.
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

from tui_trainer.core.scoring import Comparison
from tui_trainer.core.synth import pose_from_world, spec_from_world, standing_world
from tui_trainer.io.window import PreviewWindow
from tui_trainer.viz.composite import BANNER_COLORS, WindowView

SCREEN = (1400, 800)


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


def screenshot() -> np.ndarray:
    """The whole X screen as a BGR image (ImageMagick's `import -window root`)."""
    import cv2

    if shutil.which("import") is None:
        pytest.skip("ImageMagick's import is not installed (Debian: apt-get install imagemagick)")
    png = subprocess.run(
        ["import", "-window", "root", "png:-"], capture_output=True, check=True, timeout=30
    ).stdout
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape[:2] == (SCREEN[1], SCREEN[0])
    return image


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


def window_id(title: str) -> int:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (Debian: apt-get install xdotool)")
    out = subprocess.run(["xdotool", "search", "--name", title], capture_output=True, text=True)
    ids = out.stdout.split()
    assert ids, f"no X window named {title!r}"
    return int(ids[-1])


def test_unavailable_reason(xvfb: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert PreviewWindow.unavailable_reason() is None
    monkeypatch.setenv("DISPLAY", ":4711")
    reason = PreviewWindow.unavailable_reason()
    assert reason is not None and "cannot connect to the X display :4711" in reason
    monkeypatch.delenv("DISPLAY")
    assert PreviewWindow.unavailable_reason() == "no display (DISPLAY is not set)"


def test_window_shows_the_composite(xvfb: str) -> None:
    before = screenshot()
    window = PreviewWindow("tui-trainer test")
    window.start()
    try:
        t0 = time.perf_counter()
        for _ in range(50):
            window.show(view())
        assert time.perf_counter() - t0 < 0.5  # show() only hands the view over
        assert wait_for(lambda: window.frames_shown >= 3), window.error
        time.sleep(0.3)  # let the X server paint
        shot = screenshot()
    finally:
        window.close()
    assert window.error is None
    assert not window.is_open
    window.close()  # idempotent
    assert before.std() < 1.0  # an empty screen first
    assert shot.std() > 20.0  # then a picture, not a blank window
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


def test_q_in_the_window_ends_the_session(xvfb: str) -> None:
    quits: list[int] = []
    window = PreviewWindow("tui-trainer keys", on_quit=lambda: quits.append(1))
    window.start()
    try:
        window.show(view())
        assert wait_for(lambda: window.frames_shown >= 1), window.error
        wid = window_id("tui-trainer keys")
        subprocess.run(["xdotool", "windowfocus", "--sync", str(wid)], check=True)
        subprocess.run(["xdotool", "key", "q"], check=True)
        assert wait_for(lambda: bool(quits), timeout=5.0)
    finally:
        window.close()


class _ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def close_like_a_window_manager(wid: int) -> None:
    """Send WM_DELETE_WINDOW, what a window manager sends when the user clicks the close box."""
    lib = ctypes.util.find_library("X11")
    if lib is None:
        pytest.skip("libX11 not found")
    x11 = ctypes.CDLL(lib)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(_XEvent)
    ]  # fmt: skip
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    assert display, "cannot open the X display"
    event = _XEvent()
    event.xclient.type = 33  # ClientMessage
    event.xclient.window = wid
    event.xclient.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.xclient.format = 32
    event.xclient.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    x11.XSendEvent(display, wid, 0, 0, ctypes.byref(event))
    x11.XFlush(display)
    x11.XCloseDisplay(display)


def test_closing_the_window_does_not_end_the_session(xvfb: str) -> None:
    quits: list[int] = []
    window = PreviewWindow("tui-trainer close", on_quit=lambda: quits.append(1))
    window.start()
    try:
        window.show(view())
        assert wait_for(lambda: window.frames_shown >= 1), window.error
        close_like_a_window_manager(window_id("tui-trainer close"))
        assert wait_for(lambda: not window.is_open, timeout=5.0)
        window.show(view())  # the session keeps sending views: accepted and ignored
    finally:
        window.close()
    assert quits == []
    assert window.error is None
