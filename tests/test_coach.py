"""FrameScorer and its parts on synthetic pose streams (no photos, no MediaPipe)."""

from __future__ import annotations

import numpy as np
import pytest

from tui_trainer.core.body.landmarks import INDEX
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.coaching.coach import (
    CUT_LEFT,
    FEET_OUT,
    FIGHTING,
    NO_ONE,
    PERFECT,
    CoachConfig,
    FrameScorer,
    VerdictTracker,
    angle_readouts,
    framing_message,
)
from tui_trainer.core.comparison.scoring import PERFECT_SCORE
from tui_trainer.core.demo.synth import (
    bend_world,
    pose_from_world,
    spec_from_world,
    standing_world,
)

FPS = 30.0


def lunge_world() -> np.ndarray:
    """An asymmetric pose: left knee bent, left arm raised."""
    w = bend_world(standing_world(), "left_knee", -70.0)
    return bend_world(w, "left_shoulder", 100.0)


def lunge_spec(symmetric: bool = False):  # type: ignore[no-untyped-def]
    return spec_from_world(
        "lunge",
        lunge_world(),
        {"left_knee": 1.0, "left_shoulder": 0.6, "right_knee": 0.5, "trunk_lean": 0.3},
        symmetric=symmetric,
    )


def stream(world: np.ndarray, seconds: float, t0: float = 0.0, seed: int = 0, noise: float = 0.002):
    """(t, pose) at 30 fps with a little landmark jitter."""
    rng = np.random.default_rng(seed)
    for i in range(int(seconds * FPS)):
        jitter = rng.normal(0.0, noise, world.shape)
        yield t0 + i / FPS, pose_from_world(world + jitter)


def run(scorer: FrameScorer, frames) -> list:  # type: ignore[no-untyped-def]
    return [scorer.update(p, t) for t, p in frames]


def test_holding_the_target_turns_perfect_once_after_the_entry_delay() -> None:
    spec = lunge_spec()
    results = run(FrameScorer(spec), stream(lunge_world(), 2.0))
    entered = [r.t for r in results if r.perfect_entered]
    assert len(entered) == 1
    assert 0.3 <= entered[0] <= 0.5  # score is high from the start; enter_s = 0.3
    assert results[-1].verdict == PERFECT
    assert results[-1].hint is None and results[-1].framing is None
    assert results[-1].score is not None and results[-1].score > 90


def test_a_bent_knee_gets_the_pose_own_words_and_no_perfect() -> None:
    spec = lunge_spec()
    wrong = bend_world(lunge_world(), "left_knee", 35.0)  # knee too open
    results = run(FrameScorer(spec), stream(wrong, 1.5))
    last = results[-1]
    assert last.verdict == FIGHTING
    assert last.hint == "bend the left knee" and last.hint_angle == "left_knee"
    assert sum(r.new_correction is not None for r in results) == 1  # counted once


def test_the_heavier_weighted_error_is_corrected_first() -> None:
    spec = lunge_spec()
    # Both 30 degrees off, the knee weighs 1.0 and the shoulder 0.6.
    wrong = bend_world(bend_world(lunge_world(), "left_knee", 30.0), "left_shoulder", -30.0)
    last = run(FrameScorer(spec), stream(wrong, 1.0))[-1]
    assert last.hint_angle == "left_knee"


def test_a_correction_is_held_before_the_next_one_replaces_it() -> None:
    spec = lunge_spec()
    cfg = CoachConfig(hint_hold_s=2.5)
    scorer = FrameScorer(spec, config=cfg)
    knee_off = bend_world(bend_world(lunge_world(), "left_knee", 40.0), "left_shoulder", -25.0)
    first = run(scorer, stream(knee_off, 1.0))
    assert first[-1].hint_angle == "left_knee"
    # Now the shoulder is the worst one (knee slightly off, still out of tolerance).
    shoulder_off = bend_world(bend_world(lunge_world(), "left_knee", 16.0), "left_shoulder", -45.0)
    later = run(scorer, stream(shoulder_off, 3.0, t0=1.0, seed=1))
    switch = next(r.t for r in later if r.hint_angle == "left_shoulder")
    assert switch >= 2.5  # the knee hint, first given near t=0, stays at least 2.5 s


def test_a_fixed_correction_gives_way_quickly() -> None:
    spec = lunge_spec()
    scorer = FrameScorer(spec, config=CoachConfig(hint_hold_s=2.5, hint_fixed_s=0.8))
    run(scorer, stream(bend_world(lunge_world(), "left_knee", 40.0), 1.0))
    # Knee fixed, shoulder now off: the new hint comes before the 2.5 s hold is over.
    later = run(scorer, stream(bend_world(lunge_world(), "left_shoulder", -45.0), 2.0, t0=1.0))
    switch = next(r.t for r in later if r.hint_angle == "left_shoulder")
    assert switch < 2.2


def test_verdict_hysteresis_does_not_flicker() -> None:
    tracker = VerdictTracker(enter=80.0, exit=72.0, enter_s=0.3)
    t = 0.0
    for _ in range(20):  # a noisy score between exit and enter: stays FIGHTING
        assert not tracker.update(78.0, t)
        t += 0.05
    assert tracker.verdict == FIGHTING
    # Above enter for less than enter_s then a dip: still FIGHTING.
    tracker.update(85.0, t)
    tracker.update(85.0, t + 0.2)
    tracker.update(79.0, t + 0.25)
    assert tracker.verdict == FIGHTING
    entries = [tracker.update(s, t + 1 + i * 0.05) for i, s in enumerate([85.0] * 10)]
    assert entries.count(True) == 1 and tracker.verdict == PERFECT
    # Dips between exit and enter keep PERFECT; below exit leaves it.
    for s in (79.0, 74.0, 81.0, 73.0):
        assert not tracker.update(s, t + 2)
        assert tracker.verdict == PERFECT
    tracker.update(70.0, t + 2.1)
    assert tracker.verdict == FIGHTING


def test_config_rejects_exit_above_enter() -> None:
    with pytest.raises(ValueError, match="exit_score"):
        CoachConfig(enter_score=70.0, exit_score=75.0)


def test_framing_messages() -> None:
    world = standing_world()
    assert framing_message(None) == NO_ONE
    assert framing_message(pose_from_world(world)) is None
    vis = np.full(33, 0.98)
    for n in ("left_ankle", "right_ankle", "left_heel", "right_heel"):
        vis[INDEX[n]] = 0.1
    assert framing_message(pose_from_world(world, vis)) == FEET_OUT
    shifted = pose_from_world(world)
    img = shifted.image.copy()
    img[:, 0] -= 0.45  # walked off to the left of the picture
    moved = Pose.from_arrays(img, shifted.world, shifted.visibility, shifted.image_size)
    assert framing_message(moved) == CUT_LEFT


def test_framing_comes_before_corrections_and_nobody_resets_the_verdict() -> None:
    spec = lunge_spec()
    scorer = FrameScorer(spec)
    run(scorer, stream(lunge_world(), 1.0))
    assert scorer.verdict == PERFECT
    gone = scorer.update(None, 1.1)
    assert gone.framing == NO_ONE and gone.verdict == FIGHTING and gone.score is None
    vis = np.full(33, 0.98)
    for n in ("left_ankle", "right_ankle", "left_heel", "right_heel"):
        vis[INDEX[n]] = 0.05
    wrong = bend_world(lunge_world(), "left_knee", 40.0)
    res = [scorer.update(pose_from_world(wrong, vis), 3.0 + i / FPS) for i in range(30)]
    assert res[-1].framing == FEET_OUT and res[-1].message == FEET_OUT and res[-1].hint is None


def test_other_side_is_accepted_unless_the_step_asks_for_a_side() -> None:
    spec = lunge_spec()
    mirrored = pose_from_world(lunge_world()).mirrored().world
    free = run(FrameScorer(spec), stream(mirrored, 1.0))
    assert free[-1].comparison is not None and free[-1].comparison.mirrored
    assert free[-1].verdict == PERFECT
    strict = run(FrameScorer(spec, required_side="left"), stream(mirrored, 1.0))
    assert all(r.verdict == FIGHTING for r in strict)
    assert strict[-1].wrong_side and strict[-1].hint is not None
    assert "left side" in strict[-1].hint
    # The score is the required side's: clearly below the mirror match's PERFECT score.
    assert strict[-1].score is not None and free[-1].score is not None
    assert strict[-1].score < PERFECT_SCORE < free[-1].score


def test_mirrored_corrections_name_the_trainee_side() -> None:
    spec = lunge_spec()
    # Other side, with the (now right) front knee too open.
    world = pose_from_world(lunge_world()).mirrored().world
    world = bend_world(world, "right_knee", 35.0)
    last = run(FrameScorer(spec), stream(world, 1.0))[-1]
    assert last.hint_angle == "right_knee"
    readouts = {r.name: r for r in angle_readouts(spec, last.comparison)}
    assert readouts["right_knee"].status in ("near", "out")
    assert readouts["right_knee"].error > 20


def test_no_correction_flashes_up_while_a_good_pose_is_on_its_way_to_perfect() -> None:
    # The left shoulder 20 degrees off (tolerance 12, far from 24): off, but the score says
    # the pose is right. During the entry delay the coach says nothing, then PERFECT.
    spec = lunge_spec()
    results = run(FrameScorer(spec), stream(bend_world(lunge_world(), "left_shoulder", 20.0), 1.0))
    entering = [r for r in results if r.verdict != PERFECT]
    assert entering and all(r.score is not None and r.score >= PERFECT_SCORE for r in entering)
    assert all(r.hint is None and r.new_correction is None for r in results)
    assert results[-1].verdict == PERFECT
    # Far off (25 degrees): never PERFECT, and corrected from the first frame.
    far = run(FrameScorer(spec), stream(bend_world(lunge_world(), "left_shoulder", 25.0), 1.0))
    assert all(r.verdict != PERFECT and r.hint_angle == "left_shoulder" for r in far)


def test_the_joint_a_correction_names_always_has_a_bar() -> None:
    spec = lunge_spec()
    world = bend_world(pose_from_world(lunge_world()).mirrored().world, "right_knee", 35.0)
    last = run(FrameScorer(spec), stream(world, 1.0))[-1]
    assert last.hint_angle == "right_knee"
    # Bars for two other joints (the match is mirrored: they show as the trainee's right
    # shoulder and trunk): the corrected knee takes the lighter one's place.
    shown = ["left_shoulder", "trunk_lean"]
    readouts = angle_readouts(spec, last.comparison, names=shown, corrected=last.hint_angle)
    assert [r.name for r in readouts] == ["right_shoulder", "right_knee"]
    assert readouts[-1].status in ("near", "out")
    # Already shown: the bars stay as they are; no correction: nothing is added.
    same = angle_readouts(spec, last.comparison, corrected="right_elbow")
    assert [r.name for r in same] == [r.name for r in angle_readouts(spec, last.comparison)]


def test_warrior_two_shows_its_bent_front_knee() -> None:
    from tui_trainer.core.library import PoseLibrary

    spec = PoseLibrary.load().get("warrior2")  # built on the left side: the front knee is left
    names = [r.name for r in angle_readouts(spec, None)]
    assert "left_knee" in names and len(names) == 10


def test_readouts_follow_the_important_angles_and_status() -> None:
    spec = lunge_spec()
    last = run(FrameScorer(spec), stream(lunge_world(), 0.5))[-1]
    readouts = angle_readouts(spec, last.comparison)
    assert [r.name for r in readouts] == spec.important_angles()
    assert all(r.status == "in" for r in readouts)
    assert [r.status for r in angle_readouts(spec, None)] == ["unknown"] * len(readouts)


def test_a_mirrored_match_swaps_the_side_words_of_the_phrases() -> None:
    from dataclasses import replace

    from tui_trainer.core.coaching.coach import swap_sides

    assert (
        swap_sides("Bring your right arm down, Left foot") == "Bring your left arm down, Right foot"
    )
    assert swap_sides("Bend your front knee; brighten") == "Bend your front knee; brighten"
    # 90 degrees is no side: goddess said "Bend your elbows to a left angle" when mirrored.
    assert (
        swap_sides("Bend your right elbow to a right angle")
        == "Bend your left elbow to a right angle"
    )
    spec = lunge_spec()
    spec = replace(
        spec,
        angles={
            **spec.angles,
            "left_knee": replace(spec.angles["left_knee"], decrease="Bend your left knee more"),
        },
    )
    world = bend_world(pose_from_world(lunge_world()).mirrored().world, "right_knee", 35.0)
    last = run(FrameScorer(spec), stream(world, 1.0))[-1]
    assert last.comparison is not None and last.comparison.mirrored
    assert last.hint_angle == "right_knee" and last.hint == "Bend your right knee more"
