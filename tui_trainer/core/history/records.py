"""What a session leaves behind: one record per routine step, and the log that stores them.

The session (core/coaching/session.py) produces StepRecords; a SessionLog (io/storage.py writes
SQLite) stores them step by step, and the step in progress as checkpoints, so a crash loses at most
the last second or so of practice. A flow step is one StepRecord (pose_id "flow:<name>") whose
`flow` holds the detail per pose and round.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class FlowWindowRecord:
    """One pose of a flow in one round: its time window of `breaths` breaths."""

    round: int  # from 0
    position: int  # the pose's place in the flow, from 0
    pose_id: str
    pose_name: str  # with the side: "Warrior II (left)"
    side: str | None
    breaths: int
    reached: bool  # held in PERFECT long enough, inside the window
    reached_after_s: float | None  # from the window's start
    arrival_score: float | None  # best score during the inhale that moves into the pose
    hold_score: float | None  # mean score over the rest of the window
    ended: bool = True  # False: the flow was left while this window was running


@dataclass(frozen=True)
class FlowRecord:
    name: str
    rounds: int
    breath_s: float
    poses: tuple[str, ...]  # display names, in flow order
    breaths: tuple[int, ...]  # per pose
    windows: tuple[FlowWindowRecord, ...]  # the windows that were run, in time order

    def round_status(self, round_index: int) -> bool | None:
        """True: every pose was reached in its window (the round counts); False: a window ran
        out without its pose; None: not run yet, or cut short with nothing missed."""
        got = [w for w in self.windows if w.round == round_index]
        if len(got) == len(self.poses) and all(w.reached for w in got):
            return True
        if any(w.ended and not w.reached for w in got):
            return False
        return None

    @property
    def round_marks(self) -> tuple[bool | None, ...]:
        return tuple(self.round_status(r) for r in range(self.rounds))

    @property
    def rounds_counted(self) -> int:
        return sum(m is True for m in self.round_marks)

    def window(self, round_index: int, position: int) -> FlowWindowRecord | None:
        for w in self.windows:
            if (w.round, w.position) == (round_index, position):
                return w
        return None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["poses"], out["breaths"] = list(self.poses), list(self.breaths)
        out["windows"] = [asdict(w) for w in self.windows]
        out["rounds_counted"] = self.rounds_counted
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FlowRecord:
        """Raises KeyError/TypeError/ValueError on a malformed dict (callers decide)."""
        fields = FlowWindowRecord.__dataclass_fields__
        windows = tuple(
            FlowWindowRecord(**{k: v for k, v in w.items() if k in fields}) for w in data["windows"]
        )
        return cls(
            name=str(data["name"]),
            rounds=int(data["rounds"]),
            breath_s=float(data["breath_s"]),
            poses=tuple(str(p) for p in data["poses"]),
            breaths=tuple(int(b) for b in data["breaths"]),
            windows=windows,
        )


@dataclass(frozen=True)
class SessionInfo:
    routine_id: str
    routine_name: str
    source: str  # "demo", "webcam:0", or a video path
    started_at: float  # Unix time


@dataclass(frozen=True)
class StepRecord:
    index: int  # position in the routine, from 0
    pose_id: str
    pose_name: str
    side: str | None  # "left", "right" or None for symmetric poses
    hold_target_s: float
    held_s: float
    best_score: float
    mean_score: float
    completed: bool
    corrections: dict[str, int] = field(default_factory=dict)  # hint text -> times given
    flow: FlowRecord | None = None  # a flow step's detail per pose and round

    @property
    def top_correction(self) -> str | None:
        if not self.corrections:
            return None
        return max(self.corrections.items(), key=lambda kv: kv[1])[0]


class SessionLog(Protocol):
    """Where a running session writes its progress. Implementations must not raise on I/O
    trouble (read-only dir, full disk): they warn through `warning` and carry on."""

    warning: str | None

    def start(self, info: SessionInfo) -> None: ...

    def step(self, record: StepRecord) -> None: ...  # a step finished or left

    # The step in progress as it is now (called on each frame that changed it: keep it cheap;
    # the log decides how often to write).
    def checkpoint(self, record: StepRecord) -> None: ...

    def finish(self, interrupted: bool) -> None: ...


class NullSessionLog:
    """A log that keeps nothing (tests, --no-history)."""

    warning: str | None = None

    def start(self, info: SessionInfo) -> None:
        pass

    def step(self, record: StepRecord) -> None:
        pass

    def checkpoint(self, record: StepRecord) -> None:
        pass

    def finish(self, interrupted: bool) -> None:
        pass
