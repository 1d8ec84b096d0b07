"""`tui-trainer follow TEACHER`: follow a teacher's recorded performance live."""

from __future__ import annotations

import argparse
from typing import Any


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "follow",
        help="follow a teacher's video or recording live: where you are in the flow, the lag, "
        "a motion score and one correction at a time",
        description="Play along with a teacher: the teacher's recorded motion (a video, or a "
        ".npz landmark recording from --record) is aligned live with yours. The screen shows "
        "where in the flow you are, how far behind or ahead of the teacher, a rolling motion "
        "score, each angle against the teacher's at the same moment, and the joint that has "
        "been furthest off over the last second. At the end: the compare-motion report, kept "
        "in the history. A teacher video's landmarks are extracted once and cached.",
        epilog="Try it without a camera: tui-trainer follow teacher.mp4 --source demo",
    )
    p.add_argument("teacher", metavar="TEACHER", help="the teacher: a video or a .npz recording")
    p.add_argument(
        "--source",
        default="webcam",
        metavar="webcam|demo|PATH",
        help="where the trainee comes from: the webcam (default), a demo trainee that follows "
        "the teacher (no camera needed), or a video file played as if live",
    )
    p.add_argument("--camera", type=int, default=0, metavar="N", help="webcam device number")
    p.add_argument(
        "--mirror-teacher",
        action="store_true",
        help="follow the teacher as a mirror image (do with your right what the teacher does "
        "with the left); by default both ways are tried and the better one is followed",
    )
    p.add_argument(
        "--wait",
        action="store_true",
        help="the teacher pauses when you fall more than 2 s behind, and goes on when you "
        "have caught up",
    )
    p.add_argument("--no-window", action="store_true", help="no OpenCV preview window")
    p.add_argument("--no-sound", action="store_true", help="no chime and no voice")
    p.add_argument("--no-voice", action="store_true", help="no spoken cues, only the chime")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="extract a teacher video's landmarks again instead of using the cache",
    )
    p.add_argument("--workers", type=int, default=None, help="processes for extraction")
    p.add_argument(
        "--stats-file",
        metavar="FILE",
        help="write frame rate, frames scored and latency as JSON at exit",
    )
    p.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)  # demo trainee
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tui_trainer.core.errors import InputFileError
    from tui_trainer.core.motion.teacher import TeacherMotion, mirrored_track
    from tui_trainer.io.teacher import is_recording, load_teacher_track

    # Everything a user can get wrong is checked before the slow work and the full screen.
    source = None
    if args.source != "demo":
        from tui_trainer.io.sources import make_source

        source = make_source(args.source, args.camera)
    if args.stats_file:
        parent = Path(args.stats_file).resolve().parent
        if not parent.is_dir():
            raise InputFileError(f"--stats-file {args.stats_file}: no such directory {parent}")
    track, _ = load_teacher_track(args.teacher, use_cache=not args.no_cache, workers=args.workers)
    if args.mirror_teacher:
        track = mirrored_track(track)
    teacher = TeacherMotion.from_track(track, Path(args.teacher).stem)
    if source is None:
        from tui_trainer.io.follow_source import FollowDemoSource

        source = FollowDemoSource(track, seed=args.seed, moving=list(teacher.shown))
    frames = None
    if not args.no_window and not is_recording(args.teacher):
        from tui_trainer.io.teacher import TeacherFrames

        frames = TeacherFrames(args.teacher, mirrored=args.mirror_teacher)

    from tui_trainer.commands.app import _quiet_stderr, _SharedLog
    from tui_trainer.commands.voice_options import build_sound, follow_say
    from tui_trainer.ui.app import default_window_factory
    from tui_trainer.ui.engine import LiveStats
    from tui_trainer.ui.follow_app import FollowApp

    stats = LiveStats()
    log = _SharedLog()
    sound = build_sound(args)  # the trainer's voice speaks the follow cues too
    app = FollowApp(
        teacher=teacher,
        source=source,
        wait=args.wait,
        mirror=not args.mirror_teacher,
        teacher_frames=frames,
        session_log_factory=log,
        chime=sound.chime,
        window_factory=None if args.no_window else default_window_factory,
        stats=stats,
        say=follow_say(sound.voice),
    )
    try:
        with _quiet_stderr() as captured:
            app.run()
    finally:
        sound.close()
    log.close()
    if args.stats_file:
        stats.write(args.stats_file)
    if app.report is not None:
        _print_summary(app.report)
    code = app.return_code or 0
    if code != 0 and captured.getvalue():
        import sys

        sys.stderr.write(captured.getvalue())
    return int(code)


def _print_summary(report: Any) -> None:
    c = report.comparison
    reached = f"reached {report.reached_s:.0f} of {report.teacher_s:.0f} s"
    if c is None:
        print(f"follow: too little was followed to compare ({reached})")
        return
    print(
        f"follow: motion score {c.score:.0f}, tempo x{c.tempo_ratio:.2f}, {reached}, worst: "
        f"{c.worst.angle} at teacher {c.worst.expert_s[0]:.1f}-{c.worst.expert_s[1]:.1f} s"
    )
