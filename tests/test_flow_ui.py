"""A flow step in the app, driven with Pilot on the demo trainee: the breath cue and the rounds on
the session screen, the cues to the tone and the voice hook, the summary per pose and round.

The demo runs on a clock three times faster than real time (a 16 s flow takes ~5 s)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import RecordingLog
from test_ui import App, FakePlayer, wait_for
from textual.widgets import DataTable, Static

import tui_trainer.core.demo.trainee as demo_module
from tui_trainer.io.audio import Chime
from tui_trainer.io.sources import DemoSource
from tui_trainer.ui.screens import RoutineListScreen, SummaryScreen
from tui_trainer.ui.session_screen import SessionScreen
from tui_trainer.ui.widgets import BreathBar

FLOW = """
name = "Flow test"
level = "beginner"
description = "A short flow."

[[step]]
flow = "Quick flow"
side = "left"
rounds = 2
breath_s = 4
rest_s = 0
poses = [
    { pose = "mountain", breaths = 1 },
    { pose = "warrior2", breaths = 1 },
]
"""
SPEED = 3.0


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "routines").mkdir()
    (tmp_path / "routines" / "flowtest.toml").write_text(FLOW)
    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    return tmp_path


def fast_demo() -> DemoSource:
    return DemoSource(
        seed=0,
        fps=12.0,
        clock=lambda: SPEED * time.monotonic(),
        sleep=lambda s: time.sleep(s / SPEED),
    )


def scripted_demo(monkeypatch: pytest.MonkeyPatch, miss_call: int | None = None) -> None:
    """Every flow pose done cleanly, except the `miss_call`-th target (from 1), held wrong."""
    calls: list[str] = []

    def script(spec: Any, rng: np.random.Generator, window_s: float) -> demo_module.Script:
        calls.append(spec.id)
        if len(calls) == miss_call:
            knee = "left_knee" if "left_knee" in spec.angles else spec.important_angles()[0]
            off = demo_module.Mistake(knee, 45.0, window_s + 5.0, 1.0)
            return demo_module.Script((off,), None, None, ())
        return demo_module.Script((), None, None, ())

    monkeypatch.setattr(demo_module, "make_flow_script", script)


def make_app(player: FakePlayer, log: RecordingLog, said: list[str], routine: str | None) -> App:
    return App(
        source_factory=fast_demo,
        chime=Chime(lambda: player),
        session_log_factory=lambda: log,
        start_routine=routine,
        say=said.append,
    )


def table_rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_a_flow_shows_the_breath_and_rounds_and_a_summary_per_pose_and_round(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted_demo(monkeypatch)
    player, log, said = FakePlayer(), RecordingLog(), []
    app = make_app(player, log, said, "flowtest")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        screen = app.screen
        breath = screen.query_one(BreathBar)
        title = str(screen.query_one("#pose-title", Static).render())
        assert "Quick flow (left)" in title and "2 rounds of 2 poses" in title
        # The bar fills as the inhale goes on (on a loaded machine the first frames show it empty).
        await wait_for(
            pilot, lambda: "INHALE" in str(breath.render()) and "█" in str(breath.render())
        )
        text = str(breath.render())
        assert "Round 1/2" in text and "breath 1/1" in text and "█" in text
        assert "▶ Mountain" in text and "Warrior II (left)" in text  # the flow's poses
        now = str(screen.query_one("#flow-now", Static).render())
        assert "Now Mountain" in now and "Next: Warrior II (left)" in now
        assert not screen.query_one("#hold").display  # no hold bar on a flow
        await wait_for(pilot, lambda: "EXHALE" in str(breath.render()))
        await wait_for(pilot, lambda: "Round 2/2" in str(breath.render()), timeout=10)
        assert "Round 2/2  ✓ ·" in str(breath.render())  # round 1 counted
        now = str(screen.query_one("#flow-now", Static).render())
        assert "Now Mountain" in now or "Now Warrior II (left)" in now
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=15)
        await pilot.pause(0.2)
        summary = app.screen
        main = summary.query_one("#summary", DataTable)
        await wait_for(pilot, lambda: main.row_count == 1)
        row = table_rows(main)[0]
        assert row[1:3] == ["Quick flow", "left"] and row[5] == "2 / 2 rounds" and row[6] == "✓"
        flows = summary.query_one("#summary-flows", DataTable)
        rows = table_rows(flows)
        assert [r[1] for r in rows] == ["Mountain", "Warrior II (left)", "rounds counted: 2/2"]
        assert rows[0][0] == "1" and rows[1][0] == "" and rows[0][2] == "1"
        assert all(cell.startswith("✓ ") for r in rows[:2] for cell in r[3:5])
        assert rows[2][3:5] == ["✓ counted", "✓ counted"]
        labels = [str(c.label) for c in flows.columns.values()]
        assert labels == ["#", "Pose", "Breaths", "Round 1", "Round 2"]
    # The tone for every inhale and exhale (2 rounds x 2 breaths x 2) and a chime per reach.
    assert player.plays == 8 + 4
    assert said[:3] == ["mountain", "inhale", "exhale"]
    assert said.count("warrior two") == 2 and said.count("inhale") == 4
    assert "round 1 of 2 counted" in said and "round 2 of 2 counted" in said
    [record] = [r for k, r in log.calls if k == "step"]
    assert record.flow is not None and record.flow.rounds_counted == 2 and record.completed
    assert log.calls[-1] == ("finish", False)


async def test_a_missed_pose_loses_its_round_on_screen_and_in_the_summary(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted_demo(monkeypatch, miss_call=4)  # round 2's warrior II
    player, log, said = FakePlayer(), RecordingLog(), []
    app = make_app(player, log, said, "flowtest")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=20)
        await pilot.pause(0.2)  # let the new screen settle before the app exits
        summary = app.screen
        main = summary.query_one("#summary", DataTable)
        await wait_for(pilot, lambda: main.row_count == 1)
        row = table_rows(main)[0]
        assert row[5] == "1 / 2 rounds" and row[6] == "✗"
        rows = table_rows(summary.query_one("#summary-flows", DataTable))
        assert rows[1][3].startswith("✓ ") and rows[1][4].startswith("✗ ")
        assert rows[0][4].startswith("✓ ")  # mountain was still reached in round 2
        assert rows[2][1:] == ["rounds counted: 1/2", "", "✓ counted", "✗ missed"]
    assert "Round 2 of 2 not counted" in app.notices
    assert "round 2 of 2 not counted" in said


async def test_the_routine_list_previews_a_flow(config_dir: Path) -> None:
    app = make_app(FakePlayer(), RecordingLog(), [], None)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, RoutineListScreen)
        table = app.screen.query_one("#routines", DataTable)
        row = next(i for i in range(table.row_count) if table.get_row_at(i)[0] == "Flow test")
        table.move_cursor(row=row)
        await pilot.pause()
        preview = str(app.screen.query_one("#preview-text", Static).render())
        assert "Quick flow (left)" in preview
        assert "2 rounds: Mountain 1 → Warrior II 1" in preview


async def test_a_failing_voice_is_dropped_with_one_notice(config_dir: Path) -> None:
    spoken: list[str] = []

    def voice(phrase: str) -> None:
        spoken.append(phrase)
        raise RuntimeError("speech engine died")

    app = App(source_factory=fast_demo, session_log_factory=RecordingLog, say=voice)
    async with app.run_test(size=(100, 30)) as pilot:
        app.say("inhale")
        app.say("exhale")
        await pilot.pause()
        assert spoken == ["inhale"]
        assert [n for n in app.notices if "voice off" in n] == ["voice off: speech engine died"]
