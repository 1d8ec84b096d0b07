"""Motion comparison: synthetic motions with known tempo, mirror, gaps and errors; real clips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tui_trainer.core.body.angles import ANGLE_NAMES
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.demo.synth import bend_world, pose_from_world, standing_world
from tui_trainer.core.errors import NoPersonFound
from tui_trainer.core.motion.compare import (
    LandmarkTrack,
    angle_series,
    compare_motion,
    score_from_error,
    tempo_fit,
)


def _world_at(s: float) -> np.ndarray:
    """A repeating exercise: elbows, a knee and the trunk moving with different periods."""
    w = standing_world()
    w = bend_world(w, "left_elbow", -60 * (1 - np.cos(2 * np.pi * s / 2.0)))
    w = bend_world(w, "right_elbow", -30 * (1 - np.cos(2 * np.pi * s / 3.0)))
    w = bend_world(w, "left_knee", -40 * (1 - np.cos(2 * np.pi * s / 2.5)))
    return bend_world(w, "trunk_lean", 15 * np.sin(2 * np.pi * s / 4.0))


def _track(
    seconds: float = 8.0,
    fps: float = 30.0,
    speed: float = 1.0,
    edit: object = None,
) -> LandmarkTrack:
    """`speed` < 1: a slower performer (the same motion takes 1/speed as long)."""
    frames: list[tuple[float, Pose | None]] = []
    for k in range(round(seconds / speed * fps)):
        t = k / fps
        world = _world_at(t * speed)
        if callable(edit):
            world = edit(t, world)
        frames.append((t, None if world is None else pose_from_world(world)))
    return LandmarkTrack.from_frames(frames, fps=fps, source="synthetic")


def test_a_motion_against_itself_scores_100() -> None:
    a = _track()
    r = compare_motion(a, a)
    assert r.score == pytest.approx(100.0, abs=1e-6)
    assert r.tempo_ratio == pytest.approx(1.0, abs=1e-6)
    assert max(r.per_angle.values()) == pytest.approx(0.0, abs=1e-6)
    assert not r.mirrored


def test_half_speed_gives_tempo_two_and_a_high_score() -> None:
    r = compare_motion(_track(), _track(speed=0.5))
    assert r.tempo_ratio == pytest.approx(2.0, abs=0.05)
    assert r.score > 97
    back = compare_motion(_track(speed=0.5), _track())
    assert back.tempo_ratio == pytest.approx(0.5, abs=0.02)


def test_different_frame_rates_are_resampled() -> None:
    r = compare_motion(_track(fps=30.0), _track(fps=24.0))
    assert r.expert.rate == r.trainee.rate == 24.0
    assert r.tempo_ratio == pytest.approx(1.0, abs=0.03)
    assert r.score > 97


def test_a_mirrored_performer_is_compared_as_a_mirror_image() -> None:
    def mirror(_t: float, w: np.ndarray) -> np.ndarray:
        m = pose_from_world(w).mirrored().world
        return np.asarray(m)

    r = compare_motion(_track(), _track(edit=mirror))
    assert r.mirrored
    assert r.score > 97
    plain = compare_motion(_track(), _track(edit=mirror), mirror=False)
    assert plain.score < r.score - 5


def test_worst_stretch_finds_the_bent_elbow() -> None:
    def bad_elbow(t: float, w: np.ndarray) -> np.ndarray:
        return bend_world(w, "right_elbow", 35.0) if 4.0 <= t < 5.0 else w

    r = compare_motion(_track(), _track(edit=bad_elbow))
    assert r.worst.angle == "right_elbow"
    assert r.worst.delta_deg > 15  # the trainee opens it more
    overlap = min(r.worst.expert_s[1], 5.0) - max(r.worst.expert_s[0], 4.0)
    assert overlap > 0.5
    assert next(iter(r.per_angle)) == "right_elbow"
    assert r.score < 100


def test_short_gaps_are_interpolated_and_long_ones_reported() -> None:
    def gaps(t: float, w: np.ndarray) -> np.ndarray | None:
        return None if 2.0 <= t < 2.2 or 5.0 <= t < 6.5 else w

    series = angle_series(_track(edit=gaps))
    assert len(series.gaps) == 1
    start, end = series.gaps[0]
    assert start == pytest.approx(5.0, abs=0.05) and end == pytest.approx(6.5, abs=0.05)
    t = series.t
    assert np.all(np.isfinite(series.values[(t > 2.0) & (t < 2.2)]))  # interpolated
    assert np.all(np.isnan(series.values[(t > 5.1) & (t < 6.4)]))
    r = compare_motion(_track(), _track(edit=gaps))
    assert r.score > 95  # the gap is neither an error nor a free pass
    assert r.to_dict()["gaps"]["trainee"] == [[round(start, 2), round(end, 2)]]


def test_leading_and_trailing_frames_without_a_person_are_trimmed() -> None:
    def late(t: float, w: np.ndarray) -> np.ndarray | None:
        return None if t < 1.0 or t > 7.0 else w

    series = angle_series(_track(edit=late))
    assert series.t[0] == pytest.approx(1.0, abs=0.04) and series.t[-1] <= 7.0
    assert series.gaps == ()


def test_nobody_in_the_video_is_an_error() -> None:
    with pytest.raises(NoPersonFound, match="synthetic: no person found"):
        angle_series(_track(edit=lambda t, w: None))


def test_score_mapping_and_tempo_fit() -> None:
    assert score_from_error(0.0) == 100.0
    errors = [1, 5, 15, 30, 60]
    scores = [score_from_error(e) for e in errors]
    assert scores == sorted(scores, reverse=True)
    assert score_from_error(15.0) == pytest.approx(100 * np.exp(-0.5))
    # A path that waits 2 s at the start, then runs at slope 2.
    te = np.concatenate([np.zeros(60), np.linspace(0, 5, 150)])
    tt = np.concatenate([np.linspace(0, 2, 60), 2 + 2 * np.linspace(0, 5, 150)])
    slope, _ = tempo_fit(te, tt)
    assert slope == pytest.approx(2.0, abs=0.01)


# --- real clips (../shared/media) -----------------------------------------------------------

CLIPS = ("vux_cable_row_1x.mp4", "vux_cable_row_0.5x.mp4", "vux_cable_row_other_person.mp4")


@pytest.fixture(scope="module")
def cable_rows(media_dir: Path) -> dict[str, LandmarkTrack]:
    from tui_trainer.io.video import extract_tracks

    tracks = extract_tracks([media_dir / c for c in CLIPS], progress=False)
    return dict(zip(CLIPS, tracks))


@pytest.mark.media
@pytest.mark.slow
def test_half_speed_copy_matches_with_tempo_two(cable_rows: dict[str, LandmarkTrack]) -> None:
    r = compare_motion(cable_rows[CLIPS[0]], cable_rows[CLIPS[1]])
    assert r.tempo_ratio == pytest.approx(2.0, abs=0.2)
    assert r.score >= 90


@pytest.mark.media
@pytest.mark.slow
def test_real_video_against_itself_and_another_person(
    cable_rows: dict[str, LandmarkTrack],
) -> None:
    expert = cable_rows[CLIPS[0]]
    assert compare_motion(expert, expert).score == pytest.approx(100.0, abs=1e-6)
    half = compare_motion(expert, cable_rows[CLIPS[1]]).score
    other = compare_motion(expert, cable_rows[CLIPS[2]]).score
    assert other < half - 5


@pytest.mark.media
@pytest.mark.slow
def test_cli_compares_recordings_with_json_and_plot(
    cable_rows: dict[str, LandmarkTrack],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tui_trainer.cli import main
    from tui_trainer.io.recording import save_recording

    a = save_recording(tmp_path / "expert.npz", cable_rows[CLIPS[0]])
    b = save_recording(tmp_path / "trainee.npz", cable_rows[CLIPS[1]])
    plot = tmp_path / "plot.png"
    assert main(["compare-motion", str(a), str(b), "--json", "--plot", str(plot)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tempo_ratio"] == pytest.approx(2.0, abs=0.2) and out["score"] >= 90
    assert len(out["per_angle"]) >= 8 and set(out["per_angle"]) <= set(ANGLE_NAMES)
    assert set(out["worst"]) == {"expert_s", "trainee_s", "angle", "delta_deg"}
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 20_000
