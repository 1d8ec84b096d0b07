"""The demo trainee: a synthetic person who performs the routine, so every part of the app can be
seen without a camera or MediaPipe.

Told the current target pose (`set_target`), it moves its skeleton there from wherever it was,
starting with one or two joints wrong and correcting them over a few seconds; sometimes it
starts on the other side and switches, sometimes steps too close (feet out of view), and now
and then drifts out of the pose again. Small jitter and a breathing sway keep it alive.
In a flow (told how long the pose's window is) it is brisker: at most one small mistake,
fixed within a second or two, and now and then a pose it never gets right (so a round is
missed). Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui_trainer.core.body.landmarks import INDEX, N_LANDMARKS
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.coaching.coach import mirror_name
from tui_trainer.core.demo.synth import (
    BENDABLE,
    IMAGE_SIZE,
    bend_world,
    framing_for,
    project,
    standing_world,
)
from tui_trainer.core.library.spec import PoseSpec

MOVE_S = 1.2  # time to move from the previous pose into the new one
FLOW_MISS_P = 0.07  # in a flow: the share of poses the demo never quite reaches
_FEET = [INDEX[n] for n in ("left_ankle", "right_ankle", "left_heel", "right_heel")]
_FEET += [INDEX["left_foot_index"], INDEX["right_foot_index"]]


@dataclass(frozen=True)
class Mistake:
    angle: str  # in the target side's labels
    degrees: float  # how far off (signed: + opens the angle)
    fix_at: float  # seconds after the target was set when the correction starts
    fix_s: float  # how long the correction takes


@dataclass(frozen=True)
class Script:
    """What the demo trainee will do for one target (times from when it was set)."""

    mistakes: tuple[Mistake, ...]
    switch_side_at: float | None  # starts on the other side and switches at this time
    feet_out: tuple[float, float] | None  # (start, end): too close to the camera
    drifts: tuple[Mistake, ...]  # later lapses: off at fix_at - 2 s, back by fix_at + fix_s


def _smooth(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


def _direction(spec: PoseSpec, angle: str, rng: np.random.Generator) -> float:
    target = spec.angles[angle].target
    if target > 150.0:
        return -1.0  # cannot open a straight joint much further: bend it
    if target < 30.0:
        return 1.0
    return float(rng.choice([-1.0, 1.0]))


def make_script(spec: PoseSpec, rng: np.random.Generator) -> Script:
    candidates = [n for n in spec.important_angles(limit=5, min_weight=0.45) if n in BENDABLE]
    mistakes: list[Mistake] = []
    if candidates:
        count = min(len(candidates), int(rng.integers(1, 3)))
        chosen = rng.choice(len(candidates), size=count, replace=False)
        fix_at = 1.5 + float(rng.uniform(0.5, 1.5))
        for k in sorted(int(c) for c in chosen):
            name = candidates[k]
            size = float(np.clip(3.5 * spec.angles[name].tolerance, 28.0, 50.0))
            mistakes.append(Mistake(name, _direction(spec, name, rng) * size, fix_at, 1.5))
            fix_at += float(rng.uniform(1.5, 2.5))
    switch = float(rng.uniform(2.0, 3.0)) if not spec.symmetric and rng.random() < 0.3 else None
    feet = None
    if rng.random() < 0.2:
        start = float(rng.uniform(0.8, 1.5))
        feet = (start, start + 1.8)
    drifts: list[Mistake] = []
    t = (mistakes[-1].fix_at + 2.0) if mistakes else 3.0
    for _ in range(6):
        t += float(rng.uniform(9.0, 16.0))
        if not candidates:
            break
        name = candidates[int(rng.integers(len(candidates)))]
        size = float(np.clip(2.5 * spec.angles[name].tolerance, 20.0, 40.0))
        drifts.append(Mistake(name, _direction(spec, name, rng) * size, t, 1.0))
    return Script(tuple(mistakes), switch, feet, tuple(drifts))


def make_flow_script(spec: PoseSpec, rng: np.random.Generator, window_s: float) -> Script:
    """A pose of a flow: reached within its window, or (now and then) missed altogether."""
    candidates = [n for n in spec.important_angles(limit=5, min_weight=0.45) if n in BENDABLE]
    roll = float(rng.random())
    if not candidates or roll >= 0.5:
        return Script((), None, None, ())
    name = candidates[int(rng.integers(len(candidates)))]
    if roll < FLOW_MISS_P:  # off all window long, put right only as the window ends
        size = float(np.clip(3.0 * spec.angles[name].tolerance, 30.0, 45.0))
        mistake = Mistake(name, _direction(spec, name, rng) * size, window_s - 0.5, 1.0)
    else:
        size = float(np.clip(2.5 * spec.angles[name].tolerance, 20.0, 35.0))
        fix_at = float(rng.uniform(0.6, 1.2))
        mistake = Mistake(name, _direction(spec, name, rng) * size, fix_at, 0.8)
    return Script((mistake,), None, None, ())


class DemoTrainee:
    """A synthetic person: `set_target(spec, t)`, then `pose_at(t)` for each frame."""

    def __init__(self, seed: int | None = None, image_size: tuple[int, int] = IMAGE_SIZE) -> None:
        self.rng = np.random.default_rng(seed)
        self.image_size = image_size
        self.spec: PoseSpec | None = None
        self.script: Script | None = None
        self._key: tuple[str, str] | None = None
        self._window_s: float | None = None
        self._set_at = 0.0
        self._from = standing_world()
        self._last = self._from
        self._view = framing_for(self._from, image_size)

    def set_target(self, spec: PoseSpec | None, t: float, window_s: float | None = None) -> None:
        """Start performing `spec` (already on the step's side); the same pose again is a no-op.
        `window_s`: the pose is part of a flow and has this long (None: a hold)."""
        key = None if spec is None else (spec.id, spec.template_side)
        if key == self._key:
            return
        self._key, self.spec, self._set_at = key, spec, t
        self._from = self._last
        self._window_s = window_s
        if spec is None:
            self.script = None
        elif window_s is not None:
            self.script = make_flow_script(spec, self.rng, window_s)
        else:
            self.script = make_script(spec, self.rng)
        if spec is not None:
            self._view = framing_for(np.asarray(spec.template.world), self.image_size)

    def restart(self, t: float) -> None:
        """Do the current pose again from the start (with new mistakes)."""
        spec, self._key = self.spec, None
        self.set_target(spec, t, self._window_s)

    def _offset(self, m: Mistake, s: float) -> float:
        return m.degrees * (1.0 - _smooth((s - m.fix_at) / m.fix_s))

    def _drift(self, m: Mistake, s: float) -> float:
        into = _smooth((s - (m.fix_at - 2.5)) / 0.8)
        back = _smooth((s - m.fix_at) / m.fix_s)
        return m.degrees * into * (1.0 - back)

    def world_at(self, t: float) -> np.ndarray:
        """The noise-free skeleton at time t."""
        spec, script = self.spec, self.script
        if spec is None or script is None:
            return standing_world()
        s = t - self._set_at
        correct = np.asarray(spec.template.world)
        mirrored_w = np.asarray(spec.template.mirrored().world)
        world = correct
        mirrored = False
        if script.switch_side_at is not None and s < script.switch_side_at + 1.0:
            k = _smooth(s - script.switch_side_at)
            world = (1.0 - k) * mirrored_w + k * correct
            mirrored = k < 0.5
        for m in script.mistakes:
            off = self._offset(m, s)
            if abs(off) > 0.05:
                world = bend_world(world, mirror_name(m.angle) if mirrored else m.angle, off)
        for m in script.drifts:
            off = self._drift(m, s)
            if abs(off) > 0.05:
                world = bend_world(world, m.angle, off)
        k = _smooth(s / MOVE_S)
        return (1.0 - k) * self._from + k * world

    def pose_at(self, t: float) -> Pose:
        world = self.world_at(t)
        self._last = world
        rng = self.rng
        breath = 1.0 + 0.006 * np.sin(2 * np.pi * t / 4.0)
        noisy = world * np.array([1.0, breath, 1.0]) + rng.normal(0.0, 0.003, world.shape)
        image = project(noisy, self.image_size, *self._view)
        image[:, 0] += 0.012 * np.sin(2 * np.pi * t / 5.3)  # sway
        vis = rng.uniform(0.9, 0.995, N_LANDMARKS)
        script = self.script
        if script is not None and script.feet_out is not None:
            s = t - self._set_at
            if script.feet_out[0] <= s < script.feet_out[1]:
                vis[_FEET] = rng.uniform(0.02, 0.2, len(_FEET))
                image[_FEET, 1] = np.maximum(image[_FEET, 1], 1.02)
        return Pose.from_arrays(image, noisy, vis, self.image_size)
