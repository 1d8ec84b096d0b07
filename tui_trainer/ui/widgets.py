"""Session widgets: per-angle bars with the tolerance band, the hold bar, a flow's breath bar and
round counter, the routine's steps."""

from __future__ import annotations

import math

from rich.text import Text
from textual.widget import Widget

from tui_trainer.core.coaching.coach import AngleReadout
from tui_trainer.core.coaching.flow import INHALE, FlowState
from tui_trainer.core.coaching.session import SessionState

STATUS_STYLE = {"in": "bold green", "near": "bold dark_orange", "out": "bold red", "unknown": "dim"}
SCALE = 180.0  # every angle is 0..180 degrees
LABEL_W = 15
VALUE_W = 12  # " 123° → 90°"


def bar_window(target: float, tolerance: float) -> tuple[float, float]:
    """The degrees a bar spans: zoomed around the target (so the bands are readable), within
    0..180 and shifted rather than cut at the ends."""
    half = min(max(3.0 * tolerance, 40.0), SCALE / 2)
    lo = min(max(target - half, 0.0), SCALE - 2 * half)
    return lo, lo + 2 * half


def bar_text(r: AngleReadout, width: int) -> Text:
    """One angle as a line: label, a track around the target with the tolerance band (green)
    and the near band (amber), the target mark ┃, the current value ●; then the numbers.
    A value beyond the track's window sits at its end as an arrow."""
    width = max(width, LABEL_W + VALUE_W + 8)
    track = width - LABEL_W - VALUE_W - 2
    text = Text(no_wrap=True, overflow="crop")
    text.append(f"{r.label[: LABEL_W - 1]:<{LABEL_W}}", style=STATUS_STYLE[r.status])
    lo_deg, hi_deg = bar_window(r.target, r.tolerance)

    def cell(deg: float) -> int:
        frac = (deg - lo_deg) / (hi_deg - lo_deg)
        return min(max(round(frac * (track - 1)), 0), track - 1)

    chars = ["─"] * track
    styles = ["grey37"] * track
    lo2, hi2 = cell(r.target - 2 * r.tolerance), cell(r.target + 2 * r.tolerance)
    lo, hi = cell(r.target - r.tolerance), cell(r.target + r.tolerance)
    for i in range(lo2, hi2 + 1):
        chars[i], styles[i] = "━", "dark_orange3"
    for i in range(lo, hi + 1):
        chars[i], styles[i] = "━", "green4"
    tgt = cell(r.target)
    chars[tgt], styles[tgt] = "┃", "bold white"
    if math.isfinite(r.actual):
        pos = cell(r.actual)
        mark = "◀" if r.actual < lo_deg else "▶" if r.actual > hi_deg else "●"
        chars[pos], styles[pos] = mark, STATUS_STYLE[r.status]
    text.append("▕", style="grey37")
    start = 0
    for i in range(1, track + 1):  # one span per run of a style: far cheaper to draw
        if i == track or styles[i] != styles[start]:
            text.append("".join(chars[start:i]), style=styles[start])
            start = i
    text.append("▏", style="grey37")
    if math.isfinite(r.actual):
        text.append(f"{r.actual:4.0f}°", style=STATUS_STYLE[r.status])
    else:
        text.append("   ?°", style="dim")
    text.append(f" → {r.target:3.0f}°", style="bold")
    return text


class AngleBars(Widget):
    """Live bars for the pose's important angles."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.readouts: list[AngleReadout] = []
        self._key: list[tuple[str, int | None, str]] = []

    def show(self, readouts: list[AngleReadout]) -> None:
        # Redraw only when a displayed number or status changes (whole degrees).
        key = [
            (r.name, round(r.actual) if math.isfinite(r.actual) else None, r.status)
            for r in readouts
        ]
        self.readouts = readouts
        if key != self._key:
            self._key = key
            self.refresh()

    def render(self) -> Text:
        if not self.readouts:
            return Text("waiting for the first frame...", style="dim")
        width = self.size.width
        lines = [bar_text(r, width) for r in self.readouts]
        spaced = self.size.height >= 2 * len(lines)  # breathe when there is room
        out = Text(no_wrap=True, overflow="crop")
        for i, line in enumerate(lines):
            if i:
                out.append("\n\n" if spaced else "\n")
            out.append_text(line)
        return out


def hold_text(state: SessionState | None, width: int) -> Text:
    """Two lines: "Hold  12.3 / 30 s" and a bar across the whole width."""
    text = Text(no_wrap=True, overflow="crop")
    if state is None:
        return text
    target = state.hold_target_s
    held = min(state.held_s, target)
    perfect = state.result is not None and state.result.verdict == "PERFECT"
    text.append("Hold ", style="bold")
    text.append(f"{held:.1f} / {target:.0f} s")
    if state.phase == "rest":
        text.append(f"   rest {state.rest_left_s:.0f} s", style="cyan")
    text.append("\n")
    track = max(width, 4)
    filled = min(round(track * held / target), track) if target > 0 else 0
    text.append("█" * filled, style="green" if perfect or held >= target else "yellow")
    text.append("░" * (track - filled), style="grey30")
    return text


class HoldBar(Widget):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state: SessionState | None = None
        self._key: tuple[float, float, bool, int] | None = None

    def show(self, state: SessionState) -> None:
        key = (
            round(state.held_s, 1),
            state.hold_target_s,
            self._perfect(state),
            round(state.rest_left_s),
        )
        self.state = state
        if key != self._key:
            self._key = key
            self.refresh()

    @staticmethod
    def _perfect(state: SessionState) -> bool:
        return state.result is not None and state.result.verdict == "PERFECT"

    def render(self) -> Text:
        return hold_text(self.state, self.size.width)


BREATH_STYLE = {INHALE: "bold cyan", "exhale": "bold magenta"}


def round_marks_text(marks: tuple[bool | None, ...], current: int | None = None) -> Text:
    """✓ counted, ✗ missed, · to come (the current round, 0-based, underlined)."""
    text = Text()
    for i, mark in enumerate(marks):
        if i:
            text.append(" ")
        char, style = ("✓", "green") if mark else ("✗", "red") if mark is False else ("·", "dim")
        text.append(char, style=style + (" underline" if i == current else ""))
    return text


def breath_text(flow: FlowState | None, width: int, height: int = 3) -> Text:
    """Three lines: "Round 2/3  ✓ · ·", "▲ INHALE  breath 2/3" and a bar that fills on the
    inhale and empties on the exhale; then, where there is room, the flow's poses in this round
    (✓ reached, ✗ missed, ▶ now, · to come) with their breaths."""
    text = Text(no_wrap=True, overflow="crop")
    if flow is None:
        return text
    text.append(f"Round {flow.round}/{flow.rounds}  ", style="bold")
    text.append_text(round_marks_text(flow.round_marks, None if flow.finished else flow.round - 1))
    text.append("\n")
    style = BREATH_STYLE.get(flow.phase, "bold")
    if flow.finished:
        text.append("flow complete", style="bold")
        return text
    arrow = "▲" if flow.phase == INHALE else "▼"
    text.append(f"{arrow} {flow.phase.upper()}", style=style)
    text.append(f"  breath {flow.breath}/{flow.breaths}\n", style="dim")
    track = max(width, 4)
    full = flow.phase_fraction if flow.phase == INHALE else 1.0 - flow.phase_fraction
    filled = min(max(round(track * full), 0), track)
    text.append("█" * filled, style=style.replace("bold ", ""))
    text.append("░" * (track - filled), style="grey30")
    if height >= 5 + len(flow.poses):
        text.append("\n")
        for i, (name, breaths) in enumerate(zip(flow.poses, flow.breaths_per_pose)):
            done = flow.reached_this_round[i] if i < len(flow.reached_this_round) else None
            if i == flow.position:
                mark, line_style = "▶", "bold reverse"
            else:
                mark = "✓" if done else "✗" if done is False else "·"
                line_style = "green" if done else "red" if done is False else "dim"
            label = f"{mark} {name}"[: max(track - 3, 1)]
            text.append(f"\n{label:<{max(track - 3, 1)}}{breaths:>3}", style=line_style)
    return text


class BreathBar(Widget):
    """A flow's round counter and breath cue."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.flow: FlowState | None = None
        self._key: tuple[object, ...] | None = None

    def show(self, flow: FlowState | None) -> None:
        width = max(self.size.width, 4)
        key = None
        if flow is not None:
            cell = round(width * flow.phase_fraction)
            key = (
                flow.round, flow.round_marks, flow.phase, flow.breath, cell, flow.finished,
                flow.position, flow.reached_this_round,
            )  # fmt: skip
        self.flow = flow
        if key != self._key:
            self._key = key
            self.refresh()

    def render(self) -> Text:
        return breath_text(self.flow, self.size.width, self.size.height)


class StepList(Widget):
    """The routine's steps: done ✓, current ▶, to come ·"""

    def __init__(self, names: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names = names
        self.index = 0
        self.completed: tuple[bool, ...] = (False,) * len(names)

    def show(self, index: int, completed: tuple[bool, ...]) -> None:
        if (index, completed) != (self.index, self.completed):
            self.index, self.completed = index, completed
            self.refresh()

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        height = max(self.size.height, 1)
        # Keep the current step in view when the list is longer than the panel.
        first = min(max(self.index - height // 2, 0), max(len(self.names) - height, 0))
        for i in range(first, min(first + height, len(self.names))):
            if i > first:
                out.append("\n")
            if i == self.index:
                out.append(f"▶ {self.names[i]}", style="bold reverse")
            elif self.completed[i]:
                out.append(f"✓ {self.names[i]}", style="green")
            else:
                out.append(f"· {self.names[i]}", style="dim")
        return out
