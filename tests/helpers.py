"""Test doubles shared by several test files (imported as `helpers`: pytest puts tests/ on
sys.path because tests/ has a conftest.py and no __init__.py)."""

from __future__ import annotations

from typing import Any

from tui_trainer.core.history.records import SessionInfo, StepRecord


class RecordingLog:
    """A session log that keeps its calls in order: ("start", info), ("step", record), ..."""

    warning: str | None = None

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.checkpoints: list[StepRecord] = []  # kept apart: one per changed frame

    def start(self, info: SessionInfo) -> None:
        self.calls.append(("start", info))

    def step(self, record: StepRecord) -> None:
        self.calls.append(("step", record))

    def checkpoint(self, record: StepRecord) -> None:
        self.checkpoints.append(record)

    def finish(self, interrupted: bool) -> None:
        self.calls.append(("finish", interrupted))
