"""Benchmark of `tui-trainer analyze` end to end against the plain sequential loop.

Run:  python bench/bench_analyze.py [VIDEO] [--pose warrior2] [--repeat 2] [--workers N]

Both run as fresh processes (imports, model start-up and all):
  baseline  cv2.VideoCapture -> mp.solutions.pose.Pose(model_complexity=1).process, one frame at a
            time, in one process (what a straightforward script does; about one core)
  analyze   tui-trainer analyze VIDEO --pose ID --json (parallel chunked extraction + scoring)
They alternate `--repeat` times; medians, the speed-up and the CPU time of each are printed
(CPU time hardly depends on the load: it shows the overhead of the parallel version).
Target: >= 1.6x on the 784-frame 720p ooibowei_warrior2.mp4 (the limit on 2 cores is ~1.85x).
Other work on the machine skews wall times a lot: check the load average, re-run when quiet.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIDEO = REPO.parent / "shared" / "media" / "ooibowei_warrior2.mp4"

BASELINE = """
import sys, cv2, mediapipe as mp
pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
cap = cv2.VideoCapture(sys.argv[1])
n = 0
while True:
    ok, frame = cap.read()
    if not ok:
        break
    pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    n += 1
print(n)
"""


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (Linux /proc/stat; zeros elsewhere)."""
    try:
        with open("/proc/stat") as fh:
            ticks = [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return 0, 0
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # minus idle and iowait


def idle_share(seconds: float = 2.0) -> float:
    """Share of the machine's CPU time idle over the next `seconds`."""
    busy0, total0 = cpu_ticks()
    time.sleep(seconds)
    busy1, total1 = cpu_ticks()
    return 1.0 - (busy1 - busy0) / max(total1 - total0, 1)


def wait_until_idle(limit_s: float) -> float:
    """Wait (up to limit_s) until the machine is >= 90 % idle; returns the idle share seen."""
    deadline = time.monotonic() + limit_s
    share = idle_share()
    while share < 0.9 and time.monotonic() < deadline:
        share = idle_share()
    return share


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds of the command (with its workers), and CPU seconds that other
    processes on the machine used meanwhile."""
    env = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, _ = cpu_ticks()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    busy1, _ = cpu_ticks()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    others = max(0.0, (busy1 - busy0) / os.sysconf("SC_CLK_TCK") - cpu)
    return wall, cpu, others


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("video", nargs="?", default=str(DEFAULT_VIDEO))
    ap.add_argument("--pose", default="warrior2")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help="before each run wait up to S seconds for the machine to be >= 90%% idle",
    )
    args = ap.parse_args()
    if not Path(args.video).is_file():
        sys.exit(f"video not found: {args.video}")
    baseline_cmd = [sys.executable, "-c", BASELINE, args.video]
    analyze_cmd = [sys.executable, "-m", "tui_trainer.cli", "analyze", args.video]
    analyze_cmd += ["--pose", args.pose, "--json"]
    if args.workers:
        analyze_cmd += ["--workers", str(args.workers)]
    print(f"{Path(args.video).name}; load average before: {os.getloadavg()[0]:.2f}")
    base: list[float] = []
    ours: list[float] = []
    base_cpu: list[float] = []
    ours_cpu: list[float] = []
    disturbed: list[float] = []
    for k in range(args.repeat):
        for wall_list, cpu_list, cmd in (
            (base, base_cpu, baseline_cmd),
            (ours, ours_cpu, analyze_cmd),
        ):
            if args.wait_idle:
                print(f"  idle before the run: {wait_until_idle(args.wait_idle):.0%}", flush=True)
            wall, cpu, others = timed(cmd)
            wall_list.append(wall)
            cpu_list.append(cpu)
            disturbed.append(others)
        print(
            f"  run {k + 1}: baseline {base[-1]:.2f} s ({base_cpu[-1]:.1f} CPU-s), "
            f"analyze {ours[-1]:.2f} s ({ours_cpu[-1]:.1f} CPU-s); other processes used "
            f"{disturbed[-2]:.1f} and {disturbed[-1]:.1f} CPU-s meanwhile"
        )
    b, o = statistics.median(base), statistics.median(ours)
    print(f"baseline (sequential read + pose.process): {b:.2f} s (median of {len(base)})")
    print(f"analyze (parallel extraction + scoring):   {o:.2f} s")
    print(f"speed-up {b / o:.2f}x (target >= 1.6x); load average after: {os.getloadavg()[0]:.2f}")
    extra = statistics.median(ours_cpu) / statistics.median(base_cpu)
    print(f"CPU time analyze / baseline: {extra:.2f} (work added by chunking, workers, scoring)")


if __name__ == "__main__":
    main()
