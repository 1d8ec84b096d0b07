"""Synthetic flows and known time warps of a track, for the follow tests (imported as
`flow_tracks`: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import numpy as np

from tui_trainer.core.body.landmarks import MIRROR
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.demo.synth import bend_world, pose_from_world, standing_world
from tui_trainer.core.motion.compare import LandmarkTrack

# A small flow: (seconds to get there, then hold, {angle: bend in degrees}).
FLOW: tuple[tuple[float, float, dict[str, float]], ...] = (
    (0.0, 1.0, {}),
    (1.5, 1.0, {"left_shoulder": 150.0, "right_shoulder": 150.0}),
    (1.5, 0.5, {"left_shoulder": 80.0, "right_shoulder": 80.0, "left_knee": -60.0}),
    (1.0, 1.0, {"left_shoulder": 80.0, "right_shoulder": 20.0, "left_knee": -60.0}),
    (1.5, 0.5, {"right_elbow": -90.0, "trunk_lean": 25.0}),
    (1.5, 1.0, {"left_hip": -70.0, "right_hip": -70.0, "left_elbow": -40.0}),
    (1.5, 1.0, {}),
)


def _smooth(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


def flow_bends(t: float) -> dict[str, float]:
    """The bends of FLOW at time t (eased from one pose to the next)."""
    prev: dict[str, float] = {}
    clock = 0.0
    for move, hold, bends in FLOW:
        if t < clock + move:
            k = _smooth((t - clock) / move) if move > 0 else 1.0
            names = set(prev) | set(bends)
            return {n: (1 - k) * prev.get(n, 0.0) + k * bends.get(n, 0.0) for n in names}
        clock += move
        if t < clock + hold:
            return dict(bends)
        clock += hold
        prev = bends
    return dict(prev)


def flow_duration() -> float:
    return sum(m + h for m, h, _ in FLOW)


def flow_world(t: float) -> np.ndarray:
    w = standing_world()
    for name, deg in sorted(flow_bends(t).items()):
        if abs(deg) > 1e-6:
            w = bend_world(w, name, deg)
    return w


def flow_track(fps: float = 30.0, source: str = "flow") -> LandmarkTrack:
    frames: list[tuple[float, Pose | None]] = []
    for k in range(round(flow_duration() * fps) + 1):
        frames.append((k / fps, pose_from_world(flow_world(k / fps))))
    return LandmarkTrack.from_frames(frames, fps=fps, source=source)


def warp_track(
    track: LandmarkTrack,
    speed: float = 0.75,
    *,
    mirror: bool = False,
    pause_at: float | None = None,
    pause_s: float = 2.0,
    noise_deg: float = 0.0,
    seed: int = 0,
) -> tuple[LandmarkTrack, np.ndarray]:
    """The track performed at `speed` by repeating (or skipping) frames, optionally mirrored
    and with a pause of `pause_s` seconds at the fraction `pause_at` of it. Also returns the
    teacher time each new frame shows (the ground truth of the alignment)."""
    n, fps = len(track), track.fps
    m = int(n / speed)
    src = np.minimum((np.arange(m) * speed).astype(int), n - 1)
    if pause_at is not None:
        k = int(pause_at * m)
        src = np.concatenate([src[:k], np.full(round(pause_s * fps), src[k]), src[k:]])
    image, world = track.image[src].copy(), track.world[src].copy()
    vis = track.visibility[src].copy()
    if noise_deg:
        rng = np.random.default_rng(seed)
        # ~noise_deg of angle jitter: landmarks move by about a limb length x the angle.
        world = world + rng.normal(0.0, 0.3 * np.radians(noise_deg), world.shape)
    if mirror:
        image, world, vis = image[:, MIRROR], world[:, MIRROR], vis[:, MIRROR]
        image[..., 0] = 1.0 - image[..., 0]
        world[..., 0] = -world[..., 0]
    out = LandmarkTrack(
        np.arange(len(src)) / fps,
        image,
        world,
        vis,
        track.present[src],
        fps,
        track.image_size,
        "warped",
    )
    return out, np.asarray(track.timestamps)[src]
