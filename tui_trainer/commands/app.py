"""`tui-trainer [--source ...]`: the Textual trainer (the command with no subcommand)."""

from __future__ import annotations

import argparse
from typing import Any


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    group = parser.add_argument_group("trainer options (tui-trainer with no command)")
    group.add_argument(
        "--source",
        default="webcam",
        metavar="webcam|demo|PATH|URL",
        help="where the trainee comes from: the webcam (default), the built-in demo trainee "
        "(no camera needed), a video file played as if live, or a network camera such as a "
        "phone's IP-camera app (http://, https:// or rtsp:// URL, e.g. "
        "http://192.168.1.20:8080/video)",
    )
    group.add_argument(
        "--camera", type=int, default=0, metavar="N", help="webcam device number (default 0)"
    )
    group.add_argument("--loop", action="store_true", help="play a video source in a loop")
    group.add_argument("--routine", metavar="ID", help="start this routine at once")
    group.add_argument(
        "--no-window", action="store_true", help="do not open the OpenCV preview window"
    )
    group.add_argument(
        "--mirror",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the live image in the preview window as a mirror does (default: on for the "
        "webcam and stream URLs, off for videos and the demo; m in the window switches)",
    )
    group.add_argument(
        "--no-sound",
        action="store_true",
        help="no sound at all: no chime, no breath tones, no voice",
    )
    group.add_argument(
        "--no-voice",
        action="store_true",
        help="no spoken cues, only the chime on PERFECT (the v key toggles the voice in a session)",
    )
    group.add_argument(
        "--voice",
        metavar="NAME",
        help="the eSpeak NG voice of the spoken cues, e.g. en-gb or en-us+f3 (default en-us; "
        "--list-voices shows them)",
    )
    group.add_argument(
        "--list-voices", action="store_true", help="list the voices for --voice and exit"
    )
    group.add_argument(
        "--volume",
        type=int,
        default=100,
        metavar="PERCENT",
        help="loudness of the voice and the chime, 0-100 (default 100)",
    )
    group.add_argument(
        "--audio-file",
        metavar="FILE.wav",
        help="write everything the session would play (speech and chimes, at their times from "
        "the session start, silence between) to FILE.wav instead of the sound device",
    )
    group.add_argument(
        "--stats-file",
        metavar="FILE",
        help="write frame rate and capture-to-screen latency as JSON at exit",
    )
    group.add_argument(
        "--record",
        metavar="FILE.npz",
        help="save the landmark stream of the session to FILE.npz, a landmark recording that "
        "compare-motion and analyze accept in place of a video (saved as it goes: a crash "
        "loses at most the last second)",
    )
    parser.set_defaults(handler=run_app)


class _SharedLog:
    """One history log for the app's sessions (opened at the first session)."""

    def __init__(self) -> None:
        self.log: Any = None

    def __call__(self) -> Any:
        if self.log is None:
            from tui_trainer.core.history.records import NullSessionLog

            try:
                from tui_trainer.io.storage import SqliteSessionLog

                self.log = SqliteSessionLog()
            except Exception as exc:  # history is a bonus: the session goes on without it
                self.log = NullSessionLog()
                self.log.warning = f"history not saved: {exc}"
        return self.log

    def close(self) -> None:
        close = getattr(self.log, "close", None)
        if close is not None:
            close()


def run_app(args: argparse.Namespace) -> int:
    if getattr(args, "list_voices", False):
        from tui_trainer.commands.voice_options import print_voices

        return print_voices()
    # Everything a user can get wrong is checked before the full-screen app starts.
    from tui_trainer.commands.voice_options import build_sound

    sound = build_sound(args)  # opens --audio-file: after this, close it whatever happens
    try:
        return _run_app(args, sound)
    finally:
        sound.close()


def _run_app(args: argparse.Namespace, sound: Any) -> int:
    from pathlib import Path

    from tui_trainer.core.errors import InputFileError
    from tui_trainer.core.library import PoseLibrary, RoutineLibrary
    from tui_trainer.io.sources import is_live, make_source
    from tui_trainer.ui.engine import LiveStats

    first = make_source(args.source, args.camera, args.loop)
    if args.stats_file:
        parent = Path(args.stats_file).resolve().parent
        if not parent.is_dir():
            raise InputFileError(f"--stats-file {args.stats_file}: no such directory {parent}")
    poses = PoseLibrary.load()
    routines = RoutineLibrary.load(poses)
    if args.routine is not None:
        routines.get(args.routine)  # UnknownRoutineError names the known ones

    pending = [first]

    def source_factory() -> Any:
        return pending.pop() if pending else make_source(args.source, args.camera, args.loop)

    # One recorder for the whole run: every source the app opens (one per session) is wrapped,
    # so all sessions of the run land in one .npz.
    recorder = None
    if getattr(args, "record", None):
        from tui_trainer.io.recording import LandmarkRecorder, RecordingSource

        recorder = LandmarkRecorder(
            args.record, meta={"source": args.source, "routine": args.routine}
        )
        plain_factory = source_factory

        def source_factory() -> Any:
            return RecordingSource(plain_factory(), recorder)

    from tui_trainer.ui.app import TrainerApp, default_window_factory

    stats = LiveStats()
    log = _SharedLog()
    app = TrainerApp(
        source_factory=source_factory,
        poses=poses,
        routines=routines,
        session_log_factory=log,
        chime=sound.chime,
        voice=sound.voice,
        audio_file=sound.audio_file,
        window_factory=None if args.no_window else default_window_factory,
        start_routine=args.routine,
        stats=stats,
        mirror=is_live(args.source) if args.mirror is None else args.mirror,
    )
    try:
        with _quiet_stderr() as captured:
            app.run()
    finally:
        if recorder is not None:  # also on errors: what was recorded is the user's data
            recorder.close()
    log.close()
    if args.stats_file:
        stats.write(args.stats_file)
    code = app.return_code or 0
    if code != 0 and captured.getvalue():
        import sys

        sys.stderr.write(captured.getvalue())
    return int(code)


class _Captured:
    def __init__(self) -> None:
        self.text = ""

    def getvalue(self) -> str:
        return self.text


class _quiet_stderr:
    """C libraries (MediaPipe, TFLite, OpenCV) write to file descriptor 2, which would scribble
    over the full-screen app. Textual draws on sys.__stderr__, so: give Textual a duplicate of
    the terminal's descriptor and point descriptor 2 at a temporary file while the app runs."""

    def __enter__(self) -> _Captured:
        import os
        import sys
        import tempfile

        self.captured = _Captured()
        self._tmp = tempfile.TemporaryFile(mode="w+b")
        self._original = sys.__stderr__
        self._terminal: Any = None
        self._saved: int | None = None
        try:
            if self._original is None or not self._original.isatty():
                return self.captured  # not a terminal: nothing to protect
            self._original.flush()
            self._saved = os.dup(2)
            self._terminal = os.fdopen(os.dup(self._saved), "w", encoding="utf-8")
            sys.__stderr__ = self._terminal  # type: ignore[misc]
            os.dup2(self._tmp.fileno(), 2)
        except (OSError, ValueError):
            self._restore()
        return self.captured

    def _restore(self) -> None:
        import os
        import sys

        if self._saved is not None:
            os.dup2(self._saved, 2)
            os.close(self._saved)
            self._saved = None
        if self._terminal is not None:
            sys.__stderr__ = self._original  # type: ignore[misc]
            self._terminal.close()
            self._terminal = None

    def __exit__(self, *exc: object) -> None:
        self._restore()
        self._tmp.seek(0)
        self.captured.text = self._tmp.read()[-20000:].decode("utf-8", "replace")
        self._tmp.close()
