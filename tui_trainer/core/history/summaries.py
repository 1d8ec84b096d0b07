"""Session history as data: what `tui-trainer history` and the History screen show.

io/history_db.py reads these out of SQLite; this module only holds the shapes and the pure
stats over them (durations, means, personal bests, trends), so they are testable without a DB.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui_trainer.core.history.records import FlowRecord, FlowWindowRecord, StepRecord

STATUSES = ("running", "finished", "interrupted")


@dataclass(frozen=True)
class SessionSummary:
    id: int
    routine_id: str
    routine_name: str
    source: str
    started_at: float  # Unix time
    ended_at: float | None  # None while running
    status: str  # one of STATUSES
    steps_recorded: int
    poses_completed: int
    mean_score: float | None  # mean of the steps' mean scores; None without steps

    @property
    def duration_s(self) -> float | None:
        if self.ended_at is None:
            return None
        return max(0.0, self.ended_at - self.started_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "routine_id": self.routine_id,
            "routine_name": self.routine_name,
            "source": self.source,
            "started_at": self.started_at,
            "started": iso_time(self.started_at),
            "ended_at": self.ended_at,
            "ended": iso_time(self.ended_at),
            "duration_s": self.duration_s,
            "status": self.status,
            "steps_recorded": self.steps_recorded,
            "poses_completed": self.poses_completed,
            "mean_score": self.mean_score,
        }


@dataclass(frozen=True)
class SessionDetail:
    summary: SessionSummary
    steps: tuple[StepRecord, ...]

    def to_json(self) -> dict[str, Any]:
        out = self.summary.to_json()
        out["steps"] = [step_to_json(s) for s in self.steps]
        return out


@dataclass(frozen=True)
class PoseProgress:
    pose_id: str
    pose_name: str
    personal_best: float
    trend: tuple[float, ...]  # best score per session that did the pose, oldest first

    @property
    def sessions(self) -> int:
        return len(self.trend)

    def to_json(self) -> dict[str, Any]:
        return {
            "pose_id": self.pose_id,
            "pose_name": self.pose_name,
            "personal_best": self.personal_best,
            "sessions": self.sessions,
            "trend": list(self.trend),
        }


def step_to_json(step: StepRecord) -> dict[str, Any]:
    return {
        "index": step.index,
        "pose_id": step.pose_id,
        "pose_name": step.pose_name,
        "side": step.side,
        "hold_target_s": step.hold_target_s,
        "held_s": step.held_s,
        "best_score": step.best_score,
        "mean_score": step.mean_score,
        "completed": step.completed,
        "corrections": dict(step.corrections),
        "top_correction": step.top_correction,
        **({"flow": step.flow.to_json()} if step.flow is not None else {}),
    }


STEP_COLUMNS = ("#", "Pose", "Side", "Held", "Best", "Mean", "Done", "Top correction")


def step_cells(step: StepRecord) -> tuple[str, ...]:
    """One step as table cells (STEP_COLUMNS), for the CLI and the History screen alike."""
    return (
        str(step.index + 1),
        step.pose_name,
        step.side or "",
        held_cell(step),
        f"{step.best_score:.0f}",
        f"{step.mean_score:.0f}",
        "✓" if step.completed else "✗",
        step.top_correction or "",
    )


def held_cell(step: StepRecord) -> str:
    """ "12/30 s" for a hold, "2/3 rounds" for a flow."""
    if step.flow is not None:
        return f"{step.flow.rounds_counted}/{step.flow.rounds} rounds"
    return f"{step.held_s:.0f}/{step.hold_target_s:.0f} s"


FLOW_LEGEND = "✓ reached, ✗ missed, … left early; score on arrival / while held"


def flow_columns(flow: FlowRecord, rounds: int | None = None) -> tuple[str, ...]:
    """Pose, Breaths, Round 1..N (N: `rounds`, to line several flows up in one table)."""
    n = flow.rounds if rounds is None else rounds
    return ("Pose", "Breaths", *(f"Round {r + 1}" for r in range(n)))


def window_cell(window: FlowWindowRecord | None) -> str:
    """ "✓ 92/95": reached, the score on arrival and while held ("—" where not scored)."""
    if window is None:
        return "—"

    def score(v: float | None) -> str:
        return "—" if v is None else f"{v:.0f}"

    mark = "✓" if window.reached else "✗" if window.ended else "…"
    return f"{mark} {score(window.arrival_score)}/{score(window.hold_score)}"


def flow_rows(flow: FlowRecord, rounds: int | None = None) -> list[tuple[str, ...]]:
    """One row per pose of the flow (a cell per round), then a row saying which rounds counted."""
    n = flow.rounds if rounds is None else rounds
    rows = []
    for pos, (name, breaths) in enumerate(zip(flow.poses, flow.breaths)):
        cells = [window_cell(flow.window(r, pos)) if r < flow.rounds else "" for r in range(n)]
        rows.append((name, str(breaths), *cells))
    marks = flow.round_marks
    verdicts = [
        ("✓ counted" if marks[r] else "✗ missed" if marks[r] is False else "—")
        if r < flow.rounds
        else ""
        for r in range(n)
    ]
    rows.append((f"rounds counted: {flow.rounds_counted}/{flow.rounds}", "", *verdicts))
    return rows


def mean_or_none(values: Iterable[float]) -> float | None:
    vals = list(values)
    return sum(vals) / len(vals) if vals else None


def trend_by_session(rows: Iterable[tuple[int, float]]) -> tuple[float, ...]:
    """(session_id, best_score) rows in time order -> one best score per session.

    A pose done twice in a session (left and right side) counts once, with its better side.
    """
    best: dict[int, float] = {}
    for session_id, score in rows:
        best[session_id] = max(score, best.get(session_id, score))
    return tuple(best.values())  # dicts keep first-insertion order = time order


def new_personal_bests(
    records: Sequence[StepRecord], previous_best: Mapping[str, float]
) -> set[int]:
    """Indices (StepRecord.index) of the steps that beat the pose's best from earlier sessions.

    A pose never done before is not a "new personal best" (there is nothing to beat), so a first
    session does not congratulate every step.
    """
    out: set[int] = set()
    for rec in records:
        before = previous_best.get(rec.pose_id)
        if before is not None and rec.best_score > before:
            out.add(rec.index)
    return out


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = round(seconds)
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def iso_time(ts: float | None) -> str | None:
    """Local time with its UTC offset, to the second."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def local_time(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


_BARS = "▁▂▃▄▅▆▇█"


def sparkline_text(scores: Sequence[float]) -> str:
    """Scores 0–100 as block characters, one per session (the CLI's trend column)."""
    out = []
    for v in scores:
        level = int(min(max(v, 0.0), 100.0) / 100.0 * (len(_BARS) - 1) + 0.5)
        out.append(_BARS[level])
    return "".join(out)
