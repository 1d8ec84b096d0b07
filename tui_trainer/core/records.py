"""What a session leaves behind: one record per routine step, and the log that stores them.

The session (core/session.py) produces StepRecords; a SessionLog (io/storage.py writes SQLite)
stores them step by step, and the step in progress as checkpoints, so a crash loses at most the
last second or so of practice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


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
