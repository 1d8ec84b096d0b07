"""The Textual app driven with Pilot on the demo source (no camera, no MediaPipe, no sound)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import RecordingLog
from textual.pilot import Pilot
from textual.widgets import DataTable, Digits, Static

import tui_trainer.core.demo.trainee as demo_module
from tui_trainer.core.coaching.session import Session
from tui_trainer.core.library import PoseLibrary, RoutineLibrary
from tui_trainer.io.audio import Chime
from tui_trainer.io.capture import CameraSource
from tui_trainer.io.sources import DemoSource
from tui_trainer.ui.app import TrainerApp
from tui_trainer.ui.screens import RoutineListScreen, SummaryScreen
from tui_trainer.ui.session_screen import SessionScreen
from tui_trainer.ui.widgets import AngleBars

SHORT = """
name = "Short test"
level = "beginner"
description = "Two quick poses."

[[step]]
pose = "mountain"
hold_s = 1.5
rest_s = 1

[[step]]
pose = "tree"
side = "left"
hold_s = 1.5
rest_s = 0
"""


class FakePlayer:
    def __init__(self) -> None:
        self.plays = 0

    def play(self, samples: np.ndarray, rate: int) -> None:
        self.plays += 1


class App(TrainerApp):
    """The trainer with its notifications recorded."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notices: list[str] = []

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.notices.append(str(message))
        super().notify(message, *args, **kwargs)


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    routines = tmp_path / "routines"
    routines.mkdir()
    (routines / "short.toml").write_text(SHORT)
    (routines / "broken.toml").write_text('name = "Broken"\nlevel = "expert"\n')
    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def no_mistakes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A demo trainee that moves straight into each pose (keeps the timed tests short)."""
    monkeypatch.setattr(
        demo_module, "make_script", lambda spec, rng: demo_module.Script((), None, None, ())
    )


def make_app(
    player: FakePlayer | None = None,
    chime: Chime | None = None,
    log: RecordingLog | None = None,
    source: Callable[[], Any] | None = None,
    routine: str | None = None,
) -> App:
    return App(
        source_factory=source or (lambda: DemoSource(seed=0)),
        chime=chime or Chime(lambda: player or FakePlayer()),
        session_log_factory=(lambda: log) if log is not None else RecordingLog,
        start_routine=routine,
    )


async def wait_for(pilot: Pilot[Any], check: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {check}")
        await pilot.pause(0.05)


async def test_list_shows_routines_and_broken_files(config_dir: Path) -> None:
    app = make_app()
    builtin = RoutineLibrary.load(PoseLibrary.load(), user_dir=Path("/nonexistent")).all()
    assert builtin, "the repository ships routines"
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, RoutineListScreen)
        table = app.screen.query_one("#routines", DataTable)
        names = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert [r.name for r in builtin] == names[: len(builtin)]
        assert "Short test" in names
        errors = app.screen.query_one("#errors")
        assert "broken.toml" in str(errors.query_one(Static).render())
        preview = str(app.screen.query_one("#preview-text", Static).render())
        assert builtin[0].name in preview
        await pilot.press("question_mark")
        assert "Restart this pose" in str(app.screen.query_one(Static).render()).capitalize() or (
            "restart this pose" in str(app.screen.query_one(Static).render())
        )
        await pilot.press("escape")
        assert isinstance(app.screen, RoutineListScreen)


async def test_a_session_shows_bars_score_and_verdict_and_n_p_change_pose(
    config_dir: Path,
) -> None:
    log = RecordingLog()
    app = make_app(log=log)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, SessionScreen)
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one(AngleBars).readouts)
        await wait_for(pilot, lambda: screen.query_one("#score", Digits).value != "--")
        verdict = str(screen.query_one("#verdict", Static).render())
        assert verdict in ("PERFECT", "FIGHTING")
        bars = str(screen.query_one(AngleBars).render())
        assert "→" in bars and "●" in bars
        first = str(screen.query_one("#pose-title", Static).render())
        names = [
            s.display_name(st.side) for s, st in zip(screen.session.specs, screen.routine.steps)
        ]
        assert names[0] in first
        await pilot.press("n")
        assert screen.session.index == 1
        assert names[1] in str(screen.query_one("#pose-title", Static).render())
        await pilot.press("right")
        assert screen.session.index == 2
        await pilot.press("p", "left")
        assert screen.session.index == 0
        await pilot.press("space")
        assert screen.session.paused
        assert "PAUSED" in str(screen.query_one("#verdict", Static).render())
        await pilot.press("space")
        assert not screen.session.paused
        await pilot.press("q")
        assert isinstance(app.screen, SummaryScreen)
    kinds = [k for k, _ in log.calls]
    assert kinds[0] == "start" and kinds[-1] == "finish" and log.calls[-1][1] is True


async def test_short_routine_completes_by_itself_with_one_chime_per_perfect(
    config_dir: Path, no_mistakes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries: list[int] = []
    update = Session.update

    def counting_update(self: Session, pose: Any, t: float) -> Any:
        state = update(self, pose, t)
        if state.perfect_entered:
            entries.append(state.index)
        return state

    monkeypatch.setattr(Session, "update", counting_update)
    player = FakePlayer()
    log = RecordingLog()
    app = make_app(player=player, log=log, routine="short")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=20)
        table = app.screen.query_one("#summary", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert table.border_title == "Summary"
        done = [str(table.get_row_at(i)[6]) for i in range(2)]
        assert done == ["✓", "✓"]
        await pilot.pause(0.2)
        assert set(entries) == {0, 1}
        assert player.plays == len(entries)  # one chime per PERFECT entry, no more
    records = [r for k, r in log.calls if k == "step"]
    assert [r.index for r in records] == [0, 1] and all(r.completed for r in records)
    assert log.calls[-1] == ("finish", False)


async def test_q_shows_a_summary_row_per_step(config_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        await wait_for(pilot, lambda: screen.query_one("#score", Digits).value != "--")
        await pilot.press("q")
        assert isinstance(app.screen, SummaryScreen)
        table = app.screen.query_one("#summary", DataTable)
        await wait_for(pilot, lambda: table.row_count == len(screen.routine.steps))
        assert str(table.get_row_at(0)[3]) != "—"  # the first pose was scored
        assert "Completed 0 of" in str(app.screen.query_one("#totals", Static).render())
        await pilot.press("q")
        assert isinstance(app.screen, RoutineListScreen)


async def test_no_audio_says_so_once_and_keeps_running(config_dir: Path, no_mistakes: None) -> None:
    def no_portaudio() -> FakePlayer:
        raise OSError("PortAudio library not found")

    app = make_app(chime=Chime(no_portaudio))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        await wait_for(pilot, lambda: screen.session.state().held_s > 0.5)
        sound = [n for n in app.notices if "PortAudio" in n]
        assert len(sound) == 1 and "silently" in sound[0]
        index = screen.query_one("#score", Digits).value
        assert index != "--" and isinstance(app.screen, SessionScreen)
        await pilot.press("s")
        assert app.notices[-1] == "Sound off"


async def test_a_missing_camera_pauses_with_a_message_and_keeps_the_summary(
    config_dir: Path,
) -> None:
    app = make_app(source=lambda: CameraSource(97, estimator_factory=lambda: None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        message = screen.query_one("#message", Static)
        await wait_for(pilot, lambda: "could not be opened" in str(message.render()))
        assert "--source demo" in str(message.render())
        assert screen.session.paused
        await pilot.press("q")
        assert isinstance(app.screen, SummaryScreen)


def test_a_bad_source_path_fails_before_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui_trainer.cli import main

    assert main(["--source", str(tmp_path / "nope.mp4"), "--no-window"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tui-trainer: error: --source") and "no such file" in err
    assert len(err.splitlines()) == 1
    assert main(["--source", "demo", "--routine", "no_such_routine"]) == 2
    assert "unknown routine" in capsys.readouterr().err


def test_stats_are_written_as_json(tmp_path: Path) -> None:
    import json

    from tui_trainer.ui.engine import LiveStats

    stats = LiveStats(source_fps=30.0)
    for i in range(31):
        stats.captured(10.0 + i / 30, {"inference": 0.040 if i % 3 else 0.020})
        stats.scored()
        stats.shown(10.0 + i / 30, 10.0 + i / 30 + 0.02 + (0.05 if i >= 28 else 0.0))
    stats.write(tmp_path / "s.json")
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["frames_captured"] == 31 and data["frames_scored"] == 31
    assert data["fps"] == pytest.approx(30.0)
    assert data["latency_ms_p50"] == pytest.approx(20.0)
    assert 60.0 < data["latency_ms_p95"] <= 70.0
    # I, the inference time of the same run, beside them: no pipeline beats 1000/I fps.
    assert data["inference_ms_p50"] == pytest.approx(40.0)
    assert data["limit_fps"] == pytest.approx(25.0)  # min(30 fps, 1000 / 40 ms)
    assert data["stages_ms_p50"] == {"inference": pytest.approx(40.0)}


async def test_a_history_warning_is_said_once(config_dir: Path) -> None:
    log = RecordingLog()
    app = make_app(log=log)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        log.warning = "history not saved: read-only data dir"  # learnt later, off-thread
        await wait_for(pilot, lambda: any("read-only" in n for n in app.notices), timeout=3)
        await pilot.pause(1.2)
        assert sum("read-only" in n for n in app.notices) == 1
        assert isinstance(app.screen, SessionScreen)


async def test_narrow_terminals_drop_the_step_list_not_the_bars(config_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        await wait_for(pilot, lambda: screen.query_one(AngleBars).readouts)
        assert not screen.query_one("#steps").display
        bars = screen.query_one(AngleBars)
        assert bars.size.width >= 44
        first_line = str(bars.render()).splitlines()[0]
        assert first_line.rstrip().endswith("°")  # the numbers fit
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert screen.query_one("#steps").display


async def test_the_routine_ending_under_the_help_still_shows_the_summary(
    config_dir: Path, no_mistakes: None
) -> None:
    app = make_app(routine="short")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=20)
        assert not any(type(s).__name__ == "HelpScreen" for s in app.screen_stack)
        await pilot.press("q")  # started with --routine: q from the summary quits
    assert app.return_code == 0
