"""The speech queue on a virtual clock: one phrase at a time, priorities, replacement,
interruption, expiry, withdrawal and the per-kind rate limits."""

from __future__ import annotations

import itertools

from tui_trainer.core.coaching.speech_queue import (
    DROPPED,
    INTERRUPT,
    PAUSE_S,
    QUEUED,
    REPLACED,
    Cue,
    Priority,
    SpeechQueue,
)


def seconds_per_char(cue: Cue) -> float:
    return 0.05 * len(cue.text)


def run(
    q: SpeechQueue, offers: list[Cue], until: float, dt: float = 0.01
) -> list[tuple[float, str]]:
    """Offer each cue at its time and start what is due, frame by frame: (start, text)."""
    said: list[tuple[float, str]] = []
    todo = sorted(offers, key=lambda c: c.t)
    t = 0.0
    while t <= until:
        while todo and todo[0].t <= t:
            if q.offer(todo.pop(0)) == INTERRUPT:
                q.cut(t)
        started = q.start_due(t, seconds_per_char)
        if started:
            said.append((round(started[1], 2), started[0].text))
        t = round(t + dt, 6)
    return said


def test_a_cue_waits_for_the_phrase_being_spoken_then_a_short_pause() -> None:
    q = SpeechQueue()
    said = run(q, [Cue("x" * 40, Priority.STEP, 0.0), Cue("three", Priority.COUNTDOWN, 0.5)], 5)
    assert said[0] == (0.0, "x" * 40)
    assert said[1][1] == "three" and abs(said[1][0] - (2.0 + PAUSE_S)) < 0.02


def test_a_newer_cue_as_important_replaces_the_waiting_one_a_lesser_one_is_dropped() -> None:
    q = SpeechQueue()
    assert q.offer(Cue("x" * 40, Priority.STEP, 0.0)) == QUEUED
    assert q.start_due(0.0, seconds_per_char) is not None  # speaking until 2.25 s
    assert q.offer(Cue("Lift your arm.", Priority.CORRECTION, 0.1, "correction")) == QUEUED
    assert q.offer(Cue("Step back.", Priority.FRAMING, 0.2, "framing")) == REPLACED
    assert q.offer(Cue("Bend your knee.", Priority.CORRECTION, 0.3, "correction")) == DROPPED
    assert q.offer(Cue("three", Priority.COUNTDOWN, 0.4)) == REPLACED
    assert q.offer(Cue("two", Priority.COUNTDOWN, 1.4)) == REPLACED  # newer wins a tie
    started = q.start_due(2.3, seconds_per_char)
    assert started is not None and started[0].text == "two"


def test_a_stale_waiting_cue_loses_to_anything_and_is_never_said() -> None:
    q = SpeechQueue()
    said = run(
        q,
        [
            Cue("x" * 100, Priority.STEP, 0.0),  # 5 s
            Cue("Good.", Priority.PERFECT, 1.0, "perfect", ttl_s=1.5),
            Cue("Lift your arm.", Priority.CORRECTION, 3.0, "correction", ttl_s=1.0),
        ],
        10,
    )
    assert [text for _, text in said] == ["x" * 100]  # both expired before the voice was free
    q2 = SpeechQueue()
    q2.offer(Cue("x" * 100, Priority.STEP, 0.0))
    q2.start_due(0.0, seconds_per_char)
    q2.offer(Cue("Good.", Priority.PERFECT, 1.0, "perfect", ttl_s=1.5))
    assert q2.offer(Cue("Lift your arm.", Priority.CORRECTION, 3.0, "correction")) == REPLACED


def test_an_interrupting_cue_cuts_a_less_important_phrase_only() -> None:
    q = SpeechQueue()
    q.offer(Cue("x" * 60, Priority.CORRECTION, 0.0, "correction"))
    assert q.start_due(0.0, seconds_per_char) is not None
    assert q.speaking(1.0)
    step = Cue("Tree, left side.", Priority.STEP, 1.0, "step", interrupts=True)
    assert q.offer(step) == INTERRUPT
    q.cut(1.0)
    started = q.start_due(1.0, seconds_per_char)
    assert started == (step, 1.0)
    # A step does not cut another step (the user pressing n twice hears the latest one next).
    assert q.offer(Cue("Plank.", Priority.STEP, 1.2, "step", interrupts=True)) == QUEUED
    # And a cue that may not interrupt waits even when more important.
    q3 = SpeechQueue()
    q3.offer(Cue("x" * 60, Priority.CORRECTION, 0.0, "correction"))
    q3.start_due(0.0, seconds_per_char)
    assert q3.offer(Cue("Rest.", Priority.REST, 1.0, "rest")) == QUEUED


def test_corrections_at_most_one_every_4_s_and_the_same_words_not_within_8_s() -> None:
    """A correction offered on every frame (30 fps), changing every 3 s between two phrases."""
    q = SpeechQueue()
    offers = []
    for i in range(30 * 30):
        t = i / 30
        text = "Lift your arm." if int(t // 3) % 2 == 0 else "Bend your knee."
        offers.append(Cue(text, Priority.CORRECTION, t, "correction", ttl_s=1.0))
    said = run(q, offers, 30, dt=1 / 30)
    starts = [t for t, _ in said]
    assert len(said) >= 5
    assert all(b - a >= 4.0 - 1e-6 for a, b in itertools.pairwise(starts))
    for text in ("Lift your arm.", "Bend your knee."):
        times = [t for t, s in said if s == text]
        assert times and all(b - a >= 8.0 - 1e-6 for a, b in itertools.pairwise(times))
    # Limits count from when a phrase was spoken: a correction that never got the voice does
    # not hold the next one back.
    q2 = SpeechQueue()
    q2.offer(Cue("x" * 60, Priority.STEP, 0.0))
    q2.start_due(0.0, seconds_per_char)
    q2.offer(Cue("Lift your arm.", Priority.CORRECTION, 0.5, "correction", ttl_s=0.5))
    q2.withdraw("correction")
    assert q2.offer(Cue("Lift your arm.", Priority.CORRECTION, 3.3, "correction")) == QUEUED
    assert q2.start_due(3.3, seconds_per_char) is not None


def test_withdraw_forgets_only_the_given_kind() -> None:
    q = SpeechQueue()
    q.offer(Cue("x" * 60, Priority.STEP, 0.0))
    q.start_due(0.0, seconds_per_char)
    q.offer(Cue("Step back.", Priority.FRAMING, 0.5, "framing"))
    q.withdraw("correction")
    assert q.pending is not None
    q.withdraw("framing")
    assert q.pending is None and q.next_start() is None
    q.offer(Cue("Rest.", Priority.REST, 0.6, "rest"))
    q.withdraw(None)
    assert q.start_due(10.0, seconds_per_char) is None


def test_a_cue_never_starts_before_its_time_nor_when_it_cannot_be_said() -> None:
    q = SpeechQueue()
    q.offer(Cue("Good.", Priority.PERFECT, 1.35, "perfect"))
    assert q.next_start() == 1.35
    assert q.start_due(1.0, seconds_per_char) is None
    assert q.start_due(1.4, seconds_per_char) == (q.current, 1.35)
    q.offer(Cue("Unsayable.", Priority.INFO, 5.0))
    assert q.start_due(5.0, lambda cue: None) is None and q.pending is None
