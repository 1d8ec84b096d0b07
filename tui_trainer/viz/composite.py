"""The preview window's picture: live frame with overlay | target | 3D view, under a banner.

`mirror=True` shows the live frame as a mirror does (as video calls show a webcam): the frame
is flipped, the skeleton and angle labels are drawn at the flipped positions (each joint keeps
its own name and colour, so the trainee's left arm is on the screen's left), and the target is
flipped with it. Only the picture changes: scores and corrections come from the unflipped pose.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tui_trainer.core.body.angles import ANGLE_MIRROR_NAME, MAIN_ANGLES
from tui_trainer.core.body.pose import Pose
from tui_trainer.core.coaching.feedback import keep_in_view
from tui_trainer.core.comparison.scoring import Comparison
from tui_trainer.core.library.spec import PoseSpec
from tui_trainer.viz.figure import render_figure
from tui_trainer.viz.overlay import ascii_text, draw_skeleton, put_text
from tui_trainer.viz.skeleton3d import render_skeleton3d
from tui_trainer.viz.style import ANGLE_VERTEX, BACKGROUND, DIM_TEXT, TEXT, Color, solid

BANNER_COLORS: dict[str, Color] = {
    "PERFECT": (40, 120, 40),
    "FIGHTING": (20, 90, 170),
}
BANNER_DEFAULT: Color = (60, 55, 50)
CAPTION_HEIGHT = 28


@dataclass(frozen=True, eq=False)
class WindowView:
    """Everything one preview picture shows (built by the session, drawn by render_composite)."""

    frame: np.ndarray | None  # BGR camera/video frame
    pose: Pose | None  # the trainee's pose in that frame
    target: PoseSpec | None  # the pose to match, for the side being performed
    comparison: Comparison | None
    verdict: str  # "PERFECT", "FIGHTING" or "" (nothing to judge yet)
    score: float | None
    hint: str  # the current correction
    title: str  # e.g. "Warrior II (left) · 2/6"
    reference_image: np.ndarray | None = None  # BGR photo of the target, if the pose has one
    hint_angle: str | None = None  # the angle the correction names (trainee's labels)


@dataclass(frozen=True)
class Layout:
    banner: tuple[int, int, int, int]  # x, y, width, height
    live: tuple[int, int, int, int]
    target: tuple[int, int, int, int]
    view3d: tuple[int, int, int, int]


def layout(size: tuple[int, int]) -> Layout:
    w, h = size
    bh = max(48, round(h * 0.11))
    lw = round(w * 0.6)
    th = (h - bh) // 2
    return Layout(
        banner=(0, 0, w, bh),
        live=(0, bh, lw, h - bh),
        target=(lw, bh, w - lw, th),
        view3d=(lw, bh + th, w - lw, h - bh - th),
    )


_fit_cache: dict[tuple[int, int, int, bool], tuple[np.ndarray, np.ndarray]] = {}


def _fit(image: np.ndarray, box_w: int, box_h: int, *, flip: bool = False) -> np.ndarray:
    import cv2

    ih, iw = image.shape[:2]
    scale = min(box_w / iw, box_h / ih)
    nw, nh = max(1, round(iw * scale)), max(1, round(ih * scale))
    out = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return cv2.flip(out, 1) if flip else out


def _fit_cached(image: np.ndarray, box_w: int, box_h: int, flip: bool) -> np.ndarray:
    """Reference photos repeat every frame: resize each once (keyed by identity, kept alive)."""
    key = (id(image), box_w, box_h, flip)
    hit = _fit_cache.get(key)
    if hit is not None and hit[0] is image:
        return hit[1]
    if len(_fit_cache) > 8:
        _fit_cache.clear()
    out = _fit(image, box_w, box_h, flip=flip)
    _fit_cache[key] = (image, out)
    return out


def _paste(canvas: np.ndarray, image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Centre `image` in box; returns the view of the canvas it occupies."""
    x, y, w, h = box
    ih, iw = image.shape[:2]
    ox, oy = x + (w - iw) // 2, y + (h - ih) // 2
    region = canvas[oy : oy + ih, ox : ox + iw]
    region[:] = image
    return region


def _mirror_names(mapping: dict[str, float]) -> dict[str, float]:
    return {ANGLE_MIRROR_NAME[n]: v for n, v in mapping.items()}


def judged(view: WindowView) -> tuple[dict[str, float] | None, dict[str, float] | None]:
    """Errors and tolerances to colour joints with, in the trainee's labels.

    With a target only its own angles are judged; a mirrored match swaps its left/right names.
    """
    if view.comparison is None:
        return None, None
    errors = dict(view.comparison.errors)
    if view.target is None:
        return errors, None
    tolerances = view.target.tolerances()
    if view.comparison.mirrored:
        tolerances = _mirror_names(tolerances)
    return {n: e for n, e in errors.items() if n in tolerances}, tolerances


LABELS = 6  # angles written on the live picture: the pose's heaviest joints


def _label_angles(view: WindowView, errors: dict[str, float] | None) -> list[str]:
    if view.target is None:
        return list(MAIN_ANGLES)
    names = view.target.important_angles(limit=LABELS)
    if view.comparison is not None and view.comparison.mirrored:
        names = [ANGLE_MIRROR_NAME[n] for n in names]
    names = [n for n in names if n in ANGLE_VERTEX]
    if view.hint_angle in ANGLE_VERTEX:  # the joint the correction names is always labelled
        names = keep_in_view(names, view.hint_angle, LABELS)
    return names


def _caption(canvas: np.ndarray, box: tuple[int, int, int, int], text: str) -> None:
    put_text(canvas, text, (box[0] + 8, box[1] + 20), 0.5, DIM_TEXT, 1)


def _banner(canvas: np.ndarray, view: WindowView, box: tuple[int, int, int, int]) -> None:
    x, y, w, h = box
    right = view.verdict
    if view.score is not None and np.isfinite(view.score):
        right = f"{view.verdict}  {view.score:.0f}".strip()
    hint = view.hint or ("Hold it!" if view.verdict == "PERFECT" else "")
    color = BANNER_COLORS.get(view.verdict, BANNER_DEFAULT)
    title, hint = ascii_text(view.title), ascii_text(hint)
    canvas[y : y + h, x : x + w] = _banner_image(w, h, title, right, hint, color)


@lru_cache(maxsize=8)
def _banner_image(w: int, h: int, title: str, right: str, hint: str, color: Color) -> np.ndarray:
    """The banner changes a few times a second at most: text rendering is cached."""
    import cv2

    out = solid(h, w, color).copy()
    s = h / 80.0
    aa = cv2.LINE_AA
    cv2.putText(out, title, (14, round(32 * s)), 0, 0.8 * s, TEXT, max(1, round(2 * s)), aa)
    if right:
        fs, ft = 1.0 * s, max(2, round(2 * s))
        (tw, _), _ = cv2.getTextSize(right, 0, fs, ft)
        cv2.putText(out, right, (w - tw - 16, round(36 * s)), 0, fs, TEXT, ft, aa)
    if hint:
        cv2.putText(out, hint, (14, round(66 * s)), 0, 0.65 * s, (200, 255, 255), 1, aa)
    out.setflags(write=False)
    return out


def flipped_for_display(pose: Pose) -> Pose:
    """The pose drawn on a horizontally flipped picture: x flipped, every landmark keeping its
    own name (unlike Pose.mirrored(), which makes the other-sided body)."""
    image = pose.image.copy()
    image[:, 0] = 1.0 - image[:, 0]
    image.setflags(write=False)
    return dataclasses.replace(pose, image=image)


def render_composite(
    view: WindowView,
    size: tuple[int, int] = (1280, 720),
    yaw_deg: float = 0.0,
    *,
    mirror: bool = False,
) -> np.ndarray:
    """The window picture, size = (width, height), BGR uint8; `mirror`: see the module doc."""
    import cv2

    w, h = size
    lay = layout(size)
    canvas = solid(h, w, BACKGROUND).copy()
    errors, tolerances = judged(view)
    matched_mirror = bool(view.comparison is not None and view.comparison.mirrored)
    # A symmetric pose matched in the mirror (facing the other way) is drawn the way the trainee
    # does it. An asymmetric one is performed on a given side: its mirror is the wrong side, so
    # the target keeps showing the side to do.
    mirrored = matched_mirror and view.target is not None and view.target.symmetric

    # Live frame with the coloured skeleton, drawn after scaling (cheaper, constant line width).
    lx, ly, lw, lh = lay.live
    if view.frame is not None:
        region = _paste(canvas, _fit(view.frame, lw, lh, flip=mirror), lay.live)
        if view.pose is not None:
            draw_skeleton(
                region,
                flipped_for_display(view.pose) if mirror else view.pose,
                errors,
                tolerances,
                label_angles=_label_angles(view, errors),
                inplace=True,
            )
        else:
            put_text(canvas, "no person in view", (lx + 16, ly + lh - 20), 0.8, TEXT, 2)
    else:
        put_text(canvas, "waiting for the camera...", (lx + 16, ly + lh // 2), 0.8, DIM_TEXT, 2)
    if mirror:
        _caption(canvas, lay.live, "mirror view (m: camera view)")

    # Target: the reference photo, else a figure of the template (mirrored when matched so).
    tx, ty, tw, th = lay.target
    # In the mirror view the target is flipped too, so it looks as the trainee should.
    if view.reference_image is not None:
        _paste(canvas, _fit_cached(view.reference_image, tw, th, mirrored != mirror), lay.target)
    elif view.target is not None:
        cap = CAPTION_HEIGHT  # keep the figure clear of the caption
        figure = render_figure(view.target.template, (tw, th - cap), mirrored=mirrored)
        canvas[ty + cap : ty + th, tx : tx + tw] = figure[:, ::-1] if mirror else figure
    if view.target is not None:
        name = view.target.name
        if mirrored:
            name += " (mirrored)"
        elif not view.target.symmetric:
            side = view.target.template_side
            name += f" ({side} side)" + (" - you are on the other side" if matched_mirror else "")
        _caption(canvas, lay.target, f"Target: {name}")

    vx, vy, vw, vh = lay.view3d
    ghost = None
    if view.target is not None:
        ghost = view.target.template.mirrored() if mirrored else view.target.template
    canvas[vy : vy + vh, vx : vx + vw] = render_skeleton3d(
        view.pose, ghost, (vw, vh), yaw_deg, errors=errors, tolerances=tolerances
    )
    _banner(canvas, view, lay.banner)
    cv2.line(canvas, (lx + lw, ly), (lx + lw, h), (90, 90, 90), 1)
    cv2.line(canvas, (tx, vy), (w, vy), (90, 90, 90), 1)
    return canvas
