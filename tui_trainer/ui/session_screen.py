"""The live session: pose and cue, angle bars, the score, PERFECT/FIGHTING, one correction, the
hold timer (on a flow: the pose now and next, the breath cue and the rounds) and the routine's
steps. A thread worker runs capture + scoring (ui/engine.py); what this screen shares with
the follow screen (the worker, frame pacing, the chime) is in ui/live_screen.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Footer, Header, Static

from tui_trainer.core.coaching.coach import PERFECT, angle_readouts
from tui_trainer.core.coaching.flow import EXHALE, INHALE, ROUND_CUE, FlowState
from tui_trainer.core.coaching.session import REST, Session, SessionState
from tui_trainer.core.library.routines import Routine
from tui_trainer.ui.engine import LiveLoop
from tui_trainer.ui.live_screen import LiveScreen
from tui_trainer.ui.messages import (
    FlowCue,
    FrameProcessed,
    PerfectEntered,
    RoutineDone,
    SourceEnded,
    SourceResumed,
    SourceWaiting,
)
from tui_trainer.ui.widgets import AngleBars, BreathBar, HoldBar, StepList

if TYPE_CHECKING:
    from tui_trainer.ui.hosts import TrainerHost


def step_names(session: Session) -> list[str]:
    return [
        step.flow.label(step.side) if step.flow else spec.display_name(step.side)
        for spec, step in zip(session.specs, session.routine.steps)
    ]


def flow_now_text(flow: FlowState) -> str:
    """The pose of the flow now and the next one, as one line of markup."""
    reached = "  [green]✓ reached[/green]" if flow.reached else ""
    now = f"Now [b]{flow.pose}[/b]  [dim]pose {flow.position + 1} of {flow.n_poses}[/dim]"
    coming = f"   Next: {flow.next_pose}" if flow.next_pose else "   [dim]last pose[/dim]"
    return now + reached + coming


class SessionScreen(LiveScreen[LiveLoop, SessionState]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,right", "next", "Next"),
        Binding("p,left", "previous", "Previous"),
        Binding("space", "pause", "Pause"),
        Binding("r", "restart", "Restart pose"),
        Binding("s", "sound", "Sound"),
        Binding("v", "voice", "Voice"),
        Binding("q,escape", "end", "End"),
        Binding("question_mark", "app.help", "Keys"),
    ]

    def __init__(self, routine: Routine, session: Session, loop: LiveLoop) -> None:
        super().__init__(loop)
        self.routine = routine
        self.session = session
        self.sub_title = routine.name
        self._last_index = -1
        self._last_variant = ""
        self._state: SessionState | None = None
        self._shown_verdict: str | None = None
        self._log_said: set[str] = set()
        self._shown_message: str | None = None
        self._stream_down = False
        self._shown_flow_now: str | None = None

    @property
    def trainer(self) -> TrainerHost:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pose-panel"):
            yield Static(id="pose-title")
            yield Static(id="pose-cue")
            yield Static(id="flow-now")
        with Horizontal(id="middle"):
            steps = StepList(step_names(self.session), id="steps")
            steps.border_title = "Routine"
            yield steps
            bars = AngleBars(id="bars")
            bars.border_title = "Angles (now → target)"
            yield bars
            with Vertical(id="status") as status:
                status.border_title = "Score"
                yield Digits("--", id="score")
                yield Static("", id="verdict")
                yield HoldBar(id="hold")
                yield BreathBar(id="breath")
        yield Static("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self._bars = self.query_one("#bars", AngleBars)
        self._score = self.query_one("#score", Digits)
        self._hold = self.query_one("#hold", HoldBar)
        self._breath = self.query_one("#breath", BreathBar)
        self._flow_now = self.query_one("#flow-now", Static)
        self._steps = self.query_one("#steps", StepList)
        self._verdict = self.query_one("#verdict", Static)
        self._message_box = self.query_one("#message", Static)
        self._render_snapshot()
        self._check_log()
        self.set_interval(1.0, self._check_log)
        self._run_capture()

    def _prepare_sound(self) -> Iterator[str | None]:
        """The chime, then the voice coach."""
        yield from super()._prepare_sound()
        yield self.trainer.prepare_voice()

    def _check_log(self) -> None:
        """Say once what the history log reports (it may learn of trouble later, off-thread)."""
        log = self.session.log
        said = [getattr(log, "warning", None), *getattr(log, "notices", []), self.session.log_error]
        for text in said:
            if text and str(text) not in self._log_said:
                self._log_said.add(str(text))
                self.notify(str(text), severity="warning", timeout=8)

    # -- messages from the worker ---------------------------------------------------------
    def on_frame_processed(self, message: FrameProcessed) -> None:
        self._offer_frame(message)

    def on_perfect_entered(self, _: PerfectEntered) -> None:
        self._play_chime()

    def _show_source_stopped(self) -> None:
        self._render_snapshot()

    def on_source_waiting(self, message: SourceWaiting) -> None:
        if not self._stream_down:  # one toast per drop; the hint bar follows the retries
            self._stream_down = True
            self.notify(message.text, title="Stream dropped", severity="warning", timeout=6)
        self._render_snapshot()

    def on_source_resumed(self, _: SourceResumed) -> None:
        self._stream_down = False
        self.notify("The stream is back.", timeout=3)
        self._render_snapshot()

    def on_source_ended(self, _: SourceEnded) -> None:
        self._source_failed = "the video has ended"  # the hint bar says it; no toast over it
        self._render_snapshot()

    def on_routine_done(self, _: RoutineDone) -> None:
        self.notify("Routine complete. Well done!", timeout=4)
        self.set_timer(1.0, self.action_end)

    def on_flow_cue(self, message: FlowCue) -> None:
        if self._ended:
            return
        if message.kind in (INHALE, EXHALE):
            self._warn_sound(self.trainer.play_breath(message.kind))
        elif message.kind == ROUND_CUE:
            text = message.phrase.capitalize()
            if message.counted:
                self.notify(text, severity="information", timeout=4)
            else:
                self.notify(text, severity="warning", timeout=4)
        self.trainer.say(message.phrase)

    # -- rendering ------------------------------------------------------------------------
    def _render_snapshot(self) -> None:
        """The session as it is now (after a key or a source event): newer than a frame not
        drawn yet, which is dropped."""
        self._pacer.drop()
        self._render_state(self.loop.snapshot())

    def _render_state(self, state: SessionState) -> None:
        self._state = state
        variant = state.result.variant_name if state.result else ""
        if state.index != self._last_index or variant != self._last_variant:
            self._last_index, self._last_variant = state.index, variant
            self._show_step(state)
        if state.flow is not None:
            now = flow_now_text(state.flow)
            if now != self._shown_flow_now:
                self._shown_flow_now = now
                self._flow_now.update(now)
            self._breath.show(state.flow)
        result = state.result
        form = result.form if result is not None and result.form is not None else state.spec
        self._bars.show(
            angle_readouts(
                form,
                result.comparison if result else None,
                corrected=result.hint_angle if result else None,
            )
        )
        score = "--" if result is None or result.score is None else f"{result.score:.0f}"
        if score != self._score.value:
            self._score.update(score)
        if state.flow is None:
            self._hold.show(state)
        self._steps.show(state.index, state.completed)
        perfect = result is not None and result.verdict == PERFECT
        if state.paused:
            word, cls = "PAUSED", "paused"
        elif state.phase == REST:
            word, cls = "REST", "rest"
        elif result is None or result.score is None:
            word, cls = "—", "none"
        else:
            word, cls = ("PERFECT", "perfect") if perfect else ("FIGHTING", "fighting")
        # Only touch what changed: a Static update costs a layout pass.
        if word != self._shown_verdict:
            self._shown_verdict = word
            self._verdict.update(word, layout=False)
            self._verdict.set_classes(cls)
        message = self._message(state)
        if message != self._shown_message:
            self._shown_message = message
            self._message_box.update(message, layout=False)

    def _show_step(self, state: SessionState) -> None:
        spec, step, flow = state.spec, state.step, state.step.flow
        if flow is not None:
            title = f"[b]{flow.label(step.side)}[/b]  [dim]flow: {flow.rounds} rounds of "
            title += f"{len(flow.poses)} poses, {flow.breath_s:g} s a breath[/dim]"
        else:
            title = f"[b]{spec.display_name(step.side)}[/b]"
            variant = state.result.variant_name if state.result else ""
            if variant:  # the form matched: "Tree (left) — hands at heart"
                title += f" — {variant}"
            if spec.sanskrit:
                title += f"  [dim]{spec.sanskrit}[/dim]"
        word = "step" if any(s.flow for s in self.routine.steps) else "pose"
        title += f"   [dim]{word} {state.index + 1} of {state.n_steps}[/dim]"
        self.query_one("#pose-title", Static).update(title)
        default = "Move with the breath cue." if flow else spec.cue or "Match the target pose."
        self.query_one("#pose-cue", Static).update(step.instruction or default)
        self._flow_now.display = flow is not None
        self._hold.display = flow is None
        self._breath.display = flow is not None
        self._shown_flow_now = None

    def _message(self, state: SessionState) -> str:
        result = state.result
        if self._source_failed:
            return f"[b]{self._source_failed}[/b] — press q for the summary"
        if state.paused and self._stream_down and state.pause_reason:
            return f"[b]{escape(state.pause_reason)}[/b] — the session goes on when it is back"
        if state.paused:
            return "Paused — press space to go on"
        if state.phase == REST:
            nxt = state.index + 1
            names = step_names(self.session)
            coming = f" — next: {names[nxt]}" if nxt < len(names) else ""
            return f"Well done! Rest {state.rest_left_s:.0f} s{coming}"
        if result is None:
            return "[dim]waiting for the first frame...[/dim]"
        if result.message:
            return result.message
        if state.flow is not None and state.flow.reached:
            return "In the pose — stay with the breath"
        if result.verdict == PERFECT:
            return "Perfect — hold it and breathe"
        return ""

    # -- keys -----------------------------------------------------------------------------
    def _after_control(self) -> None:
        self._render_snapshot()

    def action_next(self) -> None:
        if not self.loop.control(lambda s: s.next()):
            self.notify("This is the last pose: q ends the session.", timeout=3)
        self._after_control()

    def action_previous(self) -> None:
        if not self.loop.control(lambda s: s.previous()):
            self.notify("This is the first pose.", timeout=3)
        self._after_control()

    def action_pause(self) -> None:
        if self._source_failed:
            self.notify("The source has stopped: q shows the summary.", timeout=4)
            return
        self.loop.control(lambda s: s.toggle_pause())
        self._after_control()

    def action_restart(self) -> None:
        self.loop.restart_step()
        self._after_control()

    def action_voice(self) -> None:
        self.notify(self.trainer.toggle_voice(), timeout=2)

    def _end(self) -> None:
        done = self.loop.snapshot().finished
        rows = self.loop.control(lambda s: s.finish(interrupted=not done))
        self.trainer.session_ended()
        self.trainer.close_window()
        self.app.clear_notifications()  # session toasts would cover the summary's totals
        self._check_log()
        self.trainer.show_summary(self.routine, rows, self.session.log)
