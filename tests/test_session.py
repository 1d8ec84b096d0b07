"""The session state machine on synthetic pose streams: holds, rests, controls, stats, log."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from helpers import RecordingLog

from tui_trainer.core.coaching.coach import PERFECT
from tui_trainer.core.coaching.session import DONE, HOLD, REST, Session, SessionState, totals
from tui_trainer.core.demo.synth import (
    bend_world,
    pose_from_world,
    spec_from_world,
    standing_world,
)
from tui_trainer.core.history.records import StepRecord
from tui_trainer.core.library.routines import Routine, Step

FPS = 30.0
DT = 1.0 / FPS


def lunge_world() -> np.ndarray:
    return bend_world(bend_world(standing_world(), "left_knee", -70.0), "left_shoulder", 100.0)


POSES = {
    "stand": spec_from_world(
        "stand", bend_world(standing_world(), "left_shoulder", 60.0), {"left_shoulder": 1.0}
    ),
    "lunge": spec_from_world(
        "lunge", lunge_world(), {"left_knee": 1.0, "left_shoulder": 0.6}, symmetric=False
    ),
}
ROUTINE = Routine(
    id="short",
    name="Short",
    level="beginner",
    description="",
    steps=(
        Step("stand", None, hold_s=2.0, rest_s=1.0),
        Step("lunge", "left", hold_s=2.0, rest_s=1.0),
        Step("lunge", "right", hold_s=1.0, rest_s=0.0),
    ),
)


class Driver:
    """Feeds the session at 30 fps with a pose chosen from the session's current target."""

    def __init__(self, session: Session, seed: int = 0) -> None:
        self.session, self.t = session, 0.0
        self.rng = np.random.default_rng(seed)

    def run(
        self, seconds: float, world: Callable[[Session], np.ndarray | None] | None = None
    ) -> list[SessionState]:
        states = []
        for _ in range(round(seconds * FPS)):
            w = self.session.spec.template.world if world is None else world(self.session)
            pose = None if w is None else pose_from_world(w + self.rng.normal(0, 0.002, w.shape))
            states.append(self.session.update(pose, self.t))
            self.t += DT
        return states


def bad_knee(s: Session) -> np.ndarray:
    """The current pose with its most important angle 40 degrees too closed."""
    return bend_world(s.spec.template.world, s.spec.important_angles()[0], -40.0)


def test_a_perfect_trainee_completes_the_routine_by_itself() -> None:
    log = RecordingLog()
    session = Session(ROUTINE, POSES, log=log)
    session.start(1000.0)
    drv = Driver(session)
    states = drv.run(12.0)
    assert states[-1].phase == DONE
    changes = [
        (round(drv_t, 2), st.index)
        for drv_t, st in zip(np.arange(len(states)) * DT, states)
        if st.step_changed
    ]
    # Step 0: ~0.3 s to enter PERFECT + 2 s hold + 1 s rest; then step 1 likewise.
    assert [i for _, i in changes] == [1, 2]
    assert 3.2 <= changes[0][0] <= 3.6
    assert 6.5 <= changes[1][0] <= 7.2
    kinds = [k for k, _ in log.calls]
    assert kinds == ["start", "step", "step", "step", "finish"]
    assert log.calls[-1] == ("finish", False)
    records = [r for k, r in log.calls if k == "step"]
    assert [r.index for r in records] == [0, 1, 2]
    rows = session.summary()
    assert all(r.record.completed for r in rows)
    assert [r.record.held_s for r in rows] == [2.0, 2.0, 1.0]
    assert [r.record.side for r in rows] == [None, "left", "right"]
    assert all(r.record.best_score > 85 for r in rows)
    assert totals(rows).completed == 3


def test_hold_runs_only_while_perfect() -> None:
    session = Session(ROUTINE, POSES)
    drv = Driver(session)
    drv.run(1.0, bad_knee)
    assert session.state().held_s == 0.0
    drv.run(1.0)  # good for 1 s: ~0.7 s held (after the entry delay)
    held = session.state().held_s
    assert 0.5 <= held <= 0.8
    drv.run(1.0, bad_knee)  # bad again: the timer stops (after the smoothing filter's lag)
    assert held <= session.state().held_s <= held + 0.25
    assert session.state().result is not None
    assert session.state().result.verdict != PERFECT  # type: ignore[union-attr]
    assert session.state().result.hint  # type: ignore[union-attr]
    assert session.phase == HOLD


def test_chime_moment_once_per_perfect_entry_and_not_in_rest() -> None:
    session = Session(ROUTINE, POSES)
    drv = Driver(session)
    states = drv.run(1.0) + drv.run(1.0, bad_knee) + drv.run(3.0)
    entries = [i for i, st in enumerate(states) if st.perfect_entered and st.index == 0]
    assert len(entries) == 2  # first entry, then again after the knee went wrong
    assert all(states[i].phase == HOLD for i in entries)
    rest = [st for st in states if st.phase == REST]
    assert rest and not any(st.perfect_entered for st in rest)


def test_pause_freezes_hold_and_rest() -> None:
    session = Session(ROUTINE, POSES)
    drv = Driver(session)
    drv.run(1.0)
    held = session.state().held_s
    assert session.toggle_pause() is True
    paused = drv.run(2.0)
    assert session.state().held_s == held and paused[-1].paused
    assert paused[-1].result is not None  # still scored for display
    session.toggle_pause()
    drv.run(2.0)
    assert session.phase == REST
    rest_left = session.state().rest_left_s
    session.pause("the camera stopped")
    assert session.state().pause_reason == "the camera stopped"
    drv.run(2.0)
    assert session.state().rest_left_s == rest_left and session.index == 0
    session.resume()
    drv.run(1.5)
    assert session.index == 1


def test_next_previous_restart_and_the_log() -> None:
    log = RecordingLog()
    session = Session(ROUTINE, POSES, log=log)
    drv = Driver(session)
    assert session.previous() is False
    drv.run(1.0, bad_knee)
    assert session.next() is True and session.index == 1
    assert [k for k, _ in log.calls] == ["step"]  # step 0 left: written
    assert session.next() is True and session.index == 2
    assert session.next() is False  # last step
    assert [k for k, _ in log.calls] == ["step"]  # step 1 was never scored: nothing to write
    assert session.previous() is True and session.index == 1
    drv.run(1.5)
    assert session.state().held_s > 0.5
    session.restart_step()
    assert session.state().held_s == 0.0 and session.state().result is None
    rows = session.finish(interrupted=True)
    assert log.calls[-1] == ("finish", True)
    assert len(rows) == 3 and not any(r.record.completed for r in rows)
    assert rows[0].scored_frames == 30 and rows[2].scored_frames == 0
    assert session.finish(interrupted=True) == rows  # idempotent
    assert [k for k, _ in log.calls].count("finish") == 1


def test_step_stats_best_mean_and_corrections() -> None:
    session = Session(ROUTINE, POSES)
    drv = Driver(session)
    drv.run(1.0, bad_knee)
    assert session.summary()[0].record.corrections == {}  # still settling into the pose
    drv.run(2.0, bad_knee)
    rows = session.summary()
    rec = rows[0].record
    assert 0 < rec.mean_score <= rec.best_score
    assert rec.held_s == 0.0 and not rec.completed
    assert rec.corrections and rec.top_correction is not None
    assert sum(rec.corrections.values()) == 1  # one correction, held: counted once


def test_corrections_while_moving_into_the_pose_are_not_counted() -> None:
    session = Session(ROUTINE, POSES)
    drv = Driver(session)
    states = drv.run(1.0, bad_knee)
    assert states[-1].result is not None and states[-1].result.hint  # shown...
    drv.run(3.0)  # ...but fixed within the settling time
    assert session.summary()[0].record.corrections == {}


def test_frame_gaps_are_not_credited_as_hold_time() -> None:
    session = Session(ROUTINE, POSES)
    drv = Driver(session)
    drv.run(0.5)
    before = session.state().held_s
    drv.t += 5.0  # the source stalled for 5 s
    drv.run(DT)
    assert session.state().held_s - before <= 0.26


def test_nobody_in_view_stops_the_hold() -> None:
    session = Session(ROUTINE, POSES)
    drv = Driver(session)
    drv.run(1.0)
    held = session.state().held_s
    states = drv.run(1.0, lambda s: None)
    assert states[-1].result is not None and states[-1].result.framing
    assert session.state().held_s == pytest.approx(held, abs=DT)


def test_unknown_pose_and_a_failing_log() -> None:
    bad = Routine("x", "X", "beginner", "", (Step("nope", None, 1.0, 0.0),))
    with pytest.raises(ValueError, match="nope"):
        Session(bad, POSES)

    class Broken(RecordingLog):
        def step(self, record: StepRecord) -> None:
            raise OSError("disk full")

    session = Session(ROUTINE, POSES, log=Broken())
    drv = Driver(session)
    drv.run(4.0)
    assert session.index == 1  # the session went on
    assert session.log_error is not None and "disk full" in session.log_error


def test_the_step_in_progress_is_checkpointed_on_each_change() -> None:
    log = RecordingLog()
    session = Session(ROUTINE, POSES, log=log)
    drv = Driver(session)
    drv.run(1.0, bad_knee)  # tried, never PERFECT: still handed to the log
    assert log.checkpoints and log.checkpoints[-1] == session.record(0)
    assert log.checkpoints[-1].held_s == 0.0 and log.checkpoints[-1].best_score > 0
    drv.run(1.0)
    assert log.checkpoints[-1] == session.record(0) and log.checkpoints[-1].held_s > 0.5
    # Only changes are sent: no two checkpoints in a row are the same.
    assert all(a != b for a, b in zip(log.checkpoints, log.checkpoints[1:]))
    session.pause()
    sent = len(log.checkpoints)
    drv.run(1.0)  # paused: nothing changes, nothing is sent
    assert len(log.checkpoints) == sent
    session.resume()
    drv.run(3.0)  # step 0 completes: its final record goes through step(), as before
    assert [r.index for k, r in log.calls if k == "step"] == [0]
    assert log.calls[0][1].completed
