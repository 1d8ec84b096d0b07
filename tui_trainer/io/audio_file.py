"""`--audio-file FILE.wav`: everything the session would play, written to a WAV file instead.

Each sound (a phrase of the voice, a chime) lands at its time from the session start, with
silence between, so the file is as long as the session. The writer stands in for the sound
device (`play`/`stop` like io/audio.SoundDevicePlayer) and is not real time: the voice hands
it each phrase with the time it starts on the session's clock. Sounds are mixed in memory and
written out once they are `FLUSH_S` behind the newest one, so a long session costs little
memory; the file is complete after `close()`.
"""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tui_trainer.core.errors import InputFileError
from tui_trainer.io.audio import RATE, resample

FLUSH_S = 10.0  # sounds may arrive this late (another thread) and still land at their time


def open_wav(path: str | Path, rate: int = RATE) -> wave.Wave_write:
    """Open FILE.wav for writing (16-bit mono); a clear error when it cannot be written."""
    target = Path(path)
    option = f"--audio-file {path}"
    if target.suffix.lower() != ".wav":
        raise InputFileError(f"{option}: expected a file name ending in .wav")
    if target.is_dir():
        raise InputFileError(f"{option}: is a directory")
    if not target.parent.is_dir():
        raise InputFileError(f"{option}: no such directory {target.parent}")
    try:
        out = wave.open(str(target), "wb")  # noqa: SIM115 (closed by AudioFileWriter.close)
    except OSError as exc:
        raise InputFileError(f"{option}: cannot write ({exc.strerror or exc})") from None
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(rate)
    return out


class AudioFileWriter:
    """A sound output that writes a WAV file on the session's timeline."""

    realtime = False  # the voice passes each phrase's start time instead of playing it now

    def __init__(
        self,
        path: str | Path,
        *,
        volume: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        rate: int = RATE,
    ) -> None:
        self.path = Path(path)
        self.rate = rate
        self.volume = volume
        self.clock = clock
        self._wav: wave.Wave_write | None = open_wav(path, rate)
        self._lock = threading.Lock()
        self.t0: float | None = None  # the session start: time 0 of the file
        self.end_t: float | None = None
        self._sounds: dict[int, tuple[int, np.ndarray]] = {}  # id -> (first sample, samples)
        self._next_id = 1
        self._written = 0  # samples written to the file so far
        self.placed: list[tuple[float, float]] = []  # (start s, length s) of every sound

    def start(self, t: float | None = None) -> None:
        """The session starts now (or at t): the file's time 0. Later calls keep the first."""
        with self._lock:
            if self.t0 is None:
                self.t0 = self.clock() if t is None else t

    def mark_end(self, t: float | None = None) -> None:
        """The session ends now: the file is at least this long."""
        with self._lock:
            self.end_t = self.clock() if t is None else t

    def _index(self, t: float) -> int:
        if self.t0 is None:
            self.t0 = t
        return max(round((t - self.t0) * self.rate), 0)

    def play(self, samples: np.ndarray, rate: int, at: float | None = None) -> int:
        data = resample(samples, rate, self.rate) * np.float32(self.volume)
        with self._lock:
            if self._wav is None:
                raise ValueError("the audio file is closed")
            first = max(self._index(self.clock() if at is None else at), self._written)
            sound_id = self._next_id
            self._next_id += 1
            self._sounds[sound_id] = (first, data)
            self.placed.append((first / self.rate, data.size / self.rate))
            self._flush(first - int(FLUSH_S * self.rate))
            return sound_id

    def stop(self, sound_id: int, at: float | None = None) -> None:
        """Cut a sound short at `at` (now when None)."""
        with self._lock:
            sound = self._sounds.get(sound_id)
            if sound is None:
                return
            first, data = sound
            keep = max(self._index(self.clock() if at is None else at) - first, 0)
            self._sounds[sound_id] = (first, data[:keep])

    def _flush(self, upto: int) -> None:
        """Mix and write every sample before index `upto`."""
        if self._wav is None or upto <= self._written:
            return
        out = np.zeros(upto - self._written, dtype=np.float32)
        for sound_id, (first, data) in list(self._sounds.items()):
            lo, hi = max(first, self._written), min(first + data.size, upto)
            if hi > lo:
                out[lo - self._written : hi - self._written] += data[lo - first : hi - first]
            if first + data.size <= upto:
                del self._sounds[sound_id]
        pcm = (np.clip(out, -1.0, 1.0) * 32767.0).astype("<i2")
        self._wav.writeframes(pcm.tobytes())
        self._written = upto

    def close(self) -> float:
        """Write the rest (silence up to the session end) and close; the length in seconds."""
        with self._lock:
            if self._wav is None:
                return self._written / self.rate
            end = self._written
            for first, data in self._sounds.values():
                end = max(end, first + data.size)
            if self.end_t is not None and self.t0 is not None:
                end = max(end, self._index(self.end_t))
            self._flush(end)
            self._wav.close()
            self._wav = None
            return self._written / self.rate
