"""Cost of the recorder's periodic flush (capture thread) and of close() for a long session.

Run: python bench/bench_recording.py [minutes]   (default 10 minutes at 30 fps)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tui_trainer.core.demo.synth import bend_world, pose_from_world, standing_world
from tui_trainer.io import recording


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    n = int(minutes * 60 * 30)
    base = standing_world()
    poses = [pose_from_world(bend_world(base, "left_elbow", -0.5 * k)) for k in range(64)]
    with tempfile.TemporaryDirectory() as tmp:
        rec = recording.LandmarkRecorder(Path(tmp) / "bench.npz")
        flush_ms: list[float] = []
        for k in range(n):
            rec._frames.append((k / 30, poses[k % 64]))  # add() without its own flush timing
            rec._pending += 1
            if rec._pending == 30:  # one second of frames, as the timed flush sees them
                t = time.perf_counter()
                rec.flush()
                flush_ms.append((time.perf_counter() - t) * 1000)
        flush_ms.sort()
        t = time.perf_counter()
        rec.close()
        close_s = time.perf_counter() - t
        size = (Path(tmp) / "bench.npz").stat().st_size / 1e6
    print(f"{n} frames ({minutes:g} min at 30 fps), {len(flush_ms)} flushes of 30 frames")
    print(
        f"flush: median {flush_ms[len(flush_ms) // 2]:.2f} ms, "
        f"p99 {flush_ms[int(len(flush_ms) * 0.99)]:.2f} ms, max {flush_ms[-1]:.2f} ms"
    )
    print(f"close (writes the .npz at exit): {close_s:.2f} s, {size:.1f} MB")


if __name__ == "__main__":
    main()
