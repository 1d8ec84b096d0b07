"""A small MJPEG-over-HTTP server, like a phone's IP-camera app (`http://HOST:PORT/video`).

Tests start it on 127.0.0.1 (frames from a video, or numbered synthetic frames) and stop and
restart it to play a stream that drops. Run by hand to try the app against it:

    python tests/mjpeg_server.py ../shared/media/ooibowei_warrior2.mp4 --port 8765
    tui-trainer --source http://127.0.0.1:8765/video
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np

BOUNDARY = "frame"


def video_frames(path: Path, width: int = 640) -> list[bytes]:
    """Every frame of a video as JPEG, scaled to `width` (decoded once, served in a loop)."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    out: list[bytes] = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        h, w = frame.shape[:2]
        if w > width:
            frame = cv2.resize(frame, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)
        out.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
    cap.release()
    if not out:
        raise ValueError(f"{path}: no frames")
    return out


def numbered_frame(n: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """A plain grey frame whose level encodes n (see frame_number), JPEG."""
    import cv2

    image = np.full((size[1], size[0], 3), level(n), np.uint8)
    image[:, : size[0] // 4] = 255  # the left quarter white: shows whether a view is flipped
    return bytes(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes())


def level(n: int) -> int:
    return 10 * (n % 20) + 20


def frame_number(image: np.ndarray) -> int:
    """n modulo 20 of a numbered_frame (read from its right three quarters)."""
    value = float(image[:, image.shape[1] // 2 :].mean())
    return round((value - 20) / 10) % 20


class MjpegServer:
    """Serves `frames` (JPEG bytes, or a function of the frame number) at `fps` to every client
    of /video, from the moment it starts. stop() closes the listening socket and every client
    connection, as a phone app that is closed; start() again serves on the same port."""

    def __init__(
        self,
        frames: list[bytes] | Callable[[int], bytes],
        fps: float = 20.0,
        port: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        self.frames, self.fps, self.host, self.port = frames, fps, host, port
        self.sent = 0  # frames written to clients (all clients)
        self.clients = 0  # connections served
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._t0 = time.monotonic()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/video"

    def current(self) -> int:
        """The frame number being served now (frames run on a clock, like a camera)."""
        return int((time.monotonic() - self._t0) * self.fps)

    def _jpeg(self, n: int) -> bytes:
        if callable(self.frames):
            return self.frames(n)
        return self.frames[n % len(self.frames)]

    def start(self) -> MjpegServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != "/video":
                    self.send_error(404)
                    return
                server.clients += 1
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                last = -1
                try:
                    while not server._stopping.is_set():
                        n = server.current()
                        if n == last:
                            time.sleep(0.25 / server.fps)
                            continue
                        last = n
                        jpeg = server._jpeg(n)
                        self.wfile.write(
                            f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                            f"Content-Length: {len(jpeg)}\r\n\r\n".encode()
                            + jpeg
                            + b"\r\n"
                        )
                        server.sent += 1
                except OSError:
                    pass  # the client went away, or stop() closed the connection

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._stopping.clear()
        self._httpd = Server((self.host, self.port), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
        time.sleep(0.1)  # the handler threads see _stopping and close their connections

    def __enter__(self) -> MjpegServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fps", type=float, default=25.0)
    parser.add_argument("--width", type=int, default=640, help="frame width served")
    args = parser.parse_args()
    server = MjpegServer(video_frames(args.video, args.width), args.fps, args.port).start()
    print(f"serving {args.video} at {server.url} (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
