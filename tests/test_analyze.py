"""`tui-trainer analyze`: totals from the live engine, the real warrior II video, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tui_trainer.cli import main
from tui_trainer.commands.analyze import resolve_spec, score_track, summarize
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.demo.synth import standing_pose
from tui_trainer.core.motion.compare import LandmarkTrack
from tui_trainer.io.recording import save_recording

FPS = 30.0


def _hold_track(pattern: list[tuple[str, float]]) -> LandmarkTrack:
    """Frames of warrior II ("hold"), standing ("stand") or nobody ("none"), for given seconds."""
    template = resolve_spec("warrior2", None).template
    frames: list[tuple[float, Pose | None]] = []
    for what, seconds in pattern:
        pose = {"hold": template, "stand": standing_pose(), "none": None}[what]
        frames += [(len(frames) / FPS + k / FPS, pose) for k in range(round(seconds * FPS))]
    frames = [(k / FPS, p) for k, (_, p) in enumerate(frames)]
    return LandmarkTrack.from_frames(frames, fps=FPS, source="synthetic")


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("tui-trainer: error: ")
    return err[0]


def test_holds_are_timed_with_the_live_engine() -> None:
    spec = resolve_spec("warrior2", None)
    track = _hold_track([("stand", 1.0), ("hold", 3.0), ("stand", 1.0), ("hold", 1.0)])
    a = summarize(score_track(track, spec, None), FPS, spec)
    assert a.frames == 180 and a.person_frames == 180
    # PERFECT after a short confirmation (and the smoothing filter catching up) in both holds.
    assert 2.5 <= a.perfect_s < 4.0
    assert 2.0 < a.best_hold_s < 3.0
    assert a.best_hold_at_s is not None and 1.0 <= a.best_hold_at_s < 1.7
    assert a.mean_score is not None and 0 < a.mean_score < 100
    assert a.corrections  # standing in place of warrior II gets corrected
    # The angle errors are those of the pose held, not of standing or stepping in and out.
    assert len(a.error_spans) == 1
    t0, t1 = a.error_spans[0]
    assert 1.0 <= t0 < 1.7 and 3.5 < t1 <= 4.0
    assert a.angle_errors and max(a.angle_errors.values()) < 20  # standing: > 20 (below)


def test_angle_errors_fall_back_to_every_frame_when_nothing_but_standing_is_held() -> None:
    # Standing for warrior II the whole time: the errors are those of standing, all of them.
    spec = resolve_spec("warrior2", None)
    a = summarize(score_track(_hold_track([("stand", 3.0)]), spec, None), FPS, spec)
    assert a.error_spans == [] and max(a.angle_errors.values()) > 20
    # Standing is what mountain asks for: there, standing still is the hold.
    spec = resolve_spec("mountain", None)
    a = summarize(score_track(_hold_track([("stand", 3.0)]), spec, None), FPS, spec)
    assert len(a.error_spans) == 1


def test_nobody_in_view_never_counts() -> None:
    spec = resolve_spec("warrior2", None)
    track = _hold_track([("hold", 1.0), ("none", 1.0), ("hold", 1.0)])
    a = summarize(score_track(track, spec, None), FPS, spec)
    assert a.person_frames == 60
    assert a.best_hold_s < 1.0


def test_cli_reads_recordings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = save_recording(tmp_path / "practice.npz", _hold_track([("stand", 1), ("hold", 2)]))
    plot = tmp_path / "scores.png"
    assert main(["analyze", str(rec), "--pose", "warrior2", "--json", "--plot", str(plot)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["frames"] == 90 and out["pose"] == "warrior2"
    assert {"frames", "perfect_s", "best_hold_s", "mean_score", "angle_errors_over"} <= set(out)
    assert out["perfect_s"] > 1.0
    assert plot.read_bytes()[:4] == b"\x89PNG"
    # The template is the left side: asking for the right side gives no PERFECT.
    assert main(["analyze", str(rec), "--pose", "warrior2", "--side", "right", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["perfect_s"] == 0.0


def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_video import grey_video

    rec = save_recording(tmp_path / "p.npz", _hold_track([("hold", 1)]))
    assert main(["analyze", str(rec), "--pose", "no_such_pose"]) == 2
    assert "no_such_pose" in _one_error_line(capsys)
    assert main(["analyze", str(rec), "--pose", "mountain", "--side", "left"]) == 2
    line = _one_error_line(capsys)
    assert "mountain" in line and "symmetric" in line
    assert main(["analyze", str(rec), "--pose", "warrior2", "--side", "up"]) == 2
    assert "'up'" in _one_error_line(capsys)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(1).bytes(20_000))
    assert main(["analyze", str(junk), "--pose", "warrior2"]) == 2
    assert "junk.mp4" in _one_error_line(capsys)
    assert main(["analyze", str(tmp_path / "gone.mp4"), "--pose", "warrior2"]) == 2
    assert "gone.mp4: no such file" in _one_error_line(capsys)
    grey = grey_video(tmp_path / "grey.mp4", frames=5)
    assert main(["analyze", str(grey), "--pose", "warrior2", "--workers", "1"]) == 2
    assert "grey.mp4: no person found" in _one_error_line(capsys)
    assert main(["compare-motion", str(grey), str(rec), "--workers", "1"]) == 2
    line = _one_error_line(capsys)
    assert "grey.mp4" in line and "no person" in line
    assert main(["analyze", str(rec), "--pose", "warrior2", "--save-video", "x.mp4"]) == 2
    assert "needs a video" in _one_error_line(capsys)


@pytest.mark.media
@pytest.mark.slow
def test_warrior2_video_finds_the_hold(
    media_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = media_dir / "ooibowei_warrior2.mp4"
    assert main(["analyze", str(video), "--pose", "warrior2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["frames"] == 784
    assert out["perfect_s"] >= 4.0  # she holds it for several seconds
    assert out["best_hold_s"] >= 3.0
    assert out["best_hold_s"] <= out["perfect_s"] <= out["duration_s"]


@pytest.mark.media
@pytest.mark.slow
def test_save_video_writes_the_window_picture(media_dir: Path, tmp_path: Path) -> None:
    import cv2

    from tui_trainer.io.video import probe_video

    # A 1-second cut of the hold keeps this quick.
    cap = cv2.VideoCapture(str(media_dir / "ooibowei_warrior2.mp4"))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 450)
    clip = tmp_path / "hold.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (1280, 720))
    for _ in range(30):
        ok, frame = cap.read()
        assert ok
        writer.write(frame)
    writer.release()
    out = tmp_path / "annotated.mp4"
    args = ["analyze", str(clip), "--pose", "warrior2", "--workers", "1", "--save-video", str(out)]
    assert main([*args, "--json"]) == 0
    info = probe_video(out)
    assert (info.width, info.height, info.frame_count) == (1280, 720, 30)
    assert not list(tmp_path.glob(".*part*"))
