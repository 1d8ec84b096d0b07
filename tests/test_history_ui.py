"""The History screen, pushed by a tiny host app: sessions, steps of the selected one, per-pose
personal best and trend sparkline, and no crash on an empty or broken history."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Label, Sparkline, Static

from tui_trainer.core.history.records import SessionInfo, StepRecord
from tui_trainer.io.storage import SqliteSessionLog
from tui_trainer.ui.history import HistoryScreen, PoseTrend


class Host(App[None]):
    def __init__(self, db: Path) -> None:
        super().__init__()
        self.db = db

    def on_mount(self) -> None:
        self.push_screen(HistoryScreen(self.db))


def step(i: int, pose: str, best: float) -> StepRecord:
    return StepRecord(i, pose, pose.title(), None, 10.0, 8.0, best, best - 5, best > 60, {})


def make_history(db: Path) -> None:
    sessions = [
        ("Morning", 1_700_000_000.0, [step(0, "tree", 60.0), step(1, "chair", 50.0)]),
        ("Evening", 1_700_050_000.0, [step(0, "tree", 72.0)]),
        ("Morning", 1_700_100_000.0, [step(0, "tree", 90.0), step(1, "chair", 45.0)]),
    ]
    for name, started, steps in sessions:
        log = SqliteSessionLog(db)
        log.start(SessionInfo(name.lower(), name, "demo", started))
        for s in steps:
            log.step(s)
        log.finish(False)
        log.close()


def cells(table: DataTable[str], column: int) -> list[str]:
    return [str(table.get_row_at(r)[column]) for r in range(table.row_count)]


async def test_sessions_steps_and_pose_trends(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    make_history(db)
    app = Host(db)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        sessions: DataTable[str] = screen.query_one("#history-sessions", DataTable)
        assert cells(sessions, 1) == ["Morning", "Evening", "Morning"]  # newest first
        assert cells(sessions, 4) == ["1/2", "1/1", "0/2"]
        steps: DataTable[str] = screen.query_one("#history-steps", DataTable)
        assert cells(steps, 1) == ["Tree", "Chair"]  # the newest session's steps
        await pilot.press("down")
        await pilot.pause()
        assert cells(steps, 1) == ["Tree"]  # the Evening session
        assert cells(steps, 4) == ["72"]

        trends = {t.progress.pose_id: t for t in screen.query(PoseTrend)}
        assert set(trends) == {"tree", "chair"}
        assert list(trends["tree"].query_one(Sparkline).data or []) == [60.0, 72.0, 90.0]
        best = [str(lbl.render()) for lbl in trends["tree"].query(Label)]
        assert "best 90" in best
        assert not screen.query_one("#history-message", Static).display

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)


async def test_reload_shows_a_session_recorded_meanwhile(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    app = Host(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        message = screen.query_one("#history-message", Static)
        assert message.display and "No sessions yet" in str(message.render())
        make_history(db)
        await pilot.press("r")
        await pilot.pause()
        assert screen.query_one("#history-sessions", DataTable).row_count == 3
        assert not message.display


async def test_a_broken_history_shows_a_message_not_a_crash(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    db.write_bytes(b"\x01" * 4096)
    app = Host(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#history-message", Static).render())
        assert "moved it to" in text
    assert len(list(tmp_path.glob("h.db.corrupt-*"))) == 1
