"""The app's one sound output, the PERFECT chime and a flow's breath tones.

`SoundDevicePlayer` keeps one PortAudio output stream open and mixes into it whatever is played
(the chime, the breath tones and the voice's phrases overlap instead of cutting each other off; a
sound starts within one audio block). `SharedOutput` opens it once, on first use, for every user.

sounddevice is imported lazily: without the PortAudio library the import raises OSError, and a
machine without an output device fails at query or playback. Either way the trainer says so
once (the `Chime.play` return value) and carries on silently.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

RATE = 44100
BLOCK = 512  # frames per audio callback: ~12 ms at 44.1 kHz


def chime_samples(rate: int = RATE, duration: float = 0.45) -> np.ndarray:
    """A soft two-partial bell (E6 and B6, a fifth apart) with a quick attack and a decay."""
    t = np.arange(int(rate * duration)) / rate
    tone = 0.6 * np.sin(2 * np.pi * 1318.5 * t) + 0.4 * np.sin(2 * np.pi * 1975.5 * t)
    envelope = np.minimum(t / 0.006, 1.0) * np.exp(-t / 0.12)
    fade = np.minimum((duration - t) / 0.02, 1.0)  # no click at the end
    return np.asarray(0.35 * tone * envelope * fade, dtype=np.float32)


def breath_samples(phase: str, rate: int = RATE, duration: float = 0.5) -> np.ndarray:
    """A soft sine glide for a flow's breath cue: rising for "inhale" (G4 to C5), falling for
    "exhale"; quieter and lower than the chime so the two are not confused."""
    lo, hi = 392.0, 523.25
    start, end = (lo, hi) if phase == "inhale" else (hi, lo)
    t = np.arange(int(rate * duration)) / rate
    freq = start + (end - start) * t / duration
    phase_rad = 2 * np.pi * np.cumsum(freq) / rate
    envelope = np.minimum(t / 0.03, 1.0) * np.minimum((duration - t) / 0.12, 1.0)
    return np.asarray(0.2 * np.sin(phase_rad) * envelope, dtype=np.float32)


class Player(Protocol):
    def play(self, samples: np.ndarray, rate: int) -> Any: ...


class AudioUnavailable(Exception):
    """No way to play sound here (the message says why)."""


def to_float(samples: np.ndarray) -> np.ndarray:
    """float32 in [-1, 1] from int16 PCM or any float array."""
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    return np.asarray(samples, dtype=np.float32)


def resample(samples: np.ndarray, rate: int, to_rate: int = RATE) -> np.ndarray:
    """Linear interpolation to another rate (speech at 22.05 kHz -> the output's 44.1 kHz)."""
    samples = to_float(samples)
    if rate == to_rate or samples.size == 0:
        return samples
    n = round(samples.size * to_rate / rate)
    x = np.arange(n, dtype=np.float64) * (rate / to_rate)
    return np.interp(x, np.arange(samples.size), samples).astype(np.float32)


class Mixer:
    """Sounds playing at once, summed block by block for an audio callback (thread-safe)."""

    def __init__(self, volume: float = 1.0) -> None:
        self.volume = volume
        self._lock = threading.Lock()
        self._sounds: dict[int, tuple[np.ndarray, int]] = {}  # id -> (samples, position)
        self._next_id = 1
        self.first_sound_at: dict[int, float] = {}  # id -> clock when its first block went out

    def add(self, samples: np.ndarray) -> int:
        with self._lock:
            sound_id = self._next_id
            self._next_id += 1
            self._sounds[sound_id] = (samples, 0)
            return sound_id

    def stop(self, sound_id: int) -> None:
        with self._lock:
            self._sounds.pop(sound_id, None)

    def busy(self) -> bool:
        with self._lock:
            return bool(self._sounds)

    def pull(self, frames: int, now: float | None = None) -> np.ndarray:
        out = np.zeros(frames, dtype=np.float32)
        with self._lock:
            for sound_id, (samples, pos) in list(self._sounds.items()):
                chunk = samples[pos : pos + frames]
                out[: chunk.size] += chunk
                if pos == 0 and now is not None:
                    self.first_sound_at[sound_id] = now
                if pos + frames >= samples.size:
                    del self._sounds[sound_id]
                else:
                    self._sounds[sound_id] = (samples, pos + frames)
        if self.volume != 1.0:
            out *= self.volume
        return np.clip(out, -1.0, 1.0, out=out)


class SoundDevicePlayer:
    """Plays through PortAudio's default output device, mixing what is played into one open
    stream; raises AudioUnavailable if it can't."""

    realtime = True

    def __init__(self, volume: float = 1.0) -> None:
        try:
            import sounddevice
        except (OSError, ImportError) as exc:  # PortAudio (or sounddevice) is missing
            raise AudioUnavailable(f"no sound: {exc}") from None
        try:
            sounddevice.query_devices(kind="output")
        except Exception as exc:  # PortAudioError or ValueError: no output device
            raise AudioUnavailable(f"no sound: no audio output device ({exc})") from None
        self._sd = sounddevice
        self.mixer = Mixer(volume)
        try:
            self._stream = sounddevice.OutputStream(
                samplerate=RATE,
                channels=1,
                dtype="float32",
                blocksize=BLOCK,
                latency="low",
                callback=self._callback,
            )
            self._stream.start()
        except Exception as exc:
            raise AudioUnavailable(f"no sound: the output could not be opened ({exc})") from None

    def _callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        outdata[:, 0] = self.mixer.pull(frames)  # in PortAudio's thread: no allocation-heavy work

    def play(self, samples: np.ndarray, rate: int, at: float | None = None) -> int:
        if not self._stream.active:
            raise AudioUnavailable("no sound: playback failed (the output stream stopped)")
        return self.mixer.add(resample(samples, rate))

    def stop(self, sound_id: int, at: float | None = None) -> None:
        self.mixer.stop(sound_id)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing at exit: nothing left to tell
            self._stream.close()


class SharedOutput:
    """The sound output of the whole app, opened on first use and shared by the chime and the
    voice. `get` raises AudioUnavailable (the same reason every time) when there is none."""

    def __init__(self, factory: Callable[[], Any] = SoundDevicePlayer) -> None:
        self._factory = factory
        self._player: Any = None
        self._error: str | None = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._error is not None:
                raise AudioUnavailable(self._error)
            if self._player is None:
                try:
                    self._player = self._factory()
                except AudioUnavailable as exc:
                    self._error = str(exc)
                    raise
                except Exception as exc:
                    self._error = f"no sound: {exc}"
                    raise AudioUnavailable(self._error) from None
            return self._player

    def close(self) -> None:
        with self._lock:
            player, self._player = self._player, None
        close = getattr(player, "close", None)
        if close is not None:
            close()


class Chime:
    """The cue sound with its on/off switch. Never raises: the first failure is reported once
    (returned by `prepare`/`play`), after which the chime stays silent."""

    def __init__(
        self, player_factory: Callable[[], Player] = SoundDevicePlayer, enabled: bool = True
    ) -> None:
        self.enabled = enabled
        self._factory = player_factory
        self._player: Player | None = None
        self.failed: str | None = None
        self._reported = False
        self._samples = chime_samples()
        self._breath = {p: breath_samples(p) for p in ("inhale", "exhale")}
        self.played = 0

    def _report(self, message: str) -> str | None:
        self.failed = message
        if self._reported:
            return None
        self._reported = True
        return message

    def prepare(self) -> str | None:
        """Open the audio output now (not on the first PERFECT); a message if that fails."""
        if self._player is not None or self.failed is not None:
            return None
        try:
            self._player = self._factory()
        except AudioUnavailable as exc:
            return self._report(str(exc) + ": running silently")
        except Exception as exc:
            return self._report(f"no sound: {exc}: running silently")
        return None

    def play(self) -> str | None:
        return self._play(self._samples)

    def play_breath(self, phase: str) -> str | None:
        """The breath tone of a flow ("inhale" or "exhale"); same switch and failure rules."""
        samples = self._breath.get(phase)
        return None if samples is None else self._play(samples)

    def _play(self, samples: np.ndarray) -> str | None:
        if not self.enabled or self.failed is not None:
            return None
        problem = self.prepare()
        if problem is not None or self._player is None:
            return problem
        try:
            self._player.play(samples, RATE)
            self.played += 1
        except Exception as exc:
            text = str(exc) if isinstance(exc, AudioUnavailable) else f"no sound: {exc}"
            return self._report(text + ": running silently")
        return None
