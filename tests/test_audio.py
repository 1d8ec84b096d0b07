"""The chime: synthesis, the on/off switch, and running silently when audio is unavailable."""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np
import pytest

from tui_trainer.io.audio import (
    RATE,
    AudioUnavailable,
    Chime,
    SoundDevicePlayer,
    breath_samples,
    chime_samples,
)


class FakePlayer:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def play(self, samples: np.ndarray, rate: int) -> None:
        self.calls.append((len(samples), rate))


def test_chime_is_short_soft_and_ends_silent() -> None:
    s = chime_samples()
    assert s.dtype == np.float32
    assert 0.3 <= len(s) / RATE <= 0.6
    assert 0.1 < np.abs(s).max() <= 0.5  # audible, no clipping
    assert abs(s[0]) < 0.01 and abs(s[-1]) < 1e-3  # no clicks
    spectrum = np.abs(np.fft.rfft(s))
    peak_hz = np.argmax(spectrum) * RATE / len(s)
    assert 1200 < peak_hz < 2100


def test_chime_plays_through_the_player_and_can_be_switched_off() -> None:
    player = FakePlayer()
    chime = Chime(lambda: player)
    assert chime.prepare() is None
    assert chime.play() is None and chime.play() is None
    assert len(player.calls) == 2 and player.calls[0][1] == RATE
    chime.enabled = False
    chime.play()
    assert len(player.calls) == 2


def test_missing_portaudio_is_reported_once_and_never_raises() -> None:
    def no_portaudio() -> FakePlayer:
        raise OSError("PortAudio library not found")

    chime = Chime(no_portaudio)
    first = chime.play()
    assert first is not None and "PortAudio" in first and "silently" in first
    assert chime.play() is None and chime.prepare() is None  # said once, then silent
    assert chime.failed is not None


def test_playback_failure_is_reported_once() -> None:
    class Broken(FakePlayer):
        def play(self, samples: np.ndarray, rate: int) -> None:
            raise AudioUnavailable("no sound: playback failed (device busy)")

    chime = Chime(Broken)
    assert "device busy" in (chime.play() or "")
    assert chime.play() is None


class _RaisingFinder:
    """Makes `import sounddevice` raise OSError, as it does without PortAudio."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_sounddevice_player_without_portaudio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_RaisingFinder(), *sys.meta_path])
    with pytest.raises(AudioUnavailable, match="PortAudio"):
        SoundDevicePlayer()


def test_sounddevice_player_without_output_device(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("sounddevice")

    def query_devices(kind: str | None = None) -> None:
        raise ValueError("No output device matching ''")

    fake.query_devices = query_devices  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    with pytest.raises(AudioUnavailable, match="no audio output device"):
        SoundDevicePlayer()
    chime = Chime()  # the real factory, with the fake module
    assert "no audio output device" in (chime.play() or "")


def _pitch(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * RATE / len(samples))


def test_breath_tones_rise_for_the_inhale_fall_for_the_exhale_and_are_soft() -> None:
    inhale, exhale = breath_samples("inhale"), breath_samples("exhale")
    for s in (inhale, exhale):
        assert s.dtype == np.float32 and 0.3 <= len(s) / RATE <= 0.8
        assert 0.05 < np.abs(s).max() < np.abs(chime_samples()).max()  # softer than the chime
        assert abs(s[0]) < 0.01 and abs(s[-1]) < 0.01
    half = len(inhale) // 2
    assert _pitch(inhale[:half]) < _pitch(inhale[half:])
    assert _pitch(exhale[:half]) > _pitch(exhale[half:])
    assert 350 < _pitch(inhale) < 600  # well below the chime (1.3-2 kHz)


def test_breath_tones_play_through_the_same_switch() -> None:
    player = FakePlayer()
    chime = Chime(lambda: player)
    assert chime.play_breath("inhale") is None and chime.play_breath("exhale") is None
    assert chime.play_breath("hold") is None  # not a breath: nothing
    assert [n for n, _ in player.calls] == [len(breath_samples("inhale"))] * 2
    chime.enabled = False
    chime.play_breath("inhale")
    assert len(player.calls) == 2
