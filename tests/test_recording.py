"""Landmark recordings: round trip, atomic write, broken files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tui_trainer.core.errors import InputFileError
from tui_trainer.core.synth import bend_world, pose_from_world, standing_world
from tui_trainer.io.recording import (
    LandmarkRecorder,
    RecordingSource,
    load_recording,
    load_track,
)


def _poses(n: int) -> list:
    base = standing_world()
    return [
        None if k % 7 == 3 else pose_from_world(bend_world(base, "left_elbow", -3.0 * k))
        for k in range(n)
    ]


def test_round_trip_keeps_landmarks_gaps_and_timestamps(tmp_path: Path) -> None:
    poses = _poses(30)
    path = tmp_path / "session.npz"
    with LandmarkRecorder(path, meta={"routine": "morning", "pose": "warrior2"}) as rec:
        for k, pose in enumerate(poses):
            rec.add(100.0 + k / 30, pose)
        rec.add(100.0, poses[0])  # out of order: ignored
        assert len(rec) == 30
    track = load_recording(path)
    assert len(track) == 30
    np.testing.assert_allclose(track.timestamps, np.arange(30) / 30, atol=1e-9)
    assert track.fps == pytest.approx(30.0)
    assert track.meta["routine"] == "morning" and track.meta["pose"] == "warrior2"
    assert track.meta["t0"] == pytest.approx(100.0)
    assert track.image_size == (640, 480)
    for (_t, got), want in zip(track.frames(), poses):
        assert (got is None) == (want is None)
        if want is not None and got is not None:
            np.testing.assert_allclose(got.world, want.world, atol=1e-6)
            np.testing.assert_allclose(got.image, want.image, atol=1e-6)
            np.testing.assert_allclose(got.visibility, want.visibility, atol=1e-3)
            assert got.angles["left_elbow"] == pytest.approx(want.angles["left_elbow"], abs=0.01)
    assert [p.name for p in tmp_path.iterdir()] == ["session.npz"]  # no temporary file left


def test_load_track_reads_recordings(tmp_path: Path) -> None:
    path = tmp_path / "r.npz"
    rec = LandmarkRecorder(path)
    for k, pose in enumerate(_poses(5)):
        rec.add(k * 0.1, pose)
    assert rec.close() == path
    assert rec.close() is None  # closing twice writes nothing
    assert len(load_track(path)) == 5


def test_empty_recorder_writes_nothing(tmp_path: Path) -> None:
    rec = LandmarkRecorder(tmp_path / "empty.npz")
    assert rec.close() is None
    assert not (tmp_path / "empty.npz").exists()
    with pytest.raises(RuntimeError):
        rec.add(0.0, None)


def test_bad_recordings_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"missing\.npz: no such file"):
        load_recording(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(InputFileError, match=r"junk\.npz: not a readable"):
        load_recording(junk)
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(3))
    with pytest.raises(InputFileError, match=r"other\.npz: not a tui-trainer landmark recording"):
        load_recording(other)
    with pytest.raises(InputFileError, match=r"\.npz"):
        LandmarkRecorder(tmp_path / "session.mp4")
    with pytest.raises(InputFileError, match="no such folder"):
        LandmarkRecorder(tmp_path / "nowhere" / "s.npz")


def test_recording_source_records_what_the_session_reads(tmp_path: Path) -> None:
    from tui_trainer.core.library import PoseLibrary
    from tui_trainer.io.sources import DemoSource

    rec = LandmarkRecorder(tmp_path / "live.npz", meta={"source": "demo"})
    source = RecordingSource(DemoSource(), rec)
    source.open()
    source.set_target(PoseLibrary.load().get("warrior2"))
    samples = [source.read() for _ in range(5)]
    source.close()
    rec.close()
    track = load_recording(tmp_path / "live.npz")
    assert len(track) == 5 and track.source == "demo"
    assert track.present.sum() == sum(s is not None and s.pose is not None for s in samples)
