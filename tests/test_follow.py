"""Follow the teacher, core and CLI: FollowTracker, the teacher clock and --wait, cues, the
report, compare-motion --online on synthetic flows with known warps, the demo trainee."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from flow_tracks import flow_track, warp_track

from tui_trainer.cli import main
from tui_trainer.core.demo.follow_trainee import PAUSE_S, START_S, FollowDemoTrainee
from tui_trainer.core.demo.synth import bend_world, pose_from_world
from tui_trainer.core.motion.compare import LandmarkTrack
from tui_trainer.core.motion.follow import WAIT_S, FollowTracker, TeacherClock
from tui_trainer.core.motion.follow_cues import Announcer, cue_phrase, lag_phrase, spoken_lag
from tui_trainer.core.motion.follow_timeline import online_timeline, timeline_errors
from tui_trainer.core.motion.teacher import TeacherMotion, mirrored_track, pose_marks
from tui_trainer.io.recording import LandmarkRecorder, RecordingSource, save_recording


@pytest.fixture(scope="module")
def flow() -> LandmarkTrack:
    return flow_track()


@pytest.fixture(scope="module")
def teacher(flow: LandmarkTrack) -> TeacherMotion:
    return TeacherMotion.from_track(flow, "flow")


def check_timeline(timeline: list[dict[str, float]], truth: np.ndarray) -> tuple[float, float]:
    err = timeline_errors(timeline, truth)
    med, p90 = float(np.median(err)), float(np.percentile(err, 90))
    assert med <= 0.4 and p90 <= 1.0, (med, p90)
    return med, p90


# --- the online timeline on known warps ---------------------------------------------------------


@pytest.mark.parametrize(
    "warp",
    [
        {"speed": 0.75},
        {"speed": 0.75, "mirror": True},
        {"speed": 0.75, "pause_at": 0.5},
        {"speed": 0.75, "noise_deg": 4.0},
        {"speed": 1.4},
    ],
    ids=["slow", "mirrored", "pause", "noisy", "fast"],
)
def test_online_timeline_recovers_a_known_warp(
    teacher: TeacherMotion, flow: LandmarkTrack, warp: dict[str, object]
) -> None:
    trainee, truth = warp_track(flow, **warp)  # type: ignore[arg-type]
    timeline = online_timeline(teacher, trainee)
    assert len(timeline) == len(trainee)
    assert [e["t"] for e in timeline] == [round(float(t), 3) for t in trainee.timestamps]
    check_timeline(timeline, truth)


def test_the_timeline_never_looks_ahead(teacher: TeacherMotion, flow: LandmarkTrack) -> None:
    """The position at a frame is the same whether or not the rest of the clip follows."""
    trainee, _ = warp_track(flow, 0.75)
    full = online_timeline(teacher, trainee)
    k = len(trainee) // 2
    cut = LandmarkTrack(
        trainee.timestamps[:k],
        trainee.image[:k],
        trainee.world[:k],
        trainee.visibility[:k],
        trainee.present[:k],
        trainee.fps,
    )
    assert online_timeline(teacher, cut) == full[:k]


def test_compare_motion_online_json(
    flow: LandmarkTrack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expert = save_recording(tmp_path / "teacher.npz", flow)
    slow, truth = warp_track(flow, 0.75)
    trainee = save_recording(tmp_path / "slow.npz", slow)
    assert main(["compare-motion", str(expert), str(trainee), "--online", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tempo_ratio"] == pytest.approx(1 / 0.75, abs=0.05)
    assert len(out["timeline"]) == len(slow)
    assert set(out["timeline"][0]) == {"t", "teacher_t"}
    check_timeline(out["timeline"], truth)
    # Without --online: no timeline; as text: a line about the online alignment.
    assert main(["compare-motion", str(expert), str(trainee), "--json"]) == 0
    assert "timeline" not in json.loads(capsys.readouterr().out)
    assert main(["compare-motion", str(expert), str(trainee), "--online"]) == 0
    assert "online alignment: " in capsys.readouterr().out


# --- the tracker --------------------------------------------------------------------------------


def feed(tracker: FollowTracker, track: LandmarkTrack, edit: object = None) -> list[object]:
    states = []
    for t, pose in track.frames():
        if callable(edit) and pose is not None:
            pose = edit(t, pose)
        states.append(tracker.update(t, pose))
    return states


def test_tracker_reports_lag_score_and_the_joint_that_is_off(
    teacher: TeacherMotion, flow: LandmarkTrack
) -> None:
    slow, _ = warp_track(flow, 0.75)

    def elbow_off(t: float, pose: object) -> object:
        if 6.0 <= t < 9.0:
            return pose_from_world(bend_world(np.asarray(pose.world), "right_elbow", -45.0))  # type: ignore[attr-defined]
        return pose

    tracker = FollowTracker(teacher)
    states = feed(tracker, slow, elbow_off)
    by_t = {round(s.t, 2): s for s in states}  # type: ignore[attr-defined]
    s = by_t[8.5]
    assert s.cue_angle == "right_elbow"
    assert s.cue.startswith("straighten your right arm")  # bent 45° more than the teacher
    assert [r.name for r in s.readouts] == list(teacher.shown)
    assert s.lag_s > 1.0 and "behind" in s.lag_text  # 0.75x: the teacher gets ahead
    assert s.clock_t == pytest.approx(8.5 + teacher.start_s, abs=0.05)
    clean = by_t[4.0]
    assert clean.cue is None and clean.score is not None and clean.score > 95
    assert s.score is not None and s.score < clean.score
    assert states[-1].finished  # type: ignore[attr-defined]
    report = tracker.finish()
    assert report.completed
    assert report.comparison is not None
    assert report.comparison.tempo_ratio == pytest.approx(1 / 0.75, abs=0.08)
    assert report.comparison.worst.angle == "right_elbow"
    assert report.corrections == {"straighten your right arm": 1}
    rec = report.step_record("follow:flow", "Follow flow")
    assert rec.completed and rec.pose_id == "follow:flow"
    assert rec.hold_target_s == pytest.approx(teacher.duration_s, abs=0.01)
    assert rec.mean_score == pytest.approx(report.comparison.score, abs=0.01)
    assert rec.top_correction == "straighten your right arm"


def test_nobody_in_view_holds_the_teacher_back_until_they_appear(teacher: TeacherMotion) -> None:
    tracker = FollowTracker(teacher)
    first = tracker.update(0.0, None)
    assert not first.started and first.lag_s == 0.0
    tracker.update(2.0, None)
    s = tracker.update(2.1, teacher.pose_at(teacher.start_s))
    assert s.started and s.clock_t == pytest.approx(teacher.start_s)  # the clock starts now
    gone = tracker.update(2.5, None)
    assert gone.started and not gone.person and gone.teacher_t == s.teacher_t
    assert gone.lag_s == pytest.approx(0.4, abs=1e-6)


def test_an_early_end_compares_only_what_was_followed(
    teacher: TeacherMotion, flow: LandmarkTrack
) -> None:
    slow, _ = warp_track(flow, 0.75)
    tracker = FollowTracker(teacher)
    for t, pose in slow.frames()[: len(slow) // 2]:
        tracker.update(t, pose)
    report = tracker.finish()
    assert not report.completed
    assert report.reached_s < 0.7 * report.teacher_s
    assert report.comparison is not None and report.comparison.score > 90
    assert FollowTracker(teacher).finish().comparison is None  # nothing followed


def test_teacher_clock_waits_when_the_trainee_falls_behind() -> None:
    clock = TeacherClock(0.0, 20.0, wait=True)
    for k in range(70):  # the trainee does not move from the teacher's start
        clock.advance(k / 30, 0.0)
    assert clock.waiting and clock.time == pytest.approx(WAIT_S, abs=0.05)
    clock.advance(2.5, 0.0)
    assert clock.time == pytest.approx(WAIT_S, abs=0.05)  # it stays put
    clock.advance(2.6, clock.time - 0.3)  # caught up to within 0.5 s
    assert not clock.waiting
    clock.advance(3.6, 10.0)
    assert clock.time == pytest.approx(WAIT_S + 1.0, abs=0.1)
    free = TeacherClock(0.0, 2.0, wait=False)
    for k in range(100):
        free.advance(k / 30, 0.0)
    assert not free.waiting and free.time == 2.0 and free.ended_at == pytest.approx(2.0, 0.02)


def test_wait_mode_in_the_tracker_with_the_demo_trainee(teacher: TeacherMotion) -> None:
    demo = FollowDemoTrainee(teacher.track, seed=3, moving=list(teacher.shown))
    waits = FollowTracker(teacher, wait=True)
    free = FollowTracker(teacher, wait=False)
    lag_wait, lag_free, waited, errors = [], [], False, []
    for k in range(25 * 30):
        s = k / 30
        pose = demo.pose_at(s)
        a, b = waits.update(s, pose), free.update(s, pose)
        waited |= a.waiting
        lag_wait.append(a.lag_s)
        lag_free.append(b.lag_s)
        errors.append(abs(a.teacher_t - demo.teacher_time(s)))
    # The tracker follows the demo's own pace. Standing still in a held pose is ambiguous by
    # nature (any moment of the hold fits): there it advances at the teacher's pace, up to ~1 s.
    assert np.median(errors) < 0.15 and max(errors) < 1.2
    assert waited
    assert max(lag_free) > START_S + PAUSE_S * 0.8  # it fell well behind
    assert max(lag_wait) < WAIT_S + 0.5  # the teacher waited (the position may be corrected back)
    assert waits.finish().completed


def test_mirror_teacher_track_and_auto_mirror(teacher: TeacherMotion, flow: LandmarkTrack) -> None:
    mirrored = TeacherMotion.from_track(mirrored_track(flow), "m")
    slow, truth = warp_track(flow, 0.75)
    # --mirror-teacher: the trainee does the teacher's mirror image; auto-detection off.
    check_timeline(
        online_timeline(mirrored, warp_track(flow, 0.75, mirror=True)[0], mirror=False), truth
    )
    tracker = FollowTracker(teacher)
    states = feed(tracker, warp_track(flow, 0.75, mirror=True)[0])
    assert states[-1].mirrored  # type: ignore[attr-defined]
    assert not feed(FollowTracker(teacher), slow)[-1].mirrored  # type: ignore[attr-defined]


# --- words --------------------------------------------------------------------------------------


def test_cue_and_lag_phrases() -> None:
    assert cue_phrase("left_knee", 20.0) == "bend your left knee more (20°)"
    assert cue_phrase("right_shoulder", -31.0) == "raise your right arm (31°)"
    assert cue_phrase("trunk_lean", 18.0) == "bring your chest up (18°)"
    assert lag_phrase(1.24) == "1.2 s behind"
    assert lag_phrase(-0.8) == "0.8 s ahead"
    assert lag_phrase(0.1) == "with the teacher"
    assert spoken_lag(2.4) == "You are 2 seconds behind."
    assert spoken_lag(-1.0) == "You are 1 second ahead."


def test_announcer_says_a_settled_cue_the_lag_and_good() -> None:
    ann = Announcer()
    said = []
    for k in range(300):  # 10 s: a cue from 1 s on, 2.5 s behind from 5 s on, good at the end
        t = k / 30
        cue = ("left_knee", "bend your left knee more (20°)") if 1 <= t < 4 else (None, None)
        lag = 2.5 if t >= 5 else 0.0
        score = 90.0 if t >= 9 else 60.0
        p = ann.update(t, cue[0], cue[1], lag, score)
        if p is not None:
            said.append((round(t, 1), p.kind, p.text))
    kinds = [k for _, k, _ in said]
    assert kinds == ["cue", "lag", "good"], said
    assert said[0][2] == "Bend your left knee more." and 2.0 <= said[0][0] < 2.2
    assert said[1][2] == "You are 2 seconds behind."


# --- teacher files ------------------------------------------------------------------------------


def test_pose_names_from_a_recording(tmp_path: Path) -> None:
    """--record notes each pose as it starts; follow reads them back."""
    from tui_trainer.core.library import PoseLibrary
    from tui_trainer.io.sources import DemoSource

    lib = PoseLibrary.load()
    clock = iter(np.arange(0, 100, 1 / 30))
    now = {"t": 0.0}

    def tick() -> float:
        now["t"] = float(next(clock))
        return now["t"]

    source = RecordingSource(
        DemoSource(seed=1, clock=lambda: now["t"], sleep=lambda s: tick() and None),
        LandmarkRecorder(tmp_path / "rec.npz"),
    )
    recorder = source._recorder
    for spec, frames in ((lib.get("mountain"), 45), (lib.get("tree").for_side("right"), 45)):
        for _ in range(frames):
            source.set_target(spec)
            tick()
            source.read()
    recorder.close()
    from tui_trainer.io.recording import load_recording

    track = load_recording(tmp_path / "rec.npz")
    marks = pose_marks(track)
    assert [m.name for m in marks] == ["Mountain", "Tree (right)"]
    assert marks[0].start_s == 0.0 and marks[1].start_s == pytest.approx(1.5, abs=0.1)
    teacher = TeacherMotion.from_track(track)
    assert teacher.pose_name_at(0.5) == "Mountain" and teacher.pose_name_at(2.0) == "Tree (right)"


def test_broken_pose_list_is_a_clear_error(flow: LandmarkTrack) -> None:
    from tui_trainer.core.errors import InputFileError

    bad = LandmarkTrack(
        flow.timestamps, flow.image, flow.world, flow.visibility, flow.present, flow.fps,
        source="x.npz", meta={"poses": [{"t": "soon", "name": "Tree"}]},
    )  # fmt: skip
    with pytest.raises(InputFileError, match=r"x.npz: meta poses\[0\].t"):
        TeacherMotion.from_track(bad)


def test_demo_trainee_follows_the_teacher_at_its_own_pace(teacher: TeacherMotion) -> None:
    demo = FollowDemoTrainee(teacher.track, seed=0, moving=list(teacher.shown))
    assert demo.teacher_time(0.5) == teacher.start_s  # starts late
    t1 = demo.teacher_time(START_S + 2.0)
    assert t1 == pytest.approx(teacher.start_s + 0.85 * 2.0, abs=1e-6)
    pause = START_S + teacher.duration_s / 3 / 0.85
    assert demo.teacher_time(pause + 1.0) == demo.teacher_time(pause + PAUSE_S - 0.1)
    assert demo.teacher_time(1e6) == teacher.end_s
    assert demo.mistakes and all(m.angle in teacher.shown for m in demo.mistakes)
    m = demo.mistakes[0]
    pose = demo.pose_at(m.start_s + 1.5)
    ref = teacher.pose_at(demo.teacher_time(m.start_s + 1.5))
    assert ref is not None
    diff = pose.angles[m.angle] - ref.angles[m.angle]
    assert abs(diff) > 15
    again = FollowDemoTrainee(teacher.track, seed=0, moving=list(teacher.shown))
    assert again.mistakes == demo.mistakes  # deterministic for a seed
