"""The live engine at the machine's limit: frame rate and capture-to-screen latency beside the
inference time I measured in the same run.

Runs the real Textual app headless (same worker, messages and rendering as in a terminal; the
escape sequences a terminal would get are built too, then dropped) coaching Warrior II on
../shared/media/ooibowei_warrior2.mp4 (1280x720, 30 fps) until the video ends, from:

    --source video    the video played as if live (default)
    --source stream   the same frames served over MJPEG on 127.0.0.1 (tests/mjpeg_server.py), read
                      by the stream source as from a phone (--stream-width: their width)

With --window the OpenCV preview window is on (under Xvfb, started here when there is no
DISPLAY); --voice runs the voice coach (eSpeak NG into a simulated sound card) and the chime.

I = MediaPipe's inference time per frame (p50), measured in this run. No pipeline does better
than min(source fps, 1000/I) frames a second with a latency of about I. Goal: throughput
>= 0.9 x min(source fps, 1000/I), latency p50 <= I + 33 ms, p95 <= 2*I + 33 ms.

    python bench/bench_live.py [--source video|stream] [--window] [--voice] [--repeat 2]
                               [--busy N] [--screen-hz HZ] [--profile] [--video PATH]

--profile prints where the time goes per frame (bench/live_profile.py) and the latency split.
The same numbers from a real terminal (stats as JSON at exit):
    tui-trainer --source VIDEO --routine warrior_series --no-sound --stats-file s.json
Other work on the machine (2 cores here) skews every number: the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]  # bench_voice, mjpeg_server
SHARED = Path(os.environ.get("TUI_TRAINER_SHARED", HERE.parents[1] / "shared"))
VIDEO = SHARED / "media" / "ooibowei_warrior2.mp4"


OTHER_PIDS: dict[int, str] = {}  # processes of the run besides the app's own: pid -> label


def _outlive(pid: int) -> None:
    """Stop `pid` once this process has exited (OpenCV's GUI thread keeps its X connection to
    the end and exits the process if Xvfb goes first)."""
    watch = f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 0.5; done; kill {pid}"
    subprocess.Popen(["sh", "-c", watch], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextmanager
def display() -> Iterator[None]:
    """A DISPLAY for the preview window: the one set, or a private Xvfb for the run."""
    if os.environ.get("DISPLAY"):
        yield
        return
    if shutil.which("Xvfb") is None:
        raise SystemExit("--window needs a display: set DISPLAY or install Xvfb")
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X{n}-lock").exists())
    xvfb = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _outlive(xvfb.pid)
    OTHER_PIDS[xvfb.pid] = "Xvfb (X server)"
    from tui_trainer.io.window import _display_reachable

    deadline = time.monotonic() + 20.0  # a busy machine starts it slowly
    while _display_reachable(f":{number}") is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    os.environ["DISPLAY"] = f":{number}"
    yield


@contextmanager
def busy_processes(count: int) -> Iterator[None]:
    """`count` processes spinning on a core each, for the run: the machine made slower (as
    others' work on it does), repeatably."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    for spinner in spinners:
        OTHER_PIDS[spinner.pid] = "busy loop (--busy)"
    try:
        yield
    finally:
        for spinner in spinners:
            OTHER_PIDS.pop(spinner.pid, None)
            spinner.kill()
            spinner.wait(5)


@contextmanager
def stream_server(video: Path, fps: float, width: int) -> Iterator[str]:
    """tests/mjpeg_server.py serving the video in its own process, as a phone would (its
    threads do not share this process's GIL)."""
    from mjpeg_server import free_port

    port = free_port()
    script = HERE.parent / "tests" / "mjpeg_server.py"
    options = ["--port", str(port), "--fps", str(fps), "--width", str(width)]
    server = subprocess.Popen(
        [sys.executable, str(script), str(video), *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "serving ... at URL": the frames are encoded, it listens
        OTHER_PIDS[server.pid] = "MJPEG server (process)"
        yield f"http://127.0.0.1:{port}/video"
    finally:
        OTHER_PIDS.pop(server.pid, None)
        server.terminate()
        server.wait(5)


def run_once(args: argparse.Namespace, url: str | None) -> dict[str, Any]:
    from tui_trainer.core.library import PoseLibrary, RoutineLibrary
    from tui_trainer.core.library.routines import Routine, Step
    from tui_trainer.io.sources import make_source
    from tui_trainer.ui.app import TrainerApp, default_window_factory
    from tui_trainer.ui.engine import LiveStats
    from tui_trainer.ui.messages import SourceEnded, SourceProblem

    poses = PoseLibrary.load()
    routine = Routine("bench", "Bench", "beginner", "", (Step("warrior2", "left", 3600.0, 0.0),))
    width, height = (int(v) for v in args.size.split("x"))
    stats = LiveStats()

    class BenchApp(TrainerApp):
        def on_source_ended(self, _: SourceEnded) -> None:
            self.set_timer(0.3, self.exit)  # let the last frames reach the screen

        def on_source_problem(self, message: SourceProblem) -> None:
            print("source problem:", message.text)
            self.exit()

        def on_mount(self) -> None:  # after TrainerApp's own (Textual calls both)
            if url is not None:  # a stream never ends: stop after as long as the video
                self.set_timer(args.seconds, self.exit)

    sound: dict[str, Any] = {}
    device: Any = None
    if args.voice:
        from bench_voice import SimulatedDevice

        from tui_trainer.io.audio import Chime
        from tui_trainer.io.voice import Voice

        device = SimulatedDevice()
        sound = {"voice": Voice(lambda: device), "chime": Chime(lambda: device)}
    spec = url or str(args.video)
    windows: list[Any] = []

    def window_factory(on_quit: Any) -> Any:
        window = default_window_factory(on_quit)
        windows.append(window)
        return window

    app = BenchApp(
        source_factory=lambda: make_source(spec),
        poses=poses,
        routines=RoutineLibrary([routine]),
        start_routine="bench",
        stats=stats,
        window_factory=window_factory if args.window else None,
        **sound,
    )
    sampler = None
    if args.profile:
        import live_profile

        sampler = live_profile.CpuSampler()
        sampler.pids.update(OTHER_PIDS)
        sampler.start()
    app.run(headless=True, size=(width, height))
    result: dict[str, Any] = stats.as_dict()
    if sampler is not None:
        sampler.stop()
        span = (stats.last_t or 0.0) - (stats.first_t or 0.0)
        result["cpu_table"] = sampler.table(result["frames_scored"], span)
    result["window_frames"] = getattr(windows[0], "frames_shown", windows[0]) if windows else None
    if args.voice:
        voice = sound["voice"]
        voice.close()
        device.close()
        result["voice"] = (
            f"{len(voice.spoken)} phrases spoken, {sound['chime'].played} chimes; "
            f"{voice.problem or 'the voice worked'}"
        )
    return result


def verdict(r: dict[str, Any], source_fps: float) -> tuple[bool, str]:
    infer = r.get("inference_ms_p50")
    if not infer:
        return False, "no inference time measured"
    limit = min(source_fps, 1000.0 / infer)
    checks = [
        (r["fps"] >= 0.9 * limit, f"fps {r['fps']} >= {0.9 * limit:.1f} (0.9 x {limit:.1f})"),
        (
            (r["latency_ms_p50"] or 1e9) <= infer + 33,
            f"p50 {r['latency_ms_p50']} <= {infer + 33:.1f} ms (I + 33)",
        ),
        (
            (r["latency_ms_p95"] or 1e9) <= 2 * infer + 33,
            f"p95 {r['latency_ms_p95']} <= {2 * infer + 33:.1f} ms (2I + 33)",
        ),
    ]
    text = "; ".join(("ok " if ok else "MISSED ") + what for ok, what in checks)
    return all(ok for ok, _ in checks), text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("video", "stream"), default="video")
    parser.add_argument("--video", type=Path, default=VIDEO)
    parser.add_argument("--stream-width", type=int, default=1280, help="frame width served")
    parser.add_argument("--window", action="store_true", help="with the OpenCV preview window")
    parser.add_argument("--voice", action="store_true", help="with the voice coach speaking")
    parser.add_argument("--repeat", type=int, default=1, help="runs (each one reported)")
    parser.add_argument(
        "--busy", type=int, default=0, metavar="N", help="N busy-loop processes during the runs"
    )
    parser.add_argument("--profile", action="store_true", help="time every stage of a frame")
    parser.add_argument("--size", default="160x45", help="terminal size to render, WxH")
    parser.add_argument(
        "--screen-hz",
        type=float,
        default=None,
        help="terminal updates a second at most (default: the app's, ui/frame_pacer.py; 0: every "
        "frame)",
    )
    args = parser.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"video not found: {args.video} (set TUI_TRAINER_SHARED)")

    from tui_trainer.io.capture import check_video

    fps, count = check_video(args.video)
    args.seconds = count / fps
    if args.screen_hz is not None:
        from tui_trainer.ui import frame_pacer

        frame_pacer.SCREEN_HZ = args.screen_hz
    if args.profile:
        import live_profile

        live_profile.install()
    load = os.getloadavg()
    what = f"{args.source} ({args.video.name}, {count} frames at {fps:.2f} fps"
    what += f", served {args.stream_width} px wide)" if args.source == "stream" else ")"
    extras = [x for x, on in (("window", args.window), ("voice", args.voice)) if on]
    print(f"source: {what}; {' + '.join(extras) or 'no window, no voice'}; terminal {args.size}")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores here)")
    if args.busy:
        print(f"with {args.busy} busy-loop process(es) spinning meanwhile")
    with display() if args.window else _nothing(), busy_processes(args.busy):
        for k in range(args.repeat):
            with (
                stream_server(args.video, fps, args.stream_width)
                if args.source == "stream"
                else _nothing() as url
            ):
                r = run_once(args, url)
            ok, text = verdict(r, fps)
            print(
                f"run {k + 1}: I {r.get('inference_ms_p50')} ms | {r['fps']} fps | latency p50 "
                f"{r['latency_ms_p50']} ms, p95 {r['latency_ms_p95']} ms | captured "
                f"{r['frames_captured']}, scored {r['frames_scored']}, shown {r['frames_shown']}, "
                f"dropped {r['frames_dropped']}"
                + (f", window frames {r['window_frames']}" if args.window else "")
            )
            print(f"  goal: {'MET' if ok else 'NOT met'}: {text}")
            if r.get("voice"):
                print(f"  voice: {r['voice']}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.profile:
        import live_profile

        print()
        print(live_profile.table(r["frames_scored"]))
        print(live_profile.latency_split())
        print(r["cpu_table"])


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
