"""`tui-trainer compare-motion EXPERT TRAINEE`: align two performances with DTW and score them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_trainer.commands import _motion_common as common

if TYPE_CHECKING:
    from tui_trainer.core.motion.compare import LandmarkTrack, MotionComparison

PLOT_ANGLES = 3  # most-deviating angles drawn by --plot


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "compare-motion",
        help="compare a trainee's motion with an expert's (DTW: score, tempo, worst stretch)",
        description="Extract the joint angles of every frame of both performances, align them "
        "with dynamic time warping and report a motion similarity score (0-100), the tempo "
        "ratio (trainee time / expert time), the cost of each angle and the worst-matching "
        "stretch. Each argument is a video or a landmark recording (.npz, e.g. from --record).",
    )
    p.add_argument("expert", metavar="EXPERT", help="the reference: a video or a .npz recording")
    p.add_argument("trainee", metavar="TRAINEE", help="the performance to check: video or .npz")
    common.add_output_arguments(p, plot_help="draw the aligned angle curves and path")
    p.add_argument(
        "--band",
        type=float,
        default=0.1,
        help="Sakoe-Chiba band half-width as a fraction of the longer performance (default 0.1)",
    )
    p.add_argument(
        "--no-mirror",
        dest="mirror",
        action="store_false",
        help="do not also try the trainee with left and right swapped",
    )
    p.add_argument(
        "--online",
        action="store_true",
        help="also run the streaming alignment of `follow` over the trainee, frame by frame "
        "without looking ahead; --json then adds a timeline: per trainee frame the teacher "
        "time a live session would have shown",
    )
    common.add_workers_argument(p)
    p.set_defaults(handler=run)


def load_tracks(paths: list[str], workers: int | None = None) -> list[LandmarkTrack]:
    """Recordings are read; videos are extracted together in one pool (in parallel)."""
    from tui_trainer.io.recording import load_recording
    from tui_trainer.io.video import extract_tracks

    # The same video given twice is extracted once; errors name the path as the user gave it.
    videos = {str(Path(p).resolve()): p for p in paths if not common.is_recording(p)}
    by_path: dict[str, LandmarkTrack] = {}
    for p in paths:  # recordings fail first, before any slow work
        if common.is_recording(p):
            by_path[p] = load_recording(p)
    if videos:
        extracted = dict(zip(videos, extract_tracks(list(videos.values()), workers=workers)))
        for p in paths:
            if p not in by_path:
                by_path[p] = extracted[str(Path(p).resolve())]
    return [by_path[p] for p in paths]


def run(args: argparse.Namespace) -> int:
    import json

    from tui_trainer.core.errors import InputFileError
    from tui_trainer.core.motion.compare import compare_motion

    if not 0 < args.band <= 1:
        raise InputFileError(f"--band: expected a fraction in (0, 1], got {args.band}")
    common.check_output(args.plot, ".png", "--plot")
    expert, trainee = load_tracks([args.expert, args.trainee], args.workers)
    result = compare_motion(expert, trainee, band=args.band, mirror=args.mirror)
    timeline = None
    if args.online:
        from tui_trainer.core.motion.follow_timeline import online_timeline
        from tui_trainer.core.motion.teacher import TeacherMotion

        teacher = TeacherMotion.from_track(expert, Path(args.expert).name)
        timeline = online_timeline(teacher, trainee, mirror=args.mirror)
    if args.plot:
        plot_comparison(result, args.plot, Path(args.expert).name, Path(args.trainee).name)
    if args.json:
        out = result.to_dict()
        if timeline is not None:
            out["timeline"] = timeline
        print(json.dumps(out, indent=2))
    else:
        _report(result, args)
        if timeline is not None:
            _report_online(result, timeline)
    return 0


def _report_online(r: MotionComparison, timeline: list[dict[str, float]]) -> None:
    """How far the live (causal) alignment strays from the offline path, which sees it all."""
    import numpy as np

    from tui_trainer.core.motion.follow_timeline import offline_positions

    t = np.array([e["t"] for e in timeline])
    online = np.array([e["teacher_t"] for e in timeline])
    offline = offline_positions(r, t)
    ok = np.isfinite(offline)
    diff = np.abs(online[ok] - offline[ok])
    print(
        f"online alignment: {len(timeline)} trainee frames, the live position differs from the "
        f"offline path by {np.median(diff):.2f} s (median), {np.percentile(diff, 90):.2f} s "
        "(90th percentile); --json lists it frame by frame"
    )


def _report(r: MotionComparison, args: argparse.Namespace) -> None:
    from rich.console import Console

    from tui_trainer.core.body.angles import ANGLE_LABELS

    console = Console()
    colour = "green" if r.score >= 85 else "yellow" if r.score >= 65 else "red"
    console.print(f"[bold]{Path(args.trainee).name}[/] against [bold]{Path(args.expert).name}[/]")
    console.print(
        f"motion score [bold {colour}]{r.score:.1f}[/] / 100 "
        f"(mean aligned angle error {r.mean_error_deg:.1f}°)"
    )
    pace = "slower" if r.tempo_ratio > 1 else "faster"
    console.print(
        f"tempo ratio [bold]{r.tempo_ratio:.2f}[/] (the trainee takes {r.tempo_ratio:.2f}× the "
        f"expert's time: {pace})" + ("; compared as a mirror image" if r.mirrored else "")
    )
    w = r.worst
    console.print(
        f"worst stretch: expert {w.expert_s[0]:.1f}–{w.expert_s[1]:.1f} s, trainee "
        f"{w.trainee_s[0]:.1f}–{w.trainee_s[1]:.1f} s: {ANGLE_LABELS[w.angle].lower()} "
        f"{abs(w.delta_deg):.0f}° {'more' if w.delta_deg > 0 else 'less'} than the expert's"
    )
    console.print(
        common.angle_table("DTW cost per angle (mean aligned difference)", "cost °", r.per_angle)
    )
    for who, series in (("expert", r.expert), ("trainee", r.trainee)):
        for a, b in series.gaps:
            console.print(f"[yellow]{who}: nobody in view {a:.1f}–{b:.1f} s (not interpolated)[/]")


def plot_comparison(r: MotionComparison, path: str, expert_name: str, trainee_name: str) -> None:
    """Aligned curves of the most-deviating angles (left) and the warping path (right)."""
    import numpy as np

    from tui_trainer.core.body.angles import ANGLE_INDEX, ANGLE_LABELS

    plt = common.pyplot()

    names = list(r.per_angle)[:PLOT_ANGLES]
    i, j = r.path[:, 0], r.path[:, 1]
    te, tt = r.expert.t, r.trainee.t
    fig = plt.figure(figsize=(13, 7), dpi=100, layout="constrained")
    grid = fig.add_gridspec(len(names), 2, width_ratios=(1.7, 1))
    w = r.worst
    for row, name in enumerate(names):
        ax = fig.add_subplot(grid[row, 0])
        k = ANGLE_INDEX[name]
        # The trainee's angle at the frames DTW matched to each expert frame (mean over them).
        sums = np.bincount(i, weights=np.nan_to_num(r.trainee.values[j, k]), minlength=len(te))
        warped = sums / np.maximum(np.bincount(i, minlength=len(te)), 1)
        ax.plot(te, r.expert.values[:, k], color="tab:blue", lw=2, label=f"expert ({expert_name})")
        ax.plot(
            te,
            warped,
            color="tab:orange",
            lw=2,
            ls="--",
            label=f"trainee ({trainee_name}), aligned",
        )
        if name == w.angle:
            ax.axvspan(*w.expert_s, color="tab:red", alpha=0.15, label="worst stretch")
        ax.set_ylabel(f"{ANGLE_LABELS[name]} (°)")
        ax.set_title(
            f"{ANGLE_LABELS[name]}: DTW cost {r.per_angle[name]:.1f}°", fontsize=10, loc="left"
        )
        ax.grid(alpha=0.3)
        if row == 0:
            ax.legend(fontsize=8, loc="best")
        if row == len(names) - 1:
            ax.set_xlabel("expert time (s)")
    ax = fig.add_subplot(grid[:, 1])
    ax.plot(te[i], tt[j], color="tab:purple", lw=2, label="warping path")
    slope, icpt = r.tempo_fit
    xs = np.array([te[0], te[-1]])
    ax.plot(
        xs,
        slope * xs + icpt,
        color="black",
        ls="--",
        lw=1,
        alpha=0.7,
        zorder=3,
        label=f"tempo fit: ×{slope:.2f}",
    )
    ax.add_patch(
        plt.Rectangle(
            (w.expert_s[0], w.trainee_s[0]),
            w.expert_s[1] - w.expert_s[0],
            max(w.trainee_s[1] - w.trainee_s[0], 0.05),
            color="tab:red",
            alpha=0.2,
            label="worst stretch",
        )
    )
    ax.set_xlabel("expert time (s)")
    ax.set_ylabel("trainee time (s)")
    ax.set_title("warping path", fontsize=10, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    mirror = ", mirrored" if r.mirrored else ""
    fig.suptitle(
        f"{trainee_name} vs {expert_name}: score {r.score:.1f}, tempo ×{r.tempo_ratio:.2f}, "
        f"mean angle error {r.mean_error_deg:.1f}°{mirror}",
        fontsize=12,
    )
    fig.savefig(path)
    plt.close(fig)
