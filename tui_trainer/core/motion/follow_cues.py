"""What a follow session says: the correction for an angle that is off the teacher's, in plain
words, and the lag ("1.2 s behind"). Short phrases: they are shown and may be spoken."""

from __future__ import annotations

from dataclasses import dataclass

# joint -> (phrase when the trainee's angle is larger than the teacher's, when smaller).
# Larger means: elbow/knee straighter, shoulder arm higher, hip more open, ankle foot more
# pointed, trunk leaning further from vertical, legs wider apart, head more in line.
_PHRASES: dict[str, tuple[str, str]] = {
    "elbow": ("bend your {side} elbow more", "straighten your {side} arm"),
    "knee": ("bend your {side} knee more", "straighten your {side} leg"),
    "shoulder": ("lower your {side} arm", "raise your {side} arm"),
    "hip": ("fold more at your {side} hip", "open your {side} hip"),
    "ankle": ("flex your {side} foot", "point your {side} foot"),
    "trunk_lean": ("bring your chest up", "lean further"),
    "leg_spread": ("bring your legs closer", "step your legs wider"),
    "neck": ("drop your head a little", "lift your head"),
}
ON_TIME_S = 0.3  # |lag| below this is "with the teacher"


def cue_words(angle: str, error: float) -> str:
    """The correction for `angle` (the trainee's own labels) when the trainee's value minus the
    teacher's is `error` degrees: "raise your left arm"."""
    side, _, joint = angle.partition("_")
    if side not in ("left", "right"):
        side, joint = "", angle
    larger, smaller = _PHRASES.get(joint, (f"{joint} less", f"{joint} more"))
    return (larger if error > 0 else smaller).format(side=side)


def cue_phrase(angle: str, error: float) -> str:
    """cue_words with the size: "raise your left arm (25°)"."""
    return f"{cue_words(angle, error)} ({abs(error):.0f}°)"


def lag_phrase(lag_s: float) -> str:
    """ "1.2 s behind", "0.8 s ahead" or "with the teacher"."""
    if abs(lag_s) < ON_TIME_S:
        return "with the teacher"
    return f"{abs(lag_s):.1f} s {'behind' if lag_s > 0 else 'ahead'}"


def spoken_lag(lag_s: float) -> str:
    """The lag as a sentence to say aloud (rounded to whole seconds)."""
    if abs(lag_s) < 1.0:
        return "You are with the teacher."
    n = round(abs(lag_s))
    unit = "second" if n == 1 else "seconds"
    return f"You are {n} {unit} {'behind' if lag_s > 0 else 'ahead'}."


SAY_GAP_S = 3.0  # at least this long between two phrases
CUE_SETTLE_S = 1.0  # a correction is said once it has stood this long...
CUE_REPEAT_S = 6.0  # ...and not again for this long
LAG_SAY_S = 2.0  # the lag is said when it is at least this much...
LAG_REPEAT_S = 10.0  # ...at most this often
GOOD_SCORE = 85.0  # the chime: the rolling score reaches this (again after dropping below
REARM_SCORE = 75.0  # this one)


@dataclass(frozen=True)
class Phrase:
    kind: str  # "cue", "lag" or "good"
    text: str


class Announcer:
    """Decides, frame by frame, what a follow session says aloud (the hook the voice and the
    chime hang on): a correction once it has stood a second, the lag when it is large, and a
    "good" when the rolling score turns high. Never more than one phrase per SAY_GAP_S."""

    def __init__(self) -> None:
        self._last_said = -1e9
        self._cue_since: tuple[str, float] | None = None
        self._cue_said: dict[str, float] = {}
        self._lag_said = -1e9
        self._good_armed = True

    def update(
        self, t: float, cue_angle: str | None, cue: str | None, lag_s: float, score: float | None
    ) -> Phrase | None:
        if score is not None:
            if score >= GOOD_SCORE and self._good_armed:
                self._good_armed = False
                return self._said(t, Phrase("good", "Good, you are with the teacher."))
            if score < REARM_SCORE:
                self._good_armed = True
        if cue_angle is None or cue is None:
            self._cue_since = None
        elif self._cue_since is None or self._cue_since[0] != cue_angle:
            self._cue_since = (cue_angle, t)
        if t - self._last_said < SAY_GAP_S:
            return None
        if abs(lag_s) >= LAG_SAY_S and t - self._lag_said >= LAG_REPEAT_S:
            self._lag_said = t
            return self._said(t, Phrase("lag", spoken_lag(lag_s)))
        since = self._cue_since
        if (
            since is not None
            and cue is not None
            and t - since[1] >= CUE_SETTLE_S
            and t - self._cue_said.get(since[0], -1e9) >= CUE_REPEAT_S
        ):
            self._cue_said[since[0]] = t
            return self._said(t, Phrase("cue", cue.split(" (")[0].capitalize() + "."))
        return None

    def _said(self, t: float, phrase: Phrase) -> Phrase:
        self._last_said = t
        return phrase
