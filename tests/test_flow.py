"""Flow pacing and round counting (core/coaching/flow.py) on a virtual clock with synthetic score
streams."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tui_trainer.core.coaching.flow import (
    EXHALE,
    INHALE,
    POSE_CUE,
    ROUND_CUE,
    Cue,
    FlowConfig,
    FlowPacer,
    FlowRun,
    spoken_name,
)
from tui_trainer.core.demo.synth import spec_from_world, standing_world
from tui_trainer.core.history.records import FlowRecord
from tui_trainer.core.library.routines import Flow, FlowPose

# A 1 breath, B 2 breaths, C 1 breath; 4 s a breath; 2 rounds: a round is 16 s, the flow 32 s.
FLOW = Flow(
    "Test flow",
    (FlowPose("a", None, 1), FlowPose("b", "left", 2), FlowPose("c", None, 1)),
    rounds=2,
    breath_s=4.0,
)
SPECS = [
    spec_from_world("a", standing_world(), {"left_knee": 1.0}, name="Warrior II"),
    spec_from_world("b", standing_world(), {"left_knee": 1.0}, symmetric=False, name="Bee"),
    spec_from_world("c", standing_world(), {"left_knee": 1.0}, name="Child's Pose"),
]
FPS = 30.0
DT = 1.0 / FPS

# What the trainee does at a moment: (score or None, verdict PERFECT?) from (round, position,
# seconds into the window).
Behaviour = Callable[[int, int, float], tuple[float | None, bool]]


def play(behaviour: Behaviour, config: FlowConfig | None = None) -> tuple[FlowRun, list[Cue]]:
    """Run the whole flow at 30 fps, as the session does: advance the clock, then observe."""
    run = FlowRun(FLOW, SPECS, config)
    cues: list[Cue] = []
    dt = 0.0
    while True:
        cues += run.advance(dt)
        if run.finished:
            return run, cues
        beat = run.beat
        assert beat is not None
        score, perfect = behaviour(beat.round, beat.position, beat.window_elapsed_s)
        run.observe(score, perfect, DT)
        dt = DT


def from_second(start: float) -> Behaviour:
    """In the pose (score 95, PERFECT) from `start` seconds into every window."""
    return lambda r, p, s: (95.0, True) if s >= start else (40.0, False)


# -- pacing -------------------------------------------------------------------------------


def test_pacer_maps_time_to_round_pose_breath_and_phase() -> None:
    pacer = FlowPacer(FLOW)
    assert pacer.duration_s == FLOW.duration_s == 32.0
    cases = {
        0.0: (0, 0, 0, INHALE, 0.0, 0.0, 4.0),
        1.0: (0, 0, 0, INHALE, 0.5, 1.0, 4.0),
        2.5: (0, 0, 0, EXHALE, 0.25, 2.5, 4.0),
        4.0: (0, 1, 0, INHALE, 0.0, 0.0, 8.0),
        9.0: (0, 1, 1, INHALE, 0.5, 5.0, 8.0),
        12.0: (0, 2, 0, INHALE, 0.0, 0.0, 4.0),
        16.0: (1, 0, 0, INHALE, 0.0, 0.0, 4.0),
        31.0: (1, 2, 0, EXHALE, 0.5, 3.0, 4.0),
    }
    for t, expected in cases.items():
        b = pacer.at(t)
        assert b is not None, t
        got = (b.round, b.position, b.breath, b.phase, b.phase_fraction, b.window_elapsed_s)
        assert (*got, b.window_s) == pytest.approx(expected), t
    assert pacer.at(32.0) is None and pacer.at(100.0) is None
    assert pacer.at(-1.0) == pacer.at(0.0)


def test_each_window_lasts_its_breaths_and_windows_come_in_order() -> None:
    pacer = FlowPacer(FLOW)
    step = 0.01
    durations: dict[tuple[int, int], float] = {}
    for i in range(int(32.0 / step)):
        beat = pacer.at(i * step)
        assert beat is not None
        durations[beat.window] = durations.get(beat.window, 0.0) + step
    assert list(durations) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    for (_, pos), seconds in durations.items():
        assert seconds == pytest.approx(FLOW.poses[pos].breaths * 4.0, abs=0.02)


def test_a_pacer_refuses_an_empty_or_zero_flow() -> None:
    with pytest.raises(ValueError):
        FlowPacer(Flow("x", (), 1))
    with pytest.raises(ValueError):
        FlowPacer(Flow("x", (FlowPose("a", None, 1),), 0))
    with pytest.raises(ValueError):
        FlowPacer(Flow("x", (FlowPose("a", None, 0),), 1))


def test_cues_name_each_pose_then_every_inhale_and_exhale_and_each_round() -> None:
    _run, cues = play(from_second(0.5))
    kinds = [c.kind for c in cues]
    assert kinds.count(INHALE) == kinds.count(EXHALE) == 2 * 4  # 4 breaths a round
    assert kinds.count(POSE_CUE) == 6 and kinds.count(ROUND_CUE) == 2
    assert cues[:3] == [Cue(POSE_CUE, "warrior two"), Cue(INHALE, INHALE), Cue(EXHALE, EXHALE)]
    phrases = [c.phrase for c in cues if c.kind in (POSE_CUE, ROUND_CUE)]
    assert phrases == [
        "warrior two", "bee", "child's pose", "round 1 of 2 counted",
        "warrior two", "bee", "child's pose", "round 2 of 2 counted",
    ]  # fmt: skip
    rounds = [c for c in cues if c.kind == ROUND_CUE]
    assert [c.counted for c in rounds] == [True, True]
    # Every pose cue is followed by its first inhale.
    for i, c in enumerate(cues):
        if c.kind == POSE_CUE:
            assert cues[i + 1].kind == INHALE


def test_spoken_names() -> None:
    assert spoken_name("Warrior II") == "warrior two"
    assert spoken_name("Warrior I (left)") == "warrior one"
    assert spoken_name("Downward Dog") == "downward dog"


# -- round counting -----------------------------------------------------------------------


def test_every_pose_reached_in_its_window_counts_every_round() -> None:
    run, _ = play(from_second(1.0))
    record = run.record()
    assert record.round_marks == (True, True) and record.rounds_counted == 2
    assert len(record.windows) == 6 and all(w.reached and w.ended for w in record.windows)
    # Reached after the pose had been PERFECT for reach_s (1 s) without a break.
    for w in record.windows:
        assert w.reached_after_s == pytest.approx(2.0, abs=0.05)


def test_a_pose_reached_only_briefly_while_getting_into_position_does_not_count() -> None:
    def brief(r: int, p: int, s: float) -> tuple[float, bool]:
        if p == 1 and r == 0:  # passes through B for 0.6 s, then falls out of it
            return (92.0, True) if 0.5 <= s < 1.1 else (55.0, False)
        return (95.0, True) if s >= 0.5 else (40.0, False)

    run, cues = play(brief)
    record = run.record()
    window = record.window(0, 1)
    assert window is not None and not window.reached and window.ended
    assert record.round_marks == (False, True)
    assert [c.counted for c in cues if c.kind == ROUND_CUE] == [False, True]
    assert next(c.phrase for c in cues if c.kind == ROUND_CUE) == "round 1 of 2 not counted"
    # Without the dwell the same pass would have counted: the hysteresis is what stops it.
    eager, _ = play(brief, FlowConfig(reach_s=0.0))
    assert eager.record().round_marks == (True, True)


def test_flickering_in_and_out_of_the_pose_never_counts() -> None:
    def flicker(r: int, p: int, s: float) -> tuple[float, bool]:
        perfect = int(s / 0.5) % 2 == 0  # 0.5 s in, 0.5 s out, all window long
        return (90.0 if perfect else 70.0), perfect

    run, _ = play(flicker)
    assert not any(w.reached for w in run.record().windows)
    assert run.record().rounds_counted == 0


def test_a_missed_pose_means_its_round_does_not_count() -> None:
    def misses_c_in_round_2(r: int, p: int, s: float) -> tuple[float | None, bool]:
        if r == 1 and p == 2:
            return (None, False) if s < 2.0 else (60.0, False)  # out of view, then off
        return (95.0, True) if s >= 0.5 else (40.0, False)

    run, _ = play(misses_c_in_round_2)
    record = run.record()
    assert record.round_marks == (True, False) and record.rounds_counted == 1
    missed = record.window(1, 2)
    assert missed is not None and not missed.reached and missed.arrival_score is None
    assert missed.hold_score == 60.0


def test_the_dwell_starts_again_in_each_window() -> None:
    """PERFECT carried over the boundary from the previous pose gives no head start."""
    run = FlowRun(FLOW, SPECS)
    run.advance(0.0)
    t = 0.0
    reached_at: list[tuple[tuple[int, int], float]] = []
    while t < 6.0:
        beat = run.beat
        assert beat is not None
        if run.observe(95.0, True, DT):
            reached_at.append((beat.window, round(beat.window_elapsed_s, 2)))
        run.advance(DT)
        t += DT
    assert [w for w, _ in reached_at] == [(0, 0), (0, 1)]
    assert reached_at[1][1] == pytest.approx(1.0, abs=0.05)


def test_the_dwell_is_capped_for_short_windows() -> None:
    short = Flow("s", (FlowPose("a", None, 1),), rounds=1, breath_s=2.0)
    run = FlowRun(short, SPECS[:1], FlowConfig(reach_s=1.0, reach_fraction=0.3))
    run.advance(0.0)
    n = 0
    while not run.observe(95.0, True, DT):
        run.advance(DT)
        n += 1
    assert n * DT == pytest.approx(0.6, abs=DT)  # 30% of a 2 s window, not 1 s


def test_arrival_is_the_best_of_the_first_inhale_and_hold_the_mean_after() -> None:
    def arrive_late(r: int, p: int, s: float) -> tuple[float, bool]:
        if s < 1.0:
            return 30.0, False
        if s < 2.0:  # still in the first inhale (2 s)
            return 70.0, False
        return 90.0, True

    run, _ = play(arrive_late)
    for w in run.record().windows:
        assert w.arrival_score == 70.0 and w.hold_score == 90.0


def test_state_shows_the_pose_now_and_next_the_breath_and_the_rounds() -> None:
    run = FlowRun(FLOW, SPECS)
    run.advance(0.0)
    for _ in range(int(5.0 * FPS)):  # 5 s: in B's window, second second of its first breath
        run.observe(95.0, True, DT)
        run.advance(DT)
    st = run.state()
    assert (st.round, st.rounds, st.position, st.n_poses) == (1, 2, 1, 3)
    assert (st.pose, st.next_pose) == ("Bee (left)", "Child's Pose")
    assert (st.breath, st.breaths, st.phase) == (1, 2, INHALE)
    assert st.phase_fraction == pytest.approx(0.5, abs=0.02)
    assert st.window_left_s == pytest.approx(7.0, abs=0.05)
    assert st.round_marks == (None, None) and not st.finished
    for _ in range(int(12.0 * FPS)):  # into round 2, A's window
        run.observe(95.0, True, DT)
        run.advance(DT)
    st = run.state()
    assert (st.round, st.pose, st.next_pose) == (2, "Warrior II", "Bee (left)")
    assert st.round_marks == (True, None) and st.rounds_counted == 1
    while not run.finished:
        run.observe(95.0, True, DT)
        run.advance(DT)
    st = run.state()
    assert st.finished and st.next_pose is None and st.round_marks == (True, True)


def test_a_flow_left_half_way_keeps_what_was_done() -> None:
    run = FlowRun(FLOW, SPECS)
    run.advance(0.0)
    for _ in range(int(10.0 * FPS)):  # A reached, B reached, then left during B
        run.observe(95.0, True, DT)
        run.advance(DT)
    record = run.record()
    assert [(w.position, w.reached, w.ended) for w in record.windows] == [
        (0, True, True),
        (1, True, False),
    ]
    assert record.round_marks == (None, None)  # not decided: C was never due
    assert FlowRecord.from_json(record.to_json()) == record
    assert record.to_json()["rounds_counted"] == 0
