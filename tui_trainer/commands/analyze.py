"""`tui-trainer analyze VIDEO --pose ID`: score every frame of a recorded practice against a pose.

The frames go through the live session's engine (core/coach.FrameScorer: smoothing, trainer
score, PERFECT hysteresis, one correction at a time), so a video scores as it would have live.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_trainer.commands import _motion_common as common

if TYPE_CHECKING:
    from tui_trainer.core.coaching.coach import FrameResult
    from tui_trainer.core.library.spec import PoseSpec
    from tui_trainer.core.motion.compare import LandmarkTrack

VIDEO_SIZE = (1280, 720)  # --save-video frame size (the window's layout)
TOP_CORRECTIONS = 5


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="score a recorded video (or landmark recording) against a pose, frame by frame",
        description="Score every frame of VIDEO against a library pose with the live session's "
        "engine: time in PERFECT, the best continuous hold, the mean score, the mean error of "
        "each angle and the corrections given most often. VIDEO may also be a landmark "
        "recording (.npz from --record).",
    )
    p.add_argument("video", metavar="VIDEO", help="a video file or a .npz landmark recording")
    p.add_argument("--pose", required=True, metavar="ID", help="pose id (see: tui-trainer poses)")
    p.add_argument(
        "--side",
        metavar="left|right",
        help="the side that must be performed (asymmetric poses); default: either side",
    )
    common.add_output_arguments(p, plot_help="draw the score over time")
    p.add_argument("--save-video", metavar="FILE.mp4", help="write the annotated video")
    common.add_workers_argument(p)
    p.set_defaults(handler=run)


@dataclass(frozen=True)
class Analysis:
    frames: int
    duration_s: float
    person_frames: int
    perfect_s: float
    best_hold_s: float
    best_hold_at_s: float | None  # start of the best hold
    mean_score: float | None  # over frames with a person
    angle_errors: dict[str, float]  # mean |actual - target| over frames, degrees, worst first
    error_spans: list[tuple[float, float]]  # the stretches angle_errors is over; [] = every frame
    corrections: list[tuple[str, int]]  # (text, times given), most frequent first
    mirrored_share: float  # share of scored frames matched to the mirror image of the target

    def to_dict(self) -> dict[str, object]:
        return {
            "frames": self.frames,
            "duration_s": round(self.duration_s, 2),
            "person_frames": self.person_frames,
            "perfect_s": round(self.perfect_s, 2),
            "best_hold_s": round(self.best_hold_s, 2),
            "best_hold_at_s": None
            if self.best_hold_at_s is None
            else round(self.best_hold_at_s, 2),
            "mean_score": None if self.mean_score is None else round(self.mean_score, 2),
            "angle_errors": {k: round(v, 2) for k, v in self.angle_errors.items()},
            "angle_errors_over": [[round(a, 2), round(b, 2)] for a, b in self.error_spans],
            "corrections": [{"text": t, "count": c} for t, c in self.corrections],
            "mirrored_share": round(self.mirrored_share, 3),
        }


def summarize(results: list[FrameResult], fps: float, spec: PoseSpec) -> Analysis:
    """Totals of a run of FrameResults: each frame lasts 1 / fps seconds."""
    import numpy as np

    from tui_trainer.core.coaching.coach import PERFECT

    dt = 1.0 / fps
    perfect = np.array([r.verdict == PERFECT for r in results], bool)
    best, best_at, run_start = 0, None, None
    for k, on in enumerate([*perfect.tolist(), False]):
        if on and run_start is None:
            run_start = k
        elif not on and run_start is not None:
            if k - run_start > best:
                best, best_at = k - run_start, results[run_start].t
            run_start = None
    scores = [r.score for r in results if r.score is not None]
    errors: dict[str, list[float]] = {}
    mirrored = 0
    holding, spans = _holding(results, spec)
    for r, counted in zip(results, holding):
        c = r.comparison
        if c is None:
            continue
        mirrored += c.mirrored
        if not counted:
            continue
        for name, err in c.errors.items():
            if c.confidence.get(name, 0.0) >= 0.5 and np.isfinite(err):
                errors.setdefault(name, []).append(abs(err))
    important = set(spec.angles) | {_mirror(n) for n in spec.angles}
    means = {n: float(np.mean(v)) for n, v in errors.items() if n in important}
    counts = Counter(r.new_correction for r in results if r.new_correction)
    return Analysis(
        frames=len(results),
        duration_s=len(results) * dt,
        person_frames=sum(r.pose is not None for r in results),
        perfect_s=float(perfect.sum()) * dt,
        best_hold_s=best * dt,
        best_hold_at_s=best_at,
        mean_score=float(np.mean(scores)) if scores else None,
        angle_errors=dict(sorted(means.items(), key=lambda kv: -kv[1])),
        error_spans=spans,
        corrections=counts.most_common(TOP_CORRECTIONS),
        mirrored_share=mirrored / max(len(scores), 1),
    )


def _holding(
    results: list[FrameResult], spec: PoseSpec
) -> tuple[list[bool], list[tuple[float, float]]]:
    """The frames where the person holds still in a pose (not plain standing, unless the pose is
    standing) and those stretches: how far off the pose was, without stepping in and out. Every
    frame (and no stretch) when there is no such stretch."""
    import numpy as np

    from tui_trainer.core.body.angles import ANGLE_NAMES
    from tui_trainer.core.library.holds import find_holds, hold_angles, is_standing

    nan = np.full(len(ANGLE_NAMES), np.nan)
    angles = np.array([nan if r.pose is None else r.pose.body_angles.values for r in results])
    present = np.array([r.pose is not None for r in results])
    holds = find_holds(np.array([r.t for r in results]), angles, present)
    target = np.array([spec.angles[n].target if n in spec.angles else np.nan for n in ANGLE_NAMES])
    standing_pose = is_standing(target)
    kept = [h for h in holds if standing_pose or not is_standing(hold_angles(angles, h))]
    if not kept:
        return [True] * len(results), []
    mask = np.zeros(len(results), dtype=bool)
    for h in kept:
        mask[h.start : h.stop] = True
    return mask.tolist(), [(h.t0, h.t1) for h in kept]


def _mirror(name: str) -> str:
    from tui_trainer.core.coaching.coach import mirror_name

    return mirror_name(name)


def resolve_spec(pose_id: str, side: str | None) -> PoseSpec:
    """The library pose for `side`; TrainerError for an unknown id or a side it does not have."""
    from tui_trainer.core.errors import TrainerError
    from tui_trainer.core.library import PoseLibrary

    spec = PoseLibrary.load().get(pose_id)
    if side is None:
        return spec
    if side not in ("left", "right"):
        raise TrainerError(f"--side: expected 'left' or 'right', got {side!r}")
    if spec.symmetric:
        raise TrainerError(
            f"pose {pose_id!r} is symmetric: it has no left or right side (leave out --side)"
        )
    return spec.for_side(side)


def score_track(track: LandmarkTrack, spec: PoseSpec, side: str | None) -> list[FrameResult]:
    from tui_trainer.core.coaching.coach import FrameScorer

    scorer = FrameScorer(spec, "either", required_side=side)
    return [scorer.update(pose, t) for t, pose in track.frames()]


def run(args: argparse.Namespace) -> int:
    import json

    from tui_trainer.core.errors import InputFileError, NoPersonFound
    from tui_trainer.io.recording import load_track

    spec = resolve_spec(args.pose, args.side)
    common.check_output(args.plot, ".png", "--plot")
    common.check_output(args.save_video, ".mp4", "--save-video")
    if args.save_video and common.is_recording(args.video):
        raise InputFileError(f"{args.video}: --save-video needs a video, not a landmark recording")
    track = load_track(args.video, workers=args.workers)
    if not track.present.any():
        raise NoPersonFound(f"{args.video}: no person found in any of its {len(track)} frames")
    results = score_track(track, spec, args.side)
    summary = summarize(results, track.fps, spec)
    if args.plot:
        plot_scores(results, args.plot, f"{Path(args.video).name}: {spec.display_name(args.side)}")
    if args.save_video:
        write_annotated_video(args.video, args.save_video, results, spec, args.side)
    if args.json:
        print(json.dumps({"pose": spec.id, "side": args.side, **summary.to_dict()}, indent=2))
    else:
        _report(summary, spec, args)
    return 0


def _report(a: Analysis, spec: PoseSpec, args: argparse.Namespace) -> None:
    from rich.console import Console

    console = Console()
    console.print(
        f"[bold]{Path(args.video).name}[/]: {spec.display_name(args.side)} — {a.frames} frames, "
        f"{a.duration_s:.1f} s, a person in {a.person_frames}"
    )
    mean = "—" if a.mean_score is None else f"{a.mean_score:.1f}"
    console.print(
        f"PERFECT for [bold green]{a.perfect_s:.1f} s[/]; best continuous hold "
        f"[bold]{a.best_hold_s:.1f} s[/]"
        + (f" (from {a.best_hold_at_s:.1f} s)" if a.best_hold_at_s is not None else "")
        + f"; mean score [bold]{mean}[/]"
    )
    if a.angle_errors:
        if a.error_spans:  # not stepping in and out: what was held
            spans = ", ".join(f"{t0:.1f}–{t1:.1f} s" for t0, t1 in a.error_spans)
            console.print(f"angle errors while holding still: {spans}")
        console.print(common.angle_table("mean angle error", "error °", a.angle_errors))
    if a.corrections:
        console.print("[bold]corrections given most often[/]")
        for text, count in a.corrections:
            console.print(f"  {count:>3}×  {text}")


def plot_scores(results: list[FrameResult], path: str, title: str) -> None:
    """Score over time, the PERFECT thresholds, and the PERFECT stretches shaded."""
    import numpy as np

    from tui_trainer.core.coaching.coach import PERFECT, CoachConfig

    plt = common.pyplot()

    cfg = CoachConfig()
    t = np.array([r.t for r in results])
    score = np.array([np.nan if r.score is None else r.score for r in results])
    perfect = np.array([r.verdict == PERFECT for r in results])
    fig, ax = plt.subplots(figsize=(12, 4.5), dpi=100, layout="constrained")
    ax.plot(t, score, color="tab:blue", lw=1.8, label="score")
    ax.axhline(cfg.enter_score, color="tab:green", ls="--", label=f"PERFECT ≥ {cfg.enter_score:g}")
    ax.axhline(
        cfg.exit_score,
        color="tab:green",
        ls=":",
        alpha=0.6,
        label=f"leaves PERFECT below {cfg.exit_score:g}",
    )
    ax.fill_between(
        t, 0, 100, where=perfect, color="tab:green", alpha=0.15, step="mid", label="PERFECT"
    )
    ax.set_ylim(0, 100)
    ax.set_xlim(t[0], t[-1] if len(t) > 1 else t[0] + 1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("score")
    ax.set_title(title, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    fig.savefig(path)
    plt.close(fig)


def write_annotated_video(
    video: str, out: str, results: list[FrameResult], spec: PoseSpec, side: str | None
) -> None:
    """The video drawn the way the session window draws it (written to a temporary file first)."""
    import os

    import cv2

    from tui_trainer.core.errors import InputFileError
    from tui_trainer.io.frames import open_video
    from tui_trainer.io.video import probe_video
    from tui_trainer.viz.composite import WindowView, render_composite

    info = probe_video(video)
    target = Path(out)
    tmp = target.with_name(f".{target.stem}.part{target.suffix}")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), info.fps, VIDEO_SIZE)
    if not writer.isOpened():
        raise InputFileError(f"{target}: cannot write an mp4 video there")
    cap = open_video(video)
    title = spec.display_name(side)
    try:
        for r in results:
            ok, frame = cap.read()
            if not ok:
                break
            view = WindowView(
                frame=frame,
                pose=r.pose,
                target=r.form if r.form is not None else spec,  # the form matched
                comparison=r.comparison,
                verdict=r.verdict if r.score is not None else "",
                score=r.score,
                hint=r.message or "",
                title=f"{title} - {r.t:.1f} s",
                hint_angle=r.hint_angle,
            )
            writer.write(render_composite(view, VIDEO_SIZE))
    finally:
        cap.release()
        writer.release()
    os.replace(tmp, target)
