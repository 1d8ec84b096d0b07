"""The voice coach's speed: eSpeak NG start-up, synthesis of every phrase the built-in routines
can say, the time from a cue to its first sound, and the cue planner's cost per frame.

First sound is measured through the app's own path (Voice worker -> Mixer) with a simulated
sound card: a thread that pulls one 512-frame block every 11.6 ms, as PortAudio's callback does;
a real device adds its output latency (PortAudio's "low" latency, typically 5-20 ms). Goal: a
phrase starts within 150 ms of its cue.

    python bench/bench_voice.py [--cues 40]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from typing import Any

import numpy as np

from tui_trainer.io.audio import BLOCK, RATE, Mixer, resample


class SimulatedDevice:
    """Stands in for SoundDevicePlayer without a sound card: the same Mixer, pulled in real time
    by a thread like PortAudio's callback; `first_sound` is when each sound's first block went
    out (time.perf_counter)."""

    realtime = True

    def __init__(self) -> None:
        self.mixer = Mixer()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pull, name="fake-audio", daemon=True)
        self._thread.start()

    def _pull(self) -> None:
        period = BLOCK / RATE
        next_t = time.perf_counter()
        while not self._stop.is_set():
            self.mixer.pull(BLOCK, time.perf_counter())
            next_t += period
            time.sleep(max(next_t - time.perf_counter(), 0.0))

    @property
    def first_sound(self) -> dict[int, float]:
        return self.mixer.first_sound_at

    def play(self, samples: np.ndarray, rate: int, at: float | None = None) -> int:
        return self.mixer.add(resample(samples, rate))

    def stop(self, sound_id: int, at: float | None = None) -> None:
        self.mixer.stop(sound_id)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1.0)


def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    arr = np.array(values)
    return (
        f"p50 {np.percentile(arr, 50):.1f}, p95 {np.percentile(arr, 95):.1f}, "
        f"max {arr.max():.1f} (n={arr.size})"
    )


def all_phrases() -> list[str]:
    from tui_trainer.core.coaching.voice_cues import CuePlanner
    from tui_trainer.core.library import PoseLibrary, RoutineLibrary

    poses = PoseLibrary.load()
    phrases: list[str] = []
    for routine in RoutineLibrary.load(poses).all():
        specs = [poses.get(s.pose_id).for_side(s.side) for s in routine.steps]
        phrases += CuePlanner(specs, routine.steps).phrases()
    return list(dict.fromkeys(phrases))


def first_sound(cues: int) -> tuple[list[float], list[float]]:
    """Cue -> first block out, in ms: (prepared phrases, phrases synthesised on demand)."""
    from tui_trainer.core.coaching.speech_queue import Priority
    from tui_trainer.io.voice import Voice

    device = SimulatedDevice()
    voice = Voice(lambda: device, clock=time.perf_counter)
    voice.start()
    prepared = ["three", "two", "one", "Good.", "Step back, I can't see your feet."]
    voice.prepare(prepared)
    voice.prepared.wait(10)
    cached: list[float] = []
    fresh: list[float] = []
    for i in range(cues):
        known = i % 2 == 0
        text = prepared[i % len(prepared)] if known else f"Lift your arm a little, number {i}."
        before = len(voice.spoken)
        t_cue = time.perf_counter()
        voice.say(text, Priority.STEP)
        while len(voice.spoken) == before:
            time.sleep(0.001)
        spoken = voice.spoken[-1]
        sound_id = voice._sound_id
        deadline = time.perf_counter() + 1.0
        while sound_id not in device.first_sound and time.perf_counter() < deadline:
            time.sleep(0.001)
        out = device.first_sound.get(sound_id)
        if out is not None:
            (cached if spoken.synth_ms is None else fresh).append((out - t_cue) * 1000.0)
        voice.enabled = False  # stop it: the next cue finds the voice free
        voice.enabled = True
        voice.flush()
        time.sleep(0.05)
    voice.close()
    device.close()
    return cached, fresh


def planner_cost() -> float:
    """Microseconds of CuePlanner.update per frame over a demo session (the frame loop's share)."""
    from tui_trainer.core.coaching.session import Session
    from tui_trainer.core.coaching.voice_cues import CuePlanner
    from tui_trainer.core.demo.trainee import DemoTrainee
    from tui_trainer.core.library import PoseLibrary
    from tui_trainer.core.library.routines import Routine, Step

    poses = PoseLibrary.load()
    steps = (Step("warrior2", "left", 10, 3), Step("warrior2", "right", 10, 3))
    session = Session(Routine("b", "B", "beginner", "", steps), {"warrior2": poses.get("warrior2")})
    planner = CuePlanner(session.specs, steps)
    trainee = DemoTrainee(1)
    states: list[Any] = []
    index, t = -1, 0.0
    while not session.state().finished and t < 120:
        if session.index != index:
            index = session.index
            trainee.set_target(session.spec, t)
        states.append((session.update(trainee.pose_at(t), t), t))
        t += 1 / 30
    t0 = time.perf_counter()
    for state, t in states:
        planner.update(state, t)
    return (time.perf_counter() - t0) / len(states) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cues", type=int, default=40, help="cues for the first-sound test")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from tui_trainer.io.speech import EspeakSpeech

    engine = EspeakSpeech()
    print(f"eSpeak NG load + start: {(time.perf_counter() - t0) * 1000:.0f} ms (once a run)")

    phrases = all_phrases()
    synth_ms, audio_s = [], []
    t0 = time.perf_counter()
    for text in phrases:
        t1 = time.perf_counter()
        pcm = engine.synth(text)
        synth_ms.append((time.perf_counter() - t1) * 1000.0)
        audio_s.append(pcm.size / engine.rate)
    total = time.perf_counter() - t0
    print(
        f"synthesis of the {len(phrases)} phrases of the built-in routines: {total * 1000:.0f} ms "
        f"in all, {sum(audio_s):.0f} s of speech ({sum(audio_s) / total:.0f}x real time)"
    )
    print(f"  per phrase, ms: {_stats(synth_ms)}")
    print(f"  phrase length, s: median {statistics.median(audio_s):.2f}, max {max(audio_s):.2f}")
    longest = phrases[int(np.argmax(audio_s))]
    print(f"  longest: {longest!r}")
    cache_mb = sum(a * engine.rate * 2 for a in audio_s) / 1e6
    print(f"  cache for all of them: {cache_mb:.1f} MB (16-bit, {engine.rate} Hz)")

    cached, fresh = first_sound(args.cues)
    print("cue -> first sound block out (simulated 512-frame device), ms:")
    print(f"  prepared phrase:            {_stats(cached)}")
    print(f"  synthesised on demand:      {_stats(fresh)}")
    worst = max(cached + fresh) if cached or fresh else float("inf")
    print(f"cue planner per frame: {planner_cost():.1f} us (runs in the frame loop)")
    print("target met (<= 150 ms)" if worst <= 150 else "target NOT met (> 150 ms)")


if __name__ == "__main__":
    main()
