"""The teacher of a follow session: a recorded performance as the live alignment needs it.

Built from a LandmarkTrack (a video's landmarks or a `--record` recording): the cleaned angle
series on a uniform timeline (core/motion/compare.py's angle_series, at most 30 Hz), the angles
worth showing (those that move most), the pose at each moment (for the ghost and the figure), and
the pose names when the recording carries them (meta "poses": [{"t": start_s, "name": ...}, ...], as
`--record` writes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tui_trainer.core.body.angles import ANGLE_NAMES, MAIN_ANGLES
from tui_trainer.core.body.landmarks import MIRROR
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.errors import InputFileError
from tui_trainer.core.motion.compare import MAX_RATE, AngleSeries, LandmarkTrack, angle_series

SHOWN_ANGLES = 8  # bars on the follow screen
MIN_MOTION_DEG = 5.0  # an angle that moves less than this (std) is not shown unless needed


@dataclass(frozen=True)
class PoseMark:
    start_s: float
    end_s: float
    name: str


def pose_marks(track: LandmarkTrack) -> tuple[PoseMark, ...]:
    """The pose names of a recording's meta "poses" (each lasts until the next one starts)."""
    raw = track.meta.get("poses")
    if not raw:
        return ()
    where = track.source or "recording"
    if not isinstance(raw, list):
        raise InputFileError(f"{where}: meta 'poses' must be a list of {{t, name}} entries")
    marks: list[tuple[float, str]] = []
    for k, item in enumerate(raw):
        if not (isinstance(item, dict) and isinstance(item.get("name"), str)):
            raise InputFileError(f"{where}: meta poses[{k}]: expected {{'t': s, 'name': text}}")
        t = item.get("t")
        if not isinstance(t, int | float) or not np.isfinite(t):
            raise InputFileError(f"{where}: meta poses[{k}].t: expected seconds, got {t!r}")
        marks.append((float(t), item["name"]))
    marks.sort(key=lambda m: m[0])
    end = float(track.timestamps[-1]) if len(track) else 0.0
    out = []
    for k, (t, name) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else end
        if stop > t:
            out.append(PoseMark(t, stop, name))
    return tuple(out)


def mirrored_track(track: LandmarkTrack) -> LandmarkTrack:
    """The same performance seen in a mirror: x flipped, left and right swapped."""
    image = np.asarray(track.image)[:, MIRROR].copy()
    image[..., 0] = np.where(track.present[:, None], 1.0 - image[..., 0], 0.0)
    world = np.asarray(track.world)[:, MIRROR].copy()
    world[..., 0] = -world[..., 0]
    return LandmarkTrack(
        track.timestamps,
        image,
        world,
        np.asarray(track.visibility)[:, MIRROR].copy(),
        track.present,
        track.fps,
        track.image_size,
        track.source,
        {**track.meta, "mirrored": True},
    )


def moving_angles(series: AngleSeries, limit: int = SHOWN_ANGLES) -> list[str]:
    """The angles that move most in the teacher's performance (weighted std), in table order;
    the main joint angles fill up when the motion involves fewer."""
    v = series.values
    ok = np.isfinite(v) & (series.weights > 0.3)
    std = np.zeros(v.shape[1])
    for k in range(v.shape[1]):
        if ok[:, k].sum() >= 2:
            std[k] = float(np.std(v[ok[:, k], k]))
    ranked = [ANGLE_NAMES[k] for k in np.argsort(-std) if std[k] >= MIN_MOTION_DEG]
    chosen = ranked[:limit]
    for name in MAIN_ANGLES:
        if len(chosen) >= limit:
            break
        if name not in chosen:
            chosen.append(name)
    order = {n: i for i, n in enumerate(ANGLE_NAMES)}
    return sorted(chosen, key=order.__getitem__)


@dataclass(frozen=True, eq=False)
class TeacherMotion:
    track: LandmarkTrack
    series: AngleSeries
    shown: tuple[str, ...]
    marks: tuple[PoseMark, ...]
    name: str  # for titles: the file name

    @classmethod
    def from_track(cls, track: LandmarkTrack, name: str = "") -> TeacherMotion:
        """NoPersonFound (naming the file) when the teacher has fewer than a few frames with a
        person; InputFileError for a broken pose list."""
        rate = min(MAX_RATE, track.fps or MAX_RATE)
        series = angle_series(track, rate)
        marks = pose_marks(track)
        return cls(track, series, tuple(moving_angles(series)), marks, name or track.source)

    @property
    def start_s(self) -> float:
        return float(self.series.t[0])

    @property
    def end_s(self) -> float:
        return float(self.series.t[-1])

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def index_at(self, t: float) -> int:
        """The series frame nearest to teacher time t."""
        k = round((t - self.start_s) * self.series.rate)
        return int(min(max(k, 0), len(self.series.t) - 1))

    def pose_name_at(self, t: float) -> str | None:
        for m in self.marks:
            if m.start_s <= t < m.end_s:
                return m.name
        return None

    def pose_at(self, t: float) -> Pose | None:
        """The teacher's landmarks at time t (the nearest frame with a person)."""
        present, times = self._present
        if present.size == 0:
            return None
        j = int(np.clip(np.searchsorted(times, t), 1, max(len(times) - 1, 1)))
        if j >= len(times) or abs(times[j - 1] - t) <= abs(times[j] - t):
            j -= 1
        return self.track.pose(int(present[max(j, 0)]))

    @cached_property
    def _present(self) -> tuple[np.ndarray, np.ndarray]:
        present = np.flatnonzero(self.track.present)
        return present, np.asarray(self.track.timestamps, np.float64)[present]
