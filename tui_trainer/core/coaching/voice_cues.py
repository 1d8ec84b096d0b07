"""What the voice coach says, and when: session states in, cues out (pure, virtual clock).

Fed every session state with its frame time, `CuePlanner` decides:

- a step starts (STEP): the pose name, side and cue, "Warrior two, left side. Wide stance...";
  "Switch sides. Warrior two, right side." for the same pose on the other side;
- the verdict turns PERFECT (PERFECT): "Perfect, hold it." the first time in a step, then
  "Good.", just after the chime;
- the last seconds of a hold (COUNTDOWN): "three", "two", "one";
- the hold is complete (REST): "Rest. Next: Triangle, left side." or "Rest, then switch sides.";
- the routine is complete (STEP): "Routine complete. Well done.";
- the body is not fully in view (FRAMING): "Step back, I can't see your feet." ...;
- the wrong side is performed (FRAMING): the coach's "switch sides" correction;
- a correction is given (CORRECTION): in the pose file's words, not in a step's first seconds.

On a flow step (core/coaching/flow.py) the flow's own cues are spoken instead of the hold's
countdown, PERFECT word and corrections (they would fall across the breath): each breath, "Inhale."
/ "Exhale." (COUNTDOWN), with the next pose's name and a round's result in front when the breath
brings them: "Round 1 of 3 counted. Warrior two. Inhale." (REST). Framing is still said.

Framing and corrections are offered on every frame while they hold (the `SpeechQueue` rate
limits say how often they are actually spoken) and withdrawn when they stop holding, so a
phrase that waited for the voice is never said after it has become untrue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tui_trainer.core.coaching import flow as flows
from tui_trainer.core.coaching.coach import CUT_LEFT, CUT_RIGHT, FEET_OUT, HEAD_OUT, NO_ONE, PERFECT
from tui_trainer.core.coaching.session import DONE, HOLD, REST, SessionState
from tui_trainer.core.coaching.speech_queue import Cue, Priority
from tui_trainer.core.library.routines import Step
from tui_trainer.core.library.spec import PoseSpec

COUNT_FROM = 3  # the countdown says the last 3 seconds of a hold...
COUNT_MIN_HOLD_S = 6.0  # ...of holds at least this long
SETTLE_S = 2.0  # no correction while the trainee is still moving into a new pose
PERFECT_DELAY_S = 0.35  # the word follows the chime's attack instead of covering it
STEP_TTL_S = 10.0
REST_TTL_S = 6.0
COUNT_TTL_S = 0.6  # a stale number is a wrong number
PERFECT_TTL_S = 1.5
LIVE_TTL_S = 1.0  # framing and corrections are offered again every frame while they hold
DONE_PHRASE = "Routine complete. Well done."
FIRST_PERFECT, PERFECT_AGAIN = "Perfect, hold it.", "Good."
NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
BREATH_TTL_S = 1.0  # a flow's breath cue is late after this

SPOKEN_FRAMING = {
    NO_ONE: "I can't see you. Step in front of the camera.",
    FEET_OUT: "Step back, I can't see your feet.",
    HEAD_OUT: "Step back, I can't see your head.",
    CUT_LEFT: "Move into the picture, you are cut off at the left edge.",
    CUT_RIGHT: "Move into the picture, you are cut off at the right edge.",
}


@dataclass(frozen=True)
class Withdraw:
    """Forget a waiting cue of this kind (None: any kind but `spare`): it is no longer true."""

    kind: str | None
    t: float
    spare: str | None = None


Action = Cue | Withdraw


def spoken_name(name: str) -> str:
    """A pose name as it should be read aloud: "Warrior II" -> "Warrior two"."""
    words = flows.spoken_name(name)
    return words[:1].upper() + words[1:]


def sentence(text: str) -> str:
    """Capitalised, ending in a full stop (the synthesiser pauses on it)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def spoken_framing(message: str) -> str:
    return SPOKEN_FRAMING.get(message, sentence(message))


def side_hint(side: str) -> str:
    """The coach's wrong-side correction (core/coaching/coach.py FrameScorer), as it is spoken."""
    return sentence(f"switch sides: this one is the {side} side")


def _what(step: Step) -> str:
    return f"flow:{step.flow.name}" if step.flow is not None else step.pose_id


def _same_pose_other_side(step: Step, previous: Step | None) -> bool:
    return (
        previous is not None
        and _what(previous) == _what(step)
        and step.side is not None
        and previous.side is not None
        and previous.side != step.side
    )


def _head(spec: PoseSpec, step: Step) -> str:
    """The name of a step with its side: "Warrior two, left side", "Warrior flow, left side"."""
    if step.flow is not None:
        name = sentence(step.flow.name)[:-1]
        return name if step.side is None else f"{name}, {step.side} side"
    name = spoken_name(spec.name)
    return name if spec.symmetric or step.side is None else f"{name}, {step.side} side"


def step_phrase(spec: PoseSpec, step: Step, previous: Step | None = None) -> str:
    """What is said when a step starts."""
    head = _head(spec, step)
    if _same_pose_other_side(step, previous):  # the cue was just heard: the side is news
        tail = f" {sentence(step.instruction)}" if step.instruction else ""
        return f"Switch sides. {head}.{tail}"
    default = "Move with the breath" if step.flow is not None else spec.cue
    return f"{head}. {sentence(step.instruction or default or 'Match the target pose')}"


def rest_phrase(step: Step, next_spec: PoseSpec | None, next_step: Step | None) -> str:
    """What is said when a hold is complete and the rest begins."""
    if next_spec is None or next_step is None:
        return "Rest."
    if _same_pose_other_side(next_step, step):
        return "Rest, then switch sides."
    return f"Rest. Next: {_head(next_spec, next_step)}."


def flow_cue(cues: Sequence[flows.Cue], t: float) -> Cue | None:
    """One phrase for the flow cues of a frame, in their order: a round's result, the next
    pose, the breath. A breath alone is urgent and short-lived; a new pose or round is REST.
    Both cut a less important phrase being spoken ("step back, I can't see your feet"): the
    breath leads a flow, and a breath said late is a wrong breath."""
    if not cues:
        return None
    text = " ".join(sentence(c.phrase) for c in cues)
    if all(c.kind in (flows.INHALE, flows.EXHALE) for c in cues):
        return Cue(text, Priority.COUNTDOWN, t, "flow-breath", BREATH_TTL_S, interrupts=True)
    return Cue(text, Priority.REST, t, "flow-pose", 2 * BREATH_TTL_S, interrupts=True)


def countdown_start(hold_s: float) -> int:
    """The first number of a hold's countdown (0: no countdown for short holds)."""
    return COUNT_FROM if hold_s >= COUNT_MIN_HOLD_S else 0


class CuePlanner:
    """Decides the cues of one session: its steps, the pose spec each starts with, and the
    library's specs of the poses its flows use (for their phrases, prepared ahead)."""

    def __init__(
        self,
        specs: Sequence[PoseSpec],
        steps: Sequence[Step],
        poses: Mapping[str, PoseSpec] | None = None,
    ) -> None:
        if len(specs) != len(steps):
            raise ValueError("one pose spec per step expected")
        self.specs, self.steps = list(specs), list(steps)
        self.poses = dict(poses or {})
        self._index = -1
        self._phase: str | None = None
        self._held = 0.0
        self._step_t0 = 0.0
        self._paused = False
        self._perfects = 0
        self._counted = COUNT_FROM + 1
        self._framing: str | None = None
        self._hint: tuple[str, str] | None = None  # (kind, text) offered on the last frame

    def phrases(self) -> list[str]:
        """Every phrase this session may say, to synthesise ahead of time."""
        out: list[str] = []
        for i, (spec, step) in enumerate(zip(self.specs, self.steps)):
            previous = self.steps[i - 1] if i else None
            out.append(step_phrase(spec, step, previous))
            nxt = i + 1 < len(self.steps)
            rest = rest_phrase(
                step, self.specs[i + 1] if nxt else None, self.steps[i + 1] if nxt else None
            )
            out.append(rest)
            if step.flow is not None:  # its last round's result, then the rest or the end
                n = step.flow.rounds
                for word in ("counted", "not counted"):
                    lead = sentence(f"round {n} of {n} {word}")
                    out += [f"{lead} {rest}", f"{lead} {DONE_PHRASE}"]
            if step.side is not None and not spec.symmetric:
                out.append(side_hint(step.side))
            used = [spec] + [self.poses[p] for p in step.pose_ids if p in self.poses]
            for target in (t for s in used for t in s.angles.values()):
                out += [sentence(h) for h in (target.increase, target.decrease) if h]
            if step.flow is not None:
                out += self._flow_phrases(step.flow)
        out += [NUMBERS[n] for n in range(1, COUNT_FROM + 1)]
        out += [FIRST_PERFECT, PERFECT_AGAIN, DONE_PHRASE, *SPOKEN_FRAMING.values()]
        return list(dict.fromkeys(p for p in out if p))

    def _flow_phrases(self, flow: flows.Flow) -> list[str]:
        """What `flow_cue` makes of the cues a FlowRun emits (core/coaching/flow.py
        FlowRun.advance)."""
        breaths = [flows.Cue(k, k) for k in (flows.INHALE, flows.EXHALE)]
        names = [
            flows.spoken_name(self.poses[p.pose_id].name) if p.pose_id in self.poses else None
            for p in flow.poses
        ]
        rounds = [
            flows.Cue(flows.ROUND_CUE, f"round {r} of {flow.rounds} {word}")
            for r in range(1, flow.rounds + 1)
            for word in ("counted", "not counted")
        ]
        groups: list[list[flows.Cue]] = [[b] for b in breaths]
        for i, name in enumerate(names):
            if name is None:
                continue
            window = [flows.Cue(flows.POSE_CUE, name), breaths[0]]
            groups.append(window)
            if i == 0:  # a new round starts here, after the last one's result
                groups += [[r, *window] for r in rounds]
        groups += [[r] for r in rounds]  # the flow's end
        return [c.text for g in groups if (c := flow_cue(g, 0.0)) is not None]

    def _next(self, index: int) -> tuple[PoseSpec | None, Step | None]:
        if index + 1 < len(self.steps):
            return self.specs[index + 1], self.steps[index + 1]
        return None, None

    def update(self, state: SessionState, t: float) -> list[Action]:
        """The cues and withdrawals for one session state at frame time t."""
        out: list[Action] = []
        restarted = state.index == self._index and state.held_s < self._held - 1e-6
        started = state.index != self._index or restarted
        if started:
            out += self._step_started(state, t)
        self._held = state.held_s
        phase, self._phase = self._phase, state.phase
        # A flow's last round ends on the frame that ends the step: its result goes first.
        last_round = " ".join(sentence(c.phrase) for c in state.cues if c.kind == flows.ROUND_CUE)
        lead = last_round + " " if last_round else ""
        if state.phase == DONE:
            # Done by itself (not by q): the last hold completed, or the last flow's time is up.
            ended = state.completed[state.index] or (state.flow is not None and state.flow.finished)
            if phase != DONE and ended:
                out.append(Withdraw(None, t))
                out.append(Cue(lead + DONE_PHRASE, Priority.STEP, t, "done", STEP_TTL_S))
            return out
        if state.paused:
            if not self._paused:
                out.append(Withdraw(None, t))
            self._paused = True
            return out
        self._paused = False
        if state.phase == REST:
            if phase != REST:
                out.append(Withdraw(None, t))
                spec, step = self._next(state.index)
                text = lead + rest_phrase(state.step, spec, step)
                out.append(Cue(text, Priority.REST, t, "rest", REST_TTL_S))
            return out
        if state.flow is not None and not started:  # (a step's first frame: it is announced)
            cue = flow_cue(state.cues, t)
            if cue is not None:
                out.append(cue)
        if state.phase == HOLD and state.result is not None:
            out += self._holding(state, t)
        return out

    def _step_started(self, state: SessionState, t: float) -> list[Action]:
        user_moved = self._index >= 0 and not state.step_changed  # keys, not the rest timer
        self._index = state.index
        self._step_t0 = t
        self._perfects = 0
        self._counted = COUNT_FROM + 1
        self._framing = None
        self._hint = None
        previous = self.steps[state.index - 1] if state.index else None
        text = step_phrase(state.spec, state.step, previous)
        cue = Cue(text, Priority.STEP, t, "step", STEP_TTL_S, interrupts=user_moved)
        return [Withdraw(None, t), cue]

    def _holding(self, state: SessionState, t: float) -> list[Action]:
        result = state.result
        assert result is not None
        out: list[Action] = []
        framing = spoken_framing(result.framing) if result.framing else None
        if framing is not None:
            out.append(Cue(framing, Priority.FRAMING, t, "framing", LIVE_TTL_S))
        elif self._framing is not None:
            out.append(Withdraw("framing", t))
        self._framing = framing
        flow = state.flow is not None  # paced by its own cues: no PERFECT word, no countdown
        if state.perfect_entered and not flow:
            word = FIRST_PERFECT if self._perfects == 0 else PERFECT_AGAIN
            self._perfects += 1
            out.append(Cue(word, Priority.PERFECT, t + PERFECT_DELAY_S, "perfect", PERFECT_TTL_S))
        if result.verdict == PERFECT and not flow:
            remaining = state.hold_target_s - state.held_s
            number = math.ceil(remaining - 1e-9)
            if 1 <= number <= countdown_start(state.hold_target_s) and number < self._counted:
                self._counted = number
                out.append(Cue(NUMBERS[number], Priority.COUNTDOWN, t, "countdown", COUNT_TTL_S))
        hint: tuple[str, str] | None = None
        settled = t - self._step_t0 >= SETTLE_S and not flow
        if result.hint and framing is None and result.verdict != PERFECT and settled:
            kind = "side" if result.wrong_side else "correction"
            hint = (kind, sentence(result.hint))
        if self._hint is not None and hint != self._hint:
            out.append(Withdraw(self._hint[0], t))
        self._hint = hint
        if hint is not None:
            kind, text = hint
            priority = Priority.FRAMING if kind == "side" else Priority.CORRECTION
            out.append(Cue(text, priority, t, kind, LIVE_TTL_S))
        return out
