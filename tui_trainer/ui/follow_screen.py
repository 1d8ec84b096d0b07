"""The follow screen: where in the teacher's flow the trainee is (time, progress bar, pose
name), the lag, a rolling motion score, per-angle bars against the aligned teacher frame and the
correction of the moment. A thread worker runs capture + alignment (ui/follow_engine.py); what
this screen shares with the session screen (the worker, frame pacing, the chime) is in
ui/live_screen.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Digits, Footer, Header, Static

from tui_trainer.core.motion.follow import FollowState
from tui_trainer.core.motion.follow_cues import ON_TIME_S
from tui_trainer.core.motion.teacher import TeacherMotion
from tui_trainer.ui.follow_engine import FollowDone, FollowFrame, FollowLoop, FollowSaid
from tui_trainer.ui.live_screen import LiveScreen
from tui_trainer.ui.messages import SourceEnded
from tui_trainer.ui.widgets import AngleBars

if TYPE_CHECKING:
    from tui_trainer.ui.hosts import FollowHost


def progress_text(teacher: TeacherMotion, state: FollowState | None, width: int) -> Text:
    """Two lines: the teacher's pose names over their stretch of the flow (when it has them),
    and the bar: filled up to the trainee's position, ▼ where the teacher's playback is."""
    width = max(width, 10)
    start, span = teacher.start_s, max(teacher.duration_s, 1e-6)

    def cell(t: float) -> int:
        return min(max(round((t - start) / span * (width - 1)), 0), width - 1)

    out = Text(no_wrap=True, overflow="crop")
    names = [" "] * width
    for m in teacher.marks:
        a, b = cell(m.start_s), cell(m.end_s)
        label = m.name[: max(b - a, 1)]
        for i, ch in enumerate(label):
            if a + i < width:
                names[a + i] = ch
    if teacher.marks:
        out.append("".join(names).rstrip() + "\n", style="cyan")
    pos = cell(state.teacher_t) if state is not None and state.started else -1
    clock = cell(state.clock_t) if state is not None and state.started else 0
    marker = [" "] * width
    marker[clock] = "▼"
    out.append("".join(marker) + "\n", style="bold yellow")
    out.append("█" * (pos + 1), style="green")
    out.append("░" * (width - pos - 1), style="grey37")
    return out


class FlowProgress(Widget):
    def __init__(self, teacher: TeacherMotion, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.teacher = teacher
        self.state: FollowState | None = None
        self._key: tuple[int, int] | None = None

    def show(self, state: FollowState) -> None:
        w = max(self.size.width, 10)
        span = max(self.teacher.duration_s, 1e-6)
        key = (
            round((state.teacher_t - self.teacher.start_s) / span * w),
            round((state.clock_t - self.teacher.start_s) / span * w),
        )
        self.state = state
        if key != self._key:
            self._key = key
            self.refresh()

    def render(self) -> Text:
        return progress_text(self.teacher, self.state, self.size.width)


def lag_style(state: FollowState) -> str:
    lag = abs(state.lag_s)
    if lag < ON_TIME_S or lag < 1.0:
        return "bold green"
    return "bold dark_orange" if lag < 2.0 else "bold red"


class FollowScreen(LiveScreen[FollowLoop, FollowState]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause", "Pause"),
        Binding("s", "sound", "Sound"),
        Binding("q,escape", "end", "End"),
    ]

    def __init__(self, loop: FollowLoop) -> None:
        super().__init__(loop)
        self.teacher = loop.tracker.teacher
        self.sub_title = f"follow {self.teacher.name}"
        self.said: list[str] = []  # what the Announcer picked (the voice says it)
        self._state: FollowState | None = None

    @property
    def trainer(self) -> FollowHost:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="follow-panel"):
            yield Static(id="follow-where")
            yield FlowProgress(self.teacher, id="follow-progress")
        with Horizontal(id="middle"):
            bars = AngleBars(id="bars")
            bars.border_title = "Angles (you → teacher)"
            yield bars
            with Vertical(id="status") as status:
                status.border_title = "Motion score"
                yield Digits("--", id="score")
                yield Static("", id="lag")
                yield Static("", id="follow-flags")
        yield Static("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self._bars = self.query_one("#bars", AngleBars)
        self._score = self.query_one("#score", Digits)
        self._progress = self.query_one("#follow-progress", FlowProgress)
        self._where = self.query_one("#follow-where", Static)
        self._lag = self.query_one("#lag", Static)
        self._flags = self.query_one("#follow-flags", Static)
        self._message_box = self.query_one("#message", Static)
        self._where.update(self._where_text(None))
        self._message_box.update("[dim]waiting for the first frame...[/dim]")
        self._run_capture()

    # -- messages from the worker ---------------------------------------------------------
    def on_follow_frame(self, message: FollowFrame) -> None:
        self._offer_frame(message)

    def on_follow_said(self, message: FollowSaid) -> None:
        self.said.append(message.phrase.text)
        if message.phrase.kind == "good":
            self._play_chime()

    def on_follow_done(self, _: FollowDone) -> None:
        self.notify("You reached the teacher's end. Well done!", timeout=4)
        self.set_timer(1.0, self.action_end)

    def _show_source_stopped(self) -> None:
        self._message_box.update(f"[b]{self._source_failed}[/b] — press q for the report")

    def on_source_ended(self, _: SourceEnded) -> None:
        self._source_failed = "the video has ended"
        self._message_box.update("[b]the video has ended[/b] — the report follows")
        self.set_timer(1.0, self.action_end)

    # -- rendering ------------------------------------------------------------------------
    def _where_text(self, state: FollowState | None) -> Text:
        t = self.teacher
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{t.name}  ", style="bold")
        at = state.teacher_t if state is not None else t.start_s
        text.append(f"you are at {at - t.start_s:5.1f} / {t.duration_s:.1f} s")
        if state is not None:
            text.append(f"   teacher at {state.clock_t - t.start_s:5.1f} s", style="dim")
            if state.pose_name:
                text.append(f"   {state.pose_name}", style="bold cyan")
        return text

    def _render_state(self, state: FollowState) -> None:
        self._state = state
        self._where.update(self._where_text(state), layout=False)
        self._progress.show(state)
        self._bars.show(list(state.readouts))
        score = "--" if state.score is None else f"{state.score:.0f}"
        if score != self._score.value:
            self._score.update(score)
        if not state.started:
            self._lag.update("[dim]step into view: the teacher starts with you[/dim]")
        else:
            self._lag.update(Text(state.lag_text, style=lag_style(state)), layout=False)
        flags = []
        if self.loop.paused:
            flags.append("[b]PAUSED[/b]")
        if state.waiting:
            flags.append("[b yellow]teacher waits for you[/b yellow]")
        if state.mirrored:
            flags.append("[dim]followed as a mirror[/dim]")
        if not state.person and state.started:
            flags.append("[red]no one in view[/red]")
        self._flags.update("\n".join(flags), layout=False)
        if self._source_failed:
            return
        if state.cue:
            message = state.cue
        elif state.started and state.person:
            message = "Good — keep following"
            if state.lag_s >= 2.0:
                message = f"Good form — you are {state.lag_text} the teacher"
        else:
            message = "[dim]no one in view: step in front of the camera[/dim]"
        self._message_box.update(message, layout=False)

    # -- keys -----------------------------------------------------------------------------
    def action_pause(self) -> None:
        paused = self.loop.toggle_pause()
        self.notify("Paused: the teacher waits" if paused else "Go on", timeout=2)
        if self._state is not None:
            self._render_state(self._state)

    def _end(self) -> None:
        self.trainer.close_window()
        self.app.clear_notifications()
        self._message_box.update("[b]comparing your performance with the teacher's...[/b]")
        self._finish()

    @work(thread=True, exclusive=True, name="report", group="report")
    def _finish(self) -> None:
        with self.loop.lock:
            report = self.loop.tracker.finish()
        self.app.call_from_thread(self.trainer.show_report, report)
