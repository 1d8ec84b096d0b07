"""The trainer's sound options (--no-sound, --no-voice, --voice, --list-voices, --volume,
--audio-file): checked before the full-screen app starts, turned into the chime, the voice and
their one output (the sound device, or a WAV file)."""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass
from typing import Any

from tui_trainer.core.errors import TrainerError


@dataclass
class SoundSetup:
    chime: Any  # io/audio.Chime, None with --no-sound
    voice: Any  # io/voice.Voice, None with --no-voice or --no-sound
    audio_file: Any  # io/audio_file.AudioFileWriter with --audio-file
    output: Any  # io/audio.SharedOutput

    def close(self) -> None:
        """At exit: the voice first (a file gets the phrases still waiting), then the file."""
        if self.voice is not None:
            self.voice.close()
        if self.audio_file is not None:
            self.audio_file.close()
        if self.output is not None:
            self.output.close()


def build_sound(args: argparse.Namespace) -> SoundSetup:
    from tui_trainer.io.audio import Chime, SharedOutput, SoundDevicePlayer
    from tui_trainer.io.voice import Voice, default_engine

    volume = getattr(args, "volume", 100)
    if not 0 <= volume <= 100:
        raise TrainerError(f"--volume {volume}: expected a percentage from 0 to 100")
    no_sound = bool(getattr(args, "no_sound", False))
    no_voice = no_sound or bool(getattr(args, "no_voice", False))
    path = getattr(args, "audio_file", None)
    if path and no_sound:
        raise TrainerError("--audio-file and --no-sound: the file would be silent; use one")
    voice_name = getattr(args, "voice", None)
    if voice_name and not no_voice:
        from tui_trainer.io.speech import check_voice

        if check_voice(voice_name) == "unknown voice":
            raise TrainerError(
                f"--voice {voice_name}: unknown voice (tui-trainer --list-voices shows them)"
            )
    audio_file = None
    if path:
        from tui_trainer.io.audio_file import AudioFileWriter

        audio_file = AudioFileWriter(path, volume=volume / 100)
    output = SharedOutput(
        (lambda: audio_file)
        if audio_file is not None
        else (lambda: SoundDevicePlayer(volume / 100))
    )
    chime = None if no_sound else Chime(output.get)
    voice = None if no_voice else Voice(output.get, default_engine(voice_name))
    return SoundSetup(chime, voice, audio_file, output)


def follow_say(voice: Any) -> Any:
    """The follow screen's voice hook (ui/follow_engine.py: `say(text)` per phrase its Announcer
    picks, already paced): the phrase goes to the voice, worth saying for 2 s."""
    if voice is None:
        return None
    from tui_trainer.core.coaching.speech_queue import Priority

    voice.start()

    def say(text: str) -> None:
        voice.say(text, Priority.CORRECTION, kind="follow", ttl_s=2.0)

    return say


def print_voices() -> int:
    from tui_trainer.io.speech import DEFAULT_VOICE, SpeechUnavailable, list_voices

    try:
        voices, variants = list_voices()
    except SpeechUnavailable as exc:
        raise TrainerError(f"no voice: {exc}") from None
    print("Voices for --voice (eSpeak NG; the cues are in English):")
    for v in voices:
        default = "  (default)" if v.name == DEFAULT_VOICE else ""
        print(f"  {v.name:<16} {v.description}{default}")
    print()
    print(
        "Add +VARIANT to a voice for another speaker, e.g. en-us+f3 or en-gb+m3 "
        "(f1-f5 female, m1-m8 male). The variants:"
    )
    print(textwrap.fill(", ".join(variants), width=96, initial_indent="  ", subsequent_indent="  "))
    print("Other eSpeak NG languages (de, fr, es...) work too, for pose files in that language.")
    return 0
