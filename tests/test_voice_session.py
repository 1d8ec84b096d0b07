"""The voice coach in the real app: a ~40 s demo session written with --audio-file and the WAV
analysed (segment energy, the chime's tone), the v key, a missing speech library, and the
command line's checks. The demo trainee runs on a virtual clock, 4x faster than real time."""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import RecordingLog

from tui_trainer.cli import main
from tui_trainer.core.library import PoseLibrary, RoutineLibrary
from tui_trainer.core.library.routines import Routine, Step
from tui_trainer.io.audio import RATE, Chime, SharedOutput
from tui_trainer.io.audio_file import AudioFileWriter
from tui_trainer.io.sources import DemoSource
from tui_trainer.io.voice import Voice
from tui_trainer.ui.app import TrainerApp
from tui_trainer.ui.screens import SummaryScreen
from tui_trainer.ui.session_screen import SessionScreen

SPEEDUP = 4.0
ROUTINE = Routine(
    "voice_demo",
    "Voice demo",
    "beginner",
    "",
    (Step("warrior2", "left", 12.0, 4.0), Step("warrior2", "right", 12.0, 4.0)),
)


class VirtualClock:
    """Time for the demo trainee, the voice and the WAV writer; sleeping advances it."""

    def __init__(self) -> None:
        self.t = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.t

    def sleep(self, dt: float) -> None:
        time.sleep(dt / SPEEDUP)  # lets the UI keep up (the chime is played from it)
        with self._lock:
            self.t += dt


class App(TrainerApp):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notices: list[str] = []

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.notices.append(str(message))
        super().notify(message, *args, **kwargs)


async def wait_for(pilot: Any, check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {check}"
        await pilot.pause(0.05)


def segments(x: np.ndarray, rate: int, win_s: float = 0.05) -> list[tuple[float, float]]:
    """Stretches of sound (RMS over 50 ms windows), gaps under 0.3 s bridged: (start, end)."""
    win = int(win_s * rate)
    energy = np.sqrt(np.mean(x[: x.size // win * win].reshape(-1, win) ** 2, axis=1))
    loud = np.flatnonzero(energy > 0.003)  # the room is silent: only sound is above 0
    out: list[tuple[float, float]] = []
    for i in loud:
        start, end = i * win_s, (i + 1) * win_s
        if out and start - out[-1][1] <= 0.3:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def chime_share(x: np.ndarray, rate: int, start: float) -> float:
    """How much of 60 ms of sound from `start` is the chime's E6 partial (1318.5 Hz)."""
    part = x[int(start * rate) : int((start + 0.06) * rate)]
    spectrum = np.abs(np.fft.rfft(part * np.hanning(part.size))) ** 2
    freqs = np.fft.rfftfreq(part.size, 1 / rate)
    band = (freqs > 1250) & (freqs < 1390)
    return float(spectrum[band].sum() / max(spectrum.sum(), 1e-12))


def chime_onsets(x: np.ndarray, rate: int) -> list[float]:
    """Where the chime's tone dominates the sound (20 ms steps, onsets 1 s apart at least)."""
    onsets: list[float] = []
    for i in range(0, x.size - int(0.06 * rate), int(0.02 * rate)):
        t = i / rate
        loud = np.sqrt(np.mean(x[i : i + int(0.06 * rate)] ** 2)) > 0.02
        if loud and chime_share(x, rate, t) > 0.4 and (not onsets or t - onsets[-1] > 1.0):
            onsets.append(t)
    return onsets


async def test_a_demo_session_written_to_a_wav_holds_the_spoken_cues_and_the_chime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    clock = VirtualClock()
    path = tmp_path / "session.wav"
    writer = AudioFileWriter(path, clock=clock)
    output = SharedOutput(lambda: writer)
    voice = Voice(output.get, clock=clock)
    chime = Chime(output.get)
    poses = PoseLibrary.load()
    app = App(
        source_factory=lambda: DemoSource(seed=8, clock=clock, sleep=clock.sleep),
        poses=poses,
        routines=RoutineLibrary([ROUTINE]),
        session_log_factory=RecordingLog,
        chime=chime,
        voice=voice,
        audio_file=writer,
        start_routine="voice_demo",
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=60)
        await pilot.pause(0.3)  # let the summary finish mounting before the app closes
    voice.close()
    t0, end = writer.t0, writer.end_t
    length = writer.close()
    assert t0 is not None and end is not None
    assert not [n for n in app.notices if "voice" in n.lower() or "sound" in n.lower()]

    with wave.open(str(path)) as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    assert rate == RATE
    # As long as the session (the last phrase may run a little past its end).
    session_s = end - t0
    assert 30.0 < session_s < 60.0
    assert x.size / rate == pytest.approx(length)
    assert session_s - 0.1 <= length <= session_s + 4.0

    spoken = [(s.start - t0, s.duration_s, s.cue) for s in voice.spoken]
    kinds = [c.kind for _, _, c in spoken]
    texts = [c.text for _, _, c in spoken]
    assert texts[0].startswith("Warrior two, left side. Wide stance")
    assert "Switch sides. Warrior two, right side." in texts
    # The countdown (a number is dropped when a drift's correction holds the voice past it).
    assert texts.count("three") >= 1 and kinds.count("countdown") >= 4
    assert {"rest", "done"} <= set(kinds)
    assert "correction" in kinds  # this demo trainee drifts out of the pose now and then
    long_ones = [c for _, d, c in spoken if d >= 1.0]
    assert len(long_ones) >= 4

    # The WAV itself: every phrase is sound where the voice says it started, and every stretch
    # of sound is a phrase or a chime.
    found = segments(x, rate)
    for start, duration, cue in spoken:
        assert any(a - 0.12 <= start <= b for a, b in found), (start, cue.text)
        middle = start + min(duration, 0.5) / 2
        assert np.sqrt(np.mean(x[int(middle * rate) : int((middle + 0.05) * rate)] ** 2)) > 0.01
    assert len([(a, b) for a, b in found if b - a >= 1.0]) >= 4
    assert chime.played >= 2  # one per PERFECT: once per step at least
    chimes = chime_onsets(x, rate)  # (one may hide under a phrase)
    assert 2 <= len(chimes) <= chime.played
    for a in chimes:  # the chime, not speech: no phrase starts there
        assert all(abs(a - s) > 0.1 for s, _, _ in spoken)


async def test_v_toggles_the_voice_and_a_missing_speech_library_leaves_the_chime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_trainer.io.speech import SpeechUnavailable

    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path))
    writer = AudioFileWriter(tmp_path / "x.wav")
    output = SharedOutput(lambda: writer)
    voice = Voice(output.get)
    app = App(
        source_factory=lambda: DemoSource(seed=0),
        routines=RoutineLibrary([ROUTINE]),
        session_log_factory=RecordingLog,
        chime=Chime(output.get),
        voice=voice,
        audio_file=writer,
        start_routine="voice_demo",
    )
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, SessionScreen)
        await wait_for(pilot, lambda: voice.spoken, timeout=10)
        await pilot.press("v")
        assert app.notices[-1] == "Voice off (chime only)" and not voice.enabled
        await pilot.press("s")
        await pilot.press("v")
        assert app.notices[-1] == "Voice on when the sound is (s)" and not voice.enabled
        await pilot.press("s")
        assert voice.enabled
        await pilot.press("q")
    voice.close()
    writer.close()

    def no_library() -> Any:
        raise SpeechUnavailable("the eSpeak NG library could not be loaded (test)")

    writer = AudioFileWriter(tmp_path / "y.wav")
    output = SharedOutput(lambda: writer)
    chime = Chime(output.get)
    app = App(
        source_factory=lambda: DemoSource(seed=0),
        routines=RoutineLibrary([ROUTINE]),
        session_log_factory=RecordingLog,
        chime=chime,
        voice=Voice(output.get, no_library),
        audio_file=writer,
        start_routine="voice_demo",
    )
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        await wait_for(pilot, lambda: screen.session.state().held_s > 0.5, timeout=20)
        said = [n for n in app.notices if "no voice" in n]
        assert len(said) == 1 and "chime only" in said[0]
        assert chime.played >= 1  # the chime still sounds
        await pilot.press("v")
        assert "no voice" in app.notices[-1]
        await pilot.press("q")
    writer.close()


def test_command_line_checks_fail_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        (["--audio-file", str(tmp_path / "nowhere" / "a.wav")], "no such directory"),
        (["--audio-file", str(tmp_path / "a.mp3")], "ending in .wav"),
        (["--audio-file", str(tmp_path / "a.wav"), "--no-sound"], "--no-sound"),
        (["--volume", "120"], "0 to 100"),
        (["--voice", "xx-nothing"], "unknown voice"),
    ]
    for args, expected in cases:
        assert main(["--source", "demo", *args]) == 2
        err = capsys.readouterr().err
        assert expected in err and err.count("\n") == 1, err
    assert main(["--list-voices"]) == 0
    out = capsys.readouterr().out
    assert "en-us" in out and "en-gb" in out and "f3" in out
