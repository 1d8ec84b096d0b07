"""One voice, one phrase at a time: priorities, rate limits and replacement, on a virtual clock.

A `Cue` is a phrase with a priority, the time it was decided (it never starts earlier) and how
long it stays worth saying. The queue holds the phrase being spoken and at most one waiting:

- a new cue replaces the waiting one when it is at least as important (newer wins a tie);
  a less important one is dropped, unless the waiting one has already gone stale;
- a cue marked `interrupts` cuts a less important phrase being spoken (the caller stops its
  sound): a pose chosen with the keys is announced at once;
- per-kind rate limits count from when a phrase was *spoken*: at most one correction every
  ~4 s, the same words not again within ~8 s;
- a waiting cue starts when the voice is free (after a short pause), if it has not expired.

Pure: the caller passes the times (a clock, or the event times of a recorded session).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum


class Priority(IntEnum):
    """Which cue wins when two compete for the voice (higher wins)."""

    CORRECTION = 10  # one correction of the pose, from the pose file
    PERFECT = 20  # a short word when the pose turns PERFECT
    INFO = 25  # the default for other features' phrases (Voice.say)
    FRAMING = 30  # "step back, I can't see your feet", and "switch sides" on the wrong side
    COUNTDOWN = 40  # the last seconds of the hold
    REST = 50  # "rest, next: Triangle"
    STEP = 60  # the pose name and cue when a step starts; "routine complete"


@dataclass(frozen=True)
class Cue:
    text: str
    priority: int
    t: float  # when it was decided (seconds); it does not start before this
    kind: str = "say"  # groups cues for rate limits and withdrawal
    ttl_s: float = 5.0  # no longer worth saying after t + ttl_s
    interrupts: bool = False  # may cut a less important phrase being spoken

    @property
    def expires(self) -> float:
        return self.t + self.ttl_s


@dataclass(frozen=True)
class RateLimit:
    gap_s: float  # at most one phrase of this kind every gap_s seconds (start to start)
    repeat_s: float  # the same words not again within repeat_s seconds


DEFAULT_LIMITS: Mapping[str, RateLimit] = {
    "correction": RateLimit(4.0, 8.0),
    "side": RateLimit(4.0, 8.0),
    "framing": RateLimit(4.0, 8.0),
    "perfect": RateLimit(4.0, 4.0),
}
PAUSE_S = 0.25  # silence between two phrases

QUEUED, REPLACED, DROPPED, INTERRUPT = "queued", "replaced", "dropped", "interrupt"


class SpeechQueue:
    def __init__(
        self, limits: Mapping[str, RateLimit] = DEFAULT_LIMITS, pause_s: float = PAUSE_S
    ) -> None:
        self.limits = limits
        self.pause_s = pause_s
        self.current: Cue | None = None  # the phrase being spoken (until busy_until)
        self.busy_until = -math.inf
        self.pending: Cue | None = None
        self._kind_said: dict[str, float] = {}
        self._text_said: dict[str, float] = {}

    def speaking(self, now: float) -> bool:
        return self.current is not None and now < self.busy_until

    def allowed(self, cue: Cue, now: float) -> bool:
        """False while a rate limit of the cue's kind holds it back."""
        limit = self.limits.get(cue.kind)
        if limit is None:
            return True
        kind_t = self._kind_said.get(cue.kind)
        text_t = self._text_said.get(cue.text)
        return (kind_t is None or now - kind_t >= limit.gap_s) and (
            text_t is None or now - text_t >= limit.repeat_s
        )

    def offer(self, cue: Cue) -> str:
        """QUEUED, REPLACED (the waiting cue), DROPPED, or INTERRUPT: the caller must stop the
        phrase being spoken and call `cut`; the cue is then waiting, due at once."""
        if not self.allowed(cue, cue.t):
            return DROPPED
        waiting = self.pending
        if waiting is not None and cue.t <= waiting.expires and cue.priority < waiting.priority:
            return DROPPED
        self.pending = cue
        current = self.current
        if (
            cue.interrupts
            and current is not None
            and self.speaking(cue.t)
            and cue.priority > current.priority
        ):
            return INTERRUPT
        return QUEUED if waiting is None else REPLACED

    def cut(self, now: float) -> None:
        """The phrase being spoken was stopped at `now`."""
        self.current = None
        self.busy_until = min(self.busy_until, now)

    def withdraw(self, kind: str | None = None, spare: str | None = None) -> None:
        """Forget the waiting cue (of this kind; of any kind but `spare` with None)."""
        pending = self.pending
        if pending is None or pending.kind == spare:
            return
        if kind is None or pending.kind == kind:
            self.pending = None

    def next_start(self) -> float | None:
        """When the waiting cue can start (None: nothing waiting)."""
        if self.pending is None:
            return None
        return max(self.busy_until, self.pending.t)

    def start_due(
        self, now: float, duration: Callable[[Cue], float | None]
    ) -> tuple[Cue, float] | None:
        """Start the waiting cue if it is due by `now`: (cue, start time) or None. `duration`
        gives its length in seconds (None: it cannot be said; it is dropped)."""
        start = self.next_start()
        cue = self.pending
        if cue is None or start is None or start > now:
            return None
        self.pending = None
        if start > cue.expires or not self.allowed(cue, start):
            return None
        length = duration(cue)
        if length is None:
            return None
        self.current = cue
        self.busy_until = start + length + self.pause_s
        self._kind_said[cue.kind] = start
        self._text_said[cue.text] = start
        return cue, start
