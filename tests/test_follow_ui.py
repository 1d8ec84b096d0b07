"""The follow screen driven with Pilot: a synthetic flow as the teacher, the follow demo trainee
as the source on a clock running 4x faster than real time (no camera, MediaPipe or sound)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from flow_tracks import flow_track
from helpers import RecordingLog
from textual.pilot import Pilot
from textual.widgets import DataTable, Digits, Static

from tui_trainer.core.motion.teacher import TeacherMotion
from tui_trainer.io.audio import Chime
from tui_trainer.io.follow_source import FollowDemoSource
from tui_trainer.ui.follow_app import FollowApp, FollowReportScreen
from tui_trainer.ui.follow_screen import FlowProgress, FollowScreen
from tui_trainer.ui.widgets import AngleBars

SPEED = 4.0  # virtual seconds per real second


class FastClock:
    """The source's clock: virtual time that runs SPEED times faster than the real one."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        time.sleep(s / SPEED)
        self.t += s


class FakePlayer:
    def __init__(self) -> None:
        self.plays = 0

    def play(self, samples: np.ndarray, rate: int) -> None:
        self.plays += 1


@pytest.fixture(scope="module")
def teacher() -> TeacherMotion:
    return TeacherMotion.from_track(flow_track(), "flow")


def make_app(
    teacher: TeacherMotion, log: RecordingLog, wait: bool, player: FakePlayer
) -> FollowApp:
    clock = FastClock()
    source = FollowDemoSource(
        teacher.track, seed=3, moving=list(teacher.shown), clock=clock, sleep=clock.sleep
    )
    said: list[str] = []
    app = FollowApp(
        teacher=teacher,
        source=source,
        wait=wait,
        session_log_factory=lambda: log,
        chime=Chime(lambda: player),
        say=said.append,
    )
    app.said = said  # type: ignore[attr-defined]
    return app


async def wait_for(pilot: Pilot[Any], check: Callable[[], Any], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {check}")
        await pilot.pause(0.02)


def report_shown(app: FollowApp) -> bool:
    """The report screen is up and composed (pushed is not yet mounted on a loaded machine)."""
    return isinstance(app.screen, FollowReportScreen) and bool(app.screen.query("#totals"))


def text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_follow_screen_with_wait_runs_to_the_report(teacher: TeacherMotion) -> None:
    log, player = RecordingLog(), FakePlayer()
    app = make_app(teacher, log, wait=True, player=player)
    seen: dict[str, set[str]] = {"flags": set(), "lag": set(), "message": set()}
    async with app.run_test(size=(110, 32)) as pilot:
        screen = app.screen
        assert isinstance(screen, FollowScreen)

        def watch() -> bool:
            if isinstance(app.screen, FollowScreen):
                seen["flags"].add(text_of(screen, "#follow-flags"))
                seen["lag"].add(text_of(screen, "#lag"))
                seen["message"].add(text_of(screen, "#message"))
            return report_shown(app)

        await wait_for(pilot, lambda: screen.query_one(AngleBars).readouts)
        where = text_of(screen, "#follow-where")
        assert where.startswith("flow") and "you are at" in where and "/ 14.5 s" in where
        bars = str(screen.query_one(AngleBars).render())
        assert "Left shoulder" in bars and "→" in bars
        assert screen.query_one(AngleBars).border_title == "Angles (you → teacher)"
        progress = str(screen.query_one(FlowProgress).render())
        assert "▼" in progress and "█" in progress
        await wait_for(pilot, lambda: screen.query_one("#score", Digits).value != "--")
        await wait_for(pilot, watch, timeout=20)  # the demo reaches the end by itself
        report = app.screen
        totals = text_of(report, "#totals")
        assert "Motion score" in totals and "Tempo ×" in totals and "completed" in totals
        table = report.query_one("#summary", DataTable)
        await wait_for(pilot, lambda: table.row_count >= 8)
        await pilot.press("q")
    assert any("teacher waits for you" in f for f in seen["flags"])  # --wait paused it
    assert any("behind" in s for s in seen["lag"])
    assert any(
        m.startswith(("straighten", "bend", "raise", "lower", "open", "fold"))
        for m in seen["message"]
    )
    kinds = [k for k, _ in log.calls]
    assert kinds == ["start", "step", "finish"]
    info, record = log.calls[0][1], log.calls[1][1]
    assert info.routine_id == "follow:flow" and info.source == "demo"
    assert record.pose_id == "follow:flow" and record.completed and record.mean_score > 50
    assert log.calls[2] == ("finish", False)
    said: list[str] = app.said  # type: ignore[attr-defined]
    assert any(s.startswith("You are") for s in said)  # the voice hook got the lag
    assert player.plays >= 1  # the chime when the rolling score turned good
    assert app.report is not None and app.report.comparison is not None


async def test_pause_and_an_early_end(teacher: TeacherMotion) -> None:
    log, player = RecordingLog(), FakePlayer()
    app = make_app(teacher, log, wait=False, player=player)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one(AngleBars).readouts)
        await pilot.press("space")
        assert app.loop.paused
        await pilot.pause(0.3)
        assert "PAUSED" in text_of(screen, "#follow-flags")
        before = app.loop.last.teacher_t  # type: ignore[union-attr]
        await pilot.pause(0.5)
        assert app.loop.last.teacher_t == before  # type: ignore[union-attr]
        await pilot.press("space")
        assert not app.loop.paused
        await wait_for(pilot, lambda: app.loop.last.teacher_t > before + 1.0)  # type: ignore[union-attr]
        await pilot.press("q")
        await wait_for(pilot, lambda: report_shown(app))
        assert "not to the end" in text_of(app.screen, "#totals")
    assert [k for k, _ in log.calls] == ["start", "step", "finish"]
    assert log.calls[-1] == ("finish", True)  # left early: interrupted


def test_progress_bar_shows_pose_names_position_and_teacher(teacher: TeacherMotion) -> None:
    from dataclasses import replace

    from tui_trainer.core.motion.follow import FollowTracker
    from tui_trainer.core.motion.teacher import PoseMark
    from tui_trainer.ui.follow_screen import progress_text

    named = replace(
        teacher, marks=(PoseMark(0.0, 7.0, "Mountain"), PoseMark(7.0, 14.5, "Warrior II"))
    )
    state = FollowTracker(named).update(0.0, named.pose_at(7.5))
    lines = progress_text(named, state, 60).plain.split("\n")
    assert lines[0].startswith("Mountain") and "Warrior II" in lines[0]
    assert lines[0].index("Warrior II") == round(7.0 / 14.5 * 59)
    assert lines[1].index("▼") == 0  # the teacher has just started
    assert lines[2].startswith("█") and lines[2].endswith("░") and len(lines[2]) == 60
    assert state.pose_name == ("Warrior II" if state.teacher_t >= 7.0 else "Mountain")
