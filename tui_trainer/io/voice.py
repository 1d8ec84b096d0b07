"""The voice coach: cues in, speech out, on its own thread so the frame loop never waits.

    voice = Voice(output.get)            # the shared sound output (io/audio.py), or a WAV writer
    voice.start()                        # loads eSpeak NG, opens the output; a notice if it can't
    voice.start_session(specs, steps)    # a CuePlanner for the routine; its phrases are
                                         # synthesised in the background right away
    voice.observe(state, t)              # every frame (the live loop's listener): planner -> queue
    voice.say("Halfway there.", Priority.INFO)   # any feature can say something
    voice.enabled = False                # the v key: stops at once, says nothing until on again

The worker thread owns the speech engine, the phrase cache and the `SpeechQueue` (one phrase at
a time, priorities, rate limits, replacement). With a real-time output (the sound card) a due
phrase is played at once; with a file output (`realtime = False`) each event is handled at its
own time on the session's clock and each phrase is handed over with its start time, so the file
holds exactly what the speakers would have played.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from tui_trainer.core.coaching.session import SessionState
from tui_trainer.core.coaching.speech_queue import INTERRUPT, Cue, Priority, SpeechQueue
from tui_trainer.core.coaching.voice_cues import CuePlanner, Withdraw
from tui_trainer.core.library.routines import Step
from tui_trainer.core.library.spec import PoseSpec
from tui_trainer.io.audio import to_float

SPEECH_GAIN = 0.8  # eSpeak peaks near full scale; the chime peaks at 0.35


class SpeechEngine(Protocol):
    rate: int

    def synth(self, text: str) -> np.ndarray: ...


def default_engine(voice: str | None = None) -> Callable[[], SpeechEngine]:
    def make() -> SpeechEngine:
        from tui_trainer.io.speech import DEFAULT_VOICE, EspeakSpeech

        return EspeakSpeech(voice or DEFAULT_VOICE)

    return make


@dataclass(frozen=True)
class Spoken:
    """One phrase that was played."""

    cue: Cue
    start: float  # when it started, on the voice's clock (the session's, for a file)
    duration_s: float
    played_at: float  # the clock when it was handed to the output (= start for a file)
    synth_ms: float | None  # None: it was ready in the cache


@dataclass(frozen=True)
class _Prepare:
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class _Switch:
    on: bool
    t: float


_STOP = object()


class Voice:
    """Speaks cues one at a time on its own thread (see the module docstring for the API)."""

    def __init__(
        self,
        output: Callable[[], Any],
        engine: Callable[[], SpeechEngine] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool = True,
    ) -> None:
        self._output_factory = output
        self._engine_factory = engine or default_engine()
        self.clock = clock
        self._enabled = enabled
        self._on = enabled  # the worker's copy, switched in order with the cues
        self._inbox: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._planner: CuePlanner | None = None
        self._reported = False
        self.problem: str | None = None  # the speech engine could not start (told once)
        self.silent: str | None = None  # no sound output (the chime tells that)
        self.spoken: list[Spoken] = []
        self.cache: dict[str, np.ndarray] = {}  # text -> 16-bit PCM at the engine's rate
        self.synth_ms: dict[str, float] = {}  # text -> how long it took to synthesise
        self.prepared = threading.Event()  # the phrases of the session are all in the cache
        self._engine: SpeechEngine | None = None
        self._output: Any = None
        self._realtime = True
        self._queue = SpeechQueue()
        self._todo: list[str] = []
        self._sound_id: Any = None
        self._fresh: dict[str, float] = {}  # synthesised on demand, not prepared (for Spoken)

    # -- the API ------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self.problem is None and self.silent is None

    def start(self, wait_s: float = 5.0) -> str | None:
        """Start the worker; a message (once) when there will be no voice."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
                self._thread.start()
        self._ready.wait(wait_s)
        if self.problem is not None and not self._reported:
            self._reported = True
            return self.problem
        return None

    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, on: bool) -> None:
        if on != self._enabled:
            self._enabled = on
            self._post(_Switch(on, self.clock()))

    def say(
        self,
        text: str,
        priority: int = Priority.INFO,
        *,
        kind: str = "say",
        ttl_s: float = 5.0,
        interrupts: bool = False,
        t: float | None = None,
    ) -> None:
        """Say `text` when the voice is free (see core/coaching/speech_queue.py for the rules)."""
        cue = Cue(text, int(priority), self.clock() if t is None else t, kind, ttl_s, interrupts)
        self._post(cue)

    def prepare(self, phrases: Sequence[str]) -> None:
        """Synthesise these phrases in the background, before they are needed."""
        self.prepared.clear()
        self._post(_Prepare(tuple(phrases)))

    def start_session(
        self,
        specs: Sequence[PoseSpec],
        steps: Sequence[Step],
        poses: Mapping[str, PoseSpec] | None = None,
    ) -> None:
        """A new session: its steps, the spec each starts with, the specs its flows use."""
        planner = CuePlanner(specs, steps, poses)
        self._planner = planner
        self._post(Withdraw(None, self.clock()))
        self.prepare(planner.phrases())

    def observe(self, state: SessionState, t: float) -> None:
        """A session state at frame time t (from the frame loop: never blocks)."""
        planner = self._planner
        if planner is None:
            return
        for action in planner.update(state, t):
            self._post(action)

    def end_session(self) -> None:
        """Nothing more to say for this session but "routine complete" (a phrase being spoken
        ends by itself)."""
        self._planner = None
        self._post(Withdraw(None, self.clock(), spare="done"))

    def flush(self) -> None:
        """Wait until everything posted so far has been handled (tests, benchmarks)."""
        if self._thread is not None and self._thread.is_alive():
            self._inbox.join()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker; a file output gets the phrases still waiting."""
        if self._thread is not None:
            self._inbox.put(_STOP)
            self._thread.join(timeout)

    def _post(self, item: Any) -> None:
        if self.available:
            self._inbox.put(item)

    # -- the worker -----------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._engine = self._engine_factory()
        except Exception as exc:  # SpeechUnavailable, or the library failing in another way
            self.problem = f"no voice: {exc}: chime only"
        if self.problem is None:
            try:
                self._output = self._output_factory()
                self._realtime = bool(getattr(self._output, "realtime", True))
            except Exception as exc:  # no sound device: the chime says so
                self.silent = str(exc)
        self._ready.set()
        if not self.available:
            self._drain()
            return
        try:
            self._loop()
        except Exception as exc:  # a bug must not take the session down: silent from now on
            self.silent = f"the voice stopped ({exc})"
        finally:
            self._drain()

    def _drain(self) -> None:
        while True:
            try:
                self._inbox.get_nowait()
                self._inbox.task_done()
            except queue.Empty:
                return

    def _loop(self) -> None:
        while True:
            item = self._next_item()
            try:
                if item is _STOP:
                    if not self._realtime:
                        self._advance(math.inf)  # a file gets what was still waiting
                    return
                if item is not None:
                    self._handle(item)
                if self._realtime:
                    self._advance(self.clock())
                if item is None and self._todo:
                    self._synthesise(self._todo.pop(0))
                    if not self._todo:
                        self.prepared.set()
            finally:
                if item is not None:
                    self._inbox.task_done()

    def _next_item(self) -> Any:
        timeout: float | None = None
        if self._todo:
            timeout = 0.0
        elif self._realtime:
            due = self._queue.next_start()
            if due is not None:
                timeout = max(due - self.clock(), 0.0)
        try:
            if timeout is None:
                return self._inbox.get()
            return self._inbox.get(timeout=timeout) if timeout > 0 else self._inbox.get_nowait()
        except queue.Empty:
            return None

    def _handle(self, item: Any) -> None:
        if isinstance(item, _Prepare):
            self._todo = [p for p in dict.fromkeys(item.phrases) if p not in self.cache]
            if not self._todo:
                self.prepared.set()
            return
        t = item.t if isinstance(item, (Cue, Withdraw, _Switch)) else self.clock()
        now = t if not self._realtime else self.clock()
        if not self._realtime:
            self._advance(t)  # what the speakers would have started before this event
        if isinstance(item, _Switch):
            self._on = item.on
            if not item.on:
                self._stop_sound(now)
                self._queue.withdraw(None)
            return
        if isinstance(item, Withdraw):
            self._queue.withdraw(item.kind, item.spare)
        elif isinstance(item, Cue) and self._on and self._queue.offer(item) == INTERRUPT:
            self._stop_sound(now)

    def _stop_sound(self, now: float) -> None:
        if self._sound_id is not None and self._output is not None:
            with contextlib.suppress(Exception):  # a sound that has ended anyway
                self._output.stop(self._sound_id, None if self._realtime else now)
        self._sound_id = None
        self._queue.cut(now)

    def _advance(self, now: float) -> None:
        started = self._queue.start_due(now, self._duration)
        if started is None:
            return
        cue, start = started
        pcm = self.cache[cue.text]
        samples = to_float(pcm) * np.float32(SPEECH_GAIN)
        assert self._engine is not None
        try:
            self._sound_id = self._output.play(
                samples, self._engine.rate, None if self._realtime else start
            )
        except Exception as exc:  # the device went away: silent from now on
            self.silent = f"no sound: playback failed ({exc})"
            return
        played_at = self.clock() if self._realtime else start
        duration = pcm.size / self._engine.rate
        self.spoken.append(Spoken(cue, start, duration, played_at, self._fresh.pop(cue.text, None)))

    def _duration(self, cue: Cue) -> float | None:
        if cue.text not in self.cache:
            if not self._synthesise(cue.text):
                return None
            self._fresh[cue.text] = self.synth_ms[cue.text]
        return self.cache[cue.text].size / self._engine.rate if self._engine else None

    def _synthesise(self, text: str) -> bool:
        if text in self.cache:
            return True
        assert self._engine is not None
        t0 = time.perf_counter()
        try:
            pcm = self._engine.synth(text)
        except Exception:
            return False  # this phrase is not said; the others still are
        self.synth_ms[text] = (time.perf_counter() - t0) * 1000.0
        self.cache[text] = pcm
        return True
