"""The History screen: past sessions (pick one to see its steps) and, per pose, the personal best
and a sparkline of the best score in each session.

Self-contained (its CSS is here), so the app only pushes it: `app.push_screen(HistoryScreen())`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Sparkline, Static

from tui_trainer.core.history.summaries import (
    STEP_COLUMNS,
    PoseProgress,
    SessionDetail,
    SessionSummary,
    format_duration,
    local_time,
    step_cells,
)
from tui_trainer.io.history_db import HistoryError, HistoryStore


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


class PoseTrend(Horizontal):
    """One pose: name, personal best, and the trend of its best score per session."""

    DEFAULT_CSS = """
    PoseTrend { height: 1; }
    PoseTrend > .pose-name { width: 22; }
    PoseTrend > .pose-best { width: 10; }
    PoseTrend > .pose-range { width: 12; }
    """

    def __init__(self, progress: PoseProgress) -> None:
        super().__init__(id=f"pose-{progress.pose_id}")
        self.progress = progress

    def compose(self) -> ComposeResult:
        p = self.progress
        yield Label(p.pose_name, classes="pose-name")
        yield Label(f"best {p.personal_best:.0f}", classes="pose-best")
        yield Label(f"{p.trend[0]:.0f} → {p.trend[-1]:.0f}", classes="pose-range")
        spark = Sparkline(list(p.trend), min_color="#5f5f87", max_color="#5fd75f")
        # A few cells per session: a stretched two-session trend reads as a wall of blocks.
        spark.styles.width = min(60, max(6, 3 * len(p.trend)))
        yield spark


class HistoryScreen(Screen[None]):
    DEFAULT_CSS = """
    HistoryScreen { layout: vertical; }
    HistoryScreen #history-title { height: 1; text-style: bold; padding: 0 1; }
    HistoryScreen #history-message { padding: 1 2; color: $warning; }
    HistoryScreen #history-body { height: 1fr; }
    HistoryScreen #history-sessions { height: 1fr; min-height: 6; }
    HistoryScreen #history-steps { height: auto; max-height: 12; }
    HistoryScreen #history-poses { height: auto; max-height: 14; border-top: solid $primary; }
    HistoryScreen .section { height: 1; text-style: bold; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self, db_path: Path | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.sessions: list[SessionSummary] = []
        self.progress: list[PoseProgress] = []
        self._details: dict[int, SessionDetail | None] = {}

    def compose(self) -> ComposeResult:
        yield Static("History", id="history-title")
        yield Static("", id="history-message")
        with Vertical(id="history-body"):
            sessions: DataTable[str] = DataTable(id="history-sessions", cursor_type="row")
            sessions.add_columns("Date", "Routine", "Duration", "Score", "Poses", "Status")
            yield sessions
            yield Label("Steps of the selected session", classes="section")
            steps: DataTable[str] = DataTable(id="history-steps", cursor_type="none")
            steps.add_columns(*STEP_COLUMNS)
            yield steps
            yield Label("Per pose: personal best and best score per session", classes="section")
            yield VerticalScroll(id="history-poses")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        """Read the history (a few ms: indexed queries on a small file) and fill the widgets."""
        from tui_trainer.io.storage import default_db_path

        path = self.db_path if self.db_path is not None else default_db_path()
        message = self.query_one("#history-message", Static)
        try:
            with HistoryStore.open(path) as store:
                self.sessions = store.list_sessions()
                self.progress = store.pose_progress()
                self._details = {s.id: store.get_session(s.id) for s in self.sessions}
                notices = store.notices
        except HistoryError as exc:
            self.sessions, self.progress, self._details, notices = [], [], {}, [str(exc)]
        if not self.sessions and not notices:
            notices = ["No sessions yet: finish (or start) a routine and it shows up here."]
        message.update("\n".join(notices))
        message.display = bool(notices)

        table: DataTable[str] = self.query_one("#history-sessions", DataTable)
        table.clear()
        for s in self.sessions:
            table.add_row(
                local_time(s.started_at),
                s.routine_name,
                format_duration(s.duration_s),
                _score(s.mean_score),
                f"{s.poses_completed}/{s.steps_recorded}",
                s.status,
                key=str(s.id),
            )
        self._show_steps(self.sessions[0].id if self.sessions else None)

        poses = self.query_one("#history-poses", VerticalScroll)
        poses.remove_children()
        poses.mount_all(PoseTrend(p) for p in self.progress)

    def _show_steps(self, session_id: int | None) -> None:
        steps: DataTable[str] = self.query_one("#history-steps", DataTable)
        steps.clear()
        detail = self._details.get(session_id) if session_id is not None else None
        if detail is None:
            return
        for st in detail.steps:
            steps.add_row(*step_cells(st))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "history-sessions" and event.row_key.value is not None:
            self._show_steps(int(event.row_key.value))

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)
