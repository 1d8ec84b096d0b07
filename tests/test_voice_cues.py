"""What the voice coach says when: the cue planner on hand-made session states, then on a whole
demo session (the real Session and demo trainee) through the speech queue, on a virtual clock."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest

from tui_trainer.core.coaching.coach import FEET_OUT, FIGHTING, PERFECT, FrameResult
from tui_trainer.core.coaching.session import DONE, HOLD, REST, Session, SessionState
from tui_trainer.core.coaching.speech_queue import INTERRUPT, Cue, Priority, SpeechQueue
from tui_trainer.core.coaching.voice_cues import (
    DONE_PHRASE,
    FIRST_PERFECT,
    PERFECT_AGAIN,
    PERFECT_DELAY_S,
    SETTLE_S,
    CuePlanner,
    Withdraw,
    flow_cue,
    rest_phrase,
    spoken_name,
    step_phrase,
)
from tui_trainer.core.demo.trainee import DemoTrainee
from tui_trainer.core.library import PoseLibrary
from tui_trainer.core.library.routines import Flow, FlowPose, Routine, Step

POSES = PoseLibrary.load()
STEPS = (
    Step("warrior2", "left", 10.0, 3.0),
    Step("warrior2", "right", 10.0, 3.0),
    Step("triangle", "left", 4.0, 0.0, instruction="Reach long."),
)
SPECS = [POSES.get(s.pose_id).for_side(s.side) for s in STEPS]


def result(t: float, verdict: str = FIGHTING, **kw: Any) -> FrameResult:
    fields: dict[str, Any] = dict(
        t=t,
        pose=None,
        comparison=None,
        score=50.0,
        verdict=verdict,
        hint=None,
        hint_angle=None,
        framing=None,
        perfect_entered=False,
        new_correction=None,
    )
    fields.update(kw)
    return FrameResult(**fields)


def state(index: int = 0, r: FrameResult | None = None, **kw: Any) -> SessionState:
    fields: dict[str, Any] = dict(
        index=index,
        n_steps=len(STEPS),
        step=STEPS[index],
        spec=SPECS[index],
        phase=HOLD,
        paused=False,
        pause_reason=None,
        held_s=0.0,
        rest_left_s=0.0,
        result=r,
        completed=(False,) * len(STEPS),
    )
    fields.update(kw)
    return SessionState(**fields)


def cues(actions: list[Any]) -> list[Cue]:
    return [a for a in actions if isinstance(a, Cue)]


def test_spoken_names_and_phrases() -> None:
    assert spoken_name("Warrior II") == "Warrior two"
    assert spoken_name("Warrior I") == "Warrior one"
    assert spoken_name("Child's Pose") == "Child's pose"
    first = step_phrase(SPECS[0], STEPS[0])
    assert first.startswith("Warrior two, left side. Wide stance")
    assert step_phrase(SPECS[1], STEPS[1], STEPS[0]) == "Switch sides. Warrior two, right side."
    assert step_phrase(SPECS[2], STEPS[2], STEPS[1]) == "Triangle, left side. Reach long."
    assert rest_phrase(STEPS[0], SPECS[1], STEPS[1]) == "Rest, then switch sides."
    assert rest_phrase(STEPS[1], SPECS[2], STEPS[2]) == "Rest. Next: Triangle, left side."
    mountain = POSES.get("mountain")
    assert step_phrase(mountain, Step("mountain", None, 5, 0)).startswith("Mountain. Stand tall")


def test_a_step_start_announces_the_pose_and_a_key_press_interrupts() -> None:
    planner = CuePlanner(SPECS, STEPS)
    first = planner.update(state(0), 0.0)
    assert isinstance(first[0], Withdraw) and first[0].kind is None
    (cue,) = cues(first)
    assert cue.priority == Priority.STEP and cue.text.startswith("Warrior two, left side.")
    assert not cue.interrupts  # nothing to interrupt at the start
    assert cues(planner.update(state(0, result(0.1)), 0.1)) == []  # said once
    # The rest timer moved on (step_changed): wait for the voice; n pressed: cut in.
    (auto,) = cues(planner.update(state(1, step_changed=True), 5.0))
    assert auto.text == "Switch sides. Warrior two, right side." and not auto.interrupts
    (key,) = cues(planner.update(state(2), 6.0))
    assert key.text.startswith("Triangle") and key.interrupts
    # r (restart): the hold falls back to zero, the pose is announced again.
    planner.update(state(2, result(7.0), held_s=2.0), 7.0)
    (again,) = cues(planner.update(state(2, result(7.1), held_s=0.0), 7.1))
    assert again.text == key.text


def test_perfect_word_after_the_chime_then_countdown_rest_and_done() -> None:
    planner = CuePlanner(SPECS, STEPS)
    planner.update(state(0), 0.0)
    (word,) = cues(planner.update(state(0, result(3.0, PERFECT), perfect_entered=True), 3.0))
    assert word.text == FIRST_PERFECT and word.priority == Priority.PERFECT
    assert word.t == pytest.approx(3.0 + PERFECT_DELAY_S)
    said = []
    for i in range(1, 400):  # 10 s hold at 30 fps
        t = 3.0 + i / 30
        held = min(i / 30, 10.0)
        said += [
            (round(t, 2), c.text)
            for c in cues(planner.update(state(0, result(t, PERFECT), held_s=held), t))
        ]
    assert [s for _, s in said] == ["three", "two", "one"]
    times = [t for t, _ in said]
    assert times[1] - times[0] == pytest.approx(1.0, abs=0.05)
    assert times[2] - times[1] == pytest.approx(1.0, abs=0.05)
    rest = planner.update(state(0, result(20.0, PERFECT), phase=REST, held_s=10.0), 20.0)
    assert isinstance(rest[0], Withdraw)
    assert [c.text for c in cues(rest)] == ["Rest, then switch sides."]
    assert cues(planner.update(state(0, result(20.1), phase=REST, held_s=10.0), 20.1)) == []
    # A second PERFECT in a step gets the shorter word.
    planner.update(state(1, step_changed=True), 21.0)
    planner.update(state(1, result(22.0, PERFECT), perfect_entered=True), 22.0)
    (again,) = cues(planner.update(state(1, result(23.0, PERFECT), perfect_entered=True), 23.0))
    assert again.text == PERFECT_AGAIN
    # The last step: a 4 s hold has no countdown; when it completes, "routine complete".
    planner.update(state(2, step_changed=True), 30.0)
    for i in range(120):
        t = 30.0 + i / 30
        assert not [
            c
            for c in cues(planner.update(state(2, result(t, PERFECT), held_s=i / 30), t))
            if c.kind == "countdown"
        ]
    done = state(2, result(34.0, PERFECT), phase=DONE, held_s=4.0, completed=(True,) * 3)
    assert [c.text for c in cues(planner.update(done, 34.0))] == [DONE_PHRASE]
    assert cues(planner.update(done, 34.1)) == []
    quit_early = CuePlanner(SPECS, STEPS)
    quit_early.update(state(0), 0.0)
    assert cues(quit_early.update(state(0, phase=DONE), 1.0)) == []  # q: no "well done"


def test_framing_and_corrections_are_offered_while_they_hold_and_withdrawn_after() -> None:
    planner = CuePlanner(SPECS, STEPS)
    planner.update(state(0), 0.0)
    hint = "Lift your back arm to shoulder height"
    early = planner.update(state(0, result(1.0, hint=hint, hint_angle="right_shoulder")), 1.0)
    assert cues(early) == []  # still moving into the pose
    t = SETTLE_S + 0.5
    (c,) = cues(planner.update(state(0, result(t, hint=hint, hint_angle="x")), t))
    assert (c.text, c.kind, c.priority) == (hint + ".", "correction", Priority.CORRECTION)
    (c2,) = cues(planner.update(state(0, result(t + 0.03, hint=hint, hint_angle="x")), t + 0.03))
    assert c2.text == c.text and c2.t > c.t  # offered again: still true
    fixed = planner.update(state(0, result(t + 0.1)), t + 0.1)
    assert fixed == [Withdraw("correction", t + 0.1)]
    feet = planner.update(state(0, result(t + 0.2, framing=FEET_OUT, hint=hint)), t + 0.2)
    assert [(c.text, c.priority) for c in cues(feet)] == [
        ("Step back, I can't see your feet.", Priority.FRAMING)
    ]  # framing first: no correction while the body is not in view
    back = planner.update(state(0, result(t + 0.3)), t + 0.3)
    assert Withdraw("framing", t + 0.3) in back
    side = planner.update(
        state(0, result(t + 0.4, hint="switch sides: this one is the left side", wrong_side=True)),
        t + 0.4,
    )
    (s,) = cues(side)
    assert s.kind == "side" and s.priority == Priority.FRAMING
    assert s.text == "Switch sides: this one is the left side."


def test_pausing_withdraws_and_silences() -> None:
    planner = CuePlanner(SPECS, STEPS)
    planner.update(state(0), 0.0)
    hint = "Lift your back arm to shoulder height"
    paused = planner.update(state(0, result(5.0, hint=hint), paused=True), 5.0)
    assert paused == [Withdraw(None, 5.0)]
    assert planner.update(state(0, result(5.1, hint=hint), paused=True), 5.1) == []
    assert cues(planner.update(state(0, result(5.2, hint=hint)), 5.2))  # resumed


def speak_demo_session(
    steps: tuple[Step, ...], seed: int, seconds: float = 120.0
) -> tuple[list[tuple[float, float, Cue]], CuePlanner]:
    """The demo trainee through a whole session, planner -> queue: (start, end, cue) spoken."""
    specs = {p: POSES.get(p) for s in steps for p in s.pose_ids}
    session = Session(Routine("t", "T", "beginner", "", steps), specs)
    planner = CuePlanner(session.specs, steps, specs)
    queue = SpeechQueue()
    trainee = DemoTrainee(seed)

    def duration(cue: Cue) -> float:
        return 0.065 * len(cue.text) + 0.2  # about what eSpeak takes at 160 words a minute

    said: list[tuple[float, float, Cue]] = []
    target: Any = None
    t = 0.0
    while t < seconds:
        if (session.index, session.spec) != target:  # a new step, or a flow's next pose
            target = (session.index, session.spec)
            trainee.set_target(session.spec, t)
        st = session.update(trainee.pose_at(t), t)
        for action in planner.update(st, t):
            if isinstance(action, Withdraw):
                queue.withdraw(action.kind)
            elif queue.offer(action) == INTERRUPT:
                queue.cut(action.t)
        started = queue.start_due(t, duration)
        if started:
            cue, start = started
            if said and said[-1][1] > start:  # cut by this one
                said[-1] = (said[-1][0], start, said[-1][2])
            said.append((start, start + duration(cue), cue))
        if st.finished:
            break
        t += 1 / 30
    for _ in range(200):  # let the last phrases out
        t += 0.05
        started = queue.start_due(t, duration)
        if started:
            said.append((started[1], started[1] + duration(started[0]), started[0]))
    return said, planner


def test_a_demo_session_is_coached_in_order_without_talking_over_itself() -> None:
    steps = (Step("warrior2", "left", 10.0, 3.0), Step("warrior2", "right", 10.0, 3.0))
    said, planner = speak_demo_session(steps, seed=1)
    texts = [c.text for _, _, c in said]
    assert texts[0].startswith("Warrior two, left side. Wide stance")
    assert texts[-1] == DONE_PHRASE
    for (_s0, e0, _), (s1, _, _) in itertools.pairwise(said):
        assert s1 >= e0 - 1e-6  # one phrase at a time
    # A live correction may fall between two numbers: leaving PERFECT pauses the hold and its
    # countdown. The phrases the session schedules keep their order around it.
    live_kinds = ("correction", "side", "framing")
    texts = [c.text for _, _, c in said if c.kind not in live_kinds]
    kinds = [c.kind for _, _, c in said if c.kind not in live_kinds]
    for _ in range(2):  # three, two, one, then rest (or done) in each step
        i = texts.index("three")
        assert texts[i : i + 3] == ["three", "two", "one"] and kinds[i + 3] in ("rest", "done")
        texts, kinds = texts[i + 3 :], kinds[i + 3 :]
    assert any(c.text == "Switch sides. Warrior two, right side." for _, _, c in said)
    known = set(planner.phrases())
    assert {c.text for _, _, c in said} <= known  # everything said was prepared
    live = [(s, c) for s, _, c in said if c.kind in ("correction", "side", "framing")]
    assert live, "the demo trainee makes mistakes that are spoken"
    corrections = [s for s, c in live if c.kind == "correction"]
    assert all(b - a >= 4.0 - 1e-6 for a, b in itertools.pairwise(corrections))
    for text in {c.text for _, c in live}:
        times = [s for s, c in live if c.text == text]
        assert all(b - a >= 8.0 - 1e-6 for a, b in itertools.pairwise(times))


def test_every_phrase_is_known_before_the_session_starts() -> None:
    steps = tuple(replace(s, hold_s=6.0) for s in STEPS)
    for seed in (2, 5):
        said, planner = speak_demo_session(steps, seed)
        assert {c.text for _, _, c in said} <= set(planner.phrases())


def test_a_flow_speaks_its_breath_poses_and_rounds_instead_of_a_countdown() -> None:
    flow = Flow(
        "Mini flow",
        (FlowPose("mountain", None, 1), FlowPose("warrior2", "left", 1)),
        rounds=2,
        breath_s=4.0,
    )
    steps = (
        Step("mountain", "left", flow.duration_s, 2.0, flow=flow),
        Step(
            "mountain",
            "right",
            flow.duration_s,
            0.0,
            flow=replace(
                flow, poses=(FlowPose("mountain", None, 1), FlowPose("warrior2", "right", 1))
            ),
        ),
    )
    said, planner = speak_demo_session(steps, seed=3)
    texts = [c.text for _, _, c in said]
    assert texts[0] == "Mini flow, left side. Move with the breath."
    assert "Switch sides. Mini flow, right side." in texts
    kinds = {c.kind for _, _, c in said}
    assert {"flow-breath", "flow-pose", "rest", "done"} <= kinds
    assert not kinds & {"countdown", "perfect", "correction", "side"}  # the breath leads
    assert "Warrior two. Inhale." in texts and "Exhale." in texts
    assert any(t.startswith("Round 1 of 2") and t.endswith("Mountain. Inhale.") for t in texts)
    assert texts[-1].startswith("Round 2 of 2") and texts[-1].endswith(DONE_PHRASE)
    for (_s0, e0, _), (s1, _, _) in itertools.pairwise(said):
        assert s1 >= e0 - 1e-6
    assert set(texts) <= set(planner.phrases())
    # Every breath cue is said on its breath (2 s apart here), not late.
    breaths = [(s, c) for s, _, c in said if c.kind in ("flow-breath", "flow-pose")]
    assert all(s - c.t <= 1.0 for s, c in breaths)


def test_a_flow_breath_cuts_a_framing_phrase_instead_of_coming_late() -> None:
    from tui_trainer.core.coaching import flow as flows

    queue = SpeechQueue()
    queue.offer(Cue("Step back, I can't see your feet.", Priority.FRAMING, 0.0, "framing"))
    assert queue.start_due(0.0, lambda cue: 2.4) is not None  # speaking until 2.4 s
    breath = flow_cue([flows.Cue(flows.INHALE, "inhale")], 1.0)
    assert breath is not None and queue.offer(breath) == INTERRUPT
    queue.cut(1.0)
    started = queue.start_due(1.0, lambda cue: 0.7)
    assert started is not None and started[0].text == "Inhale." and started[1] <= 1.3
