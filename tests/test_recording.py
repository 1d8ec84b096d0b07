"""Landmark recordings: round trip, atomic write, broken files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tui_trainer.core.demo.synth import bend_world, pose_from_world, standing_world
from tui_trainer.core.errors import InputFileError
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


_CHILD = """
import sys, time
from tui_trainer.core.demo.synth import bend_world, pose_from_world, standing_world
from tui_trainer.io.recording import LandmarkRecorder

rec = LandmarkRecorder(sys.argv[1], meta={"routine": "morning"})
base = standing_world()
for k in range(100000):
    pose = None if k % 7 == 3 else pose_from_world(bend_world(base, "left_elbow", -0.1 * k))
    rec.add(50.0 + k / 30, pose)
    print(k, flush=True)
    time.sleep(0.005)
"""


def test_killed_recorder_keeps_all_but_the_last_second(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from tui_trainer.io import recording

    path = tmp_path / "live.npz"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        last = -1
        while last < 3 * recording.FLUSH_FRAMES:
            last = int(child.stdout.readline())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert not path.exists()  # close() never ran
    track = load_recording(path)
    # At most one flush's worth of frames is lost; nothing added after the kill is there.
    assert last + 1 - recording.FLUSH_FRAMES <= len(track) <= last + 1 + 1
    np.testing.assert_allclose(track.timestamps, np.arange(len(track)) / 30, atol=1e-6)
    assert track.meta["routine"] == "morning" and track.meta["interrupted"] is True
    assert track.meta["t0"] == pytest.approx(50.0)
    assert track.image_size == (640, 480)
    assert list(track.present[:8]) == [k % 7 != 3 for k in range(8)]
    elbow = [pose.angles["left_elbow"] for _t, pose in track.frames() if pose is not None]
    assert len(set(np.round(elbow, 1))) > len(elbow) // 2  # real, changing poses were kept


def test_side_file_drops_a_torn_tail_and_goes_once_the_npz_is_written(tmp_path: Path) -> None:
    from tui_trainer.io.recording import partial_path

    path = tmp_path / "s.npz"
    rec = LandmarkRecorder(path, meta={"source": "camera"})
    poses = _poses(10)
    for k, pose in enumerate(poses):
        rec.add(k * 0.1, pose)
    rec.flush()
    part = partial_path(path)
    assert part.is_file() and not path.exists()
    with part.open("ab") as fh:
        fh.write(b"\x01" * 100)  # half a frame, as a kill during a write leaves it
    got = load_recording(path)
    assert len(got) == 10 and got.source == "camera"
    np.testing.assert_allclose(got.world[1], poses[1].world, atol=1e-6)
    assert rec.close() == path
    assert not part.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["s.npz"]
    assert len(load_recording(path)) == 10 and "interrupted" not in load_recording(path).meta
    part.write_bytes(b"garbage")
    with pytest.raises(InputFileError, match=r"s\.npz\.part: not a tui-trainer"):
        load_recording(path)
