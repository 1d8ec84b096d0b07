"""A network camera (a phone's IP-camera app) as the source: a loopback MJPEG server started by
each test; the newest frame is read, like a webcam; a server that stops mid-session pauses the
session with a message, and the session goes on when the server is back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mjpeg_server import MjpegServer, frame_number, free_port, numbered_frame, video_frames
from textual.message import Message

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.coaching.session import Session
from tui_trainer.core.errors import InputFileError, SourceError
from tui_trainer.core.library import PoseLibrary
from tui_trainer.core.library.routines import Routine, Step
from tui_trainer.io.sources import is_live, make_source
from tui_trainer.io.stream import StreamSource
from tui_trainer.ui.engine import LiveLoop, LiveStats
from tui_trainer.ui.messages import FrameProcessed, SourceResumed, SourceWaiting

FAST_BACKOFF = (0.3, 0.6, 1.2)


class TemplateEstimator:
    """Finds the same pose in every frame (the stream is under test here, not MediaPipe)."""

    def __init__(self, pose: Pose | None = None) -> None:
        self.pose = pose
        self.frames = 0

    def process(self, frame: np.ndarray) -> Pose | None:
        self.frames += 1
        return self.pose


def wait_until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {check}")
        time.sleep(0.02)
    return result


@pytest.fixture
def server() -> Iterator[MjpegServer]:
    srv = MjpegServer(numbered_frame, fps=20.0).start()
    yield srv
    srv.stop()


def test_stream_urls_are_checked_before_the_app_without_connecting() -> None:
    src = make_source("http://127.0.0.1:9/video")  # nothing listens there: not contacted yet
    assert isinstance(src, StreamSource) and src.name == "http://127.0.0.1:9/video"
    secret = make_source("rtsp://me:secret@phone.local:8554/live")
    assert secret.name == "rtsp://phone.local:8554/live"  # no password in history or on screen
    with pytest.raises(InputFileError, match=r"ftp://x/y: .*http://, https:// or rtsp://"):
        make_source("ftp://x/y")
    with pytest.raises(InputFileError, match="no host"):
        make_source("http:///video")
    with pytest.raises(InputFileError, match="port is not a number"):
        make_source("http://phone:eighty/video")
    assert is_live("webcam") and is_live("https://phone/video") and is_live("rtsp://p/x")
    assert not is_live("demo") and not is_live("practice.mp4")


def test_a_stream_that_cannot_be_reached_says_so() -> None:
    src = StreamSource(f"http://127.0.0.1:{free_port()}/video", estimator_factory=TemplateEstimator)
    with pytest.raises(SourceError, match=r"cannot open the stream http://127\.0\.0\.1:\d+/video"):
        src.open()


def test_the_newest_frame_is_read_like_a_camera(server: MjpegServer) -> None:
    estimator = TemplateEstimator()
    src = StreamSource(server.url, estimator_factory=lambda: estimator)
    src.open()
    try:
        first = [src.read() for _ in range(5)]
        assert all(s is not None and s.frame is not None for s in first)
        assert [s.frame.shape for s in first if s and s.frame is not None] == [(240, 320, 3)] * 5
        indices = [s.index for s in first if s is not None]
        assert indices == sorted(set(indices))
        time.sleep(0.6)  # a slow consumer: 12 frames go by meanwhile
        late = src.read()
        assert late is not None and late.frame is not None
        # The newest frame (within 2 of what the server sends now), not the next in line.
        behind = (server.current() - frame_number(late.frame)) % 20
        assert behind <= 2, behind
        assert late.index - indices[-1] >= 9 and src.frames_dropped >= 8
        assert estimator.frames == 6 + 1  # each frame read, plus the warm-up
    finally:
        src.close()


def _routine() -> tuple[Routine, dict[str, Any]]:
    spec = PoseLibrary.load().get("mountain")
    return Routine("r", "R", "beginner", "", (Step("mountain", None, 60.0, 0.0),)), {
        "mountain": spec
    }


def test_a_server_that_stops_mid_session_pauses_it_and_it_resumes(server: MjpegServer) -> None:
    routine, specs = _routine()
    src = StreamSource(
        server.url,
        estimator_factory=lambda: TemplateEstimator(specs["mountain"].template),
        backoff=FAST_BACKOFF,
    )
    session = Session(routine, specs, source=src.name)
    loop = LiveLoop(session, src, LiveStats())
    posted: list[Message] = []
    stop = threading.Event()
    worker = threading.Thread(target=loop.run, args=(stop.is_set, posted.append), daemon=True)
    worker.start()
    try:
        wait_until(lambda: loop.snapshot().held_s > 0.5)
        server.stop()  # the phone app is closed mid-session
        wait_until(lambda: any(isinstance(m, SourceWaiting) for m in posted), timeout=5)
        state = loop.snapshot()
        assert state.paused and state.pause_reason is not None
        assert f"the stream {server.url} dropped; reconnecting" in state.pause_reason
        held = state.held_s
        # It keeps trying, with back-off (0.3, 0.6, 1.2 s between tries here).
        wait_until(
            lambda: any(isinstance(m, SourceWaiting) and "(try 3)" in m.text for m in posted),
            timeout=5,
        )
        assert loop.snapshot().held_s == held  # paused: the hold does not run
        assert loop.snapshot().paused
        frames_before = sum(isinstance(m, FrameProcessed) for m in posted)
        server.start()  # back on the same port
        wait_until(lambda: any(isinstance(m, SourceResumed) for m in posted), timeout=5)
        wait_until(lambda: loop.snapshot().held_s > held + 0.3)
        assert not loop.snapshot().paused
        assert sum(isinstance(m, FrameProcessed) for m in posted) > frames_before
        assert src.reconnects == 1 and server.clients == 2
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()


def test_a_pause_of_the_users_own_is_kept_when_the_stream_comes_back(
    server: MjpegServer,
) -> None:
    routine, specs = _routine()
    src = StreamSource(
        server.url, estimator_factory=lambda: TemplateEstimator(None), backoff=FAST_BACKOFF
    )
    session = Session(routine, specs, source=src.name)
    loop = LiveLoop(session, src, LiveStats())
    posted: list[Message] = []
    stop = threading.Event()
    worker = threading.Thread(target=loop.run, args=(stop.is_set, posted.append), daemon=True)
    worker.start()
    try:
        wait_until(lambda: any(isinstance(m, FrameProcessed) for m in posted))
        loop.control(lambda s: s.pause())  # space, before the drop
        server.stop()
        wait_until(lambda: any(isinstance(m, SourceWaiting) for m in posted), timeout=5)
        server.start()
        wait_until(lambda: any(isinstance(m, SourceResumed) for m in posted), timeout=5)
        state = loop.snapshot()
        assert state.paused and state.pause_reason is None  # still the user's pause
    finally:
        stop.set()
        worker.join(timeout=10)


async def test_the_session_screen_says_the_stream_dropped_and_goes_on(
    server: MjpegServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    from tui_trainer.ui.app import TrainerApp
    from tui_trainer.ui.session_screen import SessionScreen

    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    spec = PoseLibrary.load().get("mountain")
    app = TrainerApp(
        source_factory=lambda: StreamSource(
            server.url,
            estimator_factory=lambda: TemplateEstimator(spec.template),
            backoff=FAST_BACKOFF,
        ),
        start_routine="morning_standing_flow",
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        message, verdict = screen.query_one("#message", Static), screen.query_one("#verdict")

        async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
            deadline = time.monotonic() + timeout
            while not check():
                assert time.monotonic() < deadline, (str(message.render()), verdict.render())
                await pilot.pause(0.05)

        await until(lambda: str(verdict.render()) in ("PERFECT", "FIGHTING"))
        server.stop()
        await until(lambda: "dropped; reconnecting" in str(message.render()))
        assert str(verdict.render()) == "PAUSED"
        assert "the session goes on when it is back" in str(message.render())
        server.start()
        await until(lambda: "dropped" not in str(message.render()))
        await until(lambda: str(verdict.render()) in ("PERFECT", "FIGHTING"))
        await pilot.press("q")


@pytest.mark.media
def test_a_real_video_streamed_over_http_goes_through_mediapipe(media_dir: Path) -> None:
    frames = video_frames(media_dir / "ooibowei_warrior2.mp4")
    with MjpegServer(frames[len(frames) // 2 :], fps=25.0) as srv:  # in the pose by then
        src = StreamSource(srv.url)
        src.open()
        try:
            samples = [src.read() for _ in range(15)]
        finally:
            src.close()
    poses = [s.pose for s in samples if s is not None]
    assert len(poses) == 15 and sum(p is not None for p in poses) >= 12
    lib = PoseLibrary.load()
    found = [p for p in poses if p is not None]
    assert lib.match(found[-1], top=1)[0].pose_id == "warrior2"
