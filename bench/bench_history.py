"""What writing the history costs the session loop.

Prints the caller-side cost of SqliteSessionLog.step() (what the UI thread pays), the writer
thread's time per committed step, and for comparison the same commit done on the caller's thread
(what the session loop would pay without the writer thread). A frame at 30 fps is 33 ms.

    python bench/bench_history.py [--steps 500] [--dir /some/disk]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tui_trainer.core.history.records import SessionInfo, StepRecord
from tui_trainer.io import history_db
from tui_trainer.io.storage import SqliteSessionLog


def record(i: int) -> StepRecord:
    return StepRecord(
        i, "warrior_ii", "Warrior II", "left", 20.0, 18.2, 87.5, 71.25, True, {"bend knee": 4}
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, us: list[float]) -> None:
    print(
        f"{name:<38} median {statistics.median(us):8.1f} µs   p99 {pct(us, 0.99):8.1f} µs"
        f"   max {max(us):8.1f} µs"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--dir", type=Path, default=None, help="where to put the database")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        db = Path(tmp) / "history.db"
        log = SqliteSessionLog(db)
        log.start(SessionInfo("bench", "Bench", "demo", time.time()))
        log.flush()
        caller: list[float] = []
        t_all = time.perf_counter()
        for i in range(args.steps):
            t0 = time.perf_counter_ns()
            log.step(record(i))
            caller.append((time.perf_counter_ns() - t0) / 1000)
        log.flush(timeout=120)
        written_s = time.perf_counter() - t_all
        log.finish(False)
        log.close()
        assert log.warning is None, log.warning

        # The same per-step transaction on this thread: what the loop would pay inline.
        notices: list[str] = []
        conn = history_db.open_db(db, notices)
        inline: list[float] = []
        for i in range(args.steps):
            t0 = time.perf_counter_ns()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT OR REPLACE INTO steps (session_id, idx, pose_id, pose_name, side, "
                "hold_target_s, held_s, best_score, mean_score, completed, corrections) "
                "VALUES (1, ?, 'w', 'W', NULL, 1, 1, 1, 1, 1, '{}')",
                (args.steps + i,),
            )
            conn.execute("UPDATE sessions SET updated_at = ? WHERE id = 1", (time.time(),))
            conn.execute("COMMIT")
            inline.append((time.perf_counter_ns() - t0) / 1000)
        conn.close()

    print(f"{args.steps} steps, database in {args.dir or tempfile.gettempdir()}")
    report("step() on the caller (UI) thread", caller)
    print(
        f"{'writer thread, per committed step':<38} mean   {written_s / args.steps * 1e6:8.1f} µs"
    )
    report("same commit inline (no writer thread)", inline)


if __name__ == "__main__":
    main()
