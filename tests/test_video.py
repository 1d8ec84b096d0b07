"""Video input: clear errors for bad files, exact seeking, parallel extraction = sequential."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tui_trainer.core.body.angles import MAIN_INDEX, angles_from_points
from tui_trainer.core.errors import InputFileError
from tui_trainer.io.video import _plan, extract_landmarks, extract_tracks, probe_video

CLIP = "vux_cable_row_1x.mp4"  # 256 frames, 512x640, 30 fps


def grey_video(path: Path, frames: int = 12, size: tuple[int, int] = (160, 120)) -> Path:
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 10.0, size)
    for _ in range(frames):
        writer.write(np.full((size[1], size[0], 3), 128, np.uint8))
    writer.release()
    return path


def phone_video(path: Path) -> Path:
    """A landscape 160x120 video with a bright block top left, flagged (as phones flag portrait
    recordings) to be shown turned 90 degrees clockwise: the 3x3 matrix of its track header."""
    import struct

    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 10.0, (160, 120))
    for _ in range(6):
        frame = np.full((120, 160, 3), 40, np.uint8)
        frame[:30, :40] = 255
        writer.write(frame)
    writer.release()
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0 and data[at + 4] == 0  # a version 0 track header
    matrix = at + 8 + 20 + 8 + 8  # after version/flags, times and ids, reserved, layer..volume
    data[matrix : matrix + 36] = struct.pack(
        ">9I", 0, 0x00010000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000
    )
    path.write_bytes(bytes(data))
    return path


def test_a_phone_video_flagged_as_rotated_is_read_upright(tmp_path: Path) -> None:
    from tui_trainer.io.frames import open_video

    video = phone_video(tmp_path / "phone.mp4")
    info = probe_video(video)
    assert (info.width, info.height) == (120, 160)
    cap = open_video(video)
    ok, frame = cap.read()
    cap.release()
    assert ok and frame.shape[:2] == (160, 120)
    rows, cols = np.nonzero(frame[:, :, 0] > 200)  # the block, turned to the top right
    assert rows.max() < 45 and cols.min() > 75


def test_missing_corrupt_and_empty_videos_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.mp4: no such file"):
        probe_video(tmp_path / "nope.mp4")
    with pytest.raises(InputFileError, match="not a file"):
        probe_video(tmp_path)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(0).bytes(50_000))
    with pytest.raises(InputFileError, match=r"junk\.mp4: "):
        probe_video(junk)
    empty = grey_video(tmp_path / "empty.mp4", frames=0)
    with pytest.raises(InputFileError, match=r"empty\.mp4: "):
        probe_video(empty)


def test_probe_reads_size_and_rate(tmp_path: Path) -> None:
    info = probe_video(grey_video(tmp_path / "grey.mp4", frames=12))
    assert (info.width, info.height) == (160, 120)
    assert info.fps == pytest.approx(10.0)
    assert info.frame_count == 12


@pytest.mark.slow
def test_a_video_without_a_person_has_no_poses(tmp_path: Path) -> None:
    frames = extract_landmarks(grey_video(tmp_path / "grey.mp4", frames=6), workers=1)
    assert [t for t, _ in frames] == pytest.approx([k / 10.0 for k in range(6)])
    assert all(pose is None for _, pose in frames)


def test_chunks_cover_every_frame_once() -> None:
    from tui_trainer.io.video import VideoInfo

    infos = [VideoInfo(Path("a.mp4"), 30, 788, 1, 1), VideoInfo(Path("b.mp4"), 30, 100, 1, 1)]
    chunks = _plan(infos, workers=2, per_worker=2, complexity=1)
    for v in range(len(infos)):
        mine = sorted((c for c in chunks if c.video == v), key=lambda c: c.start)
        assert mine[0].start == 0 and mine[-1].stop is None  # the last reads to the real end
        assert [a.stop for a in mine[:-1]] == [b.start for b in mine[1:]]
    assert sum(c.video == 0 for c in chunks) > sum(c.video == 1 for c in chunks)


@pytest.mark.media
def test_seeking_lands_on_the_exact_frame(media_dir: Path) -> None:
    import cv2

    path = str(media_dir / CLIP)
    cap = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    for start in (1, 63, 128, 191, len(frames) - 2):
        cap = cv2.VideoCapture(path)
        cap.set(cv2.CAP_PROP_POS_FRAMES, start)
        ok, frame = cap.read()
        assert ok and np.array_equal(frame, frames[start]), start


def _cut(source: Path, out: Path, start: int, frames: int) -> Path:
    import cv2

    cap = cv2.VideoCapture(str(source))
    cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    ok, frame = cap.read()
    h, w = frame.shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (w, h))
    for _ in range(frames):
        if not ok:
            break
        writer.write(frame)
        ok, frame = cap.read()
    writer.release()
    return out


@pytest.mark.media
@pytest.mark.slow
def test_parallel_extraction_matches_sequential(media_dir: Path, tmp_path: Path) -> None:
    # 10 s of the warrior II video: stepping into the pose and holding it.
    clip = _cut(media_dir / "ooibowei_warrior2.mp4", tmp_path / "cut.mp4", 150, 300)
    (seq,) = extract_tracks([clip], workers=1, progress=False)
    (par,) = extract_tracks([clip], workers=2, chunks_per_worker=2, progress=False)
    assert len(seq) == len(par) == 300
    np.testing.assert_allclose(par.timestamps, seq.timestamps)
    assert par.image_size == seq.image_size == (1280, 720)
    assert np.array_equal(seq.present, par.present)
    # Tracking restarts at each of the 3 chunk boundaries, so landmarks differ a little.
    both = seq.present & par.present
    a = angles_from_points(seq.world[both].astype(float))[:, MAIN_INDEX]
    b = angles_from_points(par.world[both].astype(float))[:, MAIN_INDEX]
    worst = np.nanmax(np.abs(a - b), axis=1)
    assert np.mean(worst <= 5.0) >= 0.95
    assert np.median(worst) < 2.0
    # ...and the first chunk is the sequential run, bit for bit.
    assert np.array_equal(seq.world[:60], par.world[:60])


def test_a_chunk_that_decodes_short_keeps_later_frames_in_place() -> None:
    from tui_trainer.io.video import _aligned, _ChunkResult

    def part(start: int, n: int) -> _ChunkResult:
        return _ChunkResult(
            0,
            start,
            np.ones((n, 33, 3), np.float32),
            np.ones((n, 33, 3), np.float32),
            np.ones((n, 33), np.float32),
            np.ones(n, bool),
        )

    parts = _aligned([part(0, 10), part(10, 7), part(20, 5)])
    present = np.concatenate([p.present for p in parts])
    assert len(present) == 25
    assert present[:17].all() and not present[17:20].any() and present[20:].all()
    assert sum(len(p.world) for p in parts) == 25
