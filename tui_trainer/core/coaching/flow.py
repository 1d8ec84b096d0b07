"""Flow steps: poses paced by the breath, repeated for rounds.

`FlowPacer` maps the time since the flow started to where the breath is: which round, which
pose (its window of `breaths` breaths), which breath, inhale or exhale. Each breath is an inhale
then an exhale of `breath_s / 2` each; every window starts with an inhale.

`FlowRun` follows one run of a flow: the session advances its clock (paused time is not fed)
and reports each frame's score and verdict. A pose counts as reached in its window once the
verdict has been PERFECT without a break for `reach_s` (at most `reach_fraction` of the window):
the PERFECT verdict already has hysteresis (enter >= 80 held 0.3 s, leave below 72), and the
dwell on top means passing through the pose while getting into position does not count. A round
counts when every pose of the round was reached in its own window.

Each pose is scored on arrival (the best score during the window's first inhale, the breath that
moves into it) and while held (the mean score over the rest of its window).

The run emits `Cue`s as the breath goes on ("warrior two", "inhale", "exhale", "round 1 of 3
counted"): the app plays a tone for each inhale/exhale and hands every phrase to its voice hook.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from tui_trainer.core.history.records import FlowRecord, FlowWindowRecord
from tui_trainer.core.library.routines import Flow
from tui_trainer.core.library.spec import PoseSpec

INHALE, EXHALE = "inhale", "exhale"
POSE_CUE, ROUND_CUE = "pose", "round"


@dataclass(frozen=True)
class FlowConfig:
    reach_s: float = 1.0  # unbroken PERFECT needed for a pose to count as reached...
    reach_fraction: float = 0.3  # ...but never more than this share of the pose's window


@dataclass(frozen=True)
class Beat:
    """Where the pacing is at one moment."""

    round: int  # from 0
    position: int  # the pose's place in the flow, from 0
    breath: int  # from 0, within the pose's window
    phase: str  # INHALE or EXHALE
    phase_fraction: float  # 0..1 through the current inhale or exhale
    window_elapsed_s: float
    window_s: float

    @property
    def window(self) -> tuple[int, int]:
        return self.round, self.position

    @property
    def window_left_s(self) -> float:
        return max(self.window_s - self.window_elapsed_s, 0.0)


@dataclass(frozen=True)
class Cue:
    kind: str  # POSE_CUE, INHALE, EXHALE or ROUND_CUE
    phrase: str  # what a voice coach would say: "warrior two", "inhale", "round 1 of 3 counted"
    counted: bool | None = None  # a ROUND_CUE: did the round count


class FlowPacer:
    """Pure timing: seconds since the flow started -> Beat (None once the flow is over)."""

    def __init__(self, flow: Flow) -> None:
        if not flow.poses or flow.rounds < 1 or flow.breath_s <= 0:
            raise ValueError("a flow needs poses, rounds >= 1 and breath_s > 0")
        if any(p.breaths < 1 for p in flow.poses):
            raise ValueError("every pose of a flow needs breaths >= 1")
        self.flow = flow
        self.starts: list[int] = []  # first breath of each pose within a round
        n = 0
        for p in flow.poses:
            self.starts.append(n)
            n += p.breaths
        self.breaths_per_round = n

    @property
    def duration_s(self) -> float:
        return self.flow.duration_s

    def at(self, elapsed: float) -> Beat | None:
        flow = self.flow
        if elapsed >= self.duration_s:
            return None
        elapsed = max(elapsed, 0.0)
        breath_total = min(int(elapsed // flow.breath_s), flow.rounds * self.breaths_per_round - 1)
        rnd, in_round = divmod(breath_total, self.breaths_per_round)
        position = bisect_right(self.starts, in_round) - 1
        breath = in_round - self.starts[position]
        in_breath = elapsed - breath_total * flow.breath_s
        half = flow.breath_s / 2
        phase = INHALE if in_breath < half else EXHALE
        fraction = min(max((in_breath - (0.0 if phase == INHALE else half)) / half, 0.0), 1.0)
        window_start = (rnd * self.breaths_per_round + self.starts[position]) * flow.breath_s
        return Beat(
            round=rnd,
            position=position,
            breath=breath,
            phase=phase,
            phase_fraction=fraction,
            window_elapsed_s=elapsed - window_start,
            window_s=flow.poses[position].breaths * flow.breath_s,
        )


_ROMAN = {"I": "one", "II": "two", "III": "three", "IV": "four", "V": "five"}


def spoken_name(name: str) -> str:
    """A pose name as a voice should say it: "Warrior II" -> "warrior two"."""
    words = [_ROMAN.get(w, w) for w in re.sub(r"\(.*?\)", " ", name).split()]
    return " ".join(words).lower()


@dataclass(frozen=True)
class FlowState:
    """A snapshot for display."""

    name: str
    round: int  # from 1
    rounds: int
    position: int  # from 0
    n_poses: int
    pose: str  # the pose of the current window, with its side
    next_pose: str | None  # the pose of the next window; None in the last one
    breath: int  # from 1, within the pose
    breaths: int
    phase: str  # INHALE or EXHALE
    phase_fraction: float
    window_left_s: float
    reached: bool  # the current pose has been reached in this window
    round_marks: tuple[bool | None, ...]  # per round: counted, missed, or not decided yet
    rounds_counted: int
    finished: bool
    poses: tuple[str, ...] = ()  # every pose of the flow, in order
    breaths_per_pose: tuple[int, ...] = ()
    reached_this_round: tuple[bool | None, ...] = ()  # per pose: reached, missed, to come


@dataclass
class _Window:
    round: int
    position: int
    arrival_best: float | None = None
    hold_sum: float = 0.0
    hold_frames: int = 0
    perfect_run: float = 0.0
    reached_after: float | None = None
    ended: bool = False


class FlowRun:
    """One run of a flow: the clock, the current window, the scores and the rounds."""

    def __init__(
        self, flow: Flow, specs: Sequence[PoseSpec], config: FlowConfig | None = None
    ) -> None:
        if len(specs) != len(flow.poses):
            raise ValueError("FlowRun needs one PoseSpec per pose of the flow")
        self.flow = flow
        self.specs = list(specs)  # each on its pose's side
        self.config = config or FlowConfig()
        self.pacer = FlowPacer(flow)
        self.names = [s.display_name(p.side) for s, p in zip(specs, flow.poses)]
        self.spoken = [spoken_name(s.name) for s in specs]
        self.elapsed = 0.0
        self.windows: list[_Window] = []
        self.beat: Beat | None = self.pacer.at(0.0)
        self._started = False
        self.window_changed = False  # the last advance() opened a new window

    # -- the clock ------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.beat is None

    @property
    def spec(self) -> PoseSpec:
        """The target now (the last pose once the flow is over)."""
        return self.specs[self.beat.position if self.beat else -1]

    @property
    def side(self) -> str | None:
        return self.flow.poses[self.beat.position if self.beat else -1].side

    @property
    def window_s(self) -> float:
        beat = self.beat or self.pacer.at(self.pacer.duration_s - 1e-9)
        assert beat is not None
        return beat.window_s

    def advance(self, dt: float) -> tuple[Cue, ...]:
        """Move the clock on by dt seconds (the first call starts the flow); the cues crossed."""
        old = self.beat if self._started else None
        if self._started:
            self.elapsed += max(dt, 0.0)
        self._started = True
        new = self.pacer.at(self.elapsed)
        self.beat = new
        cues: list[Cue] = []
        self.window_changed = old is None or new is None or new.window != old.window
        if old is not None and self.window_changed:
            self.windows[-1].ended = True
            if new is None or new.round != old.round:
                cues.append(self._round_cue(old.round))
        if new is not None and self.window_changed:
            self.windows.append(_Window(new.round, new.position))
            cues += [Cue(POSE_CUE, self.spoken[new.position]), Cue(new.phase, new.phase)]
        elif (
            new is not None
            and old is not None
            and (new.breath, new.phase)
            != (
                old.breath,
                old.phase,
            )
        ):
            cues.append(Cue(new.phase, new.phase))
        return tuple(cues)

    def _round_cue(self, rnd: int) -> Cue:
        counted = self.record().round_status(rnd) is True
        word = "counted" if counted else "not counted"
        return Cue(ROUND_CUE, f"round {rnd + 1} of {self.flow.rounds} {word}", counted)

    # -- scoring --------------------------------------------------------------------------
    def observe(self, score: float | None, perfect: bool, dt: float) -> bool:
        """One frame of the current window; True when it has just made the pose reached."""
        beat = self.beat
        if beat is None or not self.windows:
            return False
        w = self.windows[-1]
        if score is not None:
            arriving = beat.breath == 0 and beat.phase == INHALE
            if arriving:
                w.arrival_best = score if w.arrival_best is None else max(w.arrival_best, score)
            else:
                w.hold_sum += score
                w.hold_frames += 1
        if not perfect:
            w.perfect_run = 0.0
            return False
        w.perfect_run += max(dt, 0.0)
        need = min(self.config.reach_s, self.config.reach_fraction * beat.window_s)
        if w.reached_after is None and w.perfect_run >= need:
            w.reached_after = beat.window_elapsed_s
            return True
        return False

    # -- results --------------------------------------------------------------------------
    def record(self) -> FlowRecord:
        windows = []
        for w in self.windows:
            fp = self.flow.poses[w.position]
            windows.append(
                FlowWindowRecord(
                    round=w.round,
                    position=w.position,
                    pose_id=fp.pose_id,
                    pose_name=self.names[w.position],
                    side=fp.side,
                    breaths=fp.breaths,
                    reached=w.reached_after is not None,
                    reached_after_s=_r(w.reached_after, 2),
                    arrival_score=_r(w.arrival_best, 1),
                    hold_score=_r(w.hold_sum / w.hold_frames if w.hold_frames else None, 1),
                    ended=w.ended,
                )
            )
        return FlowRecord(
            name=self.flow.name,
            rounds=self.flow.rounds,
            breath_s=self.flow.breath_s,
            poses=tuple(self.names),
            breaths=tuple(p.breaths for p in self.flow.poses),
            windows=tuple(windows),
        )

    def state(self) -> FlowState:
        beat = self.beat
        record = self.record()
        marks = record.round_marks
        n = len(self.flow.poses)
        if beat is None:
            return FlowState(
                self.flow.name, self.flow.rounds, self.flow.rounds, n - 1, n, self.names[-1],
                None, self.flow.poses[-1].breaths, self.flow.poses[-1].breaths, EXHALE, 1.0,
                0.0, bool(self.windows and self.windows[-1].reached_after is not None), marks,
                record.rounds_counted, True,
            )  # fmt: skip
        last = beat.round == self.flow.rounds - 1 and beat.position == n - 1
        current = self.windows[-1] if self.windows else None
        this_round: list[bool | None] = [None] * n
        for w in record.windows:
            if w.round == beat.round and (w.reached or w.ended):
                this_round[w.position] = w.reached
        return FlowState(
            name=self.flow.name,
            round=beat.round + 1,
            rounds=self.flow.rounds,
            position=beat.position,
            n_poses=n,
            pose=self.names[beat.position],
            next_pose=None if last else self.names[(beat.position + 1) % n],
            breath=beat.breath + 1,
            breaths=self.flow.poses[beat.position].breaths,
            phase=beat.phase,
            phase_fraction=beat.phase_fraction,
            window_left_s=beat.window_left_s,
            reached=current is not None and current.reached_after is not None,
            round_marks=marks,
            rounds_counted=record.rounds_counted,
            finished=False,
            poses=tuple(self.names),
            breaths_per_pose=tuple(p.breaths for p in self.flow.poses),
            reached_this_round=tuple(this_round),
        )


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
