"""Text to speech, offline: eSpeak NG through ctypes, from the `espeakng-loader` wheel.

Why this engine: `espeakng-loader` ships the eSpeak NG shared library *and* its voice data
inside its wheels for Linux (x86-64, arm64), macOS (x86-64, arm64) and Windows (x86-64, arm64),
so `pip install` alone gives every user a voice (~21 MB installed). The `espeakng` package
only drives an `espeak-ng` program the user must install; `pyttsx3` speaks through the
system's engine (SAPI5 / NSSpeechSynthesizer / a system libespeak on Linux) and plays it
itself, so the phrases could not be cached, mixed with the chime or written to a file.

With AUDIO_OUTPUT_SYNCHRONOUS the library renders into our callback: 16-bit PCM at
22,050 Hz, a sentence in a few milliseconds. The library has one global state: every call
goes through one lock. If it cannot be loaded, `SpeechUnavailable` says why (the app then
keeps the chime only).
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_VOICE = "en-us"
WORDS_PER_MINUTE = 155  # a little slower than eSpeak's 175: heard from across the room

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_RATE = 1  # espeak_PARAMETER espeakRATE
_LOCK = threading.Lock()
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class SpeechUnavailable(Exception):
    """No speech synthesis here (the message says why)."""


class _Voice(ctypes.Structure):  # espeak_VOICE
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


@dataclass(frozen=True)
class VoiceInfo:
    name: str  # what --voice takes: a language code ("en-us"), with "+variant" if wanted
    description: str


class _Library:
    """The loaded and initialised library (one per process)."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:
            raise SpeechUnavailable(f"espeakng-loader is not installed ({exc})") from None
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_dir = Path(espeakng_loader.get_data_path()).parent
        except (OSError, RuntimeError) as exc:
            raise SpeechUnavailable(f"the eSpeak NG library could not be loaded ({exc})") from None
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        path = str(data_dir).encode()
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, path, _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise SpeechUnavailable(f"eSpeak NG could not start (data in {data_dir})")
        self.lib = lib
        self.rate = int(rate)
        self._chunks: list[np.ndarray] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept alive as long as the library
        lib.espeak_SetSynthCallback(self._callback)
        self.voice: str | None = None
        self._files: dict[str, str] | None = None

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # go on

    def _voice_file(self, language: str) -> str:
        """eSpeak selects a voice by its file name ("en" for en-gb), not by language."""
        if self._files is None:
            self._files = {}
            for v in self.list(None):
                code = _language(v)
                if code and v.identifier:
                    self._files.setdefault(code.lower(), v.identifier.decode().rsplit("/", 1)[-1])
        return self._files.get(language.lower(), language)

    def set_voice(self, name: str) -> bool:
        if name == self.voice:
            return True
        base, plus, variant = name.partition("+")
        if self.lib.espeak_SetVoiceByName((self._voice_file(base) + plus + variant).encode()):
            return False
        self.voice = name
        return True

    def synth(self, text: str, wpm: int) -> np.ndarray:
        self.lib.espeak_SetParameter(_RATE, wpm, 0)
        data = text.encode("utf-8") + b"\0"
        self._chunks = []
        flags = _CHARS_UTF8 | _ENDPAUSE
        err = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, flags, None, None)
        if err != 0:
            raise SpeechUnavailable(f"eSpeak NG failed on {text!r} (error {err})")
        if not self._chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(self._chunks).astype(np.int16, copy=False)

    def list(self, spec: _Voice | None) -> list[_Voice]:
        voices = self.lib.espeak_ListVoices(ctypes.byref(spec) if spec is not None else None)
        out = []
        i = 0
        while voices[i]:
            out.append(voices[i].contents)
            i += 1
        return out


def _language(v: _Voice) -> str:
    """The first language of a voice ("en-gb"): `languages` is a priority byte then the code."""
    return v.languages[1:].split(b"\0", 1)[0].decode() if v.languages else ""


_library: _Library | None = None
_failure: str | None = None


def _load() -> _Library:
    """The library, loaded on first use (callers hold _LOCK)."""
    global _library, _failure
    if _failure is not None:
        raise SpeechUnavailable(_failure)
    if _library is None:
        try:
            _library = _Library()
        except SpeechUnavailable as exc:
            _failure = str(exc)
            raise
        except Exception as exc:  # a library of another build: missing symbols...
            _failure = f"the eSpeak NG library could not be used ({exc})"
            raise SpeechUnavailable(_failure) from None
    return _library


def _variant(name: str) -> str | None:
    return name.split("+", 1)[1] if "+" in name else None


def list_voices() -> tuple[list[VoiceInfo], list[str]]:
    """(the English voices, the variant names that can follow a voice after "+")."""
    with _LOCK:
        lib = _load()
        english = []
        for v in lib.list(None):
            language = _language(v)
            if language.startswith("en"):
                english.append(VoiceInfo(language, v.name.decode()))
        spec = _Voice()
        spec.languages = b"variant"
        variants = [
            v.identifier.decode().removeprefix("!v/") for v in lib.list(spec) if v.identifier
        ]
    english.sort(key=lambda v: (v.name != DEFAULT_VOICE, v.name))
    return english, sorted(set(variants), key=str.lower)


def check_voice(name: str) -> str | None:
    """None if eSpeak NG knows this voice (and variant); otherwise why not."""
    try:
        _, variants = list_voices()
        with _LOCK:
            known = _load().set_voice(name.split("+", 1)[0])
            if known:
                _load().set_voice(DEFAULT_VOICE)
    except SpeechUnavailable as exc:
        return str(exc)
    variant = _variant(name)
    if not known or (variant is not None and variant.lower() not in {v.lower() for v in variants}):
        return "unknown voice"
    return None


class EspeakSpeech:
    """Renders text to 16-bit PCM (mono, `rate` Hz) with one voice."""

    def __init__(self, voice: str = DEFAULT_VOICE, wpm: int = WORDS_PER_MINUTE) -> None:
        with _LOCK:
            lib = _load()
            if not lib.set_voice(voice):
                raise SpeechUnavailable(f"eSpeak NG has no voice {voice!r}")
            self.rate = lib.rate
        self.voice = voice
        self.wpm = wpm

    def synth(self, text: str) -> np.ndarray:
        with _LOCK:
            lib = _load()
            if not lib.set_voice(self.voice):
                raise SpeechUnavailable(f"eSpeak NG has no voice {self.voice!r}")
            return lib.synth(text, self.wpm)
