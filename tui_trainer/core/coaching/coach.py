"""Frame-by-frame coaching: smooth the landmarks, score against the target, decide the verdict
with hysteresis, and pick one correction (or a framing message) to say.

`FrameScorer` is the engine of the live session and of offline video analysis alike: feed it
poses (or None when nobody was found) with timestamps in seconds, get a `FrameResult` back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui_trainer.core.body.angles import WEAK_ANGLES
from tui_trainer.core.body.filters import PoseFilter
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.coaching.feedback import (
    CUT_LEFT,
    CUT_RIGHT,
    FEET_OUT,
    HEAD_OUT,
    NO_ONE,
    SIDEWAYS,
    AngleReadout,
    Correction,
    angle_readouts,
    framing_message,
    matched_targets,
    mirror_name,
    swap_sides,
)
from tui_trainer.core.coaching.judging import Judgement, PoseJudge
from tui_trainer.core.comparison.scoring import PERFECT_SCORE, Comparison, Sides
from tui_trainer.core.library.spec import PoseSpec, Variant

__all__ = [  # the feedback helpers are re-exported: callers import them from here
    "CUT_LEFT",
    "CUT_RIGHT",
    "FEET_OUT",
    "FIGHTING",
    "HEAD_OUT",
    "NO_ONE",
    "PERFECT",
    "SIDEWAYS",
    "AngleReadout",
    "CoachConfig",
    "Correction",
    "FrameResult",
    "FrameScorer",
    "VerdictTracker",
    "angle_readouts",
    "framing_message",
    "matched_targets",
    "mirror_name",
    "swap_sides",
]

PERFECT = "PERFECT"
FIGHTING = "FIGHTING"


@dataclass(frozen=True)
class CoachConfig:
    """Thresholds of the coach. The verdict enters PERFECT at `enter_score` held for
    `enter_s` seconds and leaves it below `exit_score` (< enter_score), so it does not flicker."""

    enter_score: float = PERFECT_SCORE
    exit_score: float = PERFECT_SCORE - 8.0
    enter_s: float = 0.3
    hint_hold_s: float = 2.5  # a correction stays at least this long before another replaces it
    hint_fixed_s: float = 0.8  # ...unless it was fixed and has been shown this long
    framing_hold_s: float = 1.0
    # Weak angles (feet, neck: core/body/data/angles.toml) become the correction only when seen this
    # clearly and off this long: their landmarks jitter and are often guessed.
    weak_confidence: float = 0.8
    weak_hold_s: float = 1.5
    variant_stick: float = 3.0  # points another variant must win by to replace the current one
    edge_margin: float = 0.01  # normalized image units
    filter_min_cutoff: float = 1.0
    filter_beta: float = 0.3
    filter_reset_gap_s: float = 1.0  # after a longer gap the filter starts afresh

    def __post_init__(self) -> None:
        if not self.exit_score < self.enter_score:
            raise ValueError("exit_score must be below enter_score")


@dataclass(frozen=True)
class FrameResult:
    t: float
    pose: Pose | None  # the smoothed pose the score was computed on
    comparison: Comparison | None
    score: float | None
    verdict: str  # PERFECT or FIGHTING (after hysteresis)
    hint: str | None  # the correction being given (None while PERFECT or framing)
    hint_angle: str | None
    framing: str | None  # "no one in view", "step back..." (said before any correction)
    perfect_entered: bool  # the verdict turned PERFECT on this frame
    new_correction: str | None  # a correction first given on this frame (for counting)
    wrong_side: bool = False
    variant: Variant | None = None  # the form matched (as stored, not mirrored)
    form: PoseSpec | None = None  # the spec narrowed to that form: its targets and template

    @property
    def message(self) -> str | None:
        """What to tell the trainee now: framing first, then the correction."""
        return self.framing or self.hint

    @property
    def variant_name(self) -> str:
        """ "hands at heart", or "" for a pose with one form."""
        return self.variant.name if self.variant is not None else ""


class VerdictTracker:
    """PERFECT / FIGHTING with hysteresis: enter after `enter_s` at >= enter, leave below exit."""

    def __init__(self, enter: float, exit: float, enter_s: float) -> None:
        self.enter, self.exit, self.enter_s = enter, exit, enter_s
        self.verdict = FIGHTING
        self._above_since: float | None = None

    def reset(self) -> None:
        self.verdict = FIGHTING
        self._above_since = None

    def update(self, score: float | None, t: float, eligible: bool = True) -> bool:
        """Feed one score; True when the verdict has just turned PERFECT."""
        if score is None or not eligible:
            self.reset()
            return False
        if self.verdict == PERFECT:
            if score < self.exit:
                self.reset()
            return False
        if score < self.enter:
            self._above_since = None
            return False
        if self._above_since is None:
            self._above_since = t
        if t - self._above_since >= self.enter_s:
            self.verdict = PERFECT
            return True
        return False


class _HintSlot:
    """One correction at a time, each held for a while so the trainee can act on it."""

    def __init__(self, hold_s: float, fixed_s: float) -> None:
        self.hold_s, self.fixed_s = hold_s, fixed_s
        self.current: Correction | None = None
        self._since = 0.0

    def clear(self) -> None:
        self.current = None

    def update(
        self, candidate: Correction | None, still_off: set[str], t: float
    ) -> tuple[Correction | None, bool]:
        cur = self.current
        if cur is None:
            if candidate is not None:
                self.current, self._since = candidate, t
                return candidate, True
            return None, False
        age = t - self._since
        fixed = cur.angle not in still_off
        if candidate is not None and candidate.angle == cur.angle:
            changed = candidate.text != cur.text  # overshot: now the other way
            self.current = candidate
            return candidate, changed
        if age >= self.hold_s or (fixed and age >= self.fixed_s):
            self.current, self._since = candidate, t
            return candidate, candidate is not None
        return cur, False


class FrameScorer:
    """Scores a stream of poses against one target pose (every variant of it).

    sides="either" also accepts the mirror image of the target. `required_side` ("left"/"right")
    is the side a routine step asks for: when the trainee performs the other side, they are
    told to switch and the verdict cannot become PERFECT. The form matched is kept until another
    one is clearly better (`variant_stick`), so it does not flicker between frames.
    """

    def __init__(
        self,
        spec: PoseSpec,
        sides: Sides = "either",
        *,
        required_side: str | None = None,
        config: CoachConfig | None = None,
    ) -> None:
        self.spec = spec
        self.sides: Sides = sides
        self.required_side = None if spec.symmetric else required_side
        self.config = config or CoachConfig()
        cfg = self.config
        self._judge = PoseJudge(spec, sides)
        self._filter = PoseFilter(cfg.filter_min_cutoff, cfg.filter_beta)
        self._verdict = VerdictTracker(cfg.enter_score, cfg.exit_score, cfg.enter_s)
        self._hint = _HintSlot(cfg.hint_hold_s, cfg.hint_fixed_s)
        self._framing: str | None = None
        self._framing_since = 0.0
        self._last_t: float | None = None
        self._row: int | None = None
        self._off_since: dict[str, float] = {}
        lean = spec.angles.get("trunk_lean")
        self._upright = lean is not None and lean.target < 30.0
        self._turned = False

    def reset(self) -> None:
        self._filter.reset()
        self._verdict.reset()
        self._hint.clear()
        self._framing = None
        self._last_t = None
        self._row = None
        self._off_since.clear()
        self._turned = False

    @property
    def verdict(self) -> str:
        return self._verdict.verdict

    def _smooth(self, pose: Pose | None, t: float) -> Pose | None:
        if pose is None:
            return None
        if self._last_t is not None and t - self._last_t > self.config.filter_reset_gap_s:
            self._filter.reset()
        self._last_t = t
        try:
            return self._filter(pose, t)
        except ValueError:  # smoothed visibility fell below the threshold everywhere
            return None

    def _sticky_framing(self, message: str | None, t: float) -> str | None:
        settled = self._framing is None or t - self._framing_since >= self.config.framing_hold_s
        if message != self._framing and settled:
            self._framing, self._framing_since = message, t
        return self._framing

    def _sideways(self, pose: Pose, score: float) -> bool:
        """An upright pose asked for, a body lying across the picture, and the picture turned a
        quarter matching well: the camera is on its side (a phone propped sideways)."""
        if score >= self.config.exit_score or not self._upright:
            self._turned = False
            return False
        if pose.angles_2d["trunk_lean"] < 60.0:
            self._turned = False
            return False
        if self._turned:  # once seen, it stays so while the body lies across the picture
            return True
        turned = max(float(self._judge.scores(pose.turned(cw)).max()) for cw in (True, False))
        self._turned = turned >= self.config.exit_score and turned >= score + 30.0
        return self._turned

    def _pick_row(self, scores: np.ndarray) -> int:
        fit = scores + self._judge.prior
        best = int(np.argmax(fit))
        cur = self._row
        if cur is not None and fit[cur] >= fit[best] - self.config.variant_stick:
            best = cur
        if best != cur:
            self._off_since.clear()
        self._row = best
        return best

    def _candidate(self, judgement: Judgement, t: float) -> Correction | None:
        """The correction to give: the one that matters most. A weak angle (feet, neck) needs
        more evidence: clearly seen, off by twice its tolerance, and for weak_hold_s."""
        cfg = self.config
        off = judgement.off
        self._off_since = {n: self._off_since.get(n, t) for n in off}
        conf = judgement.comparison.confidence
        for c in judgement.corrections:
            if c.angle not in WEAK_ANGLES:
                return c
            tolerance = abs(c.error) - c.excess
            if (
                conf.get(c.angle, 0.0) >= cfg.weak_confidence
                and c.excess >= tolerance
                and t - self._off_since.get(c.angle, t) >= cfg.weak_hold_s
            ):
                return c
        return None

    def update(self, pose: Pose | None, t: float) -> FrameResult:
        smoothed = self._smooth(pose, t)
        framing = self._sticky_framing(framing_message(smoothed, self.config.edge_margin), t)
        if smoothed is None:
            self._verdict.reset()
            self._hint.clear()
            return FrameResult(t, None, None, None, FIGHTING, None, None, framing, False, None)
        scores = self._judge.scores(smoothed)
        previous_row = self._row
        judgement = self._judge.judge(smoothed, scores, self._pick_row(scores))
        form_changed = previous_row is not None and self._row != previous_row
        if framing is None and self._sideways(smoothed, judgement.score):
            framing = self._sticky_framing(SIDEWAYS, t)
        row = judgement.row
        wrong_side = self.required_side is not None and row.mirrored
        # On the wrong side the bars keep the mirror match (the shape may be right), but the
        # score is the one for the side the step asks for, so the number agrees with FIGHTING.
        score = judgement.same_side_score if wrong_side else judgement.score
        eligible = not wrong_side and not judgement.far_off
        entered = self._verdict.update(score, t, eligible=eligible)
        hint: Correction | None = None
        new: Correction | None = None
        if self._verdict.verdict == PERFECT or framing is not None:
            self._hint.clear()
        elif wrong_side:
            side_hint = Correction(
                "side", f"switch sides: this one is the {self.required_side} side", 0.0, 0.0
            )
            hint, fresh = self._hint.update(side_hint, {"side"}, t)
            new = hint if fresh else None
        else:
            held = self._hint.current
            if form_changed and held is not None and held.angle not in judgement.off:
                # A correction of the form left behind ("reach your arms higher") is not held
                # on once the form now matched finds that joint within its band.
                self._hint.clear()
            candidate = self._candidate(judgement, t)
            if eligible and score is not None and score >= self.config.enter_score:
                # Right, held for less than enter_s yet: PERFECT is coming, so no new correction
                # (it would flash up and vanish as the trainee arrives in the pose).
                candidate = None
            hint, fresh = self._hint.update(candidate, set(judgement.off), t)
            new = hint if fresh else None
        return FrameResult(
            t=t,
            pose=smoothed,
            comparison=judgement.comparison,
            score=score,
            verdict=self._verdict.verdict,
            hint=hint.text if hint else None,
            hint_angle=hint.angle if hint else None,
            framing=framing,
            perfect_entered=entered,
            new_correction=new.text if new else None,
            wrong_side=wrong_side,
            variant=row.form.variants[0] if self.spec.variants else None,
            form=row.form,
        )
