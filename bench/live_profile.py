"""Where the live session's time goes, per frame: timing hooks for bench/bench_live.py --profile.

`install()` wraps the functions of each stage (decode, resize, colour conversion, inference,
filter, scoring, the voice listener, message posting, the screen's handler, the terminal
refresh, the window's composite and imshow) with a timer, in this process, before the app
starts. The inference worker process (io/pose_worker.py) times its own stages and sends them
back with each result (`Sample.timing`); they are added here from the samples.

`table(frames)` prints, per stage: the thread it runs on, calls, p50 and p95 of one call, and
the time it costs per scored frame (sum / frames: the share of a core it takes at that rate).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

_lock = threading.Lock()
_times: dict[tuple[str, str], list[float]] = defaultdict(list)  # (stage, thread) -> seconds
_ORDER = (
    "decode",
    "grab (camera/stream)",
    "resize",
    "to shared memory",
    "colour conversion",
    "inference (MediaPipe)",
    "landmarks -> Pose",
    "submit -> pose back (in flight)",
    "filter (One Euro)",
    "scoring + holds",
    "voice listener",
    "message posting",
    "screen handler",
    "terminal refresh",
    "window composite",
    "window imshow",
    "window waitKey (events, sleep)",
)
_marks: dict[float, dict[str, float]] = defaultdict(dict)  # capture time -> event -> when


def record(stage: str, seconds: float, thread: str | None = None) -> None:
    name = thread or threading.current_thread().name
    with _lock:
        _times[(stage, name)].append(seconds)


def _timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            record(stage, time.perf_counter() - start)

    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


def _patch(owner: Any, attr: str, stage: str) -> None:
    if hasattr(owner, attr):
        setattr(owner, attr, _timed(stage, getattr(owner, attr)))


class _TimedCapture:
    """A cv2.VideoCapture whose read() is timed (as decode or grab)."""

    def __init__(self, cap: Any, stage: str) -> None:
        self._cap, self._stage = cap, stage

    def read(self, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return self._cap.read(*args)
        finally:
            record(self._stage, time.perf_counter() - start)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cap, name)


def install() -> None:
    """Wrap every stage of this process (call before the app starts)."""
    import cv2

    from tui_trainer.core.body import filters
    from tui_trainer.core.coaching import session
    from tui_trainer.io import capture, pose_pipeline, sources, stream, voice
    from tui_trainer.ui import session_screen
    from tui_trainer.viz import composite

    real_capture = cv2.VideoCapture

    def video_capture(*args: Any) -> Any:
        stage = "decode" if args and isinstance(args[0], str) and "://" not in args[0] else ""
        return _TimedCapture(real_capture(*args), stage or "grab (camera/stream)")

    class Proxy:
        def __getattr__(self, name: str) -> Any:
            return video_capture if name == "VideoCapture" else getattr(cv2, name)

    proxy = Proxy()
    for module in (capture, sources, stream):
        if hasattr(module, "_cv2"):
            module._cv2 = lambda: proxy  # type: ignore[attr-defined]
    for module in (capture, pose_pipeline):
        _patch(module, "small_frame", "resize")
    _patch_stats()
    _patch(filters.PoseFilter, "__call__", "filter (One Euro)")
    _patch(session.Session, "update", "scoring + holds")
    _patch(voice.Voice, "observe", "voice listener")
    _patch(session_screen.SessionScreen, "post_message", "message posting")
    _patch(session_screen.SessionScreen, "on_frame_processed", "screen handler")
    _patch(composite, "render_composite", "window composite")
    _patch(cv2, "imshow", "window imshow")
    _patch(cv2, "waitKey", "window waitKey (events, sleep)")
    _mark_frames(session.Session, session_screen.SessionScreen)
    _patch_refresh()


def _mark(t: float, event: str) -> None:
    with _lock:
        _marks[t][event] = time.monotonic()


def _mark_frames(session_class: Any, screen_class: Any) -> None:
    """Per frame (by capture time): scoring starts (the pose is ready), scoring ends, the
    screen's handler runs, the frame is on screen (LiveStats.shown)."""
    from tui_trainer.ui.engine import LiveStats

    update = session_class.update

    def timed_update(self: Any, pose: Any, t: float) -> Any:
        _mark(t, "ready")
        try:
            return update(self, pose, t)
        finally:
            _mark(t, "scored")

    session_class.update = timed_update
    handler = screen_class.on_frame_processed

    def timed_handler(self: Any, message: Any) -> Any:
        _mark(message.capture_t, "handler")
        return handler(self, message)

    screen_class.on_frame_processed = timed_handler
    shown = LiveStats.shown

    def timed_shown(self: Any, capture_t: float, now: float) -> None:
        with _lock:
            _marks[capture_t]["shown"] = now
        shown(self, capture_t, now)

    LiveStats.shown = timed_shown  # type: ignore[method-assign]


class CpuSampler:
    """CPU time per thread of this process (named as Python knows them; native threads of
    MediaPipe, FFmpeg or Qt by their kernel name) and of other processes (the pose worker,
    Xvfb), sampled from /proc every 0.2 s while the app runs (Linux only)."""

    def __init__(self) -> None:
        self.pids: dict[int, str] = {}  # other processes to count: pid -> label
        self._cpu: dict[tuple[str, int], tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._tick = float(os.sysconf("SC_CLK_TCK"))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        self._sample()

    def _read(self, path: str) -> tuple[str, float] | None:
        try:
            with open(path) as fh:
                text = fh.read()
        except OSError:
            return None
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        return comm, (int(fields[11]) + int(fields[12])) / self._tick  # utime + stime

    def _sample(self) -> None:
        names = {t.native_id: t.name for t in threading.enumerate()}
        try:
            tids = os.listdir("/proc/self/task")
        except OSError:
            return
        for tid in tids:
            got = self._read(f"/proc/self/task/{tid}/stat")
            if got is not None:
                label = names.get(int(tid)) or f"{got[0]} (native)"
                self._cpu[("app", int(tid))] = (label, got[1])
        for pid, label in list(self.pids.items()):
            got = self._read(f"/proc/{pid}/stat")
            if got is not None:
                self._cpu[("proc", pid)] = (label, got[1])
        for child in multiprocessing.active_children():
            got = self._read(f"/proc/{child.pid}/stat") if child.pid else None
            if got is not None:
                self._cpu[("proc", child.pid or 0)] = (f"{child.name} (process)", got[1])

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def table(self, frames: int, wall_s: float) -> str:
        totals: dict[str, float] = defaultdict(float)
        for label, seconds in self._cpu.values():
            totals[re.sub(r"asyncio_\d+", "capture worker (asyncio_N)", label)] += seconds
        lines = [f"CPU time by thread/process over {wall_s:.1f} s: {'ms/frame':>9} {'% core':>7}"]
        for label, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
            if seconds * 1000.0 / max(frames, 1) < 0.05:
                continue
            lines.append(
                f"  {label[:44]:44} {seconds * 1000.0 / max(frames, 1):9.2f} "
                f"{100.0 * seconds / wall_s:6.0f}%"
            )
        return "\n".join(lines)


def latency_split() -> str:
    """p50/p95 of each part of the capture-to-screen latency, over the frames shown."""
    with _lock:
        frames = [(t, dict(m)) for t, m in _marks.items() if {"ready", "shown"} <= set(m)]
    parts = (
        ("capture -> pose ready (wait + inference)", None, "ready"),
        ("pose ready -> scored", "ready", "scored"),
        ("scored -> screen handler (UI queue)", "scored", "handler"),
        ("handler -> on screen (refresh)", "handler", "shown"),
        ("capture -> on screen", None, "shown"),
    )
    lines = [f"latency split over {len(frames)} frames shown:   p50 ms  p95 ms"]
    waits = [(m["ready"] - t - m["flight"]) * 1000.0 for t, m in frames if "flight" in m]
    if waits:
        label = "capture -> submitted to the worker"
        lines.append(
            f"  {label:42} {np.percentile(waits, 50):6.1f}  {np.percentile(waits, 95):6.1f}"
        )
        flights = [m["flight"] * 1000.0 for _, m in frames if "flight" in m]
        label = "submitted -> pose ready (in flight)"
        lines.append(
            f"  {label:42} {np.percentile(flights, 50):6.1f}  {np.percentile(flights, 95):6.1f}"
        )
    for label, a, b in parts:
        ms = [
            (m[b] - (t if a is None else m[a])) * 1000.0
            for t, m in frames
            if b in m and (a is None or a in m)
        ]
        if ms:
            lines.append(f"  {label:42} {np.percentile(ms, 50):6.1f}  {np.percentile(ms, 95):6.1f}")
    return "\n".join(lines)


def _patch_refresh() -> None:
    """The terminal refresh: Textual's screen update (layout, compositor) and the escape
    sequences a real terminal would be sent (built here even headless, then discarded)."""
    from textual.app import App
    from textual.screen import Screen

    Screen._on_timer_update = _timed("terminal refresh", Screen._on_timer_update)  # type: ignore[method-assign]
    real_display = App._display

    def display(self: Any, screen: Any, renderable: Any) -> None:
        real_display(self, screen, renderable)
        if self.is_headless and renderable is not None and hasattr(renderable, "render_segments"):
            start = time.perf_counter()
            renderable.render_segments(self.console)
            record("terminal refresh", time.perf_counter() - start)

    App._display = display  # type: ignore[method-assign]


_WORKER_STAGES = {
    "colour conversion": "colour conversion",
    "inference": "inference (MediaPipe)",
    "landmarks": "landmarks -> Pose",
    "in flight": "submit -> pose back (in flight)",
}


def _patch_stats() -> None:
    """The stages timed where the pose was made (the worker process), from each Sample."""
    from tui_trainer.ui.engine import LiveStats

    captured = LiveStats.captured

    def timed_captured(self: Any, t: float, stages: Any = None) -> None:
        if stages and "in flight" in stages:
            with _lock:
                _marks[t]["flight"] = stages["in flight"]
        for name, seconds in (stages or {}).items():
            if name in _WORKER_STAGES:
                record(_WORKER_STAGES[name], seconds, "pose-worker")
        captured(self, t, stages)

    LiveStats.captured = timed_captured  # type: ignore[method-assign]


def p50(stage: str) -> float | None:
    with _lock:
        values = [v for (name, _), vs in _times.items() if name == stage for v in vs]
    return round(float(np.percentile(values, 50)) * 1000.0, 1) if values else None


def table(frames: int) -> str:
    with _lock:
        items = dict(_times)
    order = {stage: k for k, stage in enumerate(_ORDER)}
    rows = sorted(items.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1]))
    lines = [
        f"{'stage':26} {'thread':24} {'calls':>6} {'p50 ms':>7} {'p95 ms':>7} {'ms/frame':>9}",
    ]
    for (stage, thread), values in rows:
        ms = np.array(values) * 1000.0
        lines.append(
            f"{stage:26} {thread[:24]:24} {ms.size:6d} {np.percentile(ms, 50):7.2f} "
            f"{np.percentile(ms, 95):7.2f} {ms.sum() / max(frames, 1):9.2f}"
        )
    return "\n".join(lines)
