"""A network camera as the source: `--source http://phone:8080/video` (or https, rtsp).

Phone IP-camera apps serve MJPEG over HTTP or H.264 over RTSP; OpenCV's FFmpeg backend reads
both. Like a webcam, a grabber thread reads the stream as fast as it arrives and keeps only the
newest frame (a slow frame never leaves older ones queued: no growing delay). When the stream
drops (the phone app closed, Wi-Fi gone, no frame for READ_TIMEOUT_S), the grabber reconnects
by itself with back-off, and `read()` raises SourceInterrupted meanwhile: the live loop pauses
the session with that message and resumes it at the first new frame.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from tui_trainer.core.errors import InputFileError, SourceError, SourceInterrupted
from tui_trainer.io.capture import _Estimated
from tui_trainer.io.frames import Clock, _cv2
from tui_trainer.io.pose_pipeline import Frame

SCHEMES = ("http", "https", "rtsp")
OPEN_TIMEOUT_S = 5.0  # to connect (a phone on the same Wi-Fi answers in well under a second)
READ_TIMEOUT_S = 5.0  # no frame for this long: the stream has dropped
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 5.0)  # waits before each reconnection try (then the last)
WAIT_S = 0.5  # how long read() waits for a frame before saying the stream is still down


def is_stream_url(spec: str) -> bool:
    """Looks like a URL (scheme://...): check_stream_url says whether it is one we can read."""
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", spec) is not None


def display_url(url: str) -> str:
    """The URL without a password (it goes into the history and on the screen)."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def check_stream_url(url: str) -> None:
    """Refuse what cannot be a stream address before the TUI starts (no connection made)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise InputFileError(
            f"--source {url}: a stream URL must start with http://, https:// or rtsp://"
        )
    try:
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise InputFileError(f"--source {display_url(url)}: the port is not a number") from None
    if not parts.hostname:
        raise InputFileError(
            f"--source {display_url(url)}: no host in the URL "
            "(expected e.g. http://192.168.1.20:8080/video)"
        )


def open_capture(url: str, open_timeout_s: float, read_timeout_s: float) -> Any:
    """An opened cv2.VideoCapture on the URL (FFmpeg backend), or None if it cannot connect."""
    cv2 = _cv2()
    params = [
        cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
        int(open_timeout_s * 1000),
        cv2.CAP_PROP_READ_TIMEOUT_MSEC,
        int(read_timeout_s * 1000),
    ]
    cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)
    if cap.isOpened():
        return cap
    cap.release()
    return None


class _StreamGrabber:
    """Keeps the newest frame of a stream; reconnects with back-off when it drops."""

    def __init__(
        self,
        cap: Any,
        reopen: Callable[[], Any],
        clock: Clock,
        backoff: Sequence[float],
        label: str,
        stall_s: float,
    ) -> None:
        self.reopen, self.clock, self.backoff, self.label = reopen, clock, backoff, label
        self.stall_s = stall_s
        self.cond = threading.Condition()
        self.latest: tuple[float, np.ndarray, int] | None = None
        self.down: str | None = None  # why no frames come (while reconnecting)
        self.dropped = 0
        self.reconnects = 0
        self._cap = cap
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stream-grabber", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        count, tries = 0, 0
        while not self._stop.is_set():
            if self._cap is None:
                delay = self.backoff[min(tries, len(self.backoff) - 1)]
                if self._stop.wait(delay):
                    break
                tries += 1
                self._set_down(f"the stream {self.label} dropped; reconnecting (try {tries})")
                self._cap = self.reopen()
                if self._cap is not None:
                    tries = 0
                    self.reconnects += 1
                continue
            ok, frame = self._cap.read()
            if ok and frame is not None:
                with self.cond:
                    if self.latest is not None:
                        self.dropped += 1  # never picked up: a newer one replaces it
                    self.latest, self.down = (self.clock(), frame, count), None
                    count += 1
                    self.cond.notify_all()
                continue
            # End of stream, a read timeout or a broken connection: start again.
            self._cap.release()
            self._cap = None
            self._set_down(f"the stream {self.label} dropped; reconnecting")
        if self._cap is not None:
            self._cap.release()

    def _set_down(self, text: str) -> None:
        with self.cond:
            self.down = text
            self.cond.notify_all()

    def take(self, wait_s: float) -> tuple[float, np.ndarray, int]:
        """The newest frame not yet taken. While the stream is down, raises SourceInterrupted
        after waiting `wait_s` for it to come back (so a caller polling it does not spin)."""
        start = time.monotonic()
        with self.cond:
            while self.latest is None:
                waited = time.monotonic() - start
                if self.down is not None and waited >= wait_s:
                    raise SourceInterrupted(self.down)
                if waited >= self.stall_s:  # connected, yet nothing comes
                    raise SourceInterrupted(f"the stream {self.label} sends no frames; waiting")
                self.cond.wait(wait_s)
            item, self.latest = self.latest, None
            return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=READ_TIMEOUT_S + 1.0)


class StreamSource(_Estimated):
    """A network camera (MJPEG over HTTP, RTSP...) through MediaPipe, newest frame first."""

    def __init__(
        self,
        url: str,
        estimator_factory: Callable[[], Any] | None = None,
        clock: Clock = time.monotonic,
        open_timeout_s: float = OPEN_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
        backoff: Sequence[float] = BACKOFF_S,
        wait_s: float = WAIT_S,
    ) -> None:
        super().__init__(estimator_factory)
        self.url = url
        self.name = display_url(url)
        self.fps = 30.0
        self._clock = clock
        self._timeouts = (open_timeout_s, read_timeout_s)
        self._backoff = tuple(backoff)
        self._wait_s = wait_s
        self._grabber: _StreamGrabber | None = None

    @property
    def frames_dropped(self) -> int:
        return self._pipeline.dropped + (0 if self._grabber is None else self._grabber.dropped)

    @property
    def reconnects(self) -> int:
        return 0 if self._grabber is None else self._grabber.reconnects

    def _connect(self) -> Any:
        return open_capture(self.url, *self._timeouts)

    def open(self) -> None:
        cap = self._connect()
        if cap is None:
            raise SourceError(
                f"cannot open the stream {self.name}: check the address and that the camera "
                "app is serving on the same network"
            )
        ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise SourceError(f"the stream {self.name} gives no picture")
        fps = float(cap.get(_cv2().CAP_PROP_FPS) or 0.0)
        self.fps = fps if 1.0 <= fps <= 120.0 else 30.0
        self._start_estimator()
        self._pose(first)  # warm-up: MediaPipe's first call is several times slower
        self._grabber = _StreamGrabber(
            cap, self._connect, self._clock, self._backoff, self.name, self._timeouts[1] + 1.0
        )

    def _next(self) -> Frame | None:
        assert self._grabber is not None
        t, frame, index = self._grabber.take(self._wait_s)
        return t, frame, index, None

    def close(self) -> None:
        if self._grabber is not None:
            self._grabber.close()
            self._grabber = None
        self._close_estimator()
