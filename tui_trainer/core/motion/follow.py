"""Follow the teacher: a live trainee aligned, frame by frame, with a recorded teacher.

`FollowTracker.update(t, pose)` is fed the trainee's frames (any monotonic clock, seconds; None
when nobody is in view) and returns a `FollowState`: where the trainee is on the teacher's
timeline (core/motion/online_dtw.py), the teacher's own playback time and the lag between them, a
rolling motion score, per-angle readouts against the aligned teacher frame, and one correction:
the angle that has been furthest off over the last second. `--wait` (TeacherClock): the teacher
pauses when the trainee falls more than WAIT_S behind and resumes when they have caught up.
`finish()` compares the whole performance with the teacher offline (core/motion/compare.py) for the
report; core/motion/follow_timeline.py runs the same tracker over a recording (compare-motion
--online).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_LABELS, ANGLE_MIRROR
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.coaching.coach import AngleReadout
from tui_trainer.core.history.records import StepRecord
from tui_trainer.core.motion.compare import (
    MIN_FRAMES,
    SCORE_TOLERANCE,
    LandmarkTrack,
    MotionComparison,
    compare_motion,
    score_from_error,
)
from tui_trainer.core.motion.follow_cues import cue_phrase, cue_words, lag_phrase
from tui_trainer.core.motion.online_dtw import AlignerConfig, MirrorAligner
from tui_trainer.core.motion.teacher import TeacherMotion

WAIT_S = 2.0  # --wait: the teacher pauses when the trainee is this far behind...
RESUME_S = 0.5  # ...and plays on once they are within this
SCORE_WINDOW_S = 3.0  # the rolling score covers this much of the trainee's recent motion
CUE_WINDOW_S = 1.0  # the correction: the angle furthest off over this long
END_GRACE_S = 5.0  # after the teacher's end, the session ends once the trainee has made no
# progress on the teacher's timeline for this long (or reached the end)
PROGRESS_S = 0.25  # teacher seconds that count as progress
MIN_CONFIDENCE = 0.5  # angles seen less surely get no correction


class TeacherClock:
    """The teacher's playback time: runs with the trainee's clock from the first frame with a
    person; with `wait`, holds while the trainee is more than WAIT_S behind."""

    def __init__(self, start_s: float, end_s: float, wait: bool = False) -> None:
        self.start_s, self.end_s, self.wait = start_s, end_s, wait
        self.time = start_s
        self.waiting = False
        self.ended_at: float | None = None  # trainee time when the teacher reached its end
        self._last: float | None = None
        self.started = False

    def hold(self) -> None:
        """The next advance starts afresh (the time until then does not count: a pause)."""
        self._last = None

    def advance(self, now: float, position_s: float) -> None:
        if self._last is not None and not self.waiting:
            self.time = min(self.end_s, self.time + max(now - self._last, 0.0))
        self._last = now
        self.started = True
        if self.wait:
            lag = self.time - position_s
            if not self.waiting and lag > WAIT_S:
                self.waiting = True
            elif self.waiting and lag < RESUME_S:
                self.waiting = False
        if self.time >= self.end_s and self.ended_at is None:
            self.ended_at = now


@dataclass(frozen=True)
class FollowState:
    """One frame of a follow session, for display."""

    t: float  # the trainee's clock
    person: bool
    teacher_t: float  # the trainee's position on the teacher's timeline (teacher seconds)
    clock_t: float  # the teacher's playback time
    progress: float  # 0..1 of the teacher's performance the trainee has reached
    lag_s: float  # clock_t - teacher_t: > 0 behind, < 0 ahead
    waiting: bool  # --wait: the teacher is paused for the trainee
    score: float | None  # rolling motion score, 0..100
    readouts: tuple[AngleReadout, ...]  # the shown angles against the aligned teacher frame
    cue: str | None  # the correction of the moment
    cue_angle: str | None
    pose_name: str | None  # the teacher's pose at the trainee's position, if named
    mirrored: bool  # the trainee is followed as a mirror image of the teacher
    teacher_index: int
    finished: bool = False
    started: bool = True  # False until the first frame with a person

    @property
    def lag_text(self) -> str:
        return lag_phrase(self.lag_s)


@dataclass(frozen=True)
class FollowReport:
    comparison: MotionComparison | None  # None when too little was followed to compare
    followed_s: float  # trainee seconds from the first to the last frame with a person
    reached_s: float  # furthest teacher time reached
    teacher_s: float  # the teacher's duration
    completed: bool
    best_score: float
    mean_score: float
    corrections: dict[str, int] = field(default_factory=dict)  # cue -> times given

    def step_record(self, pose_id: str, name: str) -> StepRecord:
        """The session as one step of the history: the teacher's duration is the "hold
        target", the time followed the "held" time, the motion score the mean score."""
        return StepRecord(
            index=0,
            pose_id=pose_id,
            pose_name=name,
            side=None,
            hold_target_s=round(self.teacher_s, 2),
            held_s=round(self.followed_s, 2),
            best_score=round(self.best_score, 2),
            mean_score=round(self.mean_score, 2),
            completed=self.completed,
            corrections=dict(self.corrections),
        )


@dataclass
class _Recent:
    """Per-frame signed errors (trainee - aligned teacher) of the last few seconds."""

    span_s: float
    items: deque[tuple[float, np.ndarray, np.ndarray]] = field(default_factory=deque)

    def add(self, t: float, err: np.ndarray, w: np.ndarray) -> None:
        self.items.append((t, err, w))
        while self.items and self.items[0][0] < t - self.span_s:
            self.items.popleft()

    def means(self, since: float) -> tuple[np.ndarray, np.ndarray]:
        """Weighted mean signed and absolute error per angle over the items after `since`."""
        rows = [(e, w) for t, e, w in self.items if t >= since]
        if not rows:
            k = len(ANGLE_INDEX)
            return np.full(k, np.nan), np.full(k, np.nan)
        err = np.array([e for e, _ in rows])
        w = np.array([w for _, w in rows])
        den = w.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            signed = (w * err).sum(axis=0) / den
            absolute = (w * np.abs(err)).sum(axis=0) / den
        return np.where(den > 1e-9, signed, np.nan), np.where(den > 1e-9, absolute, np.nan)


def frame_angles(pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """The angle features the alignment uses (3D world angles, confidence weights)."""
    return np.asarray(pose.angles.values, np.float64), np.asarray(
        pose.angles.confidence, np.float64
    )


class FollowTracker:
    def __init__(
        self,
        teacher: TeacherMotion,
        *,
        wait: bool = False,
        mirror: bool = True,
        config: AlignerConfig | None = None,
        keep_frames: bool = True,
    ) -> None:
        self.teacher = teacher
        series = teacher.series
        self.aligner = MirrorAligner(
            series.values, series.weights, series.rate, config, mirror=mirror
        )
        self.clock = TeacherClock(teacher.start_s, teacher.end_s, wait)
        self.keep_frames = keep_frames
        self.frames: list[tuple[float, Pose | None]] = []
        self._recent = _Recent(max(SCORE_WINDOW_S, CUE_WINDOW_S))
        self._shown = [ANGLE_INDEX[n] for n in teacher.shown]
        self._index = 0
        self._reached = teacher.start_s
        self._progress_t: float | None = None  # trainee time of the last progress
        self._progress_at = teacher.start_s
        self._scores: list[float] = []
        self._cue: str | None = None
        self._cue_angle: str | None = None
        self.corrections: Counter[str] = Counter()
        self._first_person: float | None = None
        self._last_person: float | None = None
        self._last: FollowState | None = None

    def resume(self) -> None:
        """After a pause: the time spent paused counts neither for the teacher nor the path."""
        self.clock.hold()
        self.aligner.resume()

    # -- per frame --------------------------------------------------------------------------
    def update(self, t: float, pose: Pose | None) -> FollowState:
        if self.keep_frames:
            self.frames.append((t, pose))
        if pose is None:
            return self._no_person(t)
        values, conf = frame_angles(pose)
        return self.update_angles(t, values, conf)

    def update_angles(self, t: float, values: np.ndarray, conf: np.ndarray) -> FollowState:
        """The same as update() with the angles already computed (compare-motion --online)."""
        if self._first_person is None:
            self._first_person = t
        self._last_person = t
        a = self.aligner.update(t, values, conf)
        self._index = a.index
        series = self.teacher.series
        teacher_t = float(series.t[a.index])
        self._reached = max(self._reached, teacher_t)
        if self._progress_t is None or teacher_t >= self._progress_at + PROGRESS_S:
            self._progress_t, self._progress_at = t, teacher_t
        self.clock.advance(t, teacher_t)
        # The aligned teacher frame in the trainee's labels (mirrored when followed so).
        tv, tw = series.values[a.index], series.weights[a.index]
        if a.mirrored:
            tv, tw = tv[ANGLE_MIRROR], tw[ANGLE_MIRROR]
        err = values - tv
        w = np.where(np.isfinite(err), np.nan_to_num(conf) * tw, 0.0)
        self._recent.add(t, np.nan_to_num(err), w)
        score = self._rolling_score(t)
        cue_angle, cue = self._pick_cue(t, conf)
        readouts = tuple(
            AngleReadout(
                ANGLE_LABELS_KEYS[k],
                ANGLE_LABELS[ANGLE_LABELS_KEYS[k]],
                float(values[k]) if conf[k] >= 0.3 else float("nan"),
                float(tv[k]) if np.isfinite(tv[k]) else float("nan"),
                SCORE_TOLERANCE,
                float(conf[k]),
            )
            for k in self._shown_for(a.mirrored)
        )
        state = FollowState(
            t=t,
            person=True,
            teacher_t=teacher_t,
            clock_t=self.clock.time,
            progress=self._progress(teacher_t),
            lag_s=self.clock.time - teacher_t,
            waiting=self.clock.waiting,
            score=score,
            readouts=readouts,
            cue=cue,
            cue_angle=cue_angle,
            pose_name=self.teacher.pose_name_at(teacher_t),
            mirrored=a.mirrored,
            teacher_index=a.index,
            finished=self._finished(t, teacher_t),
        )
        self._last = state
        return state

    def _no_person(self, t: float) -> FollowState:
        self.aligner.skip(t)
        prev = self._last
        if prev is None:  # the teacher starts when the trainee is in view
            start = self.teacher.start_s
            return FollowState(
                t, False, start, start, 0.0, 0.0, False, None, (), None, None,
                self.teacher.pose_name_at(start), False, 0, started=False,
            )  # fmt: skip
        self.clock.advance(t, prev.teacher_t)
        state = FollowState(
            t=t,
            person=False,
            teacher_t=prev.teacher_t,
            clock_t=self.clock.time,
            progress=prev.progress,
            lag_s=self.clock.time - prev.teacher_t,
            waiting=self.clock.waiting,
            score=prev.score,
            readouts=tuple(
                AngleReadout(r.name, r.label, float("nan"), r.target, r.tolerance, 0.0)
                for r in prev.readouts
            ),
            cue=None,
            cue_angle=None,
            pose_name=prev.pose_name,
            mirrored=prev.mirrored,
            teacher_index=prev.teacher_index,
            finished=self._finished(t, prev.teacher_t),
        )
        self._last = state
        return state

    def _shown_for(self, mirrored: bool) -> list[int]:
        return [int(ANGLE_MIRROR[k]) for k in self._shown] if mirrored else self._shown

    def _progress(self, teacher_t: float) -> float:
        span = self.teacher.duration_s
        return 1.0 if span <= 0 else min(max((teacher_t - self.teacher.start_s) / span, 0.0), 1.0)

    def _rolling_score(self, t: float) -> float | None:
        _, absolute = self._recent.means(t - SCORE_WINDOW_S)
        ok = np.isfinite(absolute)
        if not ok.any():
            return None
        score = score_from_error(float(absolute[ok].mean()))
        self._scores.append(score)
        return score

    def _pick_cue(self, t: float, conf: np.ndarray) -> tuple[str | None, str | None]:
        """The angle furthest off (beyond the tolerance) over the last second, said in words;
        kept while it stays off, so the cue does not flicker between two similar joints."""
        signed, absolute = self._recent.means(t - CUE_WINDOW_S)
        seen = np.isfinite(absolute) & (conf >= MIN_CONFIDENCE)
        off = np.where(seen, absolute, 0.0)
        k = int(np.argmax(off))
        if off[k] <= SCORE_TOLERANCE:
            self._cue = self._cue_angle = None
            return None, None
        name = ANGLE_LABELS_KEYS[k]
        cur = self._cue_angle
        if cur is not None and cur != name and off[ANGLE_INDEX[cur]] > 0.8 * off[k]:
            name, k = cur, ANGLE_INDEX[cur]
        phrase = cue_phrase(name, float(signed[k]))
        if name != self._cue_angle:
            self.corrections[cue_words(name, float(signed[k]))] += 1
        self._cue, self._cue_angle = phrase, name
        return name, phrase

    def _finished(self, t: float, teacher_t: float) -> bool:
        ended = self.clock.ended_at
        if ended is None:
            return False
        near_end = teacher_t >= self.teacher.end_s - 0.5
        last = max(ended, self._progress_t or ended)
        return near_end or t - last >= END_GRACE_S

    # -- at the end ---------------------------------------------------------------------------
    def finish(self) -> FollowReport:
        """The offline comparison of what was followed with the teacher up to where the trainee
        got (core/motion/compare.py: DTW, score, tempo, per-angle costs, worst stretch)."""
        teacher = self.teacher
        comparison = None
        present = [(t, p) for t, p in self.frames if p is not None]
        if len(present) >= MIN_FRAMES:
            trainee = LandmarkTrack.from_frames(
                [(t - self.frames[0][0], p) for t, p in self.frames],
                fps=_fps(np.array([t for t, _ in self.frames])),
                source="trainee",
            )
            cut = min(teacher.end_s, self._reached + 0.5)
            upto = _until(teacher.track, cut)
            if int(upto.present.sum()) >= MIN_FRAMES:
                comparison = compare_motion(upto, trainee)
        followed = (
            0.0
            if self._first_person is None or self._last_person is None
            else self._last_person - self._first_person
        )
        scores = self._scores
        return FollowReport(
            comparison=comparison,
            followed_s=followed,
            reached_s=self._reached - teacher.start_s,
            teacher_s=teacher.duration_s,
            completed=self._reached >= teacher.end_s - 0.5,
            best_score=max(scores) if scores else 0.0,
            mean_score=comparison.score if comparison is not None else 0.0,
            corrections=dict(self.corrections),
        )


ANGLE_LABELS_KEYS = tuple(ANGLE_INDEX)  # angle names in table order


def _fps(ts: np.ndarray) -> float:
    d = np.diff(ts)
    d = d[d > 0]
    return float(1.0 / np.median(d)) if d.size else 30.0


def _until(track: LandmarkTrack, end_s: float) -> LandmarkTrack:
    keep = np.asarray(track.timestamps) <= end_s + 1e-9
    return LandmarkTrack(
        track.timestamps[keep],
        track.image[keep],
        track.world[keep],
        track.visibility[keep],
        track.present[keep],
        track.fps,
        track.image_size,
        track.source,
        dict(track.meta),
    )
