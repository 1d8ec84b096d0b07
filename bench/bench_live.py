"""The live engine on a 30 fps video: is every frame scored, and how fast does it reach the screen?

Runs the real Textual app headless (same worker, messages and rendering as in a terminal, minus
the terminal writes) with ../shared/media/ooibowei_warrior2.mp4 played as if live, coaching
Warrior II, until the video ends. Prints frames captured / scored / dropped, the scoring rate
and the capture-to-screen latency (capture timestamp -> the UI has refreshed with that frame's
result). Goals: every frame scored (>= 29 fps), p50 <= 50 ms, p95 <= 100 ms.

    python bench/bench_live.py [--video PATH] [--size 160x45] [--voice]

--voice runs the voice coach too (eSpeak NG, the cue planner on every frame, phrases played
into a simulated sound card: bench_voice.SimulatedDevice) and the chime through the same
output, to check that speech does not cost the frame loop any frame.

For the same numbers from a real terminal:
    tui-trainer --source VIDEO --routine warrior_series --no-window --no-sound --stats-file s.json
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

SHARED = Path(os.environ.get("TUI_TRAINER_SHARED", Path(__file__).resolve().parents[2] / "shared"))
VIDEO = SHARED / "media" / "ooibowei_warrior2.mp4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=VIDEO)
    parser.add_argument("--size", default="160x45", help="terminal size to render, WxH")
    parser.add_argument("--voice", action="store_true", help="with the voice coach speaking")
    args = parser.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"video not found: {args.video} (set TUI_TRAINER_SHARED)")
    width, height = (int(v) for v in args.size.split("x"))

    from tui_trainer.core.library import PoseLibrary, RoutineLibrary
    from tui_trainer.core.library.routines import Routine, Step
    from tui_trainer.io.capture import VideoSource, check_video
    from tui_trainer.ui.app import TrainerApp
    from tui_trainer.ui.engine import LiveStats
    from tui_trainer.ui.messages import SourceEnded, SourceProblem

    fps, count = check_video(args.video)
    poses = PoseLibrary.load()
    routine = Routine("bench", "Bench", "beginner", "", (Step("warrior2", "left", 3600.0, 0.0),))
    routines = RoutineLibrary([routine])

    def source() -> VideoSource:
        return VideoSource(args.video)

    class BenchApp(TrainerApp):
        def on_source_ended(self, _: SourceEnded) -> None:
            self.set_timer(0.3, self.exit)  # let the last frames reach the screen

        def on_source_problem(self, message: SourceProblem) -> None:
            print("source problem:", message.text)
            self.exit()

    stats = LiveStats()
    sound: dict[str, Any] = {}
    if args.voice:
        from bench_voice import SimulatedDevice

        from tui_trainer.io.audio import Chime
        from tui_trainer.io.voice import Voice

        device = SimulatedDevice()
        sound = {"voice": Voice(lambda: device), "chime": Chime(lambda: device)}
    app = BenchApp(
        source_factory=source,
        poses=poses,
        routines=routines,
        start_routine="bench",
        stats=stats,
        **sound,
    )
    t0 = time.perf_counter()
    app.run(headless=True, size=(width, height))
    wall = time.perf_counter() - t0
    if args.voice:
        voice = sound["voice"]
        voice.close()
        device.close()
        # Due = the cue's time, or the end of the phrase it waited for; played = handed to
        # the output (the simulated device sends it within one 11.6 ms block).
        waits = [(s.played_at - s.start) * 1000 for s in voice.spoken]
        kinds = sorted({s.cue.kind for s in voice.spoken})
        print(
            f"voice on: {len(voice.spoken)} phrases spoken ({', '.join(kinds)}), "
            f"{sound['chime'].played} chimes; {voice.problem or 'the voice worked'}"
        )
        print(f"  phrase due -> played: max {max(waits, default=0):.0f} ms")
    result: dict[str, Any] = stats.as_dict()
    dropped = result["frames_dropped"]
    print(f"video: {args.video.name}, {count} frames at {fps:.2f} fps; terminal {width}x{height}")
    print(f"wall time {wall:.1f} s (includes loading MediaPipe)")
    print(
        f"frames captured {result['frames_captured']}, scored {result['frames_scored']}, "
        f"shown {result['frames_shown']}, dropped by the source {dropped}"
    )
    print(f"scoring rate {result['fps']} fps")
    p50, p95 = result["latency_ms_p50"], result["latency_ms_p95"]
    print(f"capture-to-screen latency p50 {p50} ms, p95 {p95} ms")
    ok = (
        dropped == 0
        and result["fps"] >= 29
        and (result["latency_ms_p50"] or 1e9) <= 50
        and (result["latency_ms_p95"] or 1e9) <= 100
    )
    print("targets met" if ok else "targets NOT met")


if __name__ == "__main__":
    main()
