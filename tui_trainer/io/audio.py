"""The PERFECT chime and a flow's breath tones: synthesised with numpy, played with
sounddevice when there is a way to.

sounddevice is imported lazily: without the PortAudio library the import raises OSError, and a
machine without an output device fails at query or playback. Either way the trainer says so
once (the `Chime.play` return value) and carries on silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

RATE = 44100


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
    def play(self, samples: np.ndarray, rate: int) -> None: ...


class AudioUnavailable(Exception):
    """No way to play sound here (the message says why)."""


class SoundDevicePlayer:
    """Plays through PortAudio's default output device; raises AudioUnavailable if it can't."""

    def __init__(self) -> None:
        try:
            import sounddevice
        except (OSError, ImportError) as exc:  # PortAudio (or sounddevice) is missing
            raise AudioUnavailable(f"no sound: {exc}") from None
        try:
            sounddevice.query_devices(kind="output")
        except Exception as exc:  # PortAudioError or ValueError: no output device
            raise AudioUnavailable(f"no sound: no audio output device ({exc})") from None
        self._sd = sounddevice

    def play(self, samples: np.ndarray, rate: int) -> None:
        try:
            self._sd.play(samples, rate)  # returns at once; plays in PortAudio's thread
        except Exception as exc:
            raise AudioUnavailable(f"no sound: playback failed ({exc})") from None


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
