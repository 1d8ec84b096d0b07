"""The voice's sound path: the mixer, the WAV writer, the device player (with a fake
sounddevice), the Voice worker (fake engine, real writer) and the real eSpeak NG engine."""

from __future__ import annotations

import sys
import time
import types
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tui_trainer.core.coaching.speech_queue import Priority
from tui_trainer.core.errors import InputFileError
from tui_trainer.core.library import PoseLibrary
from tui_trainer.core.library.routines import Step
from tui_trainer.io.audio import (
    RATE,
    AudioUnavailable,
    Chime,
    Mixer,
    SharedOutput,
    SoundDevicePlayer,
    resample,
)
from tui_trainer.io.audio_file import AudioFileWriter
from tui_trainer.io.voice import SPEECH_GAIN, Voice


class Clock:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class FakeEngine:
    """A 440 Hz tone, 50 ms per character, at eSpeak's rate."""

    rate = 22050

    def __init__(self) -> None:
        self.calls: list[str] = []

    def synth(self, text: str) -> np.ndarray:
        self.calls.append(text)
        t = np.arange(int(0.05 * len(text) * self.rate)) / self.rate
        return (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32768.0, w.getframerate()


def rms(x: np.ndarray, rate: int, a: float, b: float) -> float:
    part = x[int(a * rate) : int(b * rate)]
    return float(np.sqrt(np.mean(part**2))) if part.size else 0.0


# -- mixer and resampling -----------------------------------------------------------------
def test_mixer_sums_overlapping_sounds_stops_one_and_clips() -> None:
    mixer = Mixer(volume=0.5)
    a = mixer.add(np.full(1000, 0.4, dtype=np.float32))
    b = mixer.add(np.full(300, 0.4, dtype=np.float32))
    block = mixer.pull(512)
    assert block[:300] == pytest.approx(0.4) and block[300:] == pytest.approx(0.2)
    mixer.stop(a)
    assert not mixer.busy() and mixer.pull(100) == pytest.approx(0.0)
    assert b != a
    loud = Mixer()
    loud.add(np.full(10, 0.9, dtype=np.float32))
    loud.add(np.full(10, 0.9, dtype=np.float32))
    assert loud.pull(10).max() == 1.0  # clipped, not wrapped


def test_resample_keeps_duration_and_pitch() -> None:
    t = np.arange(22050) / 22050
    tone = (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    up = resample(tone, 22050, RATE)
    assert up.dtype == np.float32 and up.size == RATE
    peak = np.argmax(np.abs(np.fft.rfft(up))) * RATE / up.size
    assert abs(peak - 440) < 2 and 0.45 < np.abs(up).max() <= 0.51


# -- the WAV writer -----------------------------------------------------------------------
def test_audio_file_puts_each_sound_at_its_time_with_silence_between(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "session.wav"
    out = AudioFileWriter(path, clock=clock, volume=0.5)
    out.start()  # time 0 = 100.0
    clock.t = 101.0
    beep = np.full(RATE // 2, 0.6, dtype=np.float32)  # 0.5 s
    out.play(beep, RATE)  # now: at 1.0 s
    out.play(beep, RATE, at=103.0)  # at 3.0 s, handed over with its time
    cut = out.play(beep, RATE, at=104.0)
    out.stop(cut, at=104.2)  # interrupted after 0.2 s
    clock.t = 106.0
    out.mark_end()
    assert out.close() == pytest.approx(6.0, abs=1e-3)
    x, rate = read_wav(path)
    assert rate == RATE and x.size == 6 * RATE
    assert rms(x, rate, 1.0, 1.5) == pytest.approx(0.3, abs=0.01)  # volume 0.5
    assert rms(x, rate, 3.0, 3.5) == pytest.approx(0.3, abs=0.01)
    assert rms(x, rate, 4.0, 4.2) == pytest.approx(0.3, abs=0.01)
    for a, b in ((0.0, 1.0), (1.55, 3.0), (3.55, 4.0), (4.25, 6.0)):
        assert rms(x, rate, a, b) == 0.0
    assert out.placed[0] == pytest.approx((1.0, 0.5))


def test_audio_file_overlapping_sounds_mix_and_a_long_session_stays_small(tmp_path: Path) -> None:
    clock = Clock(0.0)
    out = AudioFileWriter(tmp_path / "long.wav", clock=clock)
    out.start()
    beep = np.full(RATE, 0.25, dtype=np.float32)
    out.play(beep, RATE, at=1.0)
    out.play(beep, RATE, at=1.5)  # overlaps the first by 0.5 s
    for i in range(2, 120):  # two minutes of a sound every second
        out.play(beep[: RATE // 10], RATE, at=float(i * 1.0))
        assert len(out._sounds) < 20  # written out as it goes
    clock.t = 121.0
    out.mark_end()
    out.close()
    x, rate = read_wav(tmp_path / "long.wav")
    assert x.size == 121 * rate
    assert rms(x, rate, 1.55, 1.95) == pytest.approx(0.5, abs=0.01)  # both at once
    assert rms(x, rate, 60.0, 60.1) == pytest.approx(0.25, abs=0.01)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing/out.wav", "no such directory"),
        ("out.mp3", "ending in .wav"),
        ("adir.wav", "is a directory"),
    ],
)
def test_audio_file_bad_paths_are_one_line_errors(tmp_path: Path, name: str, expected: str) -> None:
    (tmp_path / "adir.wav").mkdir()
    with pytest.raises(InputFileError, match=expected) as info:
        AudioFileWriter(tmp_path / name)
    assert "--audio-file" in str(info.value) and "\n" not in str(info.value)


# -- the sound device ---------------------------------------------------------------------
class FakeStream:
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.active = False
        self.closed = False

    def start(self) -> None:
        self.active = True

    def close(self) -> None:
        self.active, self.closed = False, True

    def run(self, blocks: int) -> np.ndarray:
        """PortAudio asking for `blocks` blocks."""
        n = self.kwargs["blocksize"]
        out = []
        for _ in range(blocks):
            buf = np.zeros((n, 1), dtype=np.float32)
            self.kwargs["callback"](buf, n, None, None)
            out.append(buf[:, 0])
        return np.concatenate(out)


@pytest.fixture
def fake_sounddevice(monkeypatch: pytest.MonkeyPatch) -> list[FakeStream]:
    streams: list[FakeStream] = []
    fake = types.ModuleType("sounddevice")

    def output_stream(**kwargs: Any) -> FakeStream:
        streams.append(FakeStream(**kwargs))
        return streams[-1]

    fake.query_devices = lambda kind=None: {"name": "fake"}  # type: ignore[attr-defined]
    fake.OutputStream = output_stream  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    return streams


def test_the_chime_and_speech_share_one_stream_and_overlap(
    fake_sounddevice: list[FakeStream],
) -> None:
    output = SharedOutput()
    chime = Chime(output.get)
    assert chime.prepare() is None
    (stream,) = fake_sounddevice
    assert stream.active and stream.kwargs["samplerate"] == RATE
    player = output.get()
    assert isinstance(player, SoundDevicePlayer) and output.get() is player  # opened once
    chime.play()
    speech = player.play(np.full(2205, 16000, dtype=np.int16), 22050)  # 0.1 s at 22.05 kHz
    out = stream.run(20)
    assert out.size == 20 * stream.kwargs["blocksize"]
    # The speech (0.49 after the int16 scaling) rides on the chime's start: both at once.
    assert np.abs(out[:4410]).max() > 0.5 and np.abs(out[4410:8000]).max() > 0.05
    player.play(np.full(RATE, 0.3, dtype=np.float32), RATE)
    player.stop(speech)
    output.close()
    assert stream.closed


def test_no_output_device_is_the_same_reason_for_every_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[int] = []

    def no_device() -> Any:
        opened.append(1)
        raise AudioUnavailable("no sound: no audio output device (none)")

    output = SharedOutput(no_device)
    with pytest.raises(AudioUnavailable, match="no audio output device"):
        output.get()
    with pytest.raises(AudioUnavailable, match="no audio output device"):
        output.get()
    assert opened == [1]


# -- the voice worker ---------------------------------------------------------------------
def file_voice(tmp_path: Path, clock: Clock) -> tuple[Voice, AudioFileWriter, FakeEngine]:
    writer = AudioFileWriter(tmp_path / "voice.wav", clock=clock)
    engine = FakeEngine()
    voice = Voice(lambda: writer, lambda: engine, clock=clock)
    assert voice.start() is None
    writer.start(0.0)
    return voice, writer, engine


def test_voice_to_a_file_one_phrase_at_a_time_with_replacement_and_interruption(
    tmp_path: Path,
) -> None:
    clock = Clock(0.0)
    voice, writer, _ = file_voice(tmp_path, clock)
    voice.say("a" * 40, Priority.STEP, t=0.0)  # 2 s
    voice.say("Lift your arm.", Priority.CORRECTION, kind="correction", t=0.5)
    voice.say("three", Priority.COUNTDOWN, t=1.0)  # replaces the waiting correction
    voice.say("b" * 40, Priority.CORRECTION, t=4.0)  # 2 s, cut at 5 s
    voice.say("Tree.", Priority.STEP, t=5.0, interrupts=True)
    voice.close()
    writer.mark_end(8.0)
    writer.close()
    said = [(round(s.start, 2), s.cue.text) for s in voice.spoken]
    assert said == [(0.0, "a" * 40), (2.25, "three"), (4.0, "b" * 40), (5.0, "Tree.")]
    x, rate = read_wav(tmp_path / "voice.wav")
    assert x.size == 8 * rate
    level = 0.5 * SPEECH_GAIN / np.sqrt(2)
    assert rms(x, rate, 0.0, 2.0) == pytest.approx(level, rel=0.05)
    assert rms(x, rate, 2.0, 2.25) == 0.0  # the pause between two phrases
    assert rms(x, rate, 2.25, 2.5) == pytest.approx(level, rel=0.05)  # "three": 0.25 s
    assert rms(x, rate, 2.55, 4.0) == 0.0
    assert rms(x, rate, 4.0, 5.0) == pytest.approx(level, rel=0.05)
    assert rms(x, rate, 5.0, 5.25) == pytest.approx(level, rel=0.05)  # "Tree." alone
    assert rms(x, rate, 5.3, 8.0) == 0.0  # the cut phrase did not go on under it


def test_voice_off_stops_at_once_and_drops_what_comes(tmp_path: Path) -> None:
    clock = Clock(0.0)
    voice, writer, _ = file_voice(tmp_path, clock)
    voice.say("a" * 40, Priority.STEP, t=0.0)
    voice.flush()
    clock.t = 1.0
    voice.enabled = False
    voice.say("three", Priority.COUNTDOWN, t=1.5)
    clock.t = 2.0
    voice.enabled = True
    voice.say("two", Priority.COUNTDOWN, t=2.5)
    voice.close()
    writer.mark_end(4.0)
    writer.close()
    assert [s.cue.text for s in voice.spoken] == ["a" * 40, "two"]
    x, rate = read_wav(tmp_path / "voice.wav")
    assert rms(x, rate, 0.0, 1.0) > 0.1 and rms(x, rate, 1.05, 2.5) == 0.0


def test_a_session_s_phrases_are_synthesised_ahead_once(tmp_path: Path) -> None:
    clock = Clock(0.0)
    voice, writer, engine = file_voice(tmp_path, clock)
    poses = PoseLibrary.load()
    steps = [Step("warrior2", "left", 10, 3), Step("triangle", "left", 10, 0)]
    specs = [poses.get(s.pose_id).for_side(s.side) for s in steps]
    voice.start_session(specs, steps)
    assert voice.prepared.wait(10)
    assert len(voice.cache) >= 30 and len(engine.calls) == len(set(engine.calls))
    before = len(engine.calls)
    voice.say("three", Priority.COUNTDOWN, t=1.0)  # prepared: not synthesised again
    voice.say("Something new.", Priority.INFO, t=2.0)
    voice.close()
    writer.close()
    assert engine.calls[before:] == ["Something new."]
    assert [s.synth_ms is None for s in voice.spoken] == [True, False]


def test_no_speech_engine_is_said_once_then_the_voice_is_quiet(tmp_path: Path) -> None:
    from tui_trainer.io.speech import SpeechUnavailable

    def broken() -> Any:
        raise SpeechUnavailable("the eSpeak NG library could not be loaded (test)")

    played: list[int] = []
    voice = Voice(lambda: played, broken)
    problem = voice.start()
    assert problem is not None and "chime only" in problem and "could not be loaded" in problem
    assert voice.start() is None  # said once
    voice.say("Hello.")
    voice.close()
    assert voice.spoken == [] and not voice.available


def test_no_sound_device_leaves_the_voice_silent_without_a_second_notice() -> None:
    def no_device() -> Any:
        raise AudioUnavailable("no sound: no audio output device")

    voice = Voice(no_device, FakeEngine)
    assert voice.start() is None  # the chime tells the user about the device
    assert voice.silent is not None and not voice.available
    voice.say("Hello.")
    voice.close()
    assert voice.spoken == []


def test_real_time_output_gets_each_phrase_when_due() -> None:
    class Device:
        realtime = True

        def __init__(self) -> None:
            self.played: list[tuple[int, int]] = []
            self.stopped: list[int] = []

        def play(self, samples: np.ndarray, rate: int, at: float | None = None) -> int:
            assert at is None
            self.played.append((samples.size, rate))
            return len(self.played)

        def stop(self, sound_id: int, at: float | None = None) -> None:
            self.stopped.append(sound_id)

    device = Device()
    voice = Voice(lambda: device, FakeEngine)
    assert voice.start() is None
    voice.say("two" * 20)  # 3 s
    voice.say("Step back.", Priority.FRAMING)  # waits for the voice...
    voice.say("Tree.", Priority.STEP, interrupts=True)  # ...but this cuts in at once
    deadline = time.monotonic() + 5
    while len(voice.spoken) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    voice.close()
    assert [s.cue.text for s in voice.spoken] == ["two" * 20, "Tree."]
    assert voice.spoken[1].start - voice.spoken[0].start < 2.0  # did not wait the 3 s
    assert device.stopped == [1] and device.played[0][1] == FakeEngine.rate


# -- the real engine ----------------------------------------------------------------------
def test_espeak_speaks_offline_from_the_wheel() -> None:
    from tui_trainer.io.speech import DEFAULT_VOICE, EspeakSpeech, check_voice, list_voices

    engine = EspeakSpeech()
    pcm = engine.synth("Warrior two, left side.")
    assert engine.rate == 22050 and pcm.dtype == np.int16
    seconds = pcm.size / engine.rate
    assert 1.0 < seconds < 4.0
    assert np.abs(pcm).max() > 8000  # audible
    longer = engine.synth("Warrior two, left side. Wide stance, front knee over the ankle.")
    assert longer.size > 1.8 * pcm.size
    voices, variants = list_voices()
    assert DEFAULT_VOICE in [v.name for v in voices] and "en-gb" in [v.name for v in voices]
    assert "f3" in variants
    assert check_voice("en-gb+f3") is None
    assert check_voice("xx-nothing") == "unknown voice"
    assert check_voice("en-us+nothing") == "unknown voice"
    other = EspeakSpeech("en-gb+f3").synth("Warrior two, left side.")
    assert other.size > 0 and not np.array_equal(other[: pcm.size], pcm[: other.size])


def test_the_follow_screen_speaks_through_the_same_voice(tmp_path: Path) -> None:
    from tui_trainer.commands.voice_options import follow_say

    assert follow_say(None) is None  # --no-voice: the follow screen shows its cues only
    clock = Clock(0.0)
    writer = AudioFileWriter(tmp_path / "follow.wav", clock=clock)
    writer.start(0.0)
    voice = Voice(lambda: writer, FakeEngine, clock=clock)
    say = follow_say(voice)
    say("Raise your left arm.")
    voice.close()
    writer.close()
    (spoken,) = voice.spoken
    assert (spoken.cue.text, spoken.cue.kind) == ("Raise your left arm.", "follow")


def test_without_the_speech_library_the_voice_says_why_and_the_cli_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tui_trainer.io.speech as speech

    monkeypatch.setattr(speech, "_library", None)
    monkeypatch.setattr(speech, "_failure", None)
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)  # import fails
    with pytest.raises(speech.SpeechUnavailable, match="espeakng-loader is not installed"):
        speech.EspeakSpeech()
    reason = speech.check_voice("en-gb")
    assert reason is not None and reason != "unknown voice"  # --voice is not refused for it
    voice = Voice(lambda: None)  # the default engine: eSpeak NG
    problem = voice.start()
    assert problem is not None and problem.startswith("no voice:") and "chime only" in problem
    voice.close()
