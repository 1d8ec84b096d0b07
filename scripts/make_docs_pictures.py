"""Regenerate the pictures in docs/ from synthetic data only: the built-in demo trainee and the
pose library's templates (never the real photos or videos, whose licences forbid it).

    python scripts/make_docs_pictures.py

Deterministic: the demo source runs on a virtual clock (no wall time), and each screenshot is
taken with that clock stopped at a moment chosen from the session's own state.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SIZE = (100, 30)  # terminal cells
SEED = 3
WINDOW_SEED = 0  # starts with two joints off (trunk lean, front arm)
ROUTINE = "warrior_series"
SESSION_STEP = 2  # warrior II (left): the third pose of the routine
PNG_SIZE = (960, 540)
SETTLED_S = 2.0  # into a pose: moved in, first mistakes not yet corrected


class VirtualClock:
    """The demo source's clock: `sleep` advances it instead of waiting. When `stop_when()` holds
    it stops (the worker blocks) until `go()`, so the screen can be photographed standing still.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.stop_when: Callable[[], bool] = lambda: False
        self.stopped = threading.Event()
        self._resume = threading.Event()

    def clock(self) -> float:
        return self.now

    def sleep(self, dt: float) -> None:
        if self.stop_when():
            self._resume.clear()
            self.stopped.set()
            self._resume.wait()
        self.now += dt
        time.sleep(0.002)  # let the UI keep up with the frames

    def go(self, stop_when: Callable[[], bool] = lambda: False) -> None:
        self.stop_when = stop_when
        self.stopped.clear()  # before the worker wakes: a waiter must not see the old stop
        self._resume.set()


async def _wait(pilot: Any, check: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {check}")
        await pilot.pause(0.05)


async def _settle(pilot: Any, clock: VirtualClock) -> None:
    """Wait until the worker is stopped and the UI has drawn its last frame."""
    await _wait(pilot, clock.stopped.is_set)
    for _ in range(10):
        await pilot.pause(0.05)


def _save(app: Any, name: str) -> None:
    (DOCS / name).write_text(app.export_screenshot(title="tui-trainer"), encoding="utf-8")
    print(f"wrote docs/{name}")


async def terminal_pictures() -> None:
    from tui_trainer.io.audio import Chime
    from tui_trainer.io.sources import DemoSource
    from tui_trainer.ui.app import TrainerApp

    clock = VirtualClock()

    def source() -> DemoSource:
        return DemoSource(seed=SEED, clock=clock.clock, sleep=clock.sleep)

    app = TrainerApp(source_factory=source, chime=Chime(enabled=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        _save(app, "routines.svg")

        table: Any = app.screen.query_one("#routines")
        ids = [r.id for r in app.routines.all()]
        table.move_cursor(row=ids.index(ROUTINE))
        await pilot.pause(0.1)

        def session() -> Any:
            active = app._active
            return None if active is None else active.session

        entered: list[float] = []  # virtual time the chosen pose began

        def mid_pose() -> bool:
            """Settled into the chosen pose, scored, FIGHTING, with a correction to give."""
            s = session()
            if s is None or s.index != SESSION_STEP:
                return False
            if not entered:
                entered.append(clock.now)
            st = s.state()
            r = st.result
            return bool(
                clock.now - entered[0] >= SETTLED_S
                and st.phase == "hold"
                and r is not None
                and r.score is not None
                and r.hint
                and r.framing is None
                and not r.wrong_side
                and r.verdict == "FIGHTING"
            )

        clock.stop_when = mid_pose
        await pilot.press("enter")
        await _settle(pilot, clock)
        _save(app, "session.svg")

        # On a little, then end the session: the summary of a partly done routine.
        stop_at = clock.now + 8.0
        clock.go(lambda: clock.now >= stop_at)
        await _settle(pilot, clock)
        await pilot.press("q")
        await _wait(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
        clock.go()  # release the worker so the app can close
        for _ in range(10):
            await pilot.pause(0.05)
        app.clear_notifications()
        await pilot.pause(0.2)
        _save(app, "summary.svg")


def window_pictures() -> None:
    import cv2

    from tui_trainer.core.coaching.coach import FrameScorer
    from tui_trainer.core.demo.trainee import DemoTrainee
    from tui_trainer.core.library import PoseLibrary
    from tui_trainer.viz.composite import WindowView, render_composite
    from tui_trainer.viz.skeleton3d import render_skeleton3d

    spec = PoseLibrary.load().get("warrior2").for_side("left")
    trainee = DemoTrainee(seed=WINDOW_SEED)
    trainee.set_target(spec, 0.0)
    scorer = FrameScorer(spec, "either", required_side="left")
    result = None
    for i in range(6 * 30):
        t = i / 30.0
        result = scorer.update(trainee.pose_at(t), t)
        if t >= SETTLED_S and result.hint and result.framing is None:
            break  # moved in, a joint still off: a correction is being given
    assert result is not None and result.hint, "the demo trainee gave no correction to show"
    # What the live session shows for the demo (no picture): the skeleton on a plain frame.
    frame = np.full((480, 640, 3), 40, dtype=np.uint8)
    view = WindowView(
        frame=frame,
        pose=result.pose,
        target=spec,
        comparison=result.comparison,
        verdict=result.verdict,
        score=result.score,
        hint=result.message or "",
        title=f"{spec.display_name('left')} · 3/7",
    )
    image = render_composite(view, size=(1280, 720), yaw_deg=25.0)
    image = cv2.resize(image, PNG_SIZE, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(DOCS / "window.png"), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print("wrote docs/window.png")

    ghost = spec.template
    errors = dict(result.comparison.errors) if result.comparison else None
    view3d = render_skeleton3d(
        result.pose, ghost, (640, 480), 30.0, errors=errors, tolerances=spec.tolerances()
    )
    cv2.imwrite(str(DOCS / "skeleton3d.png"), view3d, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print("wrote docs/skeleton3d.png")


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # No history or user routines/poses from this machine: a clean, empty config and data.
        os.environ["TUI_TRAINER_DATA_HOME"] = str(Path(tmp) / "data")
        os.environ["TUI_TRAINER_CONFIG_DIR"] = str(Path(tmp) / "config")
        window_pictures()
        asyncio.run(terminal_pictures())
    return 0


if __name__ == "__main__":
    sys.exit(main())
