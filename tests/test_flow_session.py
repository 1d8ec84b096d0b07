"""A flow step inside a session, on synthetic pose streams: the target follows the breath, rounds
are counted from real scores, pause stops the clock, the log gets the flow's detail."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from helpers import RecordingLog

from tui_trainer.core.coaching.flow import EXHALE, INHALE, POSE_CUE, ROUND_CUE
from tui_trainer.core.coaching.session import DONE, HOLD, REST, Session, SessionState
from tui_trainer.core.demo.synth import (
    bend_world,
    pose_from_world,
    spec_from_world,
    standing_world,
)
from tui_trainer.core.library.routines import Flow, FlowPose, Routine, Step

FPS = 30.0
DT = 1.0 / FPS


def lunge_world() -> np.ndarray:
    return bend_world(bend_world(standing_world(), "left_knee", -70.0), "left_shoulder", 100.0)


STAND_WORLD = bend_world(standing_world(), "left_shoulder", 60.0)
POSES = {
    "stand": spec_from_world("stand", STAND_WORLD, {"left_shoulder": 1.0}),
    "lunge": spec_from_world(
        "lunge", lunge_world(), {"left_knee": 1.0, "left_shoulder": 0.6}, symmetric=False
    ),
}
# stand 1 breath -> lunge (left) 2 breaths, 2 s a breath, 2 rounds: 6 s a round, 12 s in all.
FLOW = Flow(
    "Lunge flow", (FlowPose("stand", None, 1), FlowPose("lunge", "left", 2)), 2, breath_s=2.0
)
ROUTINE = Routine(
    id="flowing",
    name="Flowing",
    level="beginner",
    description="",
    steps=(
        Step("stand", "left", FLOW.duration_s, 1.0, "Go", FLOW),
        Step("stand", None, hold_s=1.0, rest_s=0.0),
    ),
)

World = Callable[[Session, float], np.ndarray | None]


def follows(s: Session, t: float) -> np.ndarray:
    """A trainee who is always in the pose the session asks for."""
    return np.asarray(s.spec.template.world)


class Driver:
    def __init__(self, session: Session, seed: int = 0) -> None:
        self.session, self.t = session, 0.0
        self.rng = np.random.default_rng(seed)

    def run(self, seconds: float, world: World = follows) -> list[SessionState]:
        states = []
        for _ in range(round(seconds * FPS)):
            w = world(self.session, self.t)
            pose = None if w is None else pose_from_world(w + self.rng.normal(0, 0.002, w.shape))
            states.append(self.session.update(pose, self.t))
            self.t += DT
        return states


def test_a_trainee_who_follows_the_flow_gets_every_round_counted() -> None:
    log = RecordingLog()
    session = Session(ROUTINE, POSES, log=log)
    session.start(1000.0)
    drv = Driver(session)
    states = drv.run(12.0 + 0.2)
    targets = [(round(drv_t, 1), st.spec.id) for drv_t, st in zip(np.arange(400) * DT, states)]
    changes = [targets[0]] + [b for a, b in itertools.pairwise(targets) if a[1] != b[1]]
    assert changes == [(0.0, "stand"), (2.0, "lunge"), (6.0, "stand"), (8.0, "lunge")]
    assert states[int(3.0 * FPS)].spec.template_side == "left"
    assert session.phase == REST and session.index == 0
    flow = states[-1].flow
    assert flow is not None and flow.finished and flow.round_marks == (True, True)
    # The chime moments are the poses being reached: one per window.
    assert sum(st.perfect_entered for st in states) == 4
    [(_kind, record)] = [c for c in log.calls if c[0] == "step"]
    assert record.pose_id == "flow:lunge_flow" and record.pose_name == "Lunge flow"
    assert record.side == "left" and record.completed
    assert record.flow is not None and record.flow.rounds_counted == 2
    assert record.flow.poses == ("Stand", "Lunge (left)")
    assert all(w.arrival_score and w.hold_score and w.hold_score > 85 for w in record.flow.windows)
    drv.run(3.0)
    assert session.phase == DONE and [k for k, _ in log.calls][-1] == "finish"
    rows = session.summary()
    assert rows[0].record.flow is not None and rows[1].record.flow is None


def test_cues_come_with_the_frames_that_cross_them() -> None:
    session = Session(ROUTINE, POSES)
    states = Driver(session).run(6.5)
    cues = [(i * DT, c.kind, c.phrase) for i, st in enumerate(states) for c in st.cues]

    def at(kind: str, phrase: str) -> list[float]:
        return [t for t, k, p in cues if (k, p) == (kind, phrase)]

    assert [(k, p) for _, k, p in cues[:3]] == [
        (POSE_CUE, "stand"),
        (INHALE, INHALE),
        (EXHALE, EXHALE),
    ]
    # Each within a frame of the breath's timing (1 s inhale, 1 s exhale).
    assert at(EXHALE, EXHALE)[:3] == pytest.approx([1.0, 3.0, 5.0], abs=DT + 1e-9)
    assert at(POSE_CUE, "lunge") == pytest.approx([2.0], abs=DT + 1e-9)
    assert at(ROUND_CUE, "round 1 of 2 counted") == pytest.approx([6.0], abs=DT + 1e-9)
    assert len(at(INHALE, INHALE)) == 4  # 3 breaths in round 1, then round 2's first


def test_staying_in_the_first_pose_misses_the_round() -> None:
    def skips_second_lunge(s: Session, t: float) -> np.ndarray:
        return STAND_WORLD if 8.0 <= t < 12.0 else follows(s, t)

    log = RecordingLog()
    session = Session(ROUTINE, POSES, log=log)
    drv = Driver(session)
    drv.run(12.2, skips_second_lunge)
    record = session.record(0)
    assert record.flow is not None
    assert record.flow.round_marks == (True, False) and record.flow.rounds_counted == 1
    assert not record.completed  # a flow is complete when every round counted
    missed = record.flow.window(1, 1)
    assert missed is not None and not missed.reached and missed.hold_score is not None
    assert missed.hold_score < 80


def test_passing_through_a_pose_on_the_way_does_not_reach_it() -> None:
    """In the lunge's window the trainee swings through the lunge for 0.5 s and back."""

    def swings_through(s: Session, t: float) -> np.ndarray:
        if 2.0 <= t < 6.0:
            return lunge_world() if 3.0 <= t < 3.5 else STAND_WORLD
        return follows(s, t)

    session = Session(ROUTINE, POSES)
    states = Driver(session).run(6.2, swings_through)
    in_lunge = [st for st in states if st.flow and st.flow.position == 1 and st.flow.round == 1]
    scores = [st.result.score for st in in_lunge if st.result and st.result.score is not None]
    assert max(scores) >= 80  # it did get there...
    window = session.record(0).flow.window(0, 1)  # type: ignore[union-attr]
    assert window is not None and not window.reached  # ...but not long enough to count
    assert session.record(0).flow.round_marks[0] is False  # type: ignore[union-attr]


def test_pause_stops_the_breath_and_the_flow() -> None:
    session = Session(ROUTINE, POSES)
    drv = Driver(session)
    drv.run(3.0)
    before = session.state().flow
    session.pause()
    paused = drv.run(5.0)
    assert all(not st.cues for st in paused)
    after = session.state().flow
    assert before is not None and after is not None
    assert (after.round, after.position, after.breath, after.phase) == (
        before.round, before.position, before.breath, before.phase,
    )  # fmt: skip
    assert after.phase_fraction == pytest.approx(before.phase_fraction)
    session.resume()
    drv.run(9.2)
    assert session.phase == REST
    assert session.record(0).flow.rounds_counted == 2  # type: ignore[union-attr]


def test_leaving_a_flow_keeps_what_was_done_and_coming_back_starts_it_again() -> None:
    log = RecordingLog()
    session = Session(ROUTINE, POSES, log=log)
    drv = Driver(session)
    drv.run(4.0)
    assert session.target_window_s == 4.0  # the lunge's two breaths
    assert session.next() and session.index == 1 and session.phase == HOLD
    assert session.target_window_s is None and session.spec.id == "stand"
    [(_, left)] = [c for c in log.calls if c[0] == "step"]
    assert left.flow is not None and [w.reached for w in left.flow.windows] == [True, True]
    assert left.flow.window(0, 1).ended is False  # type: ignore[union-attr]
    assert session.previous() and session.index == 0
    state = session.state()
    assert state.flow is not None and state.flow.round == 1 and state.flow.position == 0
    assert session.record(0).flow.windows == ()  # type: ignore[union-attr]
    drv.run(1.0)
    assert session.record(0).flow.windows[0].round == 0  # type: ignore[union-attr]


def test_a_flow_as_the_last_step_ends_the_session() -> None:
    routine = Routine("f", "F", "beginner", "", (ROUTINE.steps[0],))
    log = RecordingLog()
    session = Session(routine, POSES, log=log)
    states = Driver(session).run(12.5)
    assert states[-1].finished and log.calls[-1] == ("finish", False)


def test_a_flow_naming_a_pose_the_session_lacks_is_refused() -> None:
    bad = Flow("x", (FlowPose("stand", None, 1), FlowPose("cobra", None, 1)), 1)
    routine = Routine("b", "B", "beginner", "", (Step("stand", None, 12.0, 0.0, "", bad),))
    with pytest.raises(ValueError, match="cobra"):
        Session(routine, POSES)
