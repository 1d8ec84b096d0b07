"""A coached session through a routine, as plain Python (the Textual app drives it).

The session is fed poses with timestamps (seconds, any monotonic clock). The hold timer of the
current step runs only while the verdict is PERFECT; when the hold is complete a rest countdown
runs, then the next step starts by itself. A flow step (core/coaching/flow.py) is paced by the
breath instead: its clock runs while the session is not paused, the target changes with each window,
and the step ends when its rounds are over. Per-step statistics become StepRecords, written to a
SessionLog as each step is completed or left (every step that was scored, completed or not); the
step in progress goes to the log as a checkpoint on each frame that changed its record, so a killed
process loses only what the log had not written yet (about a second).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.coaching.coach import PERFECT, CoachConfig, FrameResult, FrameScorer
from tui_trainer.core.coaching.flow import Cue, FlowConfig, FlowRun, FlowState
from tui_trainer.core.history.records import NullSessionLog, SessionInfo, SessionLog, StepRecord
from tui_trainer.core.library.routines import Routine, Step
from tui_trainer.core.library.spec import PoseSpec

HOLD, REST, DONE = "hold", "rest", "done"


def step_spec(spec: PoseSpec, step: Step) -> PoseSpec:
    """The pose as a step asks for it: its side, and its one required form if any."""
    sided = spec.for_side(step.side)
    return sided.with_variant(step.variant) if step.variant else sided


MAX_DT = 0.25  # longest frame gap credited to a hold or rest (a stalled source gives nothing)
SETTLE_S = 2.0  # corrections are shown but not counted while the trainee moves into a pose


@dataclass
class _Stats:
    frames: int = 0
    score_sum: float = 0.0
    best: float = 0.0
    held: float = 0.0
    completed: bool = False
    corrections: Counter[str] = field(default_factory=Counter)
    dirty: bool = False  # changed since last written to the log

    def add(self, result: FrameResult) -> None:
        if result.score is not None:
            self.frames += 1
            self.score_sum += result.score
            self.best = max(self.best, result.score)
            self.dirty = True

    def count(self, correction: str) -> None:
        self.corrections[correction] += 1
        self.dirty = True


@dataclass(frozen=True)
class StepSummary:
    record: StepRecord
    scored_frames: int  # 0: the step was never tried (scores mean nothing)


@dataclass(frozen=True)
class Totals:
    completed: int
    steps: int
    held_s: float
    hold_target_s: float
    mean_score: float | None  # over every scored frame of the session
    best_score: float | None


@dataclass(frozen=True)
class SessionState:
    """A snapshot for display."""

    index: int
    n_steps: int
    step: Step
    spec: PoseSpec  # the current pose, on the step's side
    phase: str  # HOLD, REST or DONE
    paused: bool
    pause_reason: str | None
    held_s: float
    rest_left_s: float
    result: FrameResult | None
    completed: tuple[bool, ...]
    perfect_entered: bool = False  # the chime moment (only while holding, not paused)
    step_changed: bool = False
    flow: FlowState | None = None  # set on a flow step
    cues: tuple[Cue, ...] = ()  # flow cues crossed on this frame (breath, pose, round)

    @property
    def hold_target_s(self) -> float:
        return self.step.hold_s

    @property
    def finished(self) -> bool:
        return self.phase == DONE


def totals(rows: list[StepSummary]) -> Totals:
    frames = sum(r.scored_frames for r in rows)
    score_sum = sum(r.record.mean_score * r.scored_frames for r in rows)
    tried = [r.record.best_score for r in rows if r.scored_frames]
    return Totals(
        completed=sum(r.record.completed for r in rows),
        steps=len(rows),
        held_s=sum(r.record.held_s for r in rows),
        hold_target_s=sum(r.record.hold_target_s for r in rows),
        mean_score=score_sum / frames if frames else None,
        best_score=max(tried) if tried else None,
    )


class Session:
    def __init__(
        self,
        routine: Routine,
        poses: Mapping[str, PoseSpec],
        *,
        source: str = "demo",
        log: SessionLog | None = None,
        config: CoachConfig | None = None,
        flow_config: FlowConfig | None = None,
    ) -> None:
        if not routine.steps:
            raise ValueError(f"routine {routine.id!r} has no steps")
        missing = sorted({p for s in routine.steps for p in s.pose_ids} - set(poses))
        if missing:
            raise ValueError(f"routine {routine.id!r} uses unknown poses: {', '.join(missing)}")
        self.routine = routine
        self.source = source
        self.log: SessionLog = log or NullSessionLog()
        self.config = config or CoachConfig()
        self.flow_config = flow_config or FlowConfig()
        # A flow's pose specs (each on its side) are built once; specs[i] is where step i starts.
        self._flow_specs = [
            [poses[p.pose_id].for_side(p.side) for p in s.flow.poses] if s.flow else []
            for s in routine.steps
        ]
        self.specs = [
            fs[0] if s.flow else step_spec(poses[s.pose_id], s)
            for s, fs in zip(routine.steps, self._flow_specs)
        ]
        self._flows: list[FlowRun | None] = [self._new_flow(i) for i in range(len(routine.steps))]
        self._stats = [_Stats() for _ in routine.steps]
        self.index = 0
        self.phase = HOLD
        self.paused = False
        self.pause_reason: str | None = None
        self.rest_left = 0.0
        self.log_error: str | None = None
        self._scorer = self._new_scorer()
        self._last_t: float | None = None
        self._last_result: FrameResult | None = None
        self._step_t0: float | None = None  # first frame of the current step
        self._pending: str | None = None  # a correction given while settling, not yet counted
        self._checkpointed: StepRecord | None = None  # the last progress handed to the log
        self._started = False
        self._finished = False

    # -- lifecycle ------------------------------------------------------------------------
    def start(self, started_at: float) -> None:
        """Begin (started_at: Unix time, for the log)."""
        if not self._started:
            self._started = True
            info = SessionInfo(self.routine.id, self.routine.name, self.source, started_at)
            self._log(lambda: self.log.start(info))

    def finish(self, interrupted: bool) -> list[StepSummary]:
        """End the session (idempotent); writes the step in progress and closes the log."""
        if not self._finished:
            self._finished = True
            self._flush(self.index)
            self._log(lambda: self.log.finish(interrupted))
            self.phase = DONE
        return self.summary()

    @property
    def step(self) -> Step:
        return self.routine.steps[self.index]

    @property
    def spec(self) -> PoseSpec:
        """The target now: the step's pose, or the current pose of a flow."""
        run = self._flows[self.index]
        return run.spec if run is not None else self.specs[self.index]

    @property
    def target_window_s(self) -> float | None:
        """How long the trainee has for the current target: a flow pose's window; None for a
        hold (tells the demo trainee to move briskly)."""
        run = self._flows[self.index]
        return None if run is None else run.window_s

    # -- frames ---------------------------------------------------------------------------
    def update(self, pose: Pose | None, t: float) -> SessionState:
        """Feed one frame (pose None: nobody found) taken at time t (seconds)."""
        dt = 0.0 if self._last_t is None else min(max(t - self._last_t, 0.0), MAX_DT)
        self._last_t = t
        if self.phase == DONE:
            return self.state()
        active = not self.paused
        run = self._flows[self.index]
        cues: tuple[Cue, ...] = ()
        if run is not None and self.phase == HOLD and active:
            cues = run.advance(dt)
            if run.window_changed and not run.finished:  # the next pose of the flow
                self._scorer = self._new_scorer()
                self._step_t0, self._pending = None, None
        result = self._scorer.update(pose, t)
        self._last_result = result
        entered = False
        changed = False
        if self.phase == HOLD and active:
            entered = self._credit(result, run, t, dt)
            if self._stats[self.index].completed or (run is not None and run.finished):
                self._flush(self.index)
                if self.index == len(self.specs) - 1:
                    self.finish(interrupted=False)
                else:
                    self.phase, self.rest_left = REST, self.step.rest_s
            elif self._stats[self.index].dirty:
                self._checkpoint(self.index)
        if self.phase == REST and active:
            self.rest_left -= dt
            if self.rest_left <= 0:
                self._go(self.index + 1)
                changed = True
        return self.state(perfect_entered=entered, step_changed=changed, cues=cues)

    def state(
        self,
        *,
        perfect_entered: bool = False,
        step_changed: bool = False,
        cues: tuple[Cue, ...] = (),
    ) -> SessionState:
        run = self._flows[self.index]
        return SessionState(
            index=self.index,
            n_steps=len(self.specs),
            step=self.step,
            spec=self.spec,
            phase=self.phase,
            paused=self.paused,
            pause_reason=self.pause_reason,
            held_s=self._stats[self.index].held,
            rest_left_s=max(self.rest_left, 0.0) if self.phase == REST else 0.0,
            result=self._last_result,
            completed=tuple(s.completed for s in self._stats),
            perfect_entered=perfect_entered,
            step_changed=step_changed,
            flow=run.state() if run is not None else None,
            cues=cues,
        )

    # -- controls -------------------------------------------------------------------------
    def next(self) -> bool:
        """Go to the next step; False at the last one."""
        if self.phase == DONE or self.index >= len(self.specs) - 1:
            return False
        self._go(self.index + 1)
        return True

    def previous(self) -> bool:
        if self.phase == DONE or self.index == 0:
            return False
        self._go(self.index - 1)
        return True

    def restart_step(self) -> None:
        """Start the current step again from zero."""
        if self.phase == DONE:
            return
        self._stats[self.index] = _Stats()
        self._enter_step()

    def pause(self, reason: str | None = None) -> None:
        self.paused, self.pause_reason = True, reason

    def resume(self) -> None:
        self.paused, self.pause_reason = False, None

    def toggle_pause(self) -> bool:
        if self.paused:
            self.resume()
        else:
            self.pause()
        return self.paused

    # -- results --------------------------------------------------------------------------
    def record(self, index: int) -> StepRecord:
        step, spec, st = self.routine.steps[index], self.specs[index], self._stats[index]
        run = self._flows[index]
        return StepRecord(
            index=index,
            pose_id=step.flow.key if step.flow else step.pose_id,
            pose_name=step.flow.name if step.flow else spec.name,
            side=step.side if step.flow or not spec.symmetric else None,
            hold_target_s=step.hold_s,
            held_s=round(st.held, 2),
            best_score=round(st.best, 1),
            mean_score=round(st.score_sum / st.frames, 1) if st.frames else 0.0,
            completed=st.completed,
            corrections=dict(st.corrections),
            flow=run.record() if run is not None else None,
        )

    def summary(self) -> list[StepSummary]:
        return [StepSummary(self.record(i), s.frames) for i, s in enumerate(self._stats)]

    # -- internals ------------------------------------------------------------------------
    def _new_scorer(self) -> FrameScorer:
        run = self._flows[self.index]
        side = run.side if run is not None else self.step.side
        return FrameScorer(self.spec, "either", required_side=side, config=self.config)

    def _new_flow(self, index: int) -> FlowRun | None:
        flow = self.routine.steps[index].flow
        if flow is None:
            return None
        return FlowRun(flow, self._flow_specs[index], self.flow_config)

    def _enter_step(self) -> None:
        self.phase, self.rest_left = HOLD, 0.0
        self._flows[self.index] = self._new_flow(self.index)  # a flow starts from the top
        self._scorer = self._new_scorer()
        self._last_result = None
        self._step_t0 = None
        self._pending = None

    def _go(self, index: int) -> None:
        self._flush(self.index)
        self.index = index
        # Going back to a finished pose is a fresh attempt; so is any return to a flow.
        if self._stats[index].completed or self.routine.steps[index].flow is not None:
            self._stats[index] = _Stats()
        self._enter_step()

    def _credit(self, result: FrameResult, run: FlowRun | None, t: float, dt: float) -> bool:
        """Count one frame of the step in progress; True at a chime moment (PERFECT entered
        on a hold, a pose reached in its window on a flow)."""
        stats = self._stats[self.index]
        if run is not None and run.finished:  # the flow's time is up: its rounds decide
            stats.completed = run.record().rounds_counted == run.flow.rounds
            stats.dirty = True
            return False
        stats.add(result)
        self._count_correction(result, t)
        if result.verdict == PERFECT and dt > 0:
            stats.held = min(stats.held + dt, self.step.hold_s)
            stats.dirty = True
        if run is not None:
            return run.observe(result.score, result.verdict == PERFECT, dt)
        stats.completed = stats.completed or stats.held >= self.step.hold_s
        return result.perfect_entered

    def _count_correction(self, result: FrameResult, t: float) -> None:
        """Count each correction once; one given while moving into the pose counts only if it
        is still being given when the settling time is over."""
        if self._step_t0 is None:
            self._step_t0 = t
        settled = t - self._step_t0 >= SETTLE_S
        if result.new_correction:
            self._pending = result.new_correction
        if self._pending is not None and result.hint != self._pending:
            self._pending = None
        if settled and self._pending is not None:
            self._stats[self.index].count(self._pending)
            self._pending = None

    def _checkpoint(self, index: int) -> None:
        record = self.record(index)
        if record != self._checkpointed:  # rounded: a frame that changed nothing is not sent
            self._checkpointed = record
            self._log(lambda: self.log.checkpoint(record))

    def _flush(self, index: int) -> None:
        stats = self._stats[index]
        if stats.dirty:
            stats.dirty = False
            record = self.record(index)
            self._log(lambda: self.log.step(record))

    def _log(self, call: Callable[[], None]) -> None:
        # A SessionLog must not raise; if one does anyway, the session goes on and says so.
        try:
            call()
        except Exception as exc:
            self.log_error = f"session history not saved: {exc}"
