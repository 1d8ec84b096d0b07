"""The Textual app of `tui-trainer follow`: the follow screen, then the report (the offline
comparison of the whole performance: score, tempo, per-angle costs, worst stretch). The session
goes into the history like a routine with one step."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui_trainer.core.body.angles import ANGLE_LABELS
from tui_trainer.core.history.records import NullSessionLog, SessionInfo, SessionLog
from tui_trainer.core.motion.follow import FollowReport, FollowTracker
from tui_trainer.core.motion.teacher import TeacherMotion
from tui_trainer.io.audio import Chime
from tui_trainer.io.sources import FrameSource
from tui_trainer.ui.engine import LiveStats
from tui_trainer.ui.follow_engine import FollowLoop, Say
from tui_trainer.ui.follow_screen import FollowScreen
from tui_trainer.ui.live_app import LiveApp, WindowFactory


def report_lines(report: FollowReport) -> Text:
    """The report's headline: score, tempo, how far the trainee got, the worst stretch."""
    text = Text()
    c = report.comparison
    reached = f"reached {report.reached_s:.0f} of {report.teacher_s:.0f} s of the teacher"
    if c is None:
        text.append("Too little was followed to compare the motion.\n", style="bold")
        text.append(reached)
        return text
    colour = "green" if c.score >= 85 else "yellow" if c.score >= 65 else "red"
    text.append("Motion score ", style="bold")
    text.append(f"{c.score:.0f}", style=f"bold {colour}")
    text.append(f" / 100   (mean aligned angle error {c.mean_error_deg:.1f}°)\n")
    pace = "slower" if c.tempo_ratio > 1 else "faster"
    text.append(f"Tempo ×{c.tempo_ratio:.2f} ({pace} than the teacher)   ·   {reached}")
    text.append("   ·   " + ("completed" if report.completed else "not to the end"))
    if c.mirrored:
        text.append("   ·   followed as a mirror image")
    w = c.worst
    more = "more" if w.delta_deg > 0 else "less"
    text.append(
        f"\nWorst stretch: teacher {w.expert_s[0]:.1f}–{w.expert_s[1]:.1f} s (you "
        f"{w.trainee_s[0]:.1f}–{w.trainee_s[1]:.1f} s): {ANGLE_LABELS[w.angle].lower()} "
        f"{abs(w.delta_deg):.0f}° {more} than the teacher's"
    )
    if report.corrections:
        top = max(report.corrections.items(), key=lambda kv: kv[1])[0]
        text.append(f"\nMost frequent correction: {top}")
    return text


class FollowReportScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,enter", "close", "Close"),
    ]

    def __init__(self, teacher: TeacherMotion, report: FollowReport) -> None:
        super().__init__()
        self.teacher = teacher
        self.report = report

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="summary-body"):
            yield Static(report_lines(self.report), id="totals")
            table: DataTable[str] = DataTable(id="summary", cursor_type="row", zebra_stripes=True)
            table.border_title = "Cost per angle (mean aligned difference)"
            yield table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"follow {self.teacher.name}: report"
        table = self.query_one("#summary", DataTable)
        table.add_columns("Angle", "Cost °")
        if self.report.comparison is not None:
            for name, cost in self.report.comparison.per_angle.items():
                table.add_row(ANGLE_LABELS[name], f"{cost:.1f}")
        table.focus()

    def action_close(self) -> None:
        self.app.exit(0)


class FollowApp(LiveApp):
    def __init__(
        self,
        *,
        teacher: TeacherMotion,
        source: FrameSource,
        wait: bool = False,
        mirror: bool = True,
        teacher_frames: Any = None,
        session_log_factory: Callable[[], SessionLog] = NullSessionLog,
        chime: Chime | None = None,
        window_factory: WindowFactory | None = None,
        stats: LiveStats | None = None,
        say: Say | None = None,
    ) -> None:
        super().__init__(chime=chime, window_factory=window_factory, stats=stats)
        self.teacher = teacher
        self.log_factory = session_log_factory
        self.history: SessionLog | None = None
        self.report: FollowReport | None = None
        tracker = FollowTracker(teacher, wait=wait, mirror=mirror)
        self.loop = FollowLoop(tracker, source, self.stats, teacher_frames=teacher_frames, say=say)
        self._source_name = source.name

    def on_mount(self) -> None:
        screen = FollowScreen(self.loop)
        self.history = self.log_factory()
        stem = Path(self.teacher.track.source or self.teacher.name).stem
        name = f"Follow {self.teacher.name}"
        self.history.start(SessionInfo(f"follow:{stem}", name, self._source_name, time.time()))
        self.loop.window = self._open_window(screen)
        self.push_screen(screen)

    def show_report(self, report: FollowReport) -> None:
        self.report = report
        if self.history is not None:
            stem = Path(self.teacher.track.source or self.teacher.name).stem
            self.history.step(report.step_record(f"follow:{stem}", f"Follow {self.teacher.name}"))
            self.history.finish(interrupted=not report.completed)
        self.switch_screen(FollowReportScreen(self.teacher, report))

    async def action_quit(self) -> None:
        if self.report is None and self.history is not None:
            self.history.finish(interrupted=True)  # Ctrl-C mid-session: marked so in the history
        self.close_window()
        self.exit(0)
